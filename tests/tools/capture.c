// SPDX-License-Identifier: GPL-2.0 OR MIT
/* libpcap access shared by pcap-info and replay. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capture.h"
#include "pcap_open.h"
#include "flowtab.h"

pcap_t *camgen_capture_open(const char *path)
{
	return camfence_pcap_open(path, "camgen", 1, stderr);
}

int camgen_capture_next(pcap_t *p, const char *path, struct pcap_pkthdr **hdr,
			const uint8_t **data)
{
	static bool warned;
	int ret;

	ret = pcap_next_ex(p, hdr, data);
	if (ret == 1)
		return 1;
	if (ret == PCAP_ERROR && !warned) {
		fprintf(stderr, "camgen: %s: %s; using the frames before it\n",
			path, pcap_geterr(p));
		warned = true;
	}
	return 0;
}

int camgen_capture_scan(const char *path, const uint8_t *want,
			struct camgen_capture_scan *scan)
{
	struct camgen_flow_key key = { .family = AF_PACKET };
	struct camgen_flow *sorted = NULL;
	struct camgen_flowtab macs;
	const uint8_t *data;
	struct pcap_pkthdr *hdr;
	size_t n;
	pcap_t *p;
	int ret = -1;

	memset(scan, 0, sizeof(*scan));
	p = camgen_capture_open(path);
	if (!p)
		return -1;
	if (camgen_flowtab_init(&macs))
		goto err_oom;
	while (camgen_capture_next(p, path, &hdr, &data)) {
		scan->frames++;
		if (hdr->caplen < 14) {
			scan->short_frames++;
			continue;
		}
		if (want) {
			scan->mac_frames += !memcmp(data + 6, want, 6);
			continue;
		}
		memcpy(key.addr, data + 6, 6);
		if (camgen_flowtab_add(&macs, &key))
			goto err_oom;
	}
	if (want) {
		memcpy(scan->mac, want, 6);
	} else {
		sorted = camgen_flowtab_sorted(&macs, &n);
		if (!sorted)
			goto err_oom;
		if (n) {
			memcpy(scan->mac, sorted[0].key.addr, 6);
			scan->mac_frames = sorted[0].count;
		}
	}
	ret = 0;
	goto out;
err_oom:
	fprintf(stderr, "camgen: %s: %s\n", path, strerror(ENOMEM));
out:
	free(sorted);
	camgen_flowtab_uninit(&macs);
	pcap_close(p);
	return ret;
}
