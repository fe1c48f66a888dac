// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen pcap-info FILE: who the camera in a capture is and whom it talks
 * to, as "key value" lines, so the demo and tests can build a sandbox
 * around any capture.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "camgen.h"
#include "capture.h"
#include "flowtab.h"
#include "pkt.h"
#include "util.h"

struct info {
	struct camgen_capture_scan scan;
	struct camgen_flowtab sources;	/* the camera's IPv4 source addresses */
	struct camgen_flowtab peers;	/* (destination, protocol, port) */
};

static int count_camera_frames(const char *path, struct info *info)
{
	struct camgen_flow_key key;
	struct pcap_pkthdr *hdr;
	struct camgen_pkt pkt;
	const uint8_t *data;
	pcap_t *p;
	int ret = 0;

	p = camgen_capture_open(path);
	if (!p)
		return -1;
	while (!ret && camgen_capture_next(p, path, &hdr, &data)) {
		if (camgen_pkt_parse(data, hdr->caplen, &pkt) ||
		    memcmp(pkt.smac, info->scan.mac, 6) || !pkt.family)
			continue;
		if (pkt.family == AF_INET) {
			memset(&key, 0, sizeof(key));
			key.family = AF_INET;
			memcpy(key.addr, pkt.src, 4);
			ret = camgen_flowtab_add(&info->sources, &key);
		}
		memset(&key, 0, sizeof(key));
		key.family = (uint8_t)pkt.family;
		key.proto = pkt.proto;
		key.port = pkt.dport;
		memcpy(key.addr, pkt.dst, 16);
		if (!ret)
			ret = camgen_flowtab_add(&info->peers, &key);
	}
	pcap_close(p);
	if (ret)
		fprintf(stderr, "camgen: %s: %s\n", path, strerror(errno));
	return ret;
}

static int print_info(const char *path, struct info *info)
{
	char addr[INET6_ADDRSTRLEN], mac[CAMGEN_MAC_STRLEN], proto[8];
	struct camgen_flow *sources, *peers;
	size_t nsources, npeers, i;

	sources = camgen_flowtab_sorted(&info->sources, &nsources);
	peers = camgen_flowtab_sorted(&info->peers, &npeers);
	if (!sources || !peers) {
		free(sources);
		free(peers);
		fprintf(stderr, "camgen: %s: %s\n", path, strerror(ENOMEM));
		return -1;
	}
	printf("camera_mac %s\n", camgen_util_mac_str(info->scan.mac, mac));
	/* No line rather than a placeholder when the camera sent no IPv4. */
	if (nsources)
		printf("camera_ipv4 %s\n", camgen_util_ntop(AF_INET, sources[0].key.addr, addr));
	printf("frames %llu\n", (unsigned long long)info->scan.frames);
	printf("camera_frames %llu\n", (unsigned long long)info->scan.mac_frames);
	for (i = 0; i < npeers; i++) {
		printf("peer %s %s %u %llu\n",
		       camgen_util_ntop(peers[i].key.family, peers[i].key.addr, addr),
		       camgen_pkt_proto_name(peers[i].key.proto, proto),
		       peers[i].key.port, (unsigned long long)peers[i].count);
	}
	free(sources);
	free(peers);
	return 0;
}

int camgen_pcapinfo_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *path;
	struct info info;
	int c, ret = CAMGEN_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c == 'h')
			camgen_util_help();
		camgen_util_bad_option(argv, c);
	}
	if (optind >= argc)
		camgen_util_usage_error("pcap-info: missing the capture FILE");
	path = argv[optind++];
	camgen_util_no_positional(argc, argv);

	if (camgen_capture_scan(path, NULL, &info.scan))
		return CAMGEN_EXIT_ERROR;
	if (!info.scan.mac_frames) {
		fprintf(stderr, "camgen: %s: no Ethernet frames in the capture\n", path);
		return CAMGEN_EXIT_ERROR;
	}
	if (camgen_flowtab_init(&info.sources))
		goto err_oom;
	if (camgen_flowtab_init(&info.peers))
		goto err_peers;
	if (!count_camera_frames(path, &info) && !print_info(path, &info))
		ret = CAMGEN_EXIT_OK;
	camgen_flowtab_uninit(&info.peers);
	camgen_flowtab_uninit(&info.sources);
	return ret;
err_peers:
	camgen_flowtab_uninit(&info.sources);
err_oom:
	fprintf(stderr, "camgen: %s: %s\n", path, strerror(ENOMEM));
	return ret;
}
