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

static int test_ifindex(const char *name, void *ctx)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strcmp(ifnames[i], name))
			return 10 + i;
	return -ENODEV;
}

static int prefix_covers(__u32 klen, const __u8 *kaddr, int family, const __u8 *addr)
{
	struct cf_prefix p = { .family = family, .len = klen - 32 };

	memcpy(p.addr, kaddr, family == AF_INET ? 4 : 16);
	return camfence_addr_prefix_match(&p, family, addr);
}

static __u64 dst_bits(const struct cf_compiled *c, __u32 scope, const struct cf_packet *pkt)
{
	__u64 bits = 0;
	int best = -1;
	size_t i;

	if (pkt->family == AF_INET) {
		for (i = 0; i < c->dst4.n; i++)
			if (c->dst4.v[i].key.scope == scope && (int)c->dst4.v[i].key.prefixlen > best &&
			    prefix_covers(c->dst4.v[i].key.prefixlen, c->dst4.v[i].key.addr, AF_INET, pkt->daddr)) {
				best = c->dst4.v[i].key.prefixlen;
				bits = c->dst4.v[i].bits;
			}
	} else {
		for (i = 0; i < c->dst6.n; i++)
			if (c->dst6.v[i].key.scope == scope && (int)c->dst6.v[i].key.prefixlen > best &&
			    prefix_covers(c->dst6.v[i].key.prefixlen, c->dst6.v[i].key.addr, AF_INET6, pkt->daddr)) {
				best = c->dst6.v[i].key.prefixlen;
				bits = c->dst6.v[i].bits;
			}
	}
	return bits;
}

static const __u64 *port_entry(const struct cf_compiled *c, __u32 scope, __u8 proto, __u16 port)
{
	size_t i;

	for (i = 0; i < c->ports.n; i++)
		if (c->ports.v[i].key.scope == scope && c->ports.v[i].key.proto == proto &&
		    c->ports.v[i].key.port == port)
			return &c->ports.v[i].bits;
	return NULL;
}

static __u64 port_bits(const struct cf_compiled *c, __u32 scope, __u8 proto, __u16 port)
{
	const __u64 *b = NULL;

	if (port)
		b = port_entry(c, scope, proto, port);
	if (!b)
		b = port_entry(c, scope, proto, 0);
	if (!b)
		b = port_entry(c, scope, 0, 0);
	return b ? *b : 0;
}

static int essential(const struct cf_packet *pkt)
{
	return pkt->arp ||
	       (pkt->proto == IPPROTO_UDP && ((pkt->sport == 68 && pkt->dport == 67) ||
					      (pkt->sport == 546 && pkt->dport == 547))) ||
	       (pkt->proto == IPPROTO_ICMPV6 &&
		((pkt->icmp6_type >= 130 && pkt->icmp6_type <= 137) || pkt->icmp6_type == 143));
}

/* The XDP program's slow path, over the compiled entries. */
static void emulate(const struct cf_compiled *c, const struct cf_packet *pkt, struct cf_decision *d)
{
	const struct camfence_device *dev = NULL;
	const struct cf_iface_entry *iface = NULL;
	int ifindex = test_ifindex(pkt->ifname, NULL), best = -1;
	__u32 scope, pidx;
	__u64 match;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->rule = -1;
	for (i = 0; i < c->ifaces.n; i++)
		if ((int)c->ifaces.v[i].key.ifindex == ifindex)
			iface = &c->ifaces.v[i];
	if (!iface) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_UNMANAGED;
		return;
	}
	for (i = 0; i < c->macs.n; i++)
		if (!memcmp(c->macs.v[i].key.mac, pkt->mac, 6))
			dev = &c->macs.v[i].val;
	for (i = 0; !dev && pkt->family == AF_INET && i < c->src4.n; i++)
		if ((int)c->src4.v[i].key.prefixlen > best &&
		    prefix_covers(c->src4.v[i].key.prefixlen, c->src4.v[i].key.addr, AF_INET, pkt->saddr)) {
			best = c->src4.v[i].key.prefixlen;
			d->group = i;
		}
	if (!dev && best >= 0)
		dev = &c->src4.v[d->group].val;
	if (!dev) {
		d->verdict = iface->val.unknown_verdict;
		d->reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
	} else {
		pidx = c->slot * CAMFENCE_MAX_POLICIES + dev->policy_id;
		for (i = 0; i < c->policies.n; i++)
			if (c->policies.v[i].idx == pidx)
				d->verdict = c->policies.v[i].val.default_verdict;
		d->reason = pkt->family ? CAMFENCE_REASON_DEFAULT : CAMFENCE_REASON_NOT_IP;
		scope = camfence_scope(c->slot, dev->policy_id);
		match = pkt->family ? dst_bits(c, scope, pkt) & port_bits(c, scope, pkt->proto, pkt->dport) : 0;
		if (match) {
			d->rule = __builtin_ctzll(match);
			for (i = 0; i < c->rules.n; i++)
				if (c->rules.v[i].idx == pidx * CAMFENCE_MAX_RULES + d->rule)
					d->verdict = c->rules.v[i].val.verdict;
			d->reason = CAMFENCE_REASON_RULE;
		}
	}
	if (essential(pkt) && d->reason != CAMFENCE_REASON_RULE) {
		d->verdict = CAMFENCE_PASS;
		d->reason = CAMFENCE_REASON_ESSENTIAL;
	}
}

static void random_packet(const struct cf_config *cfg, struct cf_packet *pkt, unsigned int *seed)
{
	const struct cf_group *g = &cfg->groups[rand_r(seed) % cfg->ngroups];
	const struct cf_member *m = &g->members[rand_r(seed) % g->nmembers];
	const struct cf_policy *p = &cfg->policies[rand_r(seed) % cfg->npolicies];
	const struct cf_rule *r = &p->rules[rand_r(seed) % p->nrules];
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
		memcpy(pkt->mac, m->mac, 6);
	if (rand_r(seed) % 2 && m->kind == CF_MEMBER_PREFIX) {
		pkt->family = AF_INET;
		/* keep the prefix bits, randomise the rest */
		for (i = 0; i < (int)m->prefix.len; i++)
			pkt->saddr[i / 8] = (pkt->saddr[i / 8] & ~(0x80 >> (i % 8))) |
					    (m->prefix.addr[i / 8] & (0x80 >> (i % 8)));
	}
	if (rand_r(seed) % 3 && r->has_dst) {
		pkt->family = r->dst.family;
		for (i = 0; i < (int)r->dst.len; i++)
			pkt->daddr[i / 8] = (pkt->daddr[i / 8] & ~(0x80 >> (i % 8))) |
					    (r->dst.addr[i / 8] & (0x80 >> (i % 8)));
	}
	pkt->proto = rand_r(seed) % 3 ? r->proto : protos[rand_r(seed) % 6];
	if (!pkt->proto)
		pkt->proto = protos[rand_r(seed) % 5];
	if (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP) {
		int lo = r->port_lo ? r->port_lo : 1, hi = r->port_hi ? r->port_hi : 65535;

		pkt->dport = lo + rand_r(seed) % (hi - lo + 3) - 1;
		if (pkt->dport == 0)
			pkt->dport = 1;
		pkt->sport = rand_r(seed) % 8 ? 1024 + rand_r(seed) % 60000 : 68;
		if (rand_r(seed) % 16 == 0)
			pkt->dport = 67;
	}
	pkt->icmp6_type = pkt->proto == IPPROTO_ICMPV6 ? 128 + rand_r(seed) % 12 : -1;
	if (rand_r(seed) % 50 == 0) {
		pkt->family = 0;
		pkt->proto = 0;
		pkt->dport = 0;
		pkt->arp = rand_r(seed) % 2;
	}
}

START_TEST(compiled_agrees_with_reference)
{
	struct cf_config *cfg = camfence_policy_parse_file(POLICY);
	unsigned int seed = getenv("CAMFENCE_SEED") ? strtoul(getenv("CAMFENCE_SEED"), NULL, 0) :
						      (unsigned int)time(NULL);
	struct cf_compiled *c;
	char why[256];
	int i, slot;

	ck_assert_uint_eq(cfg->nerrors, 0);
	for (slot = 0; slot < 2; slot++) {
		ck_assert_int_eq(camfence_policy_compile(cfg, slot, test_ifindex, NULL, &c, why,
							 sizeof(why)), 0);
		for (i = 0; i < 20000; i++) {
			struct cf_packet pkt;
			struct cf_decision ref, got;
			unsigned int at = seed;

			random_packet(cfg, &pkt, &seed);
			camfence_policy_match(cfg, &pkt, &ref);
			emulate(c, &pkt, &got);
			ck_assert_msg(ref.verdict == got.verdict && ref.reason == got.reason &&
				      ref.rule == got.rule,
				      "packet %d (CAMFENCE_SEED=%u) on %s proto %u port %u: reference verdict %u reason %u rule %d, compiled %u %u %d",
				      i, at, pkt.ifname, pkt.proto, pkt.dport, ref.verdict, ref.reason,
				      ref.rule, got.verdict, got.reason, got.rule);
		}
		camfence_policy_compiled_free(c);
	}
	camfence_policy_free(cfg);
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
	emulate(c, &pkt, &got);
	ck_assert_uint_eq(ref.verdict, CAMFENCE_DROP);
	ck_assert_int_eq(ref.rule, 0);
	ck_assert_uint_eq(got.verdict, CAMFENCE_DROP);
	ck_assert_int_eq(got.rule, 0);
	camfence_policy_compiled_free(c);
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
		ck_assert_uint_eq(c->macs.v[i].key.slot, 1);
	for (i = 0; i < c->src4.n; i++)
		ck_assert_uint_eq(c->src4.v[i].key.scope, 1);
	for (i = 0; i < c->dst4.n; i++)
		ck_assert_uint_eq(c->dst4.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->ports.n; i++)
		ck_assert_uint_eq(c->ports.v[i].key.scope >> 16, 1);
	for (i = 0; i < c->policies.n; i++)
		ck_assert_uint_ge(c->policies.v[i].idx, CAMFENCE_MAX_POLICIES);
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

Suite *policy_compile_suite(void)
{
	Suite *s = suite_create("policy_compile");
	TCase *tc = tcase_create("compile");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, compiled_agrees_with_reference);
	tcase_add_test(tc, first_match_wins_over_longer_prefix);
	tcase_add_test(tc, missing_interface_is_an_error);
	tcase_add_test(tc, slot_is_in_every_key);
	suite_add_tcase(s, tc);
	return s;
}
