// SPDX-License-Identifier: GPL-2.0
/*
 * A compiled policy to camfence.ko and back: the records the loader writes
 * to the XDP maps, staged in POLICY_ADDs between a BEGIN and a COMMIT, and
 * dumped with POLICY_GET into the same vectors.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmod_priv.h"
#include "policy_compile.h"

/* How many times a dump is tried again when a commit changes it midway. */
#define DUMP_TRIES 3

struct table {
	size_t v, n, cap;	/* offsets of the CF_VEC's fields in struct cf_compiled */
	size_t size;		/* of one record: the key, then the value at val_off */
	size_t key, val, val_off;
};

#define TABLE(t, field, type) [t] = {							\
	offsetof(struct cf_compiled, field.v), offsetof(struct cf_compiled, field.n),	\
	offsetof(struct cf_compiled, field.cap), sizeof(type),				\
	sizeof(((type *)0)->key), sizeof(((type *)0)->val), offsetof(type, val) }

static const struct table tables[__CAMFENCE_TABLE_MAX] = {
	TABLE(CAMFENCE_TABLE_IFACES, ifaces, struct cf_iface_entry),
	TABLE(CAMFENCE_TABLE_MACS, macs, struct cf_mac_entry),
	TABLE(CAMFENCE_TABLE_SRC4, src4, struct cf_src4_entry),
	TABLE(CAMFENCE_TABLE_SRC6, src6, struct cf_src6_entry),
	TABLE(CAMFENCE_TABLE_VLANS, vlans, struct cf_vlan_entry),
	TABLE(CAMFENCE_TABLE_DST4, dst4, struct cf_dst4_entry),
	TABLE(CAMFENCE_TABLE_DST6, dst6, struct cf_dst6_entry),
	TABLE(CAMFENCE_TABLE_PORTS, ports, struct cf_port_entry),
	TABLE(CAMFENCE_TABLE_POLICIES, policies, struct cf_policy_entry),
	TABLE(CAMFENCE_TABLE_LEARNED, learned, struct cf_learned_entry),
};

/* A record of table t in its attributes: entry nest, table, key and value. */
#define ENTRY_LEN(key, val) (NLA_HDRLEN + NLA_ALIGN(NLA_HDRLEN + 1) +			\
			     NLA_HDRLEN + NLA_ALIGN(key) + NLA_HDRLEN + NLA_ALIGN(val))

/* The largest record of the tables but the learned one, whose messages
 * hold fewer records (put_entries fills them to the page). */
#define ENTRY_MAX ENTRY_LEN(sizeof(struct camfence_src6_key), sizeof(struct camfence_iface))
/* A full POLICY_ADD or POLICY_GET reply must fit the page libnl and the
 * kernel give it (camfence_genl.h). */
_Static_assert(NLMSG_HDRLEN + GENL_HDRLEN + 2 * (NLA_HDRLEN + 8) + NLA_HDRLEN +
	       CAMFENCE_GENL_ENTRIES_MAX * ENTRY_MAX <= 4096,
	       "POLICY_ADD of CAMFENCE_GENL_ENTRIES_MAX records outgrows a page");

static size_t *vec_len(const struct cf_compiled *c, const struct table *t)
{
	return (size_t *)((char *)c + t->n);
}

/* The vector's storage, as CF_VEC_PUSH sees it. */
static void **vec_data(const struct cf_compiled *c, const struct table *t)
{
	return (void **)((char *)c + t->v);
}

size_t camfence_kmod_policy_records(const struct cf_compiled *c)
{
	size_t t, n = 0;

	for (t = 0; t < __CAMFENCE_TABLE_MAX; t++)
		n += *vec_len(c, &tables[t]);
	return n;
}

static int put_entry(struct nl_msg *msg, unsigned int table, const char *rec)
{
	const struct table *t = &tables[table];
	struct nlattr *e = nla_nest_start(msg, CAMFENCE_A_ENTRY);

	if (!e || nla_put_u8(msg, CAMFENCE_ENTRY_A_TABLE, table) < 0 ||
	    nla_put(msg, CAMFENCE_ENTRY_A_KEY, t->key, rec) < 0 ||
	    nla_put(msg, CAMFENCE_ENTRY_A_VALUE, t->val, rec + t->val_off) < 0)
		return -EMSGSIZE;
	nla_nest_end(msg, e);
	return 0;
}

int camfence_kmod_policy_put_entries(struct nl_msg *msg, const struct cf_compiled *c,
				     struct camfence_kmod_cursor *cur, size_t max)
{
	struct nlattr *entries = nla_nest_start(msg, CAMFENCE_A_ENTRIES);
	int n = 0;

	if (!entries)
		return -EMSGSIZE;
	while ((size_t)n < max && cur->table < __CAMFENCE_TABLE_MAX) {
		const struct table *t = &tables[cur->table];

		if (cur->index >= *vec_len(c, t)) {
			cur->table++;
			cur->index = 0;
			continue;
		}
		/* a message the page cannot hold: the rest goes in the next */
		if (n && nlmsg_hdr(msg)->nlmsg_len + ENTRY_LEN(t->key, t->val) >
			 nlmsg_get_max_size(msg))
			break;
		if (put_entry(msg, cur->table, (const char *)*vec_data(c, t) + cur->index * t->size))
			return -EMSGSIZE;
		cur->index++;
		n++;
	}
	nla_nest_end(msg, entries);
	return n;
}

/* A message of a push, the generation in it; NULL when out of memory. */
static struct nl_msg *push_msg(int family, __u8 cmd, __u64 gen)
{
	struct nl_msg *msg = camfence_kmod_msg(family, 0, cmd);

	if (msg && nla_put_u64(msg, CAMFENCE_A_GENERATION, gen) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int emit(struct nl_msg *msg, const struct camfence_kmod_chunk *ch,
		camfence_kmod_sink sink, void *ctx)
{
	int err = sink(msg, ch, ctx);

	nlmsg_free(msg);
	return err;
}

int camfence_kmod_policy_build(const struct cf_compiled *c, __u64 gen, int family,
			       camfence_kmod_sink sink, void *ctx)
{
	struct camfence_kmod_chunk ch = { .cmd = CAMFENCE_CMD_POLICY_BEGIN,
					  .total = camfence_kmod_policy_records(c) };
	struct camfence_kmod_cursor cur = { 0 };
	struct nl_msg *msg;
	int n, err;

	msg = push_msg(family, ch.cmd, gen);
	if (!msg || nla_put_u32(msg, CAMFENCE_A_SLOT, c->slot) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = emit(msg, &ch, sink, ctx);

	ch.cmd = CAMFENCE_CMD_POLICY_ADD;
	for (; !err && ch.first < ch.total; ch.first += ch.n) {
		msg = push_msg(family, ch.cmd, gen);
		n = msg ? camfence_kmod_policy_put_entries(msg, c, &cur, CAMFENCE_GENL_ENTRIES_MAX)
			: -ENOMEM;
		if (n <= 0) {
			nlmsg_free(msg);
			return n ? n : -EINVAL;
		}
		ch.n = n;
		err = emit(msg, &ch, sink, ctx);
	}
	if (err)
		return err;

	ch = (struct camfence_kmod_chunk){ .cmd = CAMFENCE_CMD_POLICY_COMMIT, .total = ch.total };
	msg = push_msg(family, ch.cmd, gen);
	return msg ? emit(msg, &ch, sink, ctx) : -ENOMEM;
}

struct push {
	struct camfence_kmod *k;
	struct camfence_kmod_chunk failed;
	int began;
	char ext[KMOD_EXTACK_MAX];
};

static int push_sink(struct nl_msg *msg, const struct camfence_kmod_chunk *ch, void *ctx)
{
	struct push *p = ctx;
	int err;

	/* a BEGIN that timed out may still have staged something */
	if (ch->cmd == CAMFENCE_CMD_POLICY_BEGIN)
		p->began = 1;
	err = p->k->transact(p->k, msg, NULL, NULL, p->ext, sizeof(p->ext));
	if (err)
		p->failed = *ch;
	return err;
}

/* Why a push failed, for the log: the step, then the kernel's words. */
static void describe(const struct push *p, int err, char *buf, size_t len)
{
	const struct camfence_kmod_chunk *ch = &p->failed;
	char step[96];

	if (!ch->cmd) {
		snprintf(buf, len, "building the messages for camfence.ko: %s", strerror(-err));
		return;
	}
	if (ch->cmd == CAMFENCE_CMD_POLICY_ADD)
		snprintf(step, sizeof(step), "POLICY_ADD of records %zu to %zu of %zu",
			 ch->first + 1, ch->first + ch->n, ch->total);
	else
		snprintf(step, sizeof(step), "%s", camfence_kmod_cmd_name(ch->cmd));

	if (err == -ETIMEDOUT)
		snprintf(buf, len, "camfence.ko did not answer %s", step);
	else if (p->ext[0])
		snprintf(buf, len, "camfence.ko refused %s: %s (%s)", step, p->ext, strerror(-err));
	else if (err == -ENOENT)
		snprintf(buf, len, "camfence.ko refused %s: it was unloaded, or another push "
			 "replaced the staged policy", step);
	else if (err == -EOPNOTSUPP)
		snprintf(buf, len, "camfence.ko refused %s: it does not know the command "
			 "(a module older than camfenced?)", step);
	else
		snprintf(buf, len, "camfence.ko refused %s: %s", step,
			 camfence_kmod_client_strerror(err));
}

int camfence_kmod_push(struct camfence_kmod *k, const struct cf_compiled *c, __u64 gen,
		       char *err, size_t errlen)
{
	struct push p = { .k = k };
	int ret;

	if (errlen)
		err[0] = '\0';
	ret = camfence_kmod_policy_build(c, gen, k->family, push_sink, &p);
	if (!ret)
		return 0;
	if (errlen)
		describe(&p, ret, err, errlen);
	/* best effort: the live policy is untouched either way, and the next
	 * BEGIN discards what is staged */
	if (p.began)
		camfence_kmod_send(k, CAMFENCE_CMD_POLICY_ABORT, 0, NULL, NULL);
	return ret;
}

struct policy_dump {
	int family;
	struct cf_compiled *c;
	__u64 gen;
	int seen;
};

static int add_entry(struct cf_compiled *c, struct nlattr *entry)
{
	static struct nla_policy policy[CAMFENCE_ENTRY_A_MAX + 1] = {
		[CAMFENCE_ENTRY_A_TABLE]	= { .type = NLA_U8, .minlen = 1, .maxlen = 1 },
	};
	struct nlattr *tb[CAMFENCE_ENTRY_A_MAX + 1];
	const struct table *t;
	unsigned int table;
	char *rec;

	if (nla_type(entry) != CAMFENCE_A_ENTRY ||
	    nla_parse_nested(tb, CAMFENCE_ENTRY_A_MAX, entry, policy) < 0 ||
	    !tb[CAMFENCE_ENTRY_A_TABLE] || !tb[CAMFENCE_ENTRY_A_KEY] || !tb[CAMFENCE_ENTRY_A_VALUE])
		return -EPROTO;
	table = nla_get_u8(tb[CAMFENCE_ENTRY_A_TABLE]);
	if (table >= __CAMFENCE_TABLE_MAX)
		return -EPROTO;
	t = &tables[table];
	if ((size_t)nla_len(tb[CAMFENCE_ENTRY_A_KEY]) != t->key ||
	    (size_t)nla_len(tb[CAMFENCE_ENTRY_A_VALUE]) != t->val)
		return -EPROTO;
	rec = camfence_policy_vec_grow(vec_data(c, t), vec_len(c, t),
				       (size_t *)((char *)c + t->cap), t->size);
	memcpy(rec, nla_data(tb[CAMFENCE_ENTRY_A_KEY]), t->key);
	memcpy(rec + t->val_off, nla_data(tb[CAMFENCE_ENTRY_A_VALUE]), t->val);
	return 0;
}

static int parse_policy(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy policy[CAMFENCE_A_MAX + 1] = {
		[CAMFENCE_A_GENERATION]	= { .type = NLA_U64, .minlen = 8, .maxlen = 8 },
		[CAMFENCE_A_SLOT]	= { .type = NLA_U32, .minlen = 4, .maxlen = 4 },
		[CAMFENCE_A_ENTRIES]	= { .type = NLA_NESTED },
	};
	struct nlattr *tb[CAMFENCE_A_MAX + 1], *entry;
	struct policy_dump *d = arg;
	__u64 gen;
	__u32 slot;
	int rem, err;

	if (camfence_kmod_check_reply(nlh, d->family, CAMFENCE_CMD_POLICY_GET) ||
	    genlmsg_parse(nlh, 0, tb, CAMFENCE_A_MAX, policy) < 0 ||
	    !tb[CAMFENCE_A_GENERATION] || !tb[CAMFENCE_A_SLOT])
		return -EPROTO;
	gen = nla_get_u64(tb[CAMFENCE_A_GENERATION]);
	slot = nla_get_u32(tb[CAMFENCE_A_SLOT]);
	/* a commit between two parts of the dump */
	if (d->seen && (gen != d->gen || slot != d->c->slot))
		return -EAGAIN;
	d->gen = gen;
	d->c->slot = slot;
	d->seen = 1;
	if (!tb[CAMFENCE_A_ENTRIES])
		return 0;
	nla_for_each_nested(entry, tb[CAMFENCE_A_ENTRIES], rem) {
		err = add_entry(d->c, entry);
		if (err)
			return err;
	}
	return 0;
}

static int dump_policy(struct camfence_kmod *k, struct cf_compiled **out, __u64 *gen)
{
	struct policy_dump d = { .family = k->family, .c = calloc(1, sizeof(*d.c)) };
	int err;

	if (!d.c)
		return -ENOMEM;
	err = camfence_kmod_send(k, CAMFENCE_CMD_POLICY_GET, NLM_F_DUMP, parse_policy, &d);
	if (err) {
		camfence_policy_compiled_free(d.c);
		return err;
	}
	*out = d.c;
	*gen = d.gen;
	return 0;
}

int camfence_kmod_policy_get(struct camfence_kmod *k, struct cf_compiled **out, __u64 *gen)
{
	int tries, err = -EAGAIN;

	for (tries = 0; err == -EAGAIN && tries < DUMP_TRIES; tries++)
		err = dump_policy(k, out, gen);
	return err;
}
