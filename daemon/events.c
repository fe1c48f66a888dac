// SPDX-License-Identifier: GPL-2.0
/*
 * One alert line per blocked flow, with everything an admin needs to act
 * on it without looking anything up: the device, the destination and the
 * rule of the policy file that blocked it. The same fields go to a remote
 * collector as structured data, so they are gathered once, here.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

struct fields {
	const char *action;
	const char *proto;
	char protobuf[8];
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
	char src[64], dst[64];
	char ifname[IF_NAMESIZE];
	char mac[18];
	const char *group, *policy;	/* NULL when not known */
	char why[300];
	int ports;			/* TCP or UDP */
	char vendor[CF_SD_VALUE_MAX];	/* "" when not known */
};

static void endpoint(char *buf, size_t len, const char *a, int family, int ports, __u16 port)
{
	if (!ports)
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

	if (ev->reason == CAMFENCE_REASON_MALFORMED) {
		/* truncated headers, too long an IPv6 chain, a source route */
		snprintf(buf, len, "malformed headers");
		return;
	}
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
			 ev->verdict != CAMFENCE_PASS ? "deny" : "allow");
		return;
	}
	if (pol)
		snprintf(buf, len, "default %s %s:%u", ev->verdict != CAMFENCE_PASS ? "deny" : "allow",
			 camfence_policy_file(cfg, pol->default_loc.line ? pol->default_loc : pol->loc),
			 pol->default_loc.line ? pol->default_loc.line : pol->loc.line);
	else
		snprintf(buf, len, "default %s", ev->verdict != CAMFENCE_PASS ? "deny" : "allow");
}

/* Registry names may hold quotes; the line quotes the vendor, so they go. */
static void clean_vendor(char *dst, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s && s[i] && i < len - 1; i++)
		dst[i] = s[i] == '"' ? '\'' : (unsigned char)s[i] < 32 ? ' ' : s[i];
	dst[i] = '\0';
}

static void collect(const struct camfence_event *ev, const struct cf_config *cfg,
		    const struct cf_compiled *c, const struct cf_alert_names *names,
		    struct fields *f)
{
	int family = ev->family == AF_INET6 ? AF_INET6 : AF_INET;

	f->action = ev->verdict == CAMFENCE_DROP ? "blocked" :
		    ev->verdict == CAMFENCE_WOULD_DROP ? "would block" : "allowed";
	f->proto = camfence_policy_proto_name(ev->proto, f->protobuf);
	f->ports = ev->proto == IPPROTO_TCP || ev->proto == IPPROTO_UDP;
	if (!inet_ntop(family, ev->saddr, f->saddr, sizeof(f->saddr)))
		strcpy(f->saddr, "?");
	if (!inet_ntop(family, ev->daddr, f->daddr, sizeof(f->daddr)))
		strcpy(f->daddr, "?");
	endpoint(f->src, sizeof(f->src), f->saddr, family, f->ports, ev->sport);
	endpoint(f->dst, sizeof(f->dst), f->daddr, family, f->ports, ev->dport);
	if (names && names->ifname)
		snprintf(f->ifname, sizeof(f->ifname), "%s", names->ifname);
	else if (!if_indextoname(ev->ifindex, f->ifname))
		snprintf(f->ifname, sizeof(f->ifname), "if%u", ev->ifindex);
	camfence_addr_mac_str(ev->mac, f->mac);
	f->group = f->policy = NULL;
	if (cfg && c && ev->device_id && ev->device_id < c->devices.n &&
	    c->devices.v[ev->device_id].group >= 0)
		f->group = cfg->groups.v[c->devices.v[ev->device_id].group].name;
	if (cfg && ev->policy_id < cfg->policies.n)
		f->policy = cfg->policies.v[ev->policy_id].name;
	decided_by(ev, cfg, c, f->why, sizeof(f->why));
	clean_vendor(f->vendor, sizeof(f->vendor), names ? names->vendor : NULL);
}

static const char *known(const char *s)
{
	return s && *s ? s : "-";
}

int camfence_events_format(const struct camfence_event *ev, const struct cf_config *cfg,
			   const struct cf_compiled *c, const struct cf_alert_names *names,
			   char *buf, size_t len)
{
	struct fields f;

	collect(ev, cfg, c, names, &f);
	return snprintf(buf, len,
			"%s %s %s -> %s iface %s mac %s group %s policy %s by %s generation %llu "
			"device %s vendor %s%s%s addresses %s",
			f.action, f.proto, f.src, f.dst, f.ifname, f.mac, known(f.group),
			known(f.policy), f.why, (unsigned long long)ev->generation,
			known(names ? names->device : NULL), f.vendor[0] ? "\"" : "",
			known(f.vendor), f.vendor[0] ? "\"" : "", known(names ? names->addrs : NULL));
}

static void add(struct cf_sd_param *out, size_t max, size_t *n, const char *name,
		const char *value)
{
	if (!value || !*value || *n >= max)
		return;
	snprintf(out[*n].name, sizeof(out[*n].name), "%s", name);
	snprintf(out[*n].value, sizeof(out[*n].value), "%s", value);
	(*n)++;
}

static void add_u(struct cf_sd_param *out, size_t max, size_t *n, const char *name,
		  unsigned long long v)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", v);
	add(out, max, n, name, s);
}

size_t camfence_events_sd(const struct camfence_event *ev, const struct cf_config *cfg,
			  const struct cf_compiled *c, const struct cf_alert_names *names,
			  struct cf_sd_param *out, size_t max)
{
	struct fields f;
	size_t n = 0;

	collect(ev, cfg, c, names, &f);
	add(out, max, &n, "event", f.action);
	add(out, max, &n, "device", names ? names->device : NULL);
	add(out, max, &n, "group", f.group);
	add(out, max, &n, "vendor", f.vendor);
	add(out, max, &n, "mac", f.mac);
	if (ev->vlan)
		add_u(out, max, &n, "vlan", ev->vlan);
	add(out, max, &n, "iface", f.ifname);
	add(out, max, &n, "src", f.saddr);
	if (f.ports)
		add_u(out, max, &n, "sport", ev->sport);
	add(out, max, &n, "dst", f.daddr);
	if (f.ports)
		add_u(out, max, &n, "dport", ev->dport);
	add(out, max, &n, "proto", f.proto);
	add(out, max, &n, "policy", f.policy);
	add(out, max, &n, "rule", f.why);
	add_u(out, max, &n, "generation", ev->generation);
	add(out, max, &n, "addresses", names ? names->addrs : NULL);
	return n;
}
