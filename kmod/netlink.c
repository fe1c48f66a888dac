// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "camfence". Commands, attributes and their
 * tree are documented in include/camfence_genl.h.
 *
 * Every request is validated strictly against the policy of its command:
 * an attribute the command does not take is refused, not ignored, so a
 * client learns at once that it speaks another version of the interface.
 * Requests of one namespace are serialised by that namespace's lock (and,
 * today, by genetlink's own).
 */

#include "netlink.h"
#include "counters.h"
#include "net.h"
#include "policy.h"

#include "camfence.h"
#include "camfence_genl.h"

#include <linux/kernel.h>
#include <net/genetlink.h>
#include <net/sock.h>

static struct genl_family genl_family;
/* Events may be sent: the family is registered and not going away. */
static bool events_open;

#define MISSING(info, attr) \
	(!(info)->attrs[attr] && ({ GENL_SET_ERR_MSG(info, "missing " #attr); true; }))

/* Strict validation refuses any attribute whose type here is NLA_UNSPEC. */
static const struct nla_policy none_policy[CAMFENCE_A_MAX + 1] = { };

static const struct nla_policy entry_policy[CAMFENCE_ENTRY_A_MAX + 1] = {
	[CAMFENCE_ENTRY_A_TABLE]	= { .type = NLA_U8 },
	/* the exact size depends on the table: policy.c checks it */
	[CAMFENCE_ENTRY_A_KEY]		= { .type = NLA_BINARY, .len = CAMFENCE_TABLE_KEY_MAX },
	[CAMFENCE_ENTRY_A_VALUE]	= { .type = NLA_BINARY, .len = CAMFENCE_TABLE_VALUE_MAX },
};

static const struct nla_policy entries_policy[CAMFENCE_ENTRIES_A_MAX + 1] = {
	[CAMFENCE_A_ENTRY]		= NLA_POLICY_NESTED(entry_policy),
};

static const struct nla_policy begin_policy[CAMFENCE_A_MAX + 1] = {
	[CAMFENCE_A_GENERATION]		= { .type = NLA_U64 },
	[CAMFENCE_A_SLOT]		= NLA_POLICY_MAX(NLA_U32, 1),
};

static const struct nla_policy add_policy[CAMFENCE_A_MAX + 1] = {
	[CAMFENCE_A_GENERATION]		= { .type = NLA_U64 },
	[CAMFENCE_A_ENTRIES]		= NLA_POLICY_NESTED(entries_policy),
};

static const struct nla_policy commit_policy[CAMFENCE_A_MAX + 1] = {
	[CAMFENCE_A_GENERATION]		= { .type = NLA_U64 },
};

/* longer than the structs: -ERANGE here; shorter: policy.c says so */
static const struct nla_policy learned_set_policy[CAMFENCE_A_MAX + 1] = {
	[CAMFENCE_A_GENERATION]		= { .type = NLA_U64 },
	[CAMFENCE_A_LEARNED_KEY]	= { .type = NLA_BINARY,
					    .len = sizeof(struct camfence_learned_key) },
	[CAMFENCE_A_LEARNED_VALUE]	= { .type = NLA_BINARY,
					    .len = sizeof(struct camfence_learned) },
};

static const struct nla_policy learned_del_policy[CAMFENCE_A_MAX + 1] = {
	[CAMFENCE_A_GENERATION]		= { .type = NLA_U64 },
	[CAMFENCE_A_LEARNED_KEY]	= { .type = NLA_BINARY,
					    .len = sizeof(struct camfence_learned_key) },
};

static struct camfence_net *info_net(struct genl_info *info)
{
	return camfence_net(genl_info_net(info));
}

static int get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(CAMFENCE_VERSION)) +
			  nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &genl_family, 0,
				CAMFENCE_CMD_GET_VERSION);
	if (!hdr)
		goto err_msgsize;

	if (nla_put_string(msg, CAMFENCE_A_VERSION, CAMFENCE_VERSION) ||
	    nla_put_u32(msg, CAMFENCE_A_API, CAMFENCE_GENL_API))
		goto err_msgsize;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msgsize:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int policy_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct camfence_net *pn = info_net(info);
	int ret;

	if (MISSING(info, CAMFENCE_A_GENERATION) || MISSING(info, CAMFENCE_A_SLOT))
		return -EINVAL;
	mutex_lock(&pn->lock);
	ret = camfence_policy_begin(pn, nla_get_u64(info->attrs[CAMFENCE_A_GENERATION]),
				    nla_get_u32(info->attrs[CAMFENCE_A_SLOT]), info->extack);
	mutex_unlock(&pn->lock);
	return ret;
}

/* An entry's attributes, all three there (the policy checked their types). */
static int parse_entry(const struct nlattr *entry, struct nlattr **tb,
		       struct netlink_ext_ack *extack)
{
	int ret;

	ret = nla_parse_nested(tb, CAMFENCE_ENTRY_A_MAX, entry, entry_policy, extack);
	if (ret)
		return ret;
	if (!tb[CAMFENCE_ENTRY_A_TABLE] || !tb[CAMFENCE_ENTRY_A_KEY] || !tb[CAMFENCE_ENTRY_A_VALUE]) {
		NL_SET_ERR_MSG_ATTR(extack, entry, "entry without its table, key or value");
		return -EINVAL;
	}
	return 0;
}

/* The whole message is checked before any record of it is staged. */
static int add_entries(struct camfence_gen *staged, const struct nlattr *entries,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CAMFENCE_ENTRY_A_MAX + 1];
	u32 count[__CAMFENCE_TABLE_MAX] = { };
	const struct nlattr *entry;
	int rem, ret, n = 0;

	nla_for_each_nested(entry, entries, rem) {
		if (++n > CAMFENCE_GENL_ENTRIES_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "more than CAMFENCE_GENL_ENTRIES_MAX entries in one message");
			return -E2BIG;
		}
		ret = parse_entry(entry, tb, extack);
		if (ret)
			return ret;
		ret = camfence_policy_check(staged, tb[CAMFENCE_ENTRY_A_TABLE],
					    tb[CAMFENCE_ENTRY_A_KEY], tb[CAMFENCE_ENTRY_A_VALUE],
					    extack);
		if (ret)
			return ret;
		count[nla_get_u8(tb[CAMFENCE_ENTRY_A_TABLE])]++;
	}
	ret = camfence_policy_reserve(staged, count, extack);
	if (ret)
		return ret;
	nla_for_each_nested(entry, entries, rem) {
		if (parse_entry(entry, tb, NULL))
			continue;	/* parsed above */
		camfence_policy_append(staged, nla_get_u8(tb[CAMFENCE_ENTRY_A_TABLE]),
				       nla_data(tb[CAMFENCE_ENTRY_A_KEY]),
				       nla_data(tb[CAMFENCE_ENTRY_A_VALUE]));
	}
	return 0;
}

static int policy_add(struct sk_buff *skb, struct genl_info *info)
{
	struct camfence_net *pn = info_net(info);
	struct camfence_gen *staged;
	int ret;

	if (MISSING(info, CAMFENCE_A_GENERATION) || MISSING(info, CAMFENCE_A_ENTRIES))
		return -EINVAL;
	mutex_lock(&pn->lock);
	staged = camfence_policy_staged(pn, nla_get_u64(info->attrs[CAMFENCE_A_GENERATION]),
					info->extack);
	ret = IS_ERR(staged) ? PTR_ERR(staged) :
	      add_entries(staged, info->attrs[CAMFENCE_A_ENTRIES], info->extack);
	mutex_unlock(&pn->lock);
	return ret;
}

static int policy_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct camfence_net *pn = info_net(info);
	int ret;

	if (MISSING(info, CAMFENCE_A_GENERATION))
		return -EINVAL;
	mutex_lock(&pn->lock);
	ret = camfence_policy_commit(genl_info_net(info), pn,
				     nla_get_u64(info->attrs[CAMFENCE_A_GENERATION]), info->extack);
	mutex_unlock(&pn->lock);
	return ret;
}

static int policy_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct camfence_net *pn = info_net(info);

	mutex_lock(&pn->lock);
	camfence_policy_abort(pn);
	mutex_unlock(&pn->lock);
	return 0;
}

static int learned_set(struct sk_buff *skb, struct genl_info *info)
{
	struct camfence_net *pn = info_net(info);
	int ret;

	if (MISSING(info, CAMFENCE_A_GENERATION) || MISSING(info, CAMFENCE_A_LEARNED_KEY) ||
	    MISSING(info, CAMFENCE_A_LEARNED_VALUE))
		return -EINVAL;
	mutex_lock(&pn->lock);
	ret = camfence_policy_learned_set(pn, nla_get_u64(info->attrs[CAMFENCE_A_GENERATION]),
					  info->attrs[CAMFENCE_A_LEARNED_KEY],
					  info->attrs[CAMFENCE_A_LEARNED_VALUE], info->extack);
	mutex_unlock(&pn->lock);
	return ret;
}

static int learned_del(struct sk_buff *skb, struct genl_info *info)
{
	struct camfence_net *pn = info_net(info);
	int ret;

	if (MISSING(info, CAMFENCE_A_GENERATION) || MISSING(info, CAMFENCE_A_LEARNED_KEY))
		return -EINVAL;
	mutex_lock(&pn->lock);
	ret = camfence_policy_learned_del(pn, nla_get_u64(info->attrs[CAMFENCE_A_GENERATION]),
					  info->attrs[CAMFENCE_A_LEARNED_KEY], info->extack);
	mutex_unlock(&pn->lock);
	return ret;
}

/* Dumps keep the generation they started with in two longs: 32-bit hosts. */
static void dump_set_gen(struct netlink_callback *cb, u64 gen)
{
	cb->args[2] = (u32)gen;
	cb->args[3] = (u32)(gen >> 32);
}

static u64 dump_gen(const struct netlink_callback *cb)
{
	return (u64)(u32)cb->args[3] << 32 | (u32)cb->args[2];
}

static void *dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &genl_family,
			   NLM_F_MULTI, cmd);
}

static int put_record(struct sk_buff *skb, u8 table, const void *key, u16 ksize,
		      const void *value, u16 vsize)
{
	struct nlattr *e = nla_nest_start(skb, CAMFENCE_A_ENTRY);

	if (!e)
		return -EMSGSIZE;
	if (nla_put_u8(skb, CAMFENCE_ENTRY_A_TABLE, table) ||
	    nla_put(skb, CAMFENCE_ENTRY_A_KEY, ksize, key) ||
	    nla_put(skb, CAMFENCE_ENTRY_A_VALUE, vsize, value)) {
		nla_nest_cancel(skb, e);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, e);
	return 0;
}

static int put_entry(struct sk_buff *skb, u8 table, const struct camfence_tbl *t, u32 i)
{
	return put_record(skb, table, camfence_table_key(t, i), t->ksize,
			  camfence_table_value(t, i), t->vsize);
}

/* What cb->args[4] holds once a message is out: the learned table's count
 * of changes then, plus one so that 0 still says "nothing out yet". */
static long dump_changes(const struct camfence_gen *gen)
{
	return (long)(gen->learned.changes & 0x7fffffff) + 1;
}

/*
 * POLICY_GET: cb->args[0] is the table, [1] the record in it (for the
 * learned table, the hash bucket, and [5] the record in its chain), [2]
 * and [3] the generation, [4] the learned changes once the first message
 * is out. A commit, or a learned change, in between ends the dump with
 * -EAGAIN: the parts would not make one policy.
 */
static int policy_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct camfence_net *pn = camfence_net(sock_net(skb->sk));
	u32 table = cb->args[0], i = cb->args[1], n = 0;
	struct camfence_gen *gen;
	struct nlattr *entries;
	void *hdr;
	int ret = 0;

	mutex_lock(&pn->lock);
	gen = camfence_net_live(pn);
	if (!gen || table >= __CAMFENCE_TABLE_MAX)
		goto out;
	if (cb->args[4] && (dump_gen(cb) != gen->generation || cb->args[4] != dump_changes(gen))) {
		NL_SET_ERR_MSG(cb->extack, "policy replaced during the dump: dump again");
		ret = -EAGAIN;
		goto out;
	}
	ret = -EMSGSIZE;
	hdr = dump_put(skb, cb, CAMFENCE_CMD_POLICY_GET);
	if (!hdr)
		goto out;
	if (nla_put_u64_64bit(skb, CAMFENCE_A_GENERATION, gen->generation, CAMFENCE_A_PAD) ||
	    nla_put_u32(skb, CAMFENCE_A_SLOT, gen->slot))
		goto cancel;
	entries = nla_nest_start(skb, CAMFENCE_A_ENTRIES);
	if (!entries)
		goto cancel;
	while (table < __CAMFENCE_TABLE_MAX && n < CAMFENCE_GENL_ENTRIES_MAX) {
		const struct camfence_tbl *t = &gen->tables[table];

		if (table == CAMFENCE_TABLE_LEARNED) {
			struct camfence_learned_pos pos = { .bucket = i, .index = cb->args[5] };
			const struct camfence_learned_key *k;
			const struct camfence_learned *v;

			if (!camfence_learned_at(&gen->learned, &pos, &k, &v)) {
				table++;
				i = 0;
				continue;
			}
			if (put_record(skb, table, k, sizeof(*k), v, sizeof(*v)))
				break;
			i = pos.bucket;
			cb->args[5] = pos.index + 1;
			n++;
			continue;
		}
		if (i >= t->n) {
			table++;
			i = 0;
			continue;
		}
		if (put_entry(skb, table, t, i))
			break;
		i++;
		n++;
	}
	if (!n && table < __CAMFENCE_TABLE_MAX)
		goto cancel;
	nla_nest_end(skb, entries);
	genlmsg_end(skb, hdr);
	cb->args[0] = table;
	cb->args[1] = i;
	dump_set_gen(cb, gen->generation);
	cb->args[4] = dump_changes(gen);
	ret = skb->len;
	goto out;

cancel:
	genlmsg_cancel(skb, hdr);
out:
	mutex_unlock(&pn->lock);
	return ret;
}

/* Stat i is attribute i + 1. Unpadded: the nest has no pad attribute, and
 * readers copy the value out. */
static int put_stats(struct sk_buff *skb, const struct camfence_net *pn)
{
	u64 v[__CAMFENCE_STAT_MAX];
	struct nlattr *nest;
	int i;

	camfence_counters_read_stats(&pn->counters, v);
	nest = nla_nest_start(skb, CAMFENCE_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __CAMFENCE_STAT_MAX; i++) {
		if (nla_put(skb, i + 1, sizeof(u64), &v[i])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_device_counters(struct sk_buff *skb, u32 id, const struct camfence_counters *c)
{
	struct nlattr *nest = nla_nest_start(skb, CAMFENCE_A_DEVICE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CAMFENCE_COUNTER_A_ID, id) ||
	    nla_put_u64_64bit(skb, CAMFENCE_COUNTER_A_PASS_PKTS, c->pass_pkts, CAMFENCE_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(skb, CAMFENCE_COUNTER_A_PASS_BYTES, c->pass_bytes, CAMFENCE_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(skb, CAMFENCE_COUNTER_A_DROP_PKTS, c->drop_pkts, CAMFENCE_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(skb, CAMFENCE_COUNTER_A_DROP_BYTES, c->drop_bytes, CAMFENCE_COUNTER_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_rule_counters(struct sk_buff *skb, u32 id, const struct camfence_rule_counters *c)
{
	struct nlattr *nest = nla_nest_start(skb, CAMFENCE_A_RULE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CAMFENCE_COUNTER_A_ID, id) ||
	    nla_put_u64_64bit(skb, CAMFENCE_COUNTER_A_PKTS, c->packets, CAMFENCE_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(skb, CAMFENCE_COUNTER_A_BYTES, c->bytes, CAMFENCE_COUNTER_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

enum { PHASE_STATS, PHASE_DEVICES, PHASE_RULES, PHASE_DONE };

/*
 * COUNTERS_GET: cb->args[0] is the phase, [1] the id to go on from, [2]
 * and [3] the generation whose rules are counted. The rule ids of another
 * generation name other rules: a commit in between ends with -EAGAIN.
 */
static int counters_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct camfence_net *pn = camfence_net(sock_net(skb->sk));
	long phase = cb->args[0];
	u32 id = cb->args[1], ndev, added = 0;
	struct camfence_rule_counters rc;
	struct camfence_counters dc;
	struct camfence_gen *gen;
	void *hdr;
	int ret = 0;

	mutex_lock(&pn->lock);
	gen = camfence_net_live(pn);
	if (phase == PHASE_DONE)
		goto out;
	if (phase != PHASE_STATS && dump_gen(cb) != (gen ? gen->generation : 0)) {
		NL_SET_ERR_MSG(cb->extack, "policy replaced during the dump: dump again");
		ret = -EAGAIN;
		goto out;
	}
	ret = -EMSGSIZE;
	hdr = dump_put(skb, cb, CAMFENCE_CMD_COUNTERS_GET);
	if (!hdr)
		goto out;

	if (phase == PHASE_STATS) {
		dump_set_gen(cb, gen ? gen->generation : 0);
		if (nla_put_u64_64bit(skb, CAMFENCE_A_GENERATION, dump_gen(cb), CAMFENCE_A_PAD) ||
		    put_stats(skb, pn))
			goto cancel;
		added++;
		phase = PHASE_DEVICES;
		id = 0;
	}
	if (phase == PHASE_DEVICES) {
		ndev = camfence_counters_devices(&pn->counters);
		for (; id < ndev; id++) {
			if (!camfence_counters_read_device(&pn->counters, id, &dc))
				continue;
			if (put_device_counters(skb, id, &dc))
				goto full;
			added++;
		}
		phase = PHASE_RULES;
		id = 0;
	}
	if (phase == PHASE_RULES) {
		for (; gen && gen->rules && id < gen->rules->n; id++) {
			if (!camfence_counters_read_rule(gen->rules, id, &rc))
				continue;
			if (put_rule_counters(skb, id, &rc))
				goto full;
			added++;
		}
		phase = PHASE_DONE;
	}
full:
	if (!added) {
		genlmsg_cancel(skb, hdr);
		/* nothing left to say, or nothing fits in a whole message */
		ret = phase == PHASE_DONE ? 0 : -EMSGSIZE;
		goto out;
	}
	genlmsg_end(skb, hdr);
	cb->args[0] = phase;
	cb->args[1] = id;
	ret = skb->len;
	goto out;

cancel:
	genlmsg_cancel(skb, hdr);
out:
	mutex_unlock(&pn->lock);
	return ret;
}

static int counters_reset(struct sk_buff *skb, struct genl_info *info)
{
	struct camfence_net *pn = info_net(info);
	struct camfence_gen *gen;

	mutex_lock(&pn->lock);
	gen = camfence_net_live(pn);
	camfence_counters_reset(&pn->counters, gen ? gen->rules : NULL);
	mutex_unlock(&pn->lock);
	return 0;
}

/*
 * struct genl_ops rather than genl_small_ops: only the former carries a
 * policy per command, and both exist from 5.10 on. Commands missing from
 * this table, CAMFENCE_CMD_EVENT included, are refused by genetlink with
 * -EOPNOTSUPP. GENL_UNS_ADMIN_PERM: CAP_NET_ADMIN in the user namespace
 * that owns the request's network namespace.
 */
static const struct genl_ops genl_ops[] = {
	{
		.cmd		= CAMFENCE_CMD_GET_VERSION,
		.doit		= get_version,
		.policy		= none_policy,
		.maxattr	= CAMFENCE_A_MAX,
	}, {
		.cmd		= CAMFENCE_CMD_POLICY_BEGIN,
		.doit		= policy_begin,
		.policy		= begin_policy,
		.maxattr	= CAMFENCE_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd		= CAMFENCE_CMD_POLICY_ADD,
		.doit		= policy_add,
		.policy		= add_policy,
		.maxattr	= CAMFENCE_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd		= CAMFENCE_CMD_POLICY_COMMIT,
		.doit		= policy_commit,
		.policy		= commit_policy,
		.maxattr	= CAMFENCE_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd		= CAMFENCE_CMD_POLICY_ABORT,
		.doit		= policy_abort,
		.policy		= none_policy,
		.maxattr	= CAMFENCE_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd		= CAMFENCE_CMD_LEARNED_SET,
		.doit		= learned_set,
		.policy		= learned_set_policy,
		.maxattr	= CAMFENCE_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd		= CAMFENCE_CMD_LEARNED_DEL,
		.doit		= learned_del,
		.policy		= learned_del_policy,
		.maxattr	= CAMFENCE_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd		= CAMFENCE_CMD_POLICY_GET,
		.dumpit		= policy_get_dump,
		.policy		= none_policy,
		.maxattr	= CAMFENCE_A_MAX,
	}, {
		.cmd		= CAMFENCE_CMD_COUNTERS_GET,
		.dumpit		= counters_get_dump,
		.policy		= none_policy,
		.maxattr	= CAMFENCE_A_MAX,
	}, {
		.cmd		= CAMFENCE_CMD_COUNTERS_RESET,
		.doit		= counters_reset,
		.policy		= none_policy,
		.maxattr	= CAMFENCE_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

/* What an event says about a camera's traffic is for the admin only, on
 * kernels that can check who joins a group. */
static const struct genl_multicast_group genl_mcgrps[] = {
	{
		.name	= CAMFENCE_GENL_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_NET_ADMIN
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
#endif
	},
};

/*
 * resv_start_op is left at 0, as new families should: every command gets
 * strict validation, reserved header fields included.
 */
static struct genl_family genl_family __ro_after_init = {
	.ops		= genl_ops,
	.n_ops		= ARRAY_SIZE(genl_ops),
	.mcgrps		= genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(genl_mcgrps),
	.name		= CAMFENCE_GENL_NAME,
	.version	= CAMFENCE_GENL_API,
	.module		= THIS_MODULE,
	.netnsok	= true,
};

bool camfence_netlink_listening(struct net *net)
{
	return READ_ONCE(events_open) && genl_has_listeners(&genl_family, net, 0);
}

int camfence_netlink_event(struct net *net, const struct camfence_event *ev)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(nla_total_size(sizeof(*ev)), GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &genl_family, 0, CAMFENCE_CMD_EVENT);
	if (!hdr || nla_put(skb, CAMFENCE_A_EVENT, sizeof(*ev), ev)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast_netns(&genl_family, net, skb, 0, 0, GFP_ATOMIC);
}

int __init camfence_netlink_init(void)
{
	int ret = genl_register_family(&genl_family);

	if (!ret)
		WRITE_ONCE(events_open, true);
	return ret;
}

void camfence_netlink_uninit(void)
{
	/* Hooks run under RCU: once a grace period has passed, none is still
	 * sending through the family unregistered next. */
	WRITE_ONCE(events_open, false);
	synchronize_rcu();
	genl_unregister_family(&genl_family);
}
