// SPDX-License-Identifier: GPL-2.0
/*
 * camfence.ko's counters: the live generation, the namespace's stats, and
 * per device and per rule packet counts, in a COUNTERS_GET dump.
 */
#include <errno.h>
#include <string.h>

#include "kmod_priv.h"

struct counters_dump {
	int family;
	struct camfence_kmod_counters *out;
	camfence_kmod_device_fn device;
	camfence_kmod_rule_fn rule;
	void *ctx;
	int seen;		/* the generation */
};

static int parse_stats(struct nlattr *stats, struct camfence_kmod_counters *out)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, stats, rem) {
		int i = nla_type(a) - 1;

		if (nla_len(a) != sizeof(__u64))
			return -EPROTO;
		/* stats a newer module adds are not ours to show */
		if (i >= 0 && i < __CAMFENCE_STAT_MAX)
			out->stats[i] = nla_get_u64(a);
	}
	return 0;
}

#define U32_EXACT { .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define U64_EXACT { .type = NLA_U64, .minlen = 8, .maxlen = 8 }

static int parse_device(struct nlattr *nest, struct counters_dump *d)
{
	static struct nla_policy policy[CAMFENCE_COUNTER_A_MAX + 1] = {
		[CAMFENCE_COUNTER_A_ID]		= U32_EXACT,
		[CAMFENCE_COUNTER_A_PASS_PKTS]	= U64_EXACT,
		[CAMFENCE_COUNTER_A_PASS_BYTES]	= U64_EXACT,
		[CAMFENCE_COUNTER_A_DROP_PKTS]	= U64_EXACT,
		[CAMFENCE_COUNTER_A_DROP_BYTES]	= U64_EXACT,
	};
	struct nlattr *tb[CAMFENCE_COUNTER_A_MAX + 1];
	struct camfence_counters c;
	int i;

	if (nla_parse_nested(tb, CAMFENCE_COUNTER_A_MAX, nest, policy) < 0)
		return -EPROTO;
	for (i = CAMFENCE_COUNTER_A_ID; i <= CAMFENCE_COUNTER_A_DROP_BYTES; i++)
		if (!tb[i])
			return -EPROTO;
	c.pass_pkts = nla_get_u64(tb[CAMFENCE_COUNTER_A_PASS_PKTS]);
	c.pass_bytes = nla_get_u64(tb[CAMFENCE_COUNTER_A_PASS_BYTES]);
	c.drop_pkts = nla_get_u64(tb[CAMFENCE_COUNTER_A_DROP_PKTS]);
	c.drop_bytes = nla_get_u64(tb[CAMFENCE_COUNTER_A_DROP_BYTES]);
	if (d->device)
		d->device(nla_get_u32(tb[CAMFENCE_COUNTER_A_ID]), &c, d->ctx);
	return 0;
}

static int parse_rule(struct nlattr *nest, struct counters_dump *d)
{
	static struct nla_policy policy[CAMFENCE_COUNTER_A_MAX + 1] = {
		[CAMFENCE_COUNTER_A_ID]		= U32_EXACT,
		[CAMFENCE_COUNTER_A_PKTS]	= U64_EXACT,
		[CAMFENCE_COUNTER_A_BYTES]	= U64_EXACT,
	};
	struct nlattr *tb[CAMFENCE_COUNTER_A_MAX + 1];

	if (nla_parse_nested(tb, CAMFENCE_COUNTER_A_MAX, nest, policy) < 0 ||
	    !tb[CAMFENCE_COUNTER_A_ID] || !tb[CAMFENCE_COUNTER_A_PKTS] ||
	    !tb[CAMFENCE_COUNTER_A_BYTES])
		return -EPROTO;
	if (d->rule)
		d->rule(nla_get_u32(tb[CAMFENCE_COUNTER_A_ID]),
			nla_get_u64(tb[CAMFENCE_COUNTER_A_PKTS]),
			nla_get_u64(tb[CAMFENCE_COUNTER_A_BYTES]), d->ctx);
	return 0;
}

/* DEVICE and RULE repeat at the top level: walked, not parsed into a table. */
static int parse_counters(struct nlmsghdr *nlh, void *arg)
{
	struct counters_dump *d = arg;
	struct nlattr *a;
	int rem, err = 0;

	if (camfence_kmod_check_reply(nlh, d->family, CAMFENCE_CMD_COUNTERS_GET))
		return -EPROTO;
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		switch (nla_type(a)) {
		case CAMFENCE_A_GENERATION:
			if (nla_len(a) != sizeof(__u64))
				return -EPROTO;
			d->out->generation = nla_get_u64(a);
			d->seen = 1;
			break;
		case CAMFENCE_A_STATS:
			err = parse_stats(a, d->out);
			break;
		case CAMFENCE_A_DEVICE:
			err = parse_device(a, d);
			break;
		case CAMFENCE_A_RULE:
			err = parse_rule(a, d);
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

int camfence_kmod_counters(struct camfence_kmod *k, struct camfence_kmod_counters *out,
			   camfence_kmod_device_fn device, camfence_kmod_rule_fn rule, void *ctx)
{
	struct counters_dump d = { .family = k->family, .out = out, .device = device,
				   .rule = rule, .ctx = ctx };
	int err;

	memset(out, 0, sizeof(*out));
	err = camfence_kmod_send(k, CAMFENCE_CMD_COUNTERS_GET, NLM_F_DUMP, parse_counters, &d);
	if (!err && !d.seen)
		err = -EPROTO;
	return err;
}

int camfence_kmod_counters_reset(struct camfence_kmod *k)
{
	return camfence_kmod_send(k, CAMFENCE_CMD_COUNTERS_RESET, 0, NULL, NULL);
}
