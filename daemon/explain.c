// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "camfence.h"
#include "explain.h"
#include "ifaddrs_bind.h"
#include "policy_match.h"

static int parse_number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	*v = strtoul(s, &end, 10);
	return *end || *v > max ? -1 : 0;
}

/* The packet's source: a MAC, an address, or a named device (its MAC and
 * first address). */
static int set_source(const struct cf_config *cfg, const char *src, struct cf_packet *pkt,
		      int *zone_hint, FILE *err)
{
	const char *why;
	struct cf_prefix p;
	size_t i, j;

	if (camfence_addr_parse_mac(src, pkt->mac) == 0)
		return 0;
	if (camfence_addr_parse_prefix(src, &p, &why) == 0 &&
	    p.len == (p.family == AF_INET ? 32u : 128u)) {
		pkt->family = p.family;
		memcpy(pkt->saddr, p.addr, 16);
		return 0;
	}
	for (i = 0; i < cfg->devices.n; i++) {
		const struct cf_device *d = &cfg->devices.v[i];

		if (strcmp(d->name, src))
			continue;
		if (d->macs.n)
			memcpy(pkt->mac, d->macs.v[0].mac, 6);
		if (d->addrs.n) {
			pkt->family = d->addrs.v[0].family;
			memcpy(pkt->saddr, d->addrs.v[0].addr, 16);
		}
		/* a group that names the device may tie it to a zone */
		for (j = 0; j < cfg->groups.n; j++) {
			size_t m;

			for (m = 0; m < cfg->groups.v[j].members.n; m++)
				if (cfg->groups.v[j].members.v[m].kind == CF_MEMBER_DEVICE &&
				    cfg->groups.v[j].members.v[m].ref == (int)i &&
				    cfg->groups.v[j].zone_idx >= 0)
					*zone_hint = cfg->groups.v[j].zone_idx;
		}
		return 0;
	}
	fprintf(err, "camfencectl: explain: '%s' is not a MAC address, an address or a device of %s\n",
		src, cfg->path);
	return -1;
}

static void print_rule_line(const struct cf_config *cfg, struct cf_loc loc, FILE *out)
{
	const char *path = camfence_policy_file(cfg, loc);
	char line[512];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (++n == loc.line) {
			char *s = line;

			while (*s == ' ' || *s == '\t')
				s++;
			s[strcspn(s, "\r\n")] = '\0';
			fprintf(out, "  %s:%u: %s\n", path, loc.line, s);
			break;
		}
	if (f)
		fclose(f);
}

int camfence_explain(const struct camfence_explain_args *a, FILE *out, FILE *err)
{
	struct cf_packet pkt = { .icmp6_type = -1 };
	struct cf_config *cfg;
	struct cf_decision d;
	struct cf_prefix dst;
	unsigned long n;
	const char *why;
	int zone = 0, ret = 1;
	char mac[18], buf[8];

	cfg = camfence_policy_parse_file(a->policy);
	if (cfg->nerrors) {
		camfence_policy_print_errors(cfg, err);
		goto out;
	}
	camfence_ifaddrs_bind(cfg);
	if (set_source(cfg, a->src, &pkt, &zone, err))
		goto out;
	if (camfence_addr_parse_prefix(a->dst, &dst, &why) || dst.len != (dst.family == AF_INET ? 32u : 128u)) {
		fprintf(err, "camfencectl: explain: destination '%s' is not an address\n", a->dst);
		goto out;
	}
	if (pkt.family && pkt.family != dst.family) {
		fprintf(err, "camfencectl: explain: '%s' and '%s' are not of one address family\n",
			a->src, a->dst);
		goto out;
	}
	pkt.family = dst.family;
	memcpy(pkt.daddr, dst.addr, 16);
	if (a->proto) {
		static const struct { const char *name; uint8_t proto; } names[] = {
			{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "icmp", IPPROTO_ICMP },
			{ "icmpv6", IPPROTO_ICMPV6 },
		};
		size_t i;

		for (i = 0; i < 4 && strcmp(names[i].name, a->proto); i++)
			;
		if (i < 4)
			pkt.proto = names[i].proto;
		else if (parse_number(a->proto, 255, &n) == 0 && n > 0)
			pkt.proto = n;
		else {
			fprintf(err, "camfencectl: explain: '%s' is not a protocol (tcp, udp, icmp, icmpv6 or 1-255)\n",
				a->proto);
			goto out;
		}
	}
	if (a->port) {
		if (pkt.proto != IPPROTO_TCP && pkt.proto != IPPROTO_UDP) {
			fprintf(err, "camfencectl: explain: a port needs protocol tcp or udp\n");
			goto out;
		}
		if (parse_number(a->port, 65535, &n) || n == 0) {
			fprintf(err, "camfencectl: explain: '%s' is not a port (1-65535)\n", a->port);
			goto out;
		}
		pkt.dport = n;
	}
	if (a->vlan) {
		if (parse_number(a->vlan, 4094, &n) || n == 0) {
			fprintf(err, "camfencectl: explain: '%s' is not a VLAN id (1-4094)\n", a->vlan);
			goto out;
		}
		pkt.vlan = n;
	}
	pkt.ifname = a->iface ? a->iface : cfg->zones.v[zone].ifaces.v[0];
	pkt.learned = a->told;
	pkt.nlearned = a->ntold;

	camfence_policy_match(cfg, &pkt, &d);
	fprintf(out, "packet: %s %s -> %s %s%s%s on %s", a->src,
		pkt.family == AF_INET ? "ipv4" : "ipv6", a->dst,
		camfence_policy_proto_name(pkt.proto, buf), a->port ? " port " : "",
		a->port ? a->port : "", pkt.ifname);
	if (pkt.vlan)
		fprintf(out, " vlan %u", pkt.vlan);
	fputc('\n', out);
	for (size_t i = 0; i < a->ntold; i++)
		fprintf(out, "told: %s is %s (%s)\n", a->dst, a->told[i], a->told_why[i]);
	if (d.zone < 0) {
		fprintf(out, "zone: none: %s is in no zone, camfence does not filter it\nverdict: allow\n",
			pkt.ifname);
		ret = 0;
		goto out;
	}
	fprintf(out, "zone: %s\n", cfg->zones.v[d.zone].name);
	if (d.group >= 0) {
		const struct cf_member *m = &cfg->groups.v[d.member_group].members.v[d.member];

		fprintf(out, "device: group %s", cfg->groups.v[d.group].name);
		if (d.member_group != d.group)
			fprintf(out, " (through group %s)", cfg->groups.v[d.member_group].name);
		fprintf(out, ", recognised at %s:%u\n", camfence_policy_file(cfg, m->loc), m->loc.line);
	} else {
		fprintf(out, "device: unknown (%s is in no group)\n",
			memcmp(pkt.mac, "\0\0\0\0\0\0", 6) ? camfence_addr_mac_str(pkt.mac, mac) : a->src);
	}
	if (d.policy >= 0) {
		const struct cf_policy *pol = &cfg->policies.v[d.policy];

		fprintf(out, "policy: %s%s\n", pol->name, d.group < 0 ? " (the zone's policy for unknown devices)" : "");
		if (d.rule >= 0) {
			fprintf(out, "rule:\n");
			print_rule_line(cfg, pol->rules.v[d.rule].loc, out);
		} else {
			fprintf(out, "rule: none matches; the default applies\n");
			if (pol->default_loc.line)
				print_rule_line(cfg, pol->default_loc, out);
		}
	} else {
		fprintf(out, "policy: none: the zone denies or allows unknown devices as a whole\n");
	}
	if (d.reason == CAMFENCE_REASON_ESSENTIAL)
		fprintf(out, "essential: passes unless a rule denies it (DHCP, neighbour discovery)\n");
	if (!a->proto)
		fprintf(out, "note: no protocol given; rules for a protocol were not considered\n");
	fprintf(out, "verdict: %s\n", d.verdict == CAMFENCE_DROP ? "deny" :
		d.verdict == CAMFENCE_WOULD_DROP ? "would deny (mode monitor: it passes, reported)" :
						   "allow");
	ret = 0;
out:
	camfence_policy_free(cfg);
	return ret;
}
