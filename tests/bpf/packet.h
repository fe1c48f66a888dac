/* SPDX-License-Identifier: GPL-2.0 */
/* Crafted frames for the XDP fixtures: Ethernet, VLAN tags, IPv4 with
 * options, IPv6, TCP, UDP, ICMP, ARP, fragments and truncations. */
#ifndef CAMFENCE_TEST_PACKET_H
#define CAMFENCE_TEST_PACKET_H

#include <stddef.h>
#include <stdint.h>

struct pkt_spec {
	uint8_t src_mac[6];
	uint16_t vlan[2];		/* 0: no tag; vlan[0] outermost (802.1ad when two) */
	int family;			/* AF_INET, AF_INET6, or 0 for ARP */
	const char *src, *dst;		/* addresses as text */
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t icmp_type;
	int ip_options;			/* bytes of IPv4 options (multiple of 4), NOPs */
	uint8_t ip_srr;			/* one option of this type among them (131 LSRR, */
	uint8_t ip_srr_at;		/* 137 SSRR, 7 RR), after this many NOPs, */
	uint8_t ip_srr_len;		/* with this length (default 7) */
	uint16_t frag_offset;		/* fragment offset in 8-byte units (IPv4, or IPv6
					 * with ipv6_frag) */
	int ipv6_ext;			/* IPv6 options headers before the protocol */
	int ipv6_rt;			/* IPv6: a routing header after them, 1: a segment
					 * left, 2: none left */
	int ipv6_frag;			/* IPv6: add a fragment header after them */
	size_t truncate;		/* if non-zero: cut the frame to this length */
};

/* Writes the frame into buf and returns its length. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t len);

#endif
