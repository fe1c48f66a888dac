// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "dns_answer.h"
#include "camfence.h"
#include "policy_match.h"

/* The zone of an interface and VLAN: a zone naming the VLAN wins over one
 * that takes the whole interface. */
static int find_zone(const struct cf_config *cfg, const struct cf_packet *pkt)
{
	int whole = -1;
	size_t i, j, v;

	for (i = 0; i < cfg->zones.n; i++) {
		const struct cf_zone *z = &cfg->zones.v[i];

		for (j = 0; j < z->ifaces.n; j++) {
			if (strcmp(z->ifaces.v[j], pkt->ifname))
				continue;
			if (!z->vlans.n)
				whole = i;
			for (v = 0; v < z->vlans.n; v++)
				if (z->vlans.v[v] == pkt->vlan)
					return i;
		}
	}
	return whole;
}

/* How well one leaf member recognises the packet's device: the rank of its
 * kind (MAC over source address over VLAN) and the length of its match. */
struct match {
	int rank, len;
	int group, member_group, member;
};

static void consider(struct match *best, int rank, int len, int owner, int g, int m)
{
	if (rank > best->rank || (rank == best->rank && len > best->len)) {
		best->rank = rank;
		best->len = len;
		best->group = owner;
		best->member_group = g;
		best->member = m;
	}
}

static void match_group(const struct cf_config *cfg, const struct cf_packet *pkt, int zone,
			int owner, int g, int gzone, struct match *best, int depth)
{
	const struct cf_group *grp = &cfg->groups.v[g];
	size_t i, j;

	if (depth > 64)
		return;
	if (gzone < 0)
		gzone = grp->zone_idx;
	if (gzone >= 0 && gzone != zone)
		return;
	for (i = 0; i < grp->members.n; i++) {
		const struct cf_member *m = &grp->members.v[i];

		switch (m->kind) {
		case CF_MEMBER_MAC:
			if (camfence_addr_mac_match(m->mac.mac, m->mac.len, pkt->mac))
				consider(best, 3, m->mac.len, owner, g, i);
			break;
		case CF_MEMBER_VENDOR:
			for (j = 0; j < m->vendor_macs.n; j++)
				if (camfence_addr_mac_match(m->vendor_macs.v[j].mac,
							    m->vendor_macs.v[j].len, pkt->mac))
					consider(best, 3, m->vendor_macs.v[j].len, owner, g, i);
			break;
		case CF_MEMBER_PREFIX:
			if (pkt->family && camfence_addr_prefix_match(&m->prefix, pkt->family, pkt->saddr))
				consider(best, 2, m->prefix.len, owner, g, i);
			break;
		case CF_MEMBER_VLAN:
			if (m->vlan == pkt->vlan)
				consider(best, 1, 0, owner, g, i);
			break;
		case CF_MEMBER_DEVICE: {
			const struct cf_device *d = &cfg->devices.v[m->ref];

			for (j = 0; j < d->macs.n; j++)
				if (!memcmp(d->macs.v[j].mac, pkt->mac, 6))
					consider(best, 3, 48, owner, g, i);
			for (j = 0; pkt->family && j < d->addrs.n; j++)
				if (camfence_addr_prefix_match(&d->addrs.v[j], pkt->family, pkt->saddr))
					consider(best, 2, d->addrs.v[j].len, owner, g, i);
			break;
		}
		case CF_MEMBER_GROUP:
			match_group(cfg, pkt, zone, owner, m->ref, gzone, best, depth + 1);
			break;
		}
	}
}

static int rule_matches(const struct cf_rule *r, const struct cf_packet *pkt, int managed)
{
	size_t i;

	if (r->dst_kind == CF_DST_LEARNED) {
		/* the names DNS told this device daddr answers for; an
		 * unknown device learns nothing */
		for (i = 0; managed && i < pkt->nlearned; i++)
			if (camfence_dns_name_match(r->dst_host, pkt->learned[i]))
				break;
		if (!managed || i == pkt->nlearned)
			return 0;
	} else if (r->dst_kind != CF_DST_ANY) {
		for (i = 0; i < r->dsts.n; i++)
			if (camfence_addr_prefix_match(&r->dsts.v[i], pkt->family, pkt->daddr))
				break;
		if (i == r->dsts.n)
			return 0;
	}
	if (r->proto != CAMFENCE_PROTO_ANY && r->proto != pkt->proto)
		return 0;
	if (!r->ports.n)
		return 1;
	for (i = 0; i < r->ports.n; i++)
		if (r->ports.v[i].lo <= pkt->dport && pkt->dport <= r->ports.v[i].hi)
			return 1;
	return 0;
}

int camfence_policy_essential(const struct cf_packet *pkt)
{
	if (pkt->arp)
		return 1;
	/* DHCP to port 67 or "neighbour discovery" routed on would carry
	 * anything anywhere: essentials are for the link */
	if (pkt->routed)
		return 0;
	if (pkt->proto == IPPROTO_UDP &&
	    ((pkt->sport == 68 && pkt->dport == 67) || (pkt->sport == 546 && pkt->dport == 547)))
		return 1;
	return pkt->proto == IPPROTO_ICMPV6 &&
	       ((pkt->icmp6_type >= 130 && pkt->icmp6_type <= 137) || pkt->icmp6_type == 143);
}

/* Whether the device (or the zone's unknown devices) d found is monitored:
 * what its policy drops becomes CAMFENCE_WOULD_DROP. */
static int monitored(const struct cf_config *cfg, const struct cf_decision *d)
{
	enum cf_mode mode = CF_MODE_UNSET;

	if (d->zone < 0)
		return 0;
	if (d->group >= 0) {
		const struct cf_member *m = &cfg->groups.v[d->member_group].members.v[d->member];

		/* as the compiler marks devices: the device, its group, the
		 * group whose policy it follows, the zone */
		if (m->kind == CF_MEMBER_DEVICE && m->ref >= 0)
			mode = cfg->devices.v[m->ref].mode;
		if (!mode)
			mode = cfg->groups.v[d->member_group].mode;
		if (!mode)
			mode = cfg->groups.v[d->group].mode;
	}
	if (!mode)
		mode = cfg->zones.v[d->zone].mode;
	return mode == CF_MODE_MONITOR;
}

void camfence_policy_match(const struct cf_config *cfg, const struct cf_packet *pkt,
			   struct cf_decision *d)
{
	struct match best = { .rank = 0, .len = -1, .group = -1, .member_group = -1, .member = -1 };
	const struct cf_policy *pol;
	const struct cf_zone *zone;
	size_t g, r;

	memset(d, 0, sizeof(*d));
	d->group = d->member_group = d->member = d->policy = d->rule = -1;
	d->zone = find_zone(cfg, pkt);
	if (d->zone < 0) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_UNMANAGED;
		return;
	}
	zone = &cfg->zones.v[d->zone];
	for (g = 0; g < cfg->groups.n; g++)
		if (cfg->groups.v[g].policy_idx >= 0)
			match_group(cfg, pkt, d->zone, g, g, -1, &best, 0);

	if (best.group >= 0) {
		d->group = best.group;
		d->member_group = best.member_group;
		d->member = best.member;
		d->policy = cfg->groups.v[best.group].policy_idx;
		d->reason = pkt->family ? CAMFENCE_REASON_DEFAULT : CAMFENCE_REASON_NOT_IP;
	} else {
		d->policy = zone->unknown_policy_idx;
		d->reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
		d->verdict = zone->unknown_verdict;
	}
	if (d->policy >= 0) {
		pol = &cfg->policies.v[d->policy];
		d->verdict = pol->default_verdict;
		for (r = 0; pkt->family && r < pol->rules.n; r++) {
			if (rule_matches(&pol->rules.v[r], pkt, best.group >= 0)) {
				d->verdict = pol->rules.v[r].verdict;
				d->rule = r;
				if (best.group >= 0)
					d->reason = CAMFENCE_REASON_RULE;
				break;
			}
		}
	}
	if (camfence_policy_essential(pkt) && d->rule < 0) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_ESSENTIAL;
	}
	if (d->verdict == CAMFENCE_DROP && monitored(cfg, d))
		d->verdict = CAMFENCE_WOULD_DROP;
}
