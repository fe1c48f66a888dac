// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "camfence.h"
#include "policy_match.h"

static const struct cf_zone *find_zone(const struct cf_config *cfg, const char *ifname)
{
	size_t i, j;

	for (i = 0; i < cfg->nzones; i++)
		for (j = 0; j < cfg->zones[i].nifaces; j++)
			if (!strcmp(cfg->zones[i].ifaces[j], ifname))
				return &cfg->zones[i];
	return NULL;
}

/* A MAC names a device before an address does; among prefixes the longest wins. */
static void find_device(const struct cf_config *cfg, const struct cf_packet *pkt,
			struct cf_decision *d)
{
	int best_len = -1;
	size_t g, m;

	for (g = 0; g < cfg->ngroups; g++) {
		for (m = 0; m < cfg->groups[g].nmembers; m++) {
			const struct cf_member *mem = &cfg->groups[g].members[m];

			if (mem->kind == CF_MEMBER_MAC && !memcmp(mem->mac, pkt->mac, 6)) {
				d->group = g;
				d->member = m;
				return;
			}
		}
	}
	if (pkt->family != AF_INET)
		return;
	for (g = 0; g < cfg->ngroups; g++) {
		for (m = 0; m < cfg->groups[g].nmembers; m++) {
			const struct cf_member *mem = &cfg->groups[g].members[m];

			if (mem->kind == CF_MEMBER_PREFIX && (int)mem->prefix.len > best_len &&
			    camfence_addr_prefix_match(&mem->prefix, AF_INET, pkt->saddr)) {
				best_len = mem->prefix.len;
				d->group = g;
				d->member = m;
			}
		}
	}
}

static int rule_matches(const struct cf_rule *r, const struct cf_packet *pkt)
{
	if (r->has_dst && !camfence_addr_prefix_match(&r->dst, pkt->family, pkt->daddr))
		return 0;
	if (r->proto != CAMFENCE_PROTO_ANY && r->proto != pkt->proto)
		return 0;
	if (r->port_lo && (pkt->dport < r->port_lo || pkt->dport > r->port_hi))
		return 0;
	return 1;
}

static int essential(const struct cf_packet *pkt)
{
	if (pkt->arp)
		return 1;
	if (pkt->proto == IPPROTO_UDP &&
	    ((pkt->sport == 68 && pkt->dport == 67) || (pkt->sport == 546 && pkt->dport == 547)))
		return 1;
	return pkt->proto == IPPROTO_ICMPV6 &&
	       ((pkt->icmp6_type >= 130 && pkt->icmp6_type <= 137) || pkt->icmp6_type == 143);
}

void camfence_policy_match(const struct cf_config *cfg, const struct cf_packet *pkt,
			   struct cf_decision *d)
{
	const struct cf_zone *zone = find_zone(cfg, pkt->ifname);
	const struct cf_policy *pol;
	size_t r;

	memset(d, 0, sizeof(*d));
	d->group = d->member = d->policy = d->rule = -1;
	if (!zone) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_UNMANAGED;
		return;
	}
	find_device(cfg, pkt, d);
	if (d->group < 0) {
		d->verdict = zone->unknown_verdict;
		d->reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
	} else {
		d->policy = cfg->groups[d->group].policy_idx;
		pol = &cfg->policies[d->policy];
		d->verdict = pol->default_verdict;
		d->reason = pkt->family ? CAMFENCE_REASON_DEFAULT : CAMFENCE_REASON_NOT_IP;
		for (r = 0; pkt->family && r < pol->nrules; r++) {
			if (rule_matches(&pol->rules[r], pkt)) {
				d->verdict = pol->rules[r].verdict;
				d->reason = CAMFENCE_REASON_RULE;
				d->rule = r;
				break;
			}
		}
	}
	if (essential(pkt) && d->reason != CAMFENCE_REASON_RULE) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_ESSENTIAL;
	}
}
