/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Reading Ethernet captures with libpcap for pcap-info and replay: open with
 * a clear error for non-Ethernet link types, iterate, and find the camera
 * (the most frequent source MAC).
 */
#ifndef CAMGEN_CAPTURE_H
#define CAMGEN_CAPTURE_H

#include <stdint.h>
#include <pcap/pcap.h>

struct camgen_capture_scan {
	uint64_t frames;	/* every frame in the file */
	uint64_t short_frames;	/* fewer than 14 bytes captured */
	uint8_t mac[6];		/* the camera */
	uint64_t mac_frames;	/* frames with mac as source */
};

/* Timestamps in nanoseconds. Prints the reason and returns NULL on error. */
pcap_t *camgen_capture_open(const char *path);
/*
 * 1 and a frame, 0 at the end. A damaged or cut-off file ends early with a
 * warning rather than failing: the frames before the damage are still used.
 */
int camgen_capture_next(pcap_t *p, const char *path, struct pcap_pkthdr **hdr,
			const uint8_t **data);
/*
 * Counts frames per source MAC. want == NULL picks the most frequent source
 * MAC (ties: the first seen); otherwise counts want's frames. Prints the
 * reason and returns -1 on error.
 */
int camgen_capture_scan(const char *path, const uint8_t *want,
			struct camgen_capture_scan *scan);

#endif
