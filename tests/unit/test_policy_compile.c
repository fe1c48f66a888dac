// SPDX-License-Identifier: GPL-2.0
/*
 * The compiled tables, looked up in userspace exactly as the XDP program
 * looks them up, must decide every packet as the reference matcher does.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "policy_compile.h"
#include "policy_match.h"
#include "unit.h"

#define POLICY CAMFENCE_SRCDIR "/tests/policies/good/everything.conf"

static const char *const ifnames[] = { "lan0", "lan1", "lan2", "wan0" };

#define NIFNAMES 4

static int test_ifindex(const char *name, void *ctx)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strcmp(ifnames[i], name))
			return 10 + i;
	return -ENODEV;
}

static int bits_match(const __u8 *a, const __u8 *b, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return 0;
	return !rest || !((a[full] ^ b[full]) & (0xff00 >> rest));
}

/* Longest-prefix match over a vector of LPM entries, as the kernel does:
 * the first 4 bytes of the data (the scope) must match in full. */
#define LPM_FIND(vec, want_scope, bytes, best)						\
	do {										\
		size_t _i;								\
		unsigned int _len = 0;							\
		(best) = NULL;								\
		for (_i = 0; _i < (vec).n; _i++) {					\
			__typeof__(&(vec).v[0]) _e = &(vec).v[_i];			\
			if (_e->key.scope != (want_scope) || _e->key.prefixlen < 32)	\
				continue;						\
			if ((best) && _e->key.prefixlen <= _len)			\
				continue;						\
			if (!bits_match((const __u8 *)&_e->key.scope + 4, bytes,	\
					_e->key.prefixlen - 32))			\
				continue;						\
			(best) = _e;							\
			_len = _e->key.prefixlen;					\
		}									\
	} while (0)

static const struct camfence_decision *port_lookup(const struct cf_compiled *c, __u32 scope,
						   __u8 proto, __u16 port)
{
	const struct cf_port_entry *best = NULL;
	unsigned int len = 0;
	__be16 p = htons(port);
	size_t i;

	for (i = 0; i < c->ports.n; i++) {
		const struct cf_port_entry *e = &c->ports.v[i];

		if (e->key.scope != scope || e->key.proto != proto)
			continue;
		if (best && e->key.prefixlen <= len)
			continue;
		if (!bits_match((const __u8 *)&e->key.port, (const __u8 *)&p, e->key.prefixlen - 48))
			continue;
		best = e;
		len = e->key.prefixlen;
	}
	return best ? &best->val : NULL;
}

static int essential(const struct cf_packet *pkt)
{
	return camfence_policy_essential(pkt);
}

/* The XDP program's slow path, over the compiled entries; the learned
 * entry for the packet's device and destination is made from pkt->learned
 * as camfenced makes it. */
static void emulate(const struct cf_config *cfg, const struct cf_compiled *c,
		    const struct cf_packet *pkt, struct cf_decision *d)
{
	const struct camfence_device *dev = NULL;
	const struct cf_iface_entry *iface = NULL;
	const struct camfence_decision *dec = NULL;
	int ifindex = test_ifindex(pkt->ifname, NULL);
	__u32 zscope, policy, rule_id = CAMFENCE_RULE_DEFAULT;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->rule = -1;
	for (i = 0; i < c->ifaces.n; i++)
		if ((int)c->ifaces.v[i].key.ifindex == ifindex && c->ifaces.v[i].key.vlan == pkt->vlan)
			iface = &c->ifaces.v[i];
	for (i = 0; !iface && i < c->ifaces.n; i++)
		if ((int)c->ifaces.v[i].key.ifindex == ifindex &&
		    c->ifaces.v[i].key.vlan == CAMFENCE_VLAN_ANY)
			iface = &c->ifaces.v[i];
	if (!iface) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_UNMANAGED;
		return;
	}
	zscope = camfence_zone_scope(c->slot, iface->val.zone_id);
	{
		const struct cf_mac_entry *m;

		LPM_FIND(c->macs, zscope, pkt->mac, m);
		if (m)
			dev = &m->val;
	}
	if (!dev && pkt->family == AF_INET) {
		const struct cf_src4_entry *e;

		LPM_FIND(c->src4, zscope, pkt->saddr, e);
		if (e)
			dev = &e->val;
	}
	if (!dev && pkt->family == AF_INET6) {
		const struct cf_src6_entry *e;

		LPM_FIND(c->src6, zscope, pkt->saddr, e);
		if (e)
			dev = &e->val;
	}
	for (i = 0; !dev && i < c->vlans.n; i++)
		if (c->vlans.v[i].key.scope == zscope && c->vlans.v[i].key.vlan == pkt->vlan)
			dev = &c->vlans.v[i].val;

	if (dev) {
		policy = dev->policy_id & ~CAMFENCE_DEVICE_MONITOR;
		d->reason = pkt->family ? CAMFENCE_REASON_DEFAULT : CAMFENCE_REASON_NOT_IP;
	} else {
		policy = iface->val.unknown_policy;
		d->reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
		d->verdict = iface->val.unknown_verdict;
	}
	if (policy != CAMFENCE_POLICY_NONE) {
		for (i = 0; i < c->policies.n; i++)
			if (c->policies.v[i].key == c->slot * CAMFENCE_MAX_POLICIES + policy)
				d->verdict = c->policies.v[i].val.default_verdict;
		if (pkt->family) {
			__u32 pscope = camfence_policy_scope(c->slot, policy);
			const __u32 *table = NULL;

			if (pkt->family == AF_INET) {
				const struct cf_dst4_entry *e;

				LPM_FIND(c->dst4, pscope, pkt->daddr, e);
				table = e ? &e->val : NULL;
			} else {
				const struct cf_dst6_entry *e;

				LPM_FIND(c->dst6, pscope, pkt->daddr, e);
				table = e ? &e->val : NULL;
			}
			if (table) {
				__u32 tscope = camfence_table_scope(c->slot, *table);

				dec = port_lookup(c, tscope, pkt->proto, pkt->dport);
				if (!dec)
					dec = port_lookup(c, tscope, CAMFENCE_PROTO_ANY, pkt->dport);
			}
			/* the learned entry's tables, in rule order: the first
			 * that decides wins if its rule comes first */
			if (dev && dev->device_id && pkt->nlearned) {
				struct camfence_learned lv;
				__u32 n = camfence_policy_learned_value(c, cfg, policy, pkt->learned,
									pkt->nlearned, &lv), t;

				for (t = 0; t < n; t++) {
					__u32 ls = camfence_table_scope(c->slot, lv.table[t]);
					const struct camfence_decision *ld = port_lookup(c, ls, pkt->proto,
											 pkt->dport);

					if (!ld)
						ld = port_lookup(c, ls, CAMFENCE_PROTO_ANY, pkt->dport);
					if (!ld || ld->rule_id == CAMFENCE_RULE_DEFAULT)
						continue;
					if (!dec || dec->rule_id == CAMFENCE_RULE_DEFAULT ||
					    ld->rule_id < dec->rule_id)
						dec = ld;
					break;
				}
			}
			if (dec && dec->rule_id != CAMFENCE_RULE_DEFAULT) {
				d->verdict = dec->verdict;
				rule_id = dec->rule_id;
				if (dev)
					d->reason = CAMFENCE_REASON_RULE;
			}
		}
	}
	if (rule_id != CAMFENCE_RULE_DEFAULT)
		d->rule = c->rules.v[rule_id].rule;
	if (essential(pkt) && rule_id == CAMFENCE_RULE_DEFAULT) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_ESSENTIAL;
	}
	if (d->verdict == CAMFENCE_DROP &&
	    (dev ? dev->policy_id & CAMFENCE_DEVICE_MONITOR : iface->val.flags & CAMFENCE_IFACE_MONITOR))
		d->verdict = CAMFENCE_WOULD_DROP;
}

static void random_packet(const struct cf_config *cfg, struct cf_packet *pkt, unsigned int *seed)
{
	const struct cf_group *g = &cfg->groups.v[rand_r(seed) % cfg->groups.n];
	const struct cf_member *m = &g->members.v[rand_r(seed) % g->members.n];
	const struct cf_policy *p = &cfg->policies.v[rand_r(seed) % cfg->policies.n];
	const struct cf_rule *r = p->rules.n ? &p->rules.v[rand_r(seed) % p->rules.n] : NULL;
	const struct cf_prefix *dst = r && r->dsts.n ? &r->dsts.v[rand_r(seed) % r->dsts.n] : NULL;
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, 47, 0 };
	int i;

	memset(pkt, 0, sizeof(*pkt));
	pkt->ifname = ifnames[rand_r(seed) % 4];
	for (i = 0; i < 6; i++)
		pkt->mac[i] = rand_r(seed);
	for (i = 0; i < 16; i++) {
		pkt->saddr[i] = rand_r(seed);
		pkt->daddr[i] = rand_r(seed);
	}
	pkt->family = rand_r(seed) % 2 ? AF_INET : AF_INET6;
	if (rand_r(seed) % 2 && m->kind == CF_MEMBER_MAC)
		for (i = 0; i < (int)m->mac.len; i++)
			pkt->mac[i / 8] = (pkt->mac[i / 8] & ~(0x80 >> (i % 8))) |
					  (m->mac.mac[i / 8] & (0x80 >> (i % 8)));
	if (rand_r(seed) % 2 && m->kind == CF_MEMBER_VENDOR && m->vendor_macs.n)
		memcpy(pkt->mac, m->vendor_macs.v[rand_r(seed) % m->vendor_macs.n].mac, 3);
	if (m->kind == CF_MEMBER_VLAN || rand_r(seed) % 8 == 0)
		pkt->vlan = m->kind == CF_MEMBER_VLAN && rand_r(seed) % 2 ? m->vlan : rand_r(seed) % 40;
	if (rand_r(seed) % 2 && m->kind == CF_MEMBER_PREFIX) {
		pkt->family = m->prefix.family;
		/* keep the prefix bits, randomise the rest */
		for (i = 0; i < (int)m->prefix.len; i++)
			pkt->saddr[i / 8] = (pkt->saddr[i / 8] & ~(0x80 >> (i % 8))) |
					    (m->prefix.addr[i / 8] & (0x80 >> (i % 8)));
	}
	if (rand_r(seed) % 3 && dst) {
		pkt->family = dst->family;
		for (i = 0; i < (int)dst->len; i++)
			pkt->daddr[i / 8] = (pkt->daddr[i / 8] & ~(0x80 >> (i % 8))) |
					    (dst->addr[i / 8] & (0x80 >> (i % 8)));
	}
	pkt->proto = rand_r(seed) % 3 && r ? r->proto : protos[rand_r(seed) % 6];
	if (!pkt->proto)
		pkt->proto = protos[rand_r(seed) % 5];
	if (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP) {
		const struct cf_port_range *pr = r && r->ports.n ? &r->ports.v[rand_r(seed) % r->ports.n] : NULL;
		int lo = pr ? pr->lo : 1, hi = pr ? pr->hi : 65535;

		pkt->dport = lo + rand_r(seed) % (hi - lo + 3) - 1;
		if (pkt->dport == 0)
			pkt->dport = 1;
		pkt->sport = rand_r(seed) % 8 ? 1024 + rand_r(seed) % 60000 : 68;
		if (rand_r(seed) % 16 == 0)
			pkt->dport = 67;
	}
	pkt->icmp6_type = pkt->proto == IPPROTO_ICMPV6 ? 128 + rand_r(seed) % 12 : -1;
	/* what DNS told the device this address is, for `to name` rules */
	{
		static const char *const names[] = {
			"pool.ntp.org", "0.pool.ntp.org", "x.bad.example", "bad.example",
			"cdn.example-vendor.com", "a.b.tracker.example", "other.example.org",
		};
		static const char *picked[2];

		pkt->nlearned = rand_r(seed) % 3 ? rand_r(seed) % 3 : 0;
		for (i = 0; i < (int)pkt->nlearned; i++)
			picked[i] = names[rand_r(seed) % 7];
		pkt->learned = picked;
	}
	if (rand_r(seed) % 50 == 0) {
		pkt->family = 0;
		pkt->proto = 0;
		pkt->dport = 0;
		pkt->arp = rand_r(seed) % 2;
	}
}

static void differential(const char *path, int packets)
{
	struct cf_config *cfg = camfence_policy_parse_file(path);
	struct cf_iface_addr addrs[] = {
		{ "lan0", { AF_INET, { 192, 168, 10, 1 }, 24 } },
		{ "lan2", { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 1 }, 64 } },
	};
	unsigned int seed = getenv("CAMFENCE_SEED") ? strtoul(getenv("CAMFENCE_SEED"), NULL, 0) :
						      (unsigned int)time(NULL);
	struct cf_compiled *c;
	char why[256];
	int i, slot;

	ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
	camfence_policy_bind(cfg, addrs, 2);
	for (slot = 0; slot < 2; slot++) {
		ck_assert_int_eq(camfence_policy_compile(cfg, slot, test_ifindex, NULL, &c, why,
							 sizeof(why)), 0);
		for (i = 0; i < packets; i++) {
			struct cf_packet pkt;
			struct cf_decision ref, got;
			unsigned int at = seed;

			random_packet(cfg, &pkt, &seed);
			camfence_policy_match(cfg, &pkt, &ref);
			emulate(cfg, c, &pkt, &got);
			ck_assert_msg(ref.verdict == got.verdict && ref.reason == got.reason &&
				      ref.rule == got.rule,
				      "%s packet %d (CAMFENCE_SEED=%u) on %s vlan %u proto %u port %u: reference verdict %u reason %u rule %d, compiled %u %u %d",
				      path, i, at, pkt.ifname, pkt.vlan, pkt.proto, pkt.dport, ref.verdict,
				      ref.reason, ref.rule, got.verdict, got.reason, got.rule);
		}
		camfence_policy_compiled_free(c);
	}
	camfence_policy_free(cfg);
}

START_TEST(compiled_agrees_with_reference)
{
	differential(POLICY, 20000);
	differential(CAMFENCE_SRCDIR "/tests/policies/good/language.conf", 50000);
}
END_TEST

START_TEST(first_match_wins_over_longer_prefix)
{
	struct cf_config *cfg = camfence_policy_parse_text("t.conf",
		"zone z {\n interface lan0\n}\ngroup g {\n mac 02:00:00:00:00:01\n policy p\n}\n"
		"policy p {\n deny to 192.0.2.0/24\n allow to 192.0.2.7 udp 123\n default allow\n}\n");
	struct cf_packet pkt = { .ifname = "lan0", .mac = { 2, 0, 0, 0, 0, 1 }, .family = AF_INET,
				 .daddr = { 192, 0, 2, 7 }, .proto = IPPROTO_UDP, .dport = 123,
				 .icmp6_type = -1 };
	struct cf_decision ref, got;
	struct cf_compiled *c;
	char why[256];

	ck_assert_int_eq(camfence_policy_compile(cfg, 1, test_ifindex, NULL, &c, why, sizeof(why)), 0);
	camfence_policy_match(cfg, &pkt, &ref);
	emulate(cfg, c, &pkt, &got);
	ck_assert_uint_eq(ref.verdict, CAMFENCE_DROP);
	ck_assert_int_eq(ref.rule, 0);
	ck_assert_uint_eq(got.verdict, CAMFENCE_DROP);
	ck_assert_int_eq(got.rule, 0);
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

/* Essentials are for the link: the same DHCP- or neighbour-discovery-shaped
 * packet routed on is judged by the policy. */
START_TEST(essentials_stay_on_the_link)
{
	struct cf_config *cfg = camfence_policy_parse_text("t.conf",
		"zone z {\n interface lan0\n}\ngroup g {\n mac 02:00:00:00:00:01\n policy p\n}\n"
		"policy p {\n default deny\n}\n");
	struct cf_packet dhcp = { .ifname = "lan0", .mac = { 2, 0, 0, 0, 0, 1 }, .family = AF_INET,
				  .daddr = { 203, 0, 113, 67 }, .proto = IPPROTO_UDP, .sport = 68,
				  .dport = 67, .icmp6_type = -1 };
	struct cf_packet ns = { .ifname = "lan0", .mac = { 2, 0, 0, 0, 0, 1 }, .family = AF_INET6,
				.daddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, .proto = IPPROTO_ICMPV6,
				.icmp6_type = 135 };
	struct cf_decision d;

	camfence_policy_match(cfg, &dhcp, &d);
	ck_assert_uint_eq(d.verdict, CAMFENCE_PASS);
	ck_assert_uint_eq(d.reason, CAMFENCE_REASON_ESSENTIAL);
	camfence_policy_match(cfg, &ns, &d);
	ck_assert_uint_eq(d.reason, CAMFENCE_REASON_ESSENTIAL);
	dhcp.routed = ns.routed = 1;
	camfence_policy_match(cfg, &dhcp, &d);
	ck_assert_uint_eq(d.verdict, CAMFENCE_DROP);
	ck_assert_uint_eq(d.reason, CAMFENCE_REASON_DEFAULT);
	camfence_policy_match(cfg, &ns, &d);
	ck_assert_uint_eq(d.verdict, CAMFENCE_DROP);
	ck_assert_uint_eq(d.reason, CAMFENCE_REASON_DEFAULT);
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(missing_interface_is_an_error)
{
	struct cf_config *cfg = camfence_policy_parse_text("t.conf",
		"zone z {\n\tinterface lan0 wan7\n}\ngroup g {\n mac 02:00:00:00:00:01\n policy p\n}\npolicy p {\n}\n");
	struct cf_compiled *c;
	char why[256];

	ck_assert_int_eq(camfence_policy_compile(cfg, 0, test_ifindex, NULL, &c, why, sizeof(why)),
			 -ENODEV);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(why, "t.conf:2:17: zone z: interface wan7: No such device");
	camfence_policy_free(cfg);
}
END_TEST

/* camfenced's resolver: 0 for an interface that does not exist yet */
static int ifindex_or_absent(const char *name, void *ctx)
{
	int idx = test_ifindex(name, ctx);

	return idx < 0 ? 0 : idx;
}

START_TEST(absent_interface_is_left_out)
{
	struct cf_config *cfg = camfence_policy_parse_text("t.conf",
		"zone z {\n\tinterface wan7 lan1\n}\ngroup g {\n mac 02:00:00:00:00:01\n policy p\n}\npolicy p {\n}\n");
	struct cf_compiled *c;
	char why[256];

	ck_assert_int_eq(camfence_policy_compile(cfg, 0, ifindex_or_absent, NULL, &c, why,
						 sizeof(why)), 0);
	ck_assert_uint_eq(c->ifaces.n, 1);
	ck_assert_uint_eq(c->iface_names.n, 1);
	ck_assert_uint_eq(c->ifaces.v[0].key.ifindex, 11);
	ck_assert_str_eq(c->iface_names.v[0], "lan1");
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(slot_is_in_every_key)
{
	struct cf_config *cfg = camfence_policy_parse_file(POLICY);
	struct cf_compiled *c;
	char why[256];
	size_t i;

	ck_assert_int_eq(camfence_policy_compile(cfg, 1, test_ifindex, NULL, &c, why, sizeof(why)), 0);
	for (i = 0; i < c->ifaces.n; i++)
		ck_assert_uint_eq(c->ifaces.v[i].key.slot, 1);
	for (i = 0; i < c->macs.n; i++)
		ck_assert_uint_eq(c->macs.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->src4.n; i++)
		ck_assert_uint_eq(c->src4.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->src6.n; i++)
		ck_assert_uint_eq(c->src6.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->vlans.n; i++)
		ck_assert_uint_eq(c->vlans.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->dst4.n; i++)
		ck_assert_uint_eq(c->dst4.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->dst6.n; i++)
		ck_assert_uint_eq(c->dst6.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->ports.n; i++)
		ck_assert_uint_eq(c->ports.v[i].key.scope >> 31, 1);
	for (i = 0; i < c->policies.n; i++)
		ck_assert_uint_ge(c->policies.v[i].key, CAMFENCE_MAX_POLICIES);
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

/* A thousand rules, each its own /24 and port: one destination entry per
 * rule and a handful of port entries per table, not a product of the two. */
START_TEST(tables_stay_linear)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct cf_config *cfg;
	struct cf_compiled *c;
	char why[256];
	int i;

	fprintf(f, "zone z {\n\tinterface lan0\n}\ngroup g {\n\tmac 44:19:b6:00:00:01\n\tpolicy p\n}\npolicy p {\n");
	for (i = 0; i < 1000; i++)
		fprintf(f, "\tallow to 10.%d.%d.0/24 tcp %d\n", i / 256, i % 256, 1000 + i);
	fprintf(f, "}\n");
	fclose(f);
	cfg = camfence_policy_parse_text("t.conf", text);
	ck_assert_uint_eq(cfg->nerrors, 0);
	ck_assert_int_eq(camfence_policy_compile(cfg, 0, test_ifindex, NULL, &c, why, sizeof(why)), 0);
	ck_assert_uint_eq(c->dst4.n, 1001);
	ck_assert_uint_le(c->ports.n, 4 * 1001 + 2);
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
	free(text);
}
END_TEST

Suite *policy_compile_suite(void)
{
	Suite *s = suite_create("policy_compile");
	TCase *tc = tcase_create("compile");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, compiled_agrees_with_reference);
	tcase_add_test(tc, first_match_wins_over_longer_prefix);
	tcase_add_test(tc, essentials_stay_on_the_link);
	tcase_add_test(tc, missing_interface_is_an_error);
	tcase_add_test(tc, absent_interface_is_left_out);
	tcase_add_test(tc, slot_is_in_every_key);
	tcase_add_test(tc, tables_stay_linear);
	suite_add_tcase(s, tc);
	return s;
}
