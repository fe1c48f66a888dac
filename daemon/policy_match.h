/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference matcher: decides a packet from the resolved policy directly,
 * rule by rule, with none of the compiled tables. It is the oracle the
 * compiled form and the XDP program are tested against, and what
 * `camfencectl explain` uses.
 */
#ifndef CAMFENCE_POLICY_MATCH_H
#define CAMFENCE_POLICY_MATCH_H

#include "policy.h"

struct cf_packet {
	const char *ifname;
	uint16_t vlan;			/* 0: untagged */
	uint8_t mac[6];
	int family;			/* AF_INET, AF_INET6, or 0 for non-IP */
	uint8_t saddr[16], daddr[16];
	uint8_t proto;
	uint16_t sport, dport;		/* 0 when the protocol has none */
	int icmp6_type;			/* -1 when not ICMPv6 */
	int arp;
	int routed;			/* the router routes it on (the XDP program asks the
					 * FIB; camfence.ko only ever sees such packets):
					 * then it is no essential */
	/* the names (lower case) DNS answers told this device daddr has, for
	 * `to name` rules; none: only the device was never told */
	const char *const *learned;
	size_t nlearned;
};

struct cf_decision {
	uint8_t verdict;
	uint8_t reason;			/* enum camfence_reason */
	int zone;			/* -1: unmanaged interface */
	int group;			/* the group whose policy applies; -1: unknown device */
	int member_group;		/* the group whose member recognised the device */
	int member;
	int policy;			/* -1: none (unmanaged, or unknown with no policy) */
	int rule;			/* -1: the policy's default */
};

void camfence_policy_match(const struct cf_config *cfg, const struct cf_packet *pkt,
			   struct cf_decision *d);
/* Packets that pass unless a rule denies them (ARP, DHCP, neighbour discovery),
 * when they stay on the link. */
int camfence_policy_essential(const struct cf_packet *pkt);

#endif
