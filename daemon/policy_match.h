/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference matcher: decides a packet from the parsed policy directly,
 * rule by rule, with none of the compiled tables. It is the oracle the
 * compiled form and the XDP program are tested against, and what
 * `camfencectl explain` will use.
 */
#ifndef CAMFENCE_POLICY_MATCH_H
#define CAMFENCE_POLICY_MATCH_H

#include "policy.h"

struct cf_packet {
	const char *ifname;
	uint8_t mac[6];
	int family;			/* AF_INET, AF_INET6, 0 for non-IP */
	uint8_t saddr[16], daddr[16];
	uint8_t proto;
	uint16_t sport, dport;		/* 0 when the protocol has none */
	int icmp6_type;			/* -1 when not ICMPv6 */
	int arp;
};

struct cf_decision {
	uint8_t verdict;
	uint8_t reason;			/* enum camfence_reason */
	int group;			/* -1: unknown device or unmanaged */
	int member;
	int policy;
	int rule;			/* -1: the policy's default */
};

void camfence_policy_match(const struct cf_config *cfg, const struct cf_packet *pkt,
			   struct cf_decision *d);

#endif
