// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "pcap_open.h"

pcap_t *camfence_pcap_open(const char *path, const char *who, int nano, FILE *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	const char *name, *desc;
	pcap_t *p;
	FILE *f;
	int dlt;

	/* opened here so that a missing file reads "path: reason", once */
	f = fopen(path, "rb");
	if (!f) {
		fprintf(err, "%s: %s: %s\n", who, path, strerror(errno));
		return NULL;
	}
	p = nano ? pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf) :
		   pcap_fopen_offline(f, errbuf);
	if (!p) {
		fprintf(err, "%s: %s: %s (not a pcap or pcapng capture?)\n", who, path, errbuf);
		fclose(f);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		name = pcap_datalink_val_to_name(dlt);
		desc = pcap_datalink_val_to_description(dlt);
		fprintf(err, "%s: %s: link type %s (%s) is not Ethernet; capture on the cameras' Ethernet interface (or a mirror port), not on 'any' or a Wi-Fi monitor interface\n",
			who, path, name ? name : "?", desc ? desc : "unknown");
		pcap_close(p);
		return NULL;
	}
	return p;
}
