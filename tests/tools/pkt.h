/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Ethernet frame parsing for pcap-info and sink: MACs, up to two VLAN tags,
 * IPv4 (options, fragments) and IPv6 (extension-header chain), and the
 * transport's ports.
 */
#ifndef CAMGEN_PKT_H
#define CAMGEN_PKT_H

#include <stddef.h>
#include <stdint.h>

struct camgen_pkt {
	uint8_t dmac[6];
	uint8_t smac[6];
	uint16_t ethertype;	/* after VLAN tags, host order */
	int family;		/* AF_INET, AF_INET6, or 0: not IP */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t proto;		/* IPPROTO_* of the last header */
	uint16_t sport;		/* 0 unless the protocol has ports and */
	uint16_t dport;		/* this is the first fragment */
};

/* Returns 0 if the frame holds at least an Ethernet header, else -1. */
int camgen_pkt_parse(const uint8_t *frame, size_t len, struct camgen_pkt *pkt);

/* "udp", "tcp", "icmp", "icmpv6", ...; a number for the rest. */
const char *camgen_pkt_proto_name(uint8_t proto, char buf[8]);

#endif
