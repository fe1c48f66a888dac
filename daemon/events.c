// SPDX-License-Identifier: GPL-2.0
/*
 * One alert line per blocked flow, with everything an admin needs to act
 * on it without looking anything up: the device, the destination and the
 * rule of the policy file that blocked it.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

static void endpoint(char *buf, size_t len, int family, const __u8 *addr, __u8 proto, __u16 port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		snprintf(buf, len, "%s", a);
	else if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

/* The rule or default that decided, as "rule FILE:LINE" or "default deny FILE:LINE". */
static void decided_by(const struct camfence_event *ev, const struct cf_config *cfg,
		       const struct cf_compiled *c, char *buf, size_t len)
{
	const struct cf_policy *pol = NULL;

	if (cfg && ev->policy_id < cfg->policies.n)
		pol = &cfg->policies.v[ev->policy_id];
	if (ev->rule_id != CAMFENCE_RULE_DEFAULT) {
		if (pol && c && ev->rule_id < c->rules.n) {
			const struct cf_rule *r = &cfg->policies.v[c->rules.v[ev->rule_id].policy]
						   .rules.v[c->rules.v[ev->rule_id].rule];

			snprintf(buf, len, "rule %s:%u", camfence_policy_file(cfg, r->loc), r->loc.line);
		} else {
			snprintf(buf, len, "rule %u", ev->rule_id);
		}
		return;
	}
	if (ev->reason == CAMFENCE_REASON_UNKNOWN_DEVICE && ev->policy_id == CAMFENCE_POLICY_NONE) {
		snprintf(buf, len, "unknown device (zone default %s)",
			 ev->verdict == CAMFENCE_DROP ? "deny" : "allow");
		return;
	}
	if (pol)
		snprintf(buf, len, "default %s %s:%u", ev->verdict == CAMFENCE_DROP ? "deny" : "allow",
			 camfence_policy_file(cfg, pol->default_loc.line ? pol->default_loc : pol->loc),
			 pol->default_loc.line ? pol->default_loc.line : pol->loc.line);
	else
		snprintf(buf, len, "default %s", ev->verdict == CAMFENCE_DROP ? "deny" : "allow");
}

int camfence_events_format(const struct camfence_event *ev, const struct cf_config *cfg,
			   const struct cf_compiled *c, char *buf, size_t len)
{
	char src[64], dst[64], mac[18], ifname[IF_NAMESIZE] = "", proto[8], why[300];
	const char *group = "-", *policy = "-";

	endpoint(src, sizeof(src), ev->family, ev->saddr, ev->proto, ev->sport);
	endpoint(dst, sizeof(dst), ev->family, ev->daddr, ev->proto, ev->dport);
	if (!if_indextoname(ev->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "if%u", ev->ifindex);
	if (cfg && c && ev->device_id && ev->device_id < c->devices.n)
		group = cfg->groups.v[c->devices.v[ev->device_id].group].name;
	if (cfg && ev->policy_id < cfg->policies.n)
		policy = cfg->policies.v[ev->policy_id].name;
	decided_by(ev, cfg, c, why, sizeof(why));

	return snprintf(buf, len, "%s %s %s -> %s iface %s mac %s group %s policy %s by %s generation %llu",
			ev->verdict == CAMFENCE_DROP ? "blocked" : "allowed",
			camfence_policy_proto_name(ev->proto, proto), src, dst, ifname,
			camfence_addr_mac_str(ev->mac, mac), group, policy, why,
			(unsigned long long)ev->generation);
}
