// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen replay: puts a real camera's frames back on a wire. Only the
 * camera's frames are sent (the capture's other side is the sandbox's job),
 * unicast destination MACs are rewritten to the router's interface so the
 * router accepts them, and the capture's timing is kept, scaled, or dropped.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "camgen.h"
#include "capture.h"
#include "util.h"

#define MAX_FRAME	65536
#define ENOBUFS_RETRIES	100

struct replay {
	const char *iface, *path;
	int ifindex;
	uint8_t dmac[6], smac[6];
	bool have_smac, fast;
	double speed;
	unsigned long limit;		/* 0: no limit */
	uint64_t sent, truncated, too_big;
};

static int open_socket(const struct replay *r)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = r->ifindex,
		.sll_protocol = 0,	/* send only: receive nothing */
	};
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "camgen: replay: AF_PACKET socket: %s (needs root or CAP_NET_RAW)\n",
			strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "camgen: replay: bind to %s: %s\n", r->iface, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* 0 sent, 1 skipped (too big for the interface), -1 fatal. */
static int send_frame(struct replay *r, int fd, const uint8_t *frame, size_t len)
{
	int tries = 0;

	while (send(fd, frame, len, 0) < 0) {
		if (errno == EINTR && !camgen_util_stop)
			continue;
		if (errno == ENOBUFS && tries++ < ENOBUFS_RETRIES) {
			usleep(1000);
			continue;
		}
		if (errno == EMSGSIZE || errno == EINVAL) {
			r->too_big++;
			return 1;
		}
		fprintf(stderr, "camgen: replay: send on %s: %s%s\n", r->iface, strerror(errno),
			errno == ENETDOWN ? " (bring it up with 'ip link set dev IF up')" : "");
		return -1;
	}
	r->sent++;
	return 0;
}

static int replay_frames(struct replay *r, int fd)
{
	static uint8_t frame[MAX_FRAME];
	uint64_t ts, first_ts = 0, start = 0, due;
	struct pcap_pkthdr *hdr;
	const uint8_t *data;
	bool started = false;
	pcap_t *p;
	int ret = 0;

	p = camgen_capture_open(r->path);
	if (!p)
		return -1;
	while (!ret && !camgen_util_stop && (!r->limit || r->sent < r->limit) &&
	       camgen_capture_next(p, r->path, &hdr, &data)) {
		if (hdr->caplen < 14 || memcmp(data + 6, r->smac, 6))
			continue;
		/* A frame cut by the snap length would go out with wrong lengths. */
		if (hdr->caplen < hdr->len || hdr->caplen > MAX_FRAME) {
			r->truncated++;
			continue;
		}
		memcpy(frame, data, hdr->caplen);
		if (!(frame[0] & 1))
			memcpy(frame, r->dmac, 6);

		ts = (uint64_t)hdr->ts.tv_sec * CAMGEN_NSEC_PER_SEC + (uint64_t)hdr->ts.tv_usec;
		if (!started) {
			first_ts = ts;
			start = camgen_util_now_ns();
			started = true;
		}
		if (!r->fast && ts > first_ts) {
			due = start + (uint64_t)((double)(ts - first_ts) / r->speed);
			if (!camgen_util_sleep_until(due))
				break;
		}
		ret = send_frame(r, fd, frame, hdr->caplen) < 0 ? -1 : 0;
	}
	pcap_close(p);
	return ret;
}

int camgen_replay_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "pcap", required_argument, NULL, 'p' },
		{ "dmac", required_argument, NULL, 'd' },
		{ "smac", required_argument, NULL, 's' },
		{ "speed", required_argument, NULL, 'S' },
		{ "fast", no_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct replay r = { .speed = 1.0 };
	struct camgen_capture_scan scan;
	char mac[CAMGEN_MAC_STRLEN];
	const char *iface_arg = NULL;
	bool have_dmac = false, have_speed = false;
	int c, fd, ret;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'i': iface_arg = optarg; break;
		case 'p': r.path = optarg; break;
		case 'd': camgen_util_opt_mac("--dmac", optarg, r.dmac); have_dmac = true; break;
		case 's': camgen_util_opt_mac("--smac", optarg, r.smac); r.have_smac = true; break;
		case 'S': r.speed = camgen_util_opt_double("--speed", optarg, 0.001, 1000000); have_speed = true; break;
		case 'f': r.fast = true; break;
		case 'l': r.limit = camgen_util_opt_uint("--limit", optarg, 1, 1UL << 40); break;
		case 'h': camgen_util_help();
		default: camgen_util_bad_option(argv, c);
		}
	}
	camgen_util_no_positional(argc, argv);
	if (!iface_arg)
		camgen_util_usage_error("replay: --iface is required");
	if (!r.path)
		camgen_util_usage_error("replay: --pcap is required");
	if (!have_dmac)
		camgen_util_usage_error("replay: --dmac is required (the MAC of the router's camera-facing interface)");
	if (have_speed && r.fast)
		camgen_util_usage_error("replay: --speed and --fast exclude each other");
	r.iface = iface_arg;
	r.ifindex = camgen_util_opt_ifindex("--iface", iface_arg);

	if (camgen_capture_scan(r.path, r.have_smac ? r.smac : NULL, &scan))
		return CAMGEN_EXIT_ERROR;
	if (!scan.mac_frames) {
		if (r.have_smac)
			fprintf(stderr, "camgen: %s: no frame comes from %s (camgen pcap-info shows the camera's MAC)\n",
				r.path, camgen_util_mac_str(r.smac, mac));
		else
			fprintf(stderr, "camgen: %s: no Ethernet frames in the capture\n", r.path);
		return CAMGEN_EXIT_ERROR;
	}
	memcpy(r.smac, scan.mac, 6);

	fd = open_socket(&r);
	if (fd < 0)
		return CAMGEN_EXIT_ERROR;
	camgen_util_catch_stop_signals();
	ret = replay_frames(&r, fd) ? CAMGEN_EXIT_ERROR : CAMGEN_EXIT_OK;
	close(fd);
	if (r.truncated)
		fprintf(stderr, "camgen: replay: skipped %llu frames cut short by the capture's snap length\n",
			(unsigned long long)r.truncated);
	if (r.too_big)
		fprintf(stderr, "camgen: replay: skipped %llu frames larger than %s's MTU\n",
			(unsigned long long)r.too_big, r.iface);
	printf("replay: sent %llu of %llu frames from %s\n", (unsigned long long)r.sent,
	       (unsigned long long)scan.mac_frames, camgen_util_mac_str(r.smac, mac));
	return ret;
}
