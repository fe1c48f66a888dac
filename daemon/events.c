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

int camfence_events_format(const struct camfence_event *ev, const struct cf_config *cfg,
			   const struct cf_compiled *c, char *buf, size_t len)
{
	char src[64], dst[64], mac[18], ifname[IF_NAMESIZE] = "", proto[8], why[160];
	const char *group = "-", *policy = "-";

	endpoint(src, sizeof(src), ev->family, ev->saddr, ev->proto, ev->sport);
	endpoint(dst, sizeof(dst), ev->family, ev->daddr, ev->proto, ev->dport);
	if (!if_indextoname(ev->ifindex, ifname))
		snprintf(ifname, sizeof(ifname), "if%u", ev->ifindex);

	if (cfg && c && ev->device_id && ev->device_id < c->devices.n) {
		const struct cf_device_ref *ref = &c->devices.v[ev->device_id];

		group = cfg->groups[ref->group].name;
		if (ev->policy_id < cfg->npolicies)
			policy = cfg->policies[ev->policy_id].name;
	}

	switch (ev->reason) {
	case CAMFENCE_REASON_RULE:
		if (cfg && ev->policy_id < cfg->npolicies &&
		    ev->rule < cfg->policies[ev->policy_id].nrules)
			snprintf(why, sizeof(why), "rule %s:%u",
				 cfg->path, cfg->policies[ev->policy_id].rules[ev->rule].loc.line);
		else
			snprintf(why, sizeof(why), "rule %u", ev->rule + 1);
		break;
	case CAMFENCE_REASON_DEFAULT:
		if (cfg && ev->policy_id < cfg->npolicies)
			snprintf(why, sizeof(why), "default deny %s:%u", cfg->path,
				 cfg->policies[ev->policy_id].loc.line);
		else
			snprintf(why, sizeof(why), "default deny");
		break;
	case CAMFENCE_REASON_UNKNOWN_DEVICE:
		snprintf(why, sizeof(why), "unknown device (zone default deny)");
		break;
	default:
		snprintf(why, sizeof(why), "reason %u", ev->reason);
		break;
	}

	return snprintf(buf, len, "blocked %s %s -> %s iface %s mac %s group %s policy %s by %s generation %llu",
			camfence_policy_proto_name(ev->proto, proto), src, dst, ifname,
			camfence_addr_mac_str(ev->mac, mac), group, policy, why,
			(unsigned long long)ev->generation);
}
