// SPDX-License-Identifier: GPL-2.0
/*
 * The camfence.ko client without the module: the messages of a push parsed
 * back against a policy table that mirrors camfence_genl.h, and push, dump
 * and counters through a fake module in place of the socket. The wire
 * level (events, extacks, no module) is in test_kmod_wire.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmod_priv.h"
#include "policy_compile.h"
#include "unit.h"

#define FAMILY 0x20		/* any id: nothing leaves the process */
#define MAX_MSGS 4096

static int test_ifindex(const char *name, void *ctx)
{
	static const char *const names[] = { "lan0", "lan1", "lan2" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strcmp(names[i], name))
			return 10 + i;
	return -ENODEV;
}

static struct cf_compiled *compile(struct cf_config *cfg, __u32 slot)
{
	struct cf_compiled *c;
	char why[256];

	ck_assert_uint_eq(cfg->nerrors, 0);
	ck_assert_int_eq(camfence_policy_compile(cfg, slot, test_ifindex, NULL, &c, why,
						 sizeof(why)), 0);
	camfence_policy_free(cfg);
	return c;
}

/* n learned destinations of device 1, in c's slot, each for port table 0. */
static struct cf_compiled *with_learned(struct cf_compiled *c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct cf_learned_entry *e = CF_VEC_PUSH(c->learned);

		memset(e, 0, sizeof(*e));
		e->key = (struct camfence_learned_key){ .slot = c->slot, .device_id = 1,
							.mac = { 0x44, 0x19, 0xb6, 0x10, 0x20, 0x30 },
							.family = AF_INET };
		e->key.addr[0] = 198;
		e->key.addr[1] = 51;
		e->key.addr[2] = i >> 8;
		e->key.addr[3] = i;
		e->val.n = 1;
	}
	return c;
}

/* A policy that fills every table, slot 1 (two learned destinations
 * added: the compiler has them from DNS answers, not from the text). */
static struct cf_compiled *everything(void)
{
	return with_learned(compile(camfence_policy_parse_text("t.conf",
		"zone cameras {\n\tinterface lan0 lan1\n\tunknown deny\n}\n"
		"zone cctv {\n\tinterface lan2\n\tvlan 10 20\n\tunknown policy lan-only\n}\n"
		"group hik {\n\tmac 44:19:b6:10:20:30 70:b3:d5:12:30/36\n"
		"\tip 192.168.10.64/28 2001:db8:10::/64\n\tpolicy lan-only\n}\n"
		"group v10 {\n\tvlan 10\n\tzone cctv\n\tpolicy cloud\n}\n"
		"policy lan-only {\n\tallow to 192.168.20.0/24\n\tallow to 2001:db8:20::/48 tcp 554\n"
		"\tdeny to 192.0.2.0/24 udp 53\n\tdefault deny\n}\n"
		"policy cloud {\n\tdeny to any tcp 23\n\tdefault allow\n}\n"), 1), 2);
}

/* rules destinations and ports: thousands of records, many POLICY_ADDs. */
static struct cf_compiled *many(int rules)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct cf_compiled *c;
	int i;

	fprintf(f, "zone z {\n\tinterface lan0\n}\ngroup g {\n\tmac 44:19:b6:00:00:01\n"
		"\tpolicy p\n}\npolicy p {\n");
	for (i = 0; i < rules; i++)
		fprintf(f, "\tallow to 10.%d.%d.0/24 tcp %d\n", i / 256, i % 256, 1000 + i);
	fprintf(f, "}\n");
	fclose(f);
	c = compile(camfence_policy_parse_text("t.conf", text), 0);
	free(text);
	return c;
}

/* The records of a table as the test sees them, from policy_compile.h. */
struct expect_table {
	const char *v;
	size_t n, size, key, val, val_off;
};

#define EXPECT(field, type) { (const char *)c->field.v, c->field.n, sizeof(type), \
			      sizeof(((type *)0)->key), sizeof(((type *)0)->val), \
			      offsetof(type, val) }

static void expect_tables(const struct cf_compiled *c, struct expect_table *t)
{
	const struct expect_table all[__CAMFENCE_TABLE_MAX] = {
		[CAMFENCE_TABLE_IFACES]		= EXPECT(ifaces, struct cf_iface_entry),
		[CAMFENCE_TABLE_MACS]		= EXPECT(macs, struct cf_mac_entry),
		[CAMFENCE_TABLE_SRC4]		= EXPECT(src4, struct cf_src4_entry),
		[CAMFENCE_TABLE_SRC6]		= EXPECT(src6, struct cf_src6_entry),
		[CAMFENCE_TABLE_VLANS]		= EXPECT(vlans, struct cf_vlan_entry),
		[CAMFENCE_TABLE_DST4]		= EXPECT(dst4, struct cf_dst4_entry),
		[CAMFENCE_TABLE_DST6]		= EXPECT(dst6, struct cf_dst6_entry),
		[CAMFENCE_TABLE_PORTS]		= EXPECT(ports, struct cf_port_entry),
		[CAMFENCE_TABLE_POLICIES]	= EXPECT(policies, struct cf_policy_entry),
		[CAMFENCE_TABLE_LEARNED]	= EXPECT(learned, struct cf_learned_entry),
	};

	memcpy(t, all, sizeof(all));
}

/* camfence_genl.h, one table per nesting level, exact lengths. */
static struct nla_policy top_policy[CAMFENCE_A_MAX + 1] = {
	[CAMFENCE_A_GENERATION]	= { .type = NLA_U64, .minlen = 8, .maxlen = 8 },
	[CAMFENCE_A_SLOT]	= { .type = NLA_U32, .minlen = 4, .maxlen = 4 },
	[CAMFENCE_A_ENTRIES]	= { .type = NLA_NESTED },
};

static struct nla_policy entry_policy[CAMFENCE_ENTRY_A_MAX + 1] = {
	[CAMFENCE_ENTRY_A_TABLE]	= { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
	[CAMFENCE_ENTRY_A_KEY]		= { .type = NLA_UNSPEC },
	[CAMFENCE_ENTRY_A_VALUE]	= { .type = NLA_UNSPEC },
};

struct captured {
	struct nlmsghdr *nlh[MAX_MSGS];
	struct camfence_kmod_chunk ch[MAX_MSGS];
	int n, stop_at, stop_err;
};

static int capture(struct nl_msg *msg, const struct camfence_kmod_chunk *ch, void *ctx)
{
	struct captured *cap = ctx;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	ck_assert_int_lt(cap->n, MAX_MSGS);
	cap->nlh[cap->n] = malloc(nlh->nlmsg_len);
	memcpy(cap->nlh[cap->n], nlh, nlh->nlmsg_len);
	cap->ch[cap->n] = *ch;
	return cap->n++ == cap->stop_at ? cap->stop_err : 0;
}

static void captured_free(struct captured *cap)
{
	while (cap->n)
		free(cap->nlh[--cap->n]);
	free(cap);
}

/* Parses nlh as cmd; tb gets its attributes, the return how many. */
static int parse_cmd(struct nlmsghdr *nlh, __u8 cmd, struct nlattr **tb)
{
	struct genlmsghdr *g = genlmsg_hdr(nlh);
	struct nlattr *a;
	int rem, n = 0;

	ck_assert_int_eq(nlh->nlmsg_type, FAMILY);
	ck_assert(genlmsg_valid_hdr(nlh, 0));
	ck_assert_uint_eq(g->cmd, cmd);
	ck_assert_uint_eq(g->version, CAMFENCE_GENL_API);
	ck_assert_uint_eq(g->reserved, 0);
	ck_assert_int_eq(genlmsg_parse(nlh, 0, tb, CAMFENCE_A_MAX, top_policy), 0);
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem)
		n++;
	ck_assert_int_eq(rem, 0);
	return n;
}

/* A record of table t in a POLICY_ADD: its nest, table, key and value. */
static size_t entry_len(const struct expect_table *t)
{
	return NLA_HDRLEN + NLA_ALIGN(NLA_HDRLEN + 1) + NLA_HDRLEN + NLA_ALIGN(t->key) +
	       NLA_HDRLEN + NLA_ALIGN(t->val);
}

/* Every record of c, in table order, once: BEGIN, ADDs full (of
 * CAMFENCE_GENL_ENTRIES_MAX records, or to the page), COMMIT. */
static void check_push_messages(const struct cf_compiled *c, __u64 gen, struct captured *cap)
{
	struct nlattr *tb[CAMFENCE_A_MAX + 1], *e, *etb[CAMFENCE_ENTRY_A_MAX + 1];
	struct expect_table t[__CAMFENCE_TABLE_MAX];
	size_t total = 0, seen = 0, index = 0;
	unsigned int table = 0;
	int m, rem;

	expect_tables(c, t);
	for (m = 0; m < __CAMFENCE_TABLE_MAX; m++)
		total += t[m].n;
	ck_assert_uint_eq(camfence_kmod_policy_records(c), total);
	ck_assert_int_ge(cap->n, 2 + (int)((total + CAMFENCE_GENL_ENTRIES_MAX - 1) /
					   CAMFENCE_GENL_ENTRIES_MAX));

	ck_assert_int_eq(parse_cmd(cap->nlh[0], CAMFENCE_CMD_POLICY_BEGIN, tb), 2);
	ck_assert_uint_eq(nla_get_u64(tb[CAMFENCE_A_GENERATION]), gen);
	ck_assert_uint_eq(nla_get_u32(tb[CAMFENCE_A_SLOT]), c->slot);

	for (m = 1; m < cap->n - 1; m++) {
		int in_msg = 0;

		/* a page each, as the kernel's replies */
		ck_assert_uint_le(cap->nlh[m]->nlmsg_len, 4096);
		ck_assert_int_eq(parse_cmd(cap->nlh[m], CAMFENCE_CMD_POLICY_ADD, tb), 2);
		ck_assert_uint_eq(nla_get_u64(tb[CAMFENCE_A_GENERATION]), gen);
		ck_assert_ptr_nonnull(tb[CAMFENCE_A_ENTRIES]);
		/* the kernel's strict validation refuses nests without it */
		ck_assert(tb[CAMFENCE_A_ENTRIES]->nla_type & NLA_F_NESTED);
		ck_assert_uint_eq(cap->ch[m].first, seen);
		ck_assert_uint_eq(cap->ch[m].total, total);
		nla_for_each_nested(e, tb[CAMFENCE_A_ENTRIES], rem) {
			const char *rec;

			while (table < __CAMFENCE_TABLE_MAX && index == t[table].n) {
				table++;
				index = 0;
			}
			ck_assert_uint_lt(table, __CAMFENCE_TABLE_MAX);
			rec = t[table].v + index * t[table].size;
			ck_assert_int_eq(e->nla_type, NLA_F_NESTED | CAMFENCE_A_ENTRY);
			ck_assert_int_eq(nla_parse_nested(etb, CAMFENCE_ENTRY_A_MAX, e,
							  entry_policy), 0);
			ck_assert_uint_eq(nla_get_u8(etb[CAMFENCE_ENTRY_A_TABLE]), table);
			ck_assert_int_eq(nla_len(etb[CAMFENCE_ENTRY_A_KEY]), t[table].key);
			ck_assert_int_eq(nla_len(etb[CAMFENCE_ENTRY_A_VALUE]), t[table].val);
			ck_assert_mem_eq(nla_data(etb[CAMFENCE_ENTRY_A_KEY]), rec, t[table].key);
			ck_assert_mem_eq(nla_data(etb[CAMFENCE_ENTRY_A_VALUE]),
					 rec + t[table].val_off, t[table].val);
			index++;
			in_msg++;
		}
		ck_assert_int_eq(rem, 0);
		ck_assert_uint_eq(cap->ch[m].n, in_msg);
		ck_assert_int_le(in_msg, CAMFENCE_GENL_ENTRIES_MAX);
		/* full but for the last: of records, or of bytes for the next one */
		if (m < cap->n - 2) {
			while (table < __CAMFENCE_TABLE_MAX && index == t[table].n) {
				table++;
				index = 0;
			}
			ck_assert(in_msg == CAMFENCE_GENL_ENTRIES_MAX ||
				  cap->nlh[m]->nlmsg_len + entry_len(&t[table]) > 4096);
		}
		seen += in_msg;
	}
	ck_assert_uint_eq(seen, total);

	ck_assert_int_eq(parse_cmd(cap->nlh[cap->n - 1], CAMFENCE_CMD_POLICY_COMMIT, tb), 1);
	ck_assert_uint_eq(nla_get_u64(tb[CAMFENCE_A_GENERATION]), gen);
}

START_TEST(push_carries_every_record)
{
	struct cf_compiled *c = _i == 2 ? with_learned(many(10), 500) :
				_i ? many(1000) : everything();
	struct captured *cap = calloc(1, sizeof(*cap));
	size_t i;

	cap->stop_at = -1;
	if (!_i) {
		struct expect_table t[__CAMFENCE_TABLE_MAX];
		int i;

		expect_tables(c, t);
		for (i = 0; i < __CAMFENCE_TABLE_MAX; i++)
			ck_assert_msg(t[i].n > 0, "table %d empty", i);
	} else if (_i == 1) {
		ck_assert_uint_gt(camfence_kmod_policy_records(c), 20 * CAMFENCE_GENL_ENTRIES_MAX);
	}
	ck_assert_int_eq(camfence_kmod_policy_build(c, 42 + _i, FAMILY, capture, cap), 0);
	/* learned records are longer: a page holds fewer than the maximum */
	if (_i == 2)
		ck_assert_int_gt(cap->n, 2 + (int)((camfence_kmod_policy_records(c) +
						    CAMFENCE_GENL_ENTRIES_MAX - 1) /
						   CAMFENCE_GENL_ENTRIES_MAX));
	check_push_messages(c, 42 + _i, cap);
	for (i = 0; i < (size_t)cap->n; i++)
		ck_assert_uint_eq(cap->ch[i].cmd, genlmsg_hdr(cap->nlh[i])->cmd);
	captured_free(cap);
	camfence_policy_compiled_free(c);
}
END_TEST

/* A sink that refuses stops the build there. */
START_TEST(push_build_stops_at_refusal)
{
	struct cf_compiled *c = many(300);
	struct captured *cap = calloc(1, sizeof(*cap));

	cap->stop_at = 2;
	cap->stop_err = -EINVAL;
	ck_assert_int_eq(camfence_kmod_policy_build(c, 1, FAMILY, capture, cap), -EINVAL);
	ck_assert_int_eq(cap->n, 3);
	captured_free(cap);
	camfence_policy_compiled_free(c);
}
END_TEST

START_TEST(empty_tables_push_begin_commit)
{
	struct cf_compiled *c = calloc(1, sizeof(*c));
	struct captured *cap = calloc(1, sizeof(*cap));

	cap->stop_at = -1;
	ck_assert_int_eq(camfence_kmod_policy_build(c, 3, FAMILY, capture, cap), 0);
	ck_assert_int_eq(cap->n, 2);
	check_push_messages(c, 3, cap);
	captured_free(cap);
	camfence_policy_compiled_free(c);
}
END_TEST

/* ---- a fake camfence.ko behind the transact hook ---- */

#define MAX_BLOBS 4096

struct fake {
	__u8 cmds[MAX_MSGS];
	int ncmds;
	int fail_at, fail_err;		/* refuse the fail_at'th request */
	const char *fail_ext;
	int staging;
	__u64 staged_gen, live_gen;
	__u32 staged_slot, live_slot;
	struct nlattr *staged[MAX_BLOBS], *live[MAX_BLOBS];
	int nstaged, nlive;
	int intr_dumps;			/* dumps a commit interrupts */
	int bad_device;			/* counters: a device without drop bytes */
};

static void blobs_free(struct nlattr **b, int *n)
{
	while (*n)
		free(b[--*n]);
}

static int refuse(char *ext, size_t extlen, const char *text, int err)
{
	snprintf(ext, extlen, "%s", text);
	return err;
}

static int fake_stage(struct fake *f, __u8 cmd, struct nlattr **tb, char *ext, size_t extlen)
{
	__u64 gen = tb[CAMFENCE_A_GENERATION] ? nla_get_u64(tb[CAMFENCE_A_GENERATION]) : 0;

	switch (cmd) {
	case CAMFENCE_CMD_POLICY_BEGIN:
		if (gen <= f->live_gen)
			return refuse(ext, extlen, "generation not greater than the live one",
				      -EINVAL);
		blobs_free(f->staged, &f->nstaged);
		f->staging = 1;
		f->staged_gen = gen;
		f->staged_slot = nla_get_u32(tb[CAMFENCE_A_SLOT]);
		return 0;
	case CAMFENCE_CMD_POLICY_ADD:
		if (!f->staging)
			return -ENOENT;
		if (gen != f->staged_gen)
			return -ESTALE;
		f->staged[f->nstaged] = malloc(tb[CAMFENCE_A_ENTRIES]->nla_len);
		memcpy(f->staged[f->nstaged++], tb[CAMFENCE_A_ENTRIES],
		       tb[CAMFENCE_A_ENTRIES]->nla_len);
		return 0;
	case CAMFENCE_CMD_POLICY_COMMIT:
		if (!f->staging || gen != f->staged_gen)
			return -ESTALE;
		blobs_free(f->live, &f->nlive);
		memcpy(f->live, f->staged, sizeof(f->live));
		f->nlive = f->nstaged;
		f->nstaged = 0;
		f->live_gen = gen;
		f->live_slot = f->staged_slot;
		f->staging = 0;
		return 0;
	case CAMFENCE_CMD_POLICY_ABORT:
		blobs_free(f->staged, &f->nstaged);
		f->staging = 0;
		return 0;
	}
	return -EOPNOTSUPP;
}

static struct nl_msg *reply(__u8 cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 1, FAMILY, 0, NLM_F_MULTI, cmd, 1));
	return msg;
}

static int deliver(struct nl_msg *msg, kmod_parse_fn parse, void *arg)
{
	int err = parse(nlmsg_hdr(msg), arg);

	nlmsg_free(msg);
	return err;
}

static int fake_policy_get(struct fake *f, kmod_parse_fn parse, void *arg)
{
	int i = 0, err;

	do {
		struct nl_msg *msg = reply(CAMFENCE_CMD_POLICY_GET);
		/* the second part of an interrupted dump is a newer policy's */
		__u64 gen = f->live_gen + (i == 1 && f->intr_dumps > 0);

		nla_put_u64(msg, CAMFENCE_A_GENERATION, gen);
		nla_put_u32(msg, CAMFENCE_A_SLOT, f->live_slot);
		if (i < f->nlive)
			nla_put(msg, CAMFENCE_A_ENTRIES, nla_len(f->live[i]), nla_data(f->live[i]));
		err = deliver(msg, parse, arg);
	} while (!err && ++i < f->nlive);
	if (f->intr_dumps > 0)
		f->intr_dumps--;
	return err;
}

static void put_counter(struct nl_msg *msg, int type, __u32 id, const __u64 *v, int nv)
{
	struct nlattr *n = nla_nest_start(msg, type);
	int i;

	nla_put_u32(msg, CAMFENCE_COUNTER_A_ID, id);
	/* the kernel pads u64s to 8 bytes */
	nla_put(msg, CAMFENCE_COUNTER_A_PAD, 0, NULL);
	for (i = 0; i < nv; i++)
		nla_put_u64(msg, type == CAMFENCE_A_RULE ? CAMFENCE_COUNTER_A_PKTS + i
							 : CAMFENCE_COUNTER_A_PASS_PKTS + i, v[i]);
	nla_nest_end(msg, n);
}

static int fake_counters(struct fake *f, kmod_parse_fn parse, void *arg)
{
	static const __u64 dev1[] = { 1, 100, 2, 200 }, dev2[] = { 3, 300, 4, 400 };
	static const __u64 rule7[] = { 5, 500 };
	struct nl_msg *msg = reply(CAMFENCE_CMD_COUNTERS_GET);
	struct nlattr *stats;
	int i, err;

	nla_put_u64(msg, CAMFENCE_A_GENERATION, f->live_gen);
	stats = nla_nest_start(msg, CAMFENCE_A_STATS);
	/* one beyond what this client knows: a newer module's */
	for (i = 0; i <= __CAMFENCE_STAT_MAX; i++)
		nla_put_u64(msg, i + 1, 1000 + i);
	nla_nest_end(msg, stats);
	put_counter(msg, CAMFENCE_A_DEVICE, 1, dev1, 4);
	err = deliver(msg, parse, arg);
	if (err)
		return err;
	msg = reply(CAMFENCE_CMD_COUNTERS_GET);
	put_counter(msg, CAMFENCE_A_DEVICE, 2, dev2, f->bad_device ? 3 : 4);
	put_counter(msg, CAMFENCE_A_RULE, 7, rule7, 2);
	return deliver(msg, parse, arg);
}

static int fake_transact(struct camfence_kmod *k, struct nl_msg *msg, kmod_parse_fn parse,
			 void *arg, char *ext, size_t extlen)
{
	struct nlattr *tb[CAMFENCE_A_MAX + 1];
	struct fake *f = k->priv;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	__u8 cmd;

	if (extlen)
		ext[0] = '\0';
	ck_assert_int_eq(nlh->nlmsg_type, FAMILY);
	ck_assert_int_eq(genlmsg_parse(nlh, 0, tb, CAMFENCE_A_MAX, top_policy), 0);
	cmd = genlmsg_hdr(nlh)->cmd;
	ck_assert_int_lt(f->ncmds, MAX_MSGS);
	f->cmds[f->ncmds++] = cmd;
	if (f->ncmds - 1 == f->fail_at)
		return refuse(ext, extlen, f->fail_ext ? f->fail_ext : "", f->fail_err);
	switch (cmd) {
	case CAMFENCE_CMD_POLICY_GET:
		ck_assert(nlh->nlmsg_flags & NLM_F_DUMP);
		return fake_policy_get(f, parse, arg);
	case CAMFENCE_CMD_COUNTERS_GET:
		ck_assert(nlh->nlmsg_flags & NLM_F_DUMP);
		return fake_counters(f, parse, arg);
	case CAMFENCE_CMD_COUNTERS_RESET:
		return 0;
	}
	ck_assert_ptr_null(parse);
	return fake_stage(f, cmd, tb, ext, extlen);
}

static struct fake *fake;
static struct camfence_kmod kmod;

static void fake_setup(void)
{
	fake = calloc(1, sizeof(*fake));
	fake->fail_at = -1;
	kmod = (struct camfence_kmod){ .family = FAMILY, .transact = fake_transact, .priv = fake };
}

static void fake_teardown(void)
{
	blobs_free(fake->staged, &fake->nstaged);
	blobs_free(fake->live, &fake->nlive);
	free(fake);
}

static void check_same_tables(const struct cf_compiled *a, const struct cf_compiled *b)
{
	struct expect_table ta[__CAMFENCE_TABLE_MAX], tb[__CAMFENCE_TABLE_MAX];
	int t;

	expect_tables(a, ta);
	expect_tables(b, tb);
	ck_assert_uint_eq(a->slot, b->slot);
	for (t = 0; t < __CAMFENCE_TABLE_MAX; t++) {
		ck_assert_uint_eq(ta[t].n, tb[t].n);
		if (ta[t].n)
			ck_assert_mem_eq(ta[t].v, tb[t].v, ta[t].n * ta[t].size);
	}
}

START_TEST(push_then_dump_gives_the_same_records)
{
	struct cf_compiled *c = _i ? many(1000) : everything(), *got;
	size_t adds = (camfence_kmod_policy_records(c) + CAMFENCE_GENL_ENTRIES_MAX - 1) /
		      CAMFENCE_GENL_ENTRIES_MAX;
	char err[512];
	__u64 gen;

	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 7, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(fake->ncmds, (int)adds + 2);
	ck_assert_uint_eq(fake->cmds[fake->ncmds - 1], CAMFENCE_CMD_POLICY_COMMIT);
	ck_assert_int_eq(camfence_kmod_policy_get(&kmod, &got, &gen), 0);
	ck_assert_uint_eq(gen, 7);
	check_same_tables(c, got);
	camfence_policy_compiled_free(got);
	camfence_policy_compiled_free(c);
}
END_TEST

START_TEST(dump_of_no_policy_is_empty)
{
	struct cf_compiled *got, *none = calloc(1, sizeof(*none));
	__u64 gen = 99;

	ck_assert_int_eq(camfence_kmod_policy_get(&kmod, &got, &gen), 0);
	ck_assert_uint_eq(gen, 0);
	check_same_tables(none, got);
	camfence_policy_compiled_free(got);
	camfence_policy_compiled_free(none);
}
END_TEST

/* A commit between two parts of a dump: tried again, up to three dumps. */
START_TEST(dump_retries_when_a_commit_interrupts)
{
	struct cf_compiled *c = many(200), *got = NULL;
	char err[512];
	__u64 gen;

	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 5, err, sizeof(err)), 0);
	fake->intr_dumps = 2;
	ck_assert_int_eq(camfence_kmod_policy_get(&kmod, &got, &gen), 0);
	check_same_tables(c, got);
	camfence_policy_compiled_free(got);
	fake->intr_dumps = 3;
	ck_assert_int_eq(camfence_kmod_policy_get(&kmod, &got, &gen), -EAGAIN);
	camfence_policy_compiled_free(c);
}
END_TEST

START_TEST(refused_add_aborts_and_says_why)
{
	struct cf_compiled *c = many(300), *got;
	size_t total = camfence_kmod_policy_records(c);
	char err[512], want[512];
	__u64 gen;
	int i;

	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 5, err, sizeof(err)), 0);
	fake->ncmds = 0;
	fake->fail_at = 2;
	fake->fail_err = -EINVAL;
	fake->fail_ext = "table 3: key of 20 bytes, expected 24";
	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 6, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "camfence.ko refused POLICY_ADD of records 65 to 128 of %zu: "
		 "table 3: key of 20 bytes, expected 24 (Invalid argument)", total);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(fake->ncmds, 4);
	for (i = 1; i < 3; i++)
		ck_assert_uint_eq(fake->cmds[i], CAMFENCE_CMD_POLICY_ADD);
	ck_assert_uint_eq(fake->cmds[3], CAMFENCE_CMD_POLICY_ABORT);
	ck_assert(!fake->staging);
	/* the live policy is the one before */
	ck_assert_int_eq(camfence_kmod_policy_get(&kmod, &got, &gen), 0);
	ck_assert_uint_eq(gen, 5);
	camfence_policy_compiled_free(got);
	camfence_policy_compiled_free(c);
}
END_TEST

START_TEST(refusals_name_the_step)
{
	struct cf_compiled *c = everything();
	char err[512];

	/* the module's own refusal: a generation not newer */
	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 5, err, sizeof(err)), 0);
	fake->ncmds = 0;
	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 5, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "camfence.ko refused POLICY_BEGIN: generation not greater than "
			 "the live one (Invalid argument)");
	ck_assert_int_eq(fake->ncmds, 2);
	ck_assert_uint_eq(fake->cmds[1], CAMFENCE_CMD_POLICY_ABORT);

	fake->ncmds = 0;
	fake->fail_at = 0;
	fake->fail_err = -EPERM;
	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 6, err, sizeof(err)), -EPERM);
	ck_assert_str_eq(err, "camfence.ko refused POLICY_BEGIN: not permitted: changing "
			 "camfence.ko's policy or counters needs CAP_NET_ADMIN");

	fake->ncmds = 0;
	fake->fail_at = 1 + (camfence_kmod_policy_records(c) + CAMFENCE_GENL_ENTRIES_MAX - 1) /
			    CAMFENCE_GENL_ENTRIES_MAX;
	fake->fail_err = -ETIMEDOUT;
	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 6, err, sizeof(err)), -ETIMEDOUT);
	ck_assert_str_eq(err, "camfence.ko did not answer POLICY_COMMIT");
	ck_assert_uint_eq(fake->cmds[fake->ncmds - 2], CAMFENCE_CMD_POLICY_COMMIT);
	ck_assert_uint_eq(fake->cmds[fake->ncmds - 1], CAMFENCE_CMD_POLICY_ABORT);
	ck_assert_uint_eq(fake->live_gen, 5);

	fake->ncmds = 0;
	fake->fail_at = 0;
	fake->fail_err = -EOPNOTSUPP;
	ck_assert_int_eq(camfence_kmod_push(&kmod, c, 6, err, sizeof(err)), -EOPNOTSUPP);
	ck_assert_str_eq(err, "camfence.ko refused POLICY_BEGIN: it does not know the command "
			 "(a module older than camfenced?)");
	camfence_policy_compiled_free(c);
}
END_TEST

struct seen_counters {
	__u32 dev_ids[4];
	struct camfence_counters dev[4];
	int ndev;
	__u32 rule_id;
	__u64 rule_pkts, rule_bytes;
	int nrule;
};

static void on_device(__u32 id, const struct camfence_counters *c, void *ctx)
{
	struct seen_counters *s = ctx;

	ck_assert_int_lt(s->ndev, 4);
	s->dev_ids[s->ndev] = id;
	s->dev[s->ndev++] = *c;
}

static void on_rule(__u32 id, __u64 pkts, __u64 bytes, void *ctx)
{
	struct seen_counters *s = ctx;

	s->rule_id = id;
	s->rule_pkts = pkts;
	s->rule_bytes = bytes;
	s->nrule++;
}

START_TEST(counters_of_every_reply)
{
	struct camfence_kmod_counters out;
	struct seen_counters s = { 0 };
	int i;

	fake->live_gen = 12;
	ck_assert_int_eq(camfence_kmod_counters(&kmod, &out, on_device, on_rule, &s), 0);
	ck_assert_uint_eq(out.generation, 12);
	for (i = 0; i < __CAMFENCE_STAT_MAX; i++)
		ck_assert_uint_eq(out.stats[i], 1000 + i);
	ck_assert_int_eq(s.ndev, 2);
	ck_assert_uint_eq(s.dev_ids[0], 1);
	ck_assert_uint_eq(s.dev[0].pass_pkts, 1);
	ck_assert_uint_eq(s.dev[0].pass_bytes, 100);
	ck_assert_uint_eq(s.dev[0].drop_pkts, 2);
	ck_assert_uint_eq(s.dev[0].drop_bytes, 200);
	ck_assert_uint_eq(s.dev_ids[1], 2);
	ck_assert_uint_eq(s.dev[1].drop_bytes, 400);
	ck_assert_int_eq(s.nrule, 1);
	ck_assert_uint_eq(s.rule_id, 7);
	ck_assert_uint_eq(s.rule_pkts, 5);
	ck_assert_uint_eq(s.rule_bytes, 500);
	/* callbacks are optional */
	ck_assert_int_eq(camfence_kmod_counters(&kmod, &out, NULL, NULL, NULL), 0);

	fake->bad_device = 1;
	ck_assert_int_eq(camfence_kmod_counters(&kmod, &out, on_device, on_rule, &s), -EPROTO);
	ck_assert_int_eq(camfence_kmod_counters_reset(&kmod), 0);
	ck_assert_uint_eq(fake->cmds[fake->ncmds - 1], CAMFENCE_CMD_COUNTERS_RESET);
}
END_TEST

Suite *kmod_client_suite(void)
{
	Suite *s = suite_create("kmod_client");
	TCase *tc;

	tc = tcase_create("build");
	tcase_set_timeout(tc, 30);
	/* everything, many records, many learned ones (fewer to a page) */
	tcase_add_loop_test(tc, push_carries_every_record, 0, 3);
	tcase_add_test(tc, push_build_stops_at_refusal);
	tcase_add_test(tc, empty_tables_push_begin_commit);
	suite_add_tcase(s, tc);

	tc = tcase_create("fake_module");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_add_loop_test(tc, push_then_dump_gives_the_same_records, 0, 2);
	tcase_add_test(tc, dump_of_no_policy_is_empty);
	tcase_add_test(tc, dump_retries_when_a_commit_interrupts);
	tcase_add_test(tc, refused_add_aborts_and_says_why);
	tcase_add_test(tc, refusals_name_the_step);
	tcase_add_test(tc, counters_of_every_reply);
	suite_add_tcase(s, tc);

	kmod_client_wire_tcases(s);
	return s;
}
