// SPDX-License-Identifier: GPL-2.0
/*
 * The policy of a namespace: staged record by record, checked as each
 * arrives, built into sorted tables by COMMIT and swapped in whole under
 * RCU; and the matcher, the XDP program's classify() over those tables.
 */

#include "policy.h"
#include "counters.h"
#include "hooks.h"
#include "net.h"

#include <linux/errno.h>
#include <linux/in.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <net/netlink.h>

/* Why a record is refused; each table has its own message for each. */
enum refusal {
	ACCEPTED,
	R_KEY_SIZE,
	R_VALUE_SIZE,
	R_PREFIXLEN,
	R_SLOT,
	R_SCOPE,
	R_KEY_PAD,
	R_VLAN,
	R_ZONE,
	R_POLICY,
	R_VERDICT,
	R_FLAGS,
	R_PORT_TABLE,
	R_VALUE_PAD,
	R_FULL,
	R_DEVICE,
	R_FAMILY,
	R_ADDR_PAD,
	R_COUNT,
	R_TABLES_PAD,
	R_NO_TABLE,
	__R_MAX,
};

#define MESSAGES(nm) {								\
	[R_KEY_SIZE]	= nm ": key is not the size of the table's key struct",	\
	[R_VALUE_SIZE]	= nm ": value is not the size of the table's value struct", \
	[R_PREFIXLEN]	= nm ": prefix length below 32 (the scope) or past the key's bits", \
	[R_SLOT]	= nm ": key is for another slot than POLICY_BEGIN's",	\
	[R_SCOPE]	= nm ": key scope names an id out of range",		\
	[R_KEY_PAD]	= nm ": key padding is not zero",			\
	[R_VLAN]	= nm ": VLAN id above 4095",				\
	[R_ZONE]	= nm ": zone id not below CAMFENCE_MAX_ZONES",		\
	[R_POLICY]	= nm ": policy id not below CAMFENCE_MAX_POLICIES",	\
	[R_VERDICT]	= nm ": verdict neither CAMFENCE_PASS nor CAMFENCE_DROP", \
	[R_FLAGS]	= nm ": unknown flags",					\
	[R_PORT_TABLE]	= nm ": port table id above 2^31 - 1",			\
	[R_VALUE_PAD]	= nm ": value padding is not zero",			\
	[R_FULL]	= nm ": more records than the table holds",		\
	[R_DEVICE]	= nm ": device id 0 (no managed device) or not below CAMFENCE_MAX_DEVICES", \
	[R_FAMILY]	= nm ": family neither AF_INET nor AF_INET6",		\
	[R_ADDR_PAD]	= nm ": IPv4 address with nonzero bytes past the fourth", \
	[R_COUNT]	= nm ": n not from 1 to CAMFENCE_LEARNED_RULES",	\
	[R_TABLES_PAD]	= nm ": table ids past n are not zero",			\
	[R_NO_TABLE]	= nm ": names a port table the policy does not have",	\
}

struct table_desc {
	u16 ksize, vsize;
	u32 max;		/* records in one generation: the XDP map's size */
	bool lpm;
	u16 min_prefixlen, max_prefixlen;
	enum refusal (*check_key)(const struct camfence_gen *g, const void *key);
	enum refusal (*check_value)(const void *value);
	const char *msg[__R_MAX];
};

static bool nonzero(const u8 *pad, size_t len)
{
	return memchr_inv(pad, 0, len) != NULL;
}

/* Scopes carry the slot in their high bits: camfence.h's *_scope(). */
static enum refusal scope16(const struct camfence_gen *g, u32 scope, u32 ids)
{
	if (scope >> 16 != g->slot)
		return R_SLOT;
	return (scope & 0xffff) < ids ? ACCEPTED : R_SCOPE;
}

static enum refusal verdict(u8 v)
{
	return v == CAMFENCE_PASS || v == CAMFENCE_DROP ? ACCEPTED : R_VERDICT;
}

static enum refusal iface_key(const struct camfence_gen *g, const void *key)
{
	const struct camfence_iface_key *k = key;

	if (k->slot != g->slot)
		return R_SLOT;
	if (nonzero(k->pad, sizeof(k->pad)))
		return R_KEY_PAD;
	return k->vlan < 4096 || k->vlan == CAMFENCE_VLAN_ANY ? ACCEPTED : R_VLAN;
}

static enum refusal iface_value(const void *value)
{
	const struct camfence_iface *v = value;

	if (v->zone_id >= CAMFENCE_MAX_ZONES)
		return R_ZONE;
	if (v->unknown_policy >= CAMFENCE_MAX_POLICIES && v->unknown_policy != CAMFENCE_POLICY_NONE)
		return R_POLICY;
	if (v->flags & ~CAMFENCE_IFACE_MONITOR)
		return R_FLAGS;
	if (nonzero(v->pad, sizeof(v->pad)))
		return R_VALUE_PAD;
	return verdict(v->unknown_verdict);
}

static enum refusal mac_key(const struct camfence_gen *g, const void *key)
{
	const struct camfence_mac_key *k = key;

	if (nonzero(k->pad, sizeof(k->pad)))
		return R_KEY_PAD;
	return scope16(g, k->scope, CAMFENCE_MAX_ZONES);
}

/* src4 and src6 keys: prefix length, then the zone scope */
static enum refusal src_key(const struct camfence_gen *g, const void *key)
{
	return scope16(g, ((const u32 *)key)[1], CAMFENCE_MAX_ZONES);
}

static enum refusal vlan_key(const struct camfence_gen *g, const void *key)
{
	const struct camfence_vlan_key *k = key;

	if (nonzero(k->pad, sizeof(k->pad)))
		return R_KEY_PAD;
	if (k->vlan >= 4096)
		return R_VLAN;
	return scope16(g, k->scope, CAMFENCE_MAX_ZONES);
}

static enum refusal device_value(const void *value)
{
	const struct camfence_device *v = value;

	/* the monitored bit aside, a policy id */
	return (v->policy_id & ~CAMFENCE_DEVICE_MONITOR) < CAMFENCE_MAX_POLICIES ? ACCEPTED : R_POLICY;
}

static enum refusal dst_key(const struct camfence_gen *g, const void *key)
{
	return scope16(g, ((const u32 *)key)[1], CAMFENCE_MAX_POLICIES);
}

static enum refusal dst_value(const void *value)
{
	return *(const u32 *)value <= 0x7fffffff ? ACCEPTED : R_PORT_TABLE;
}

static enum refusal port_key(const struct camfence_gen *g, const void *key)
{
	const struct camfence_port_key *k = key;

	if (k->scope >> 31 != g->slot)
		return R_SLOT;
	return k->pad ? R_KEY_PAD : ACCEPTED;
}

static enum refusal port_value(const void *value)
{
	const struct camfence_decision *d = value;

	if (d->flags & ~CAMFENCE_DECISION_LOG)
		return R_FLAGS;
	if (nonzero(d->pad, sizeof(d->pad)))
		return R_VALUE_PAD;
	return verdict(d->verdict);
}

static enum refusal policy_key(const struct camfence_gen *g, const void *key)
{
	return *(const u32 *)key / CAMFENCE_MAX_POLICIES == g->slot ? ACCEPTED : R_SLOT;
}

static enum refusal policy_value(const void *value)
{
	const struct camfence_policy *p = value;

	if ((p->default_flags & ~CAMFENCE_DECISION_LOG) || (p->flags & ~(CAMFENCE_POLICY_ALLOW_REPLIES | CAMFENCE_POLICY_NAMES)))
		return R_FLAGS;
	if (p->pad)
		return R_VALUE_PAD;
	return verdict(p->default_verdict);
}

static enum refusal learned_key(const struct camfence_gen *g, const void *key)
{
	const struct camfence_learned_key *k = key;

	if (k->slot != g->slot)
		return R_SLOT;
	if (!k->device_id || k->device_id >= CAMFENCE_MAX_DEVICES)
		return R_DEVICE;
	if (k->family == AF_INET)
		return nonzero(k->addr + 4, sizeof(k->addr) - 4) ? R_ADDR_PAD : ACCEPTED;
	return k->family == AF_INET6 ? ACCEPTED : R_FAMILY;
}

static enum refusal learned_value(const void *value)
{
	const struct camfence_learned *v = value;
	u32 i;

	if (!v->n || v->n > CAMFENCE_LEARNED_RULES)
		return R_COUNT;
	for (i = 0; i < v->n; i++)
		if (v->table[i] > 0x7fffffff)
			return R_PORT_TABLE;
	for (; i < CAMFENCE_LEARNED_RULES; i++)
		if (v->table[i])
			return R_TABLES_PAD;
	return ACCEPTED;
}

#define EXACT(nm, k, v, n, ck, cv) {						\
	.ksize = sizeof(k), .vsize = sizeof(v), .max = (n),			\
	.check_key = ck, .check_value = cv, .msg = MESSAGES(nm),		\
}
#define LPM(nm, k, v, n, minlen, maxlen, ck, cv) {				\
	.ksize = sizeof(k), .vsize = sizeof(v), .max = (n), .lpm = true,	\
	.min_prefixlen = (minlen), .max_prefixlen = (maxlen),			\
	.check_key = ck, .check_value = cv, .msg = MESSAGES(nm),		\
}

static const struct table_desc tables[__CAMFENCE_TABLE_MAX] = {
	[CAMFENCE_TABLE_IFACES] = EXACT("ifaces", struct camfence_iface_key, struct camfence_iface,
					2 * CAMFENCE_MAX_IFACES, iface_key, iface_value),
	[CAMFENCE_TABLE_MACS] = LPM("macs", struct camfence_mac_key, struct camfence_device,
				    CAMFENCE_MAX_MACS, 32, 32 + 48, mac_key, device_value),
	[CAMFENCE_TABLE_SRC4] = LPM("src4", struct camfence_src4_key, struct camfence_device,
				    CAMFENCE_MAX_PREFIXES, 32, 32 + 32, src_key, device_value),
	[CAMFENCE_TABLE_SRC6] = LPM("src6", struct camfence_src6_key, struct camfence_device,
				    CAMFENCE_MAX_PREFIXES, 32, 32 + 128, src_key, device_value),
	[CAMFENCE_TABLE_VLANS] = EXACT("vlans", struct camfence_vlan_key, struct camfence_device,
				       CAMFENCE_MAX_VLAN_KEYS, vlan_key, device_value),
	[CAMFENCE_TABLE_DST4] = LPM("dst4", struct camfence_dst4_key, u32,
				    CAMFENCE_MAX_PREFIXES, 32, 32 + 32, dst_key, dst_value),
	[CAMFENCE_TABLE_DST6] = LPM("dst6", struct camfence_dst6_key, u32,
				    CAMFENCE_MAX_PREFIXES, 32, 32 + 128, dst_key, dst_value),
	/* the scope, the protocol and the padding byte are matched whole; a MAC
	 * key's padding never is */
	[CAMFENCE_TABLE_PORTS] = LPM("ports", struct camfence_port_key, struct camfence_decision,
				     CAMFENCE_MAX_PORT_KEYS, 48, 48 + 16, port_key, port_value),
	[CAMFENCE_TABLE_POLICIES] = EXACT("policies", u32, struct camfence_policy,
					  CAMFENCE_MAX_POLICIES, policy_key, policy_value),
	/* staged as the others; COMMIT moves them into gen->learned */
	[CAMFENCE_TABLE_LEARNED] = EXACT("learned", struct camfence_learned_key,
					 struct camfence_learned, CAMFENCE_MAX_LEARNED,
					 learned_key, learned_value),
};

static int refuse(struct netlink_ext_ack *extack, const struct nlattr *attr, u8 table,
		  enum refusal why)
{
	if (extack) {
		extack->_msg = tables[table].msg[why];
		extack->bad_attr = attr;
	}
	if (why == R_FLAGS)
		return -EOPNOTSUPP;
	return why == R_FULL ? -E2BIG : -EINVAL;
}

int camfence_policy_begin(struct camfence_net *pn, u64 generation, u32 slot,
			  struct netlink_ext_ack *extack)
{
	struct camfence_gen *live = camfence_net_live(pn), *gen;
	int t;

	if (generation <= (live ? live->generation : 0)) {
		NL_SET_ERR_MSG(extack, "generation not above the live policy's");
		return -ESTALE;
	}
	gen = kzalloc(sizeof(*gen), GFP_KERNEL_ACCOUNT);
	if (!gen)
		return -ENOMEM;
	gen->generation = generation;
	gen->slot = slot;
	for (t = 0; t < __CAMFENCE_TABLE_MAX; t++)
		camfence_table_init(&gen->tables[t], tables[t].ksize, tables[t].vsize,
				    tables[t].max, tables[t].lpm);
	camfence_policy_free(pn->staged);
	pn->staged = gen;
	return 0;
}

struct camfence_gen *camfence_policy_staged(struct camfence_net *pn, u64 generation,
					    struct netlink_ext_ack *extack)
{
	if (!pn->staged) {
		NL_SET_ERR_MSG(extack, "no policy staged: POLICY_BEGIN first");
		return ERR_PTR(-ENOENT);
	}
	if (pn->staged->generation != generation) {
		NL_SET_ERR_MSG(extack, "another generation is staged");
		return ERR_PTR(-ESTALE);
	}
	return pn->staged;
}

/* A record of table t for generation g; value NULL: a key alone. */
static int check_record(const struct camfence_gen *g, u8 t, const struct nlattr *key,
			const struct nlattr *value, struct netlink_ext_ack *extack)
{
	const struct table_desc *d = &tables[t];
	enum refusal why;
	u32 len;

	if (nla_len(key) != d->ksize)
		return refuse(extack, key, t, R_KEY_SIZE);
	if (value && nla_len(value) != d->vsize)
		return refuse(extack, value, t, R_VALUE_SIZE);
	if (d->lpm) {
		memcpy(&len, nla_data(key), sizeof(len));
		if (len < d->min_prefixlen || len > d->max_prefixlen)
			return refuse(extack, key, t, R_PREFIXLEN);
	}
	why = d->check_key(g, nla_data(key));
	if (why)
		return refuse(extack, key, t, why);
	why = value ? d->check_value(nla_data(value)) : ACCEPTED;
	if (why)
		return refuse(extack, value, t, why);
	return 0;
}

int camfence_policy_check(const struct camfence_gen *staged, const struct nlattr *table,
			  const struct nlattr *key, const struct nlattr *value,
			  struct netlink_ext_ack *extack)
{
	u8 t = nla_get_u8(table);

	if (t >= __CAMFENCE_TABLE_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, table, "unknown table (enum camfence_table)");
		return -EINVAL;
	}
	return check_record(staged, t, key, value, extack);
}

int camfence_policy_reserve(struct camfence_gen *staged, const u32 count[__CAMFENCE_TABLE_MAX],
			    struct netlink_ext_ack *extack)
{
	int t, ret;

	for (t = 0; t < __CAMFENCE_TABLE_MAX; t++) {
		ret = camfence_table_reserve(&staged->tables[t], count[t]);
		if (ret == -E2BIG)
			return refuse(extack, NULL, t, R_FULL);
		if (ret)
			return ret;
	}
	return 0;
}

void camfence_policy_append(struct camfence_gen *staged, u8 table, const void *key,
			    const void *value)
{
	camfence_table_append(&staged->tables[table], key, value);
}

/* Largest device id the policy names, and the number of rule ids. */
static void ids(const struct camfence_gen *gen, u32 *max_device, u32 *rules)
{
	static const u8 device_tables[] = {
		CAMFENCE_TABLE_MACS, CAMFENCE_TABLE_SRC4, CAMFENCE_TABLE_SRC6, CAMFENCE_TABLE_VLANS,
	};
	const struct camfence_tbl *ports = &gen->tables[CAMFENCE_TABLE_PORTS];
	u32 i, j;

	*max_device = 0;
	for (i = 0; i < ARRAY_SIZE(device_tables); i++) {
		const struct camfence_tbl *t = &gen->tables[device_tables[i]];

		for (j = 0; j < t->n; j++) {
			const struct camfence_device *dev = camfence_table_value(t, j);

			*max_device = max(*max_device, dev->device_id);
		}
	}
	*rules = 0;
	for (j = 0; j < ports->n; j++) {
		const struct camfence_decision *d = camfence_table_value(ports, j);

		if (d->rule_id < CAMFENCE_MAX_RULE_COUNTERS)
			*rules = max(*rules, d->rule_id + 1);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* The distinct port table ids of the built ports table, sorted. */
static int port_tables(struct camfence_gen *gen)
{
	const struct camfence_tbl *ports = &gen->tables[CAMFENCE_TABLE_PORTS];
	u32 i, n = 0;

	if (!ports->n)
		return 0;
	gen->port_tables = kvmalloc_array(ports->n, sizeof(u32), GFP_KERNEL_ACCOUNT);
	if (!gen->port_tables)
		return -ENOMEM;
	for (i = 0; i < ports->n; i++) {
		const struct camfence_port_key *k = camfence_table_key(ports, i);

		gen->port_tables[i] = k->scope & 0x7fffffff;
	}
	sort(gen->port_tables, ports->n, sizeof(u32), cmp_u32, NULL);
	for (i = 0; i < ports->n; i++)
		if (!n || gen->port_tables[n - 1] != gen->port_tables[i])
			gen->port_tables[n++] = gen->port_tables[i];
	gen->nport_tables = n;
	return 0;
}

static bool has_port_table(const struct camfence_gen *gen, u32 table)
{
	u32 lo = 0, hi = gen->nport_tables;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (gen->port_tables[mid] == table)
			return true;
		if (gen->port_tables[mid] < table)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static enum refusal learned_tables(const struct camfence_gen *gen, const struct camfence_learned *v)
{
	u32 i;

	for (i = 0; i < v->n; i++)
		if (!has_port_table(gen, v->table[i]))
			return R_NO_TABLE;
	return ACCEPTED;
}

/* The staged learned records into the hash table, in the order they came:
 * of equal keys the last one added counts, as for every table. */
static int build_learned(struct camfence_gen *gen, struct netlink_ext_ack *extack)
{
	struct camfence_tbl *staged = &gen->tables[CAMFENCE_TABLE_LEARNED];
	u32 i;
	int ret;

	for (i = 0; i < staged->n; i++) {
		const struct camfence_learned *v = camfence_table_value(staged, i);

		if (learned_tables(gen, v))
			return refuse(extack, NULL, CAMFENCE_TABLE_LEARNED, R_NO_TABLE);
		ret = camfence_learned_set(&gen->learned, camfence_table_key(staged, i), v);
		if (ret)
			return ret;
	}
	camfence_table_uninit(staged);
	return 0;
}

static int build(struct net *net, struct camfence_net *pn, struct camfence_gen *gen,
		 struct netlink_ext_ack *extack)
{
	u32 max_device, rules;
	int t, ret;

	for (t = 0; t < __CAMFENCE_TABLE_MAX; t++) {
		if (t == CAMFENCE_TABLE_LEARNED)
			continue;
		ret = camfence_table_build(&gen->tables[t]);
		if (ret)
			return ret;
	}
	ret = port_tables(gen);
	if (!ret)
		ret = build_learned(gen, extack);
	if (ret)
		return ret;
	ids(gen, &max_device, &rules);
	ret = camfence_counters_devices_grow(&pn->counters, max_device);
	if (ret)
		return ret;
	gen->rules = camfence_counters_rules_alloc(rules);
	if (IS_ERR(gen->rules)) {
		ret = PTR_ERR(gen->rules);
		gen->rules = NULL;
		return ret;
	}
	ret = camfence_hooks_track(net, pn);
	if (ret)
		NL_SET_ERR_MSG(extack, "conntrack could not be enabled in this namespace");
	return ret;
}

static void free_rcu(struct rcu_head *head)
{
	camfence_policy_free(container_of(head, struct camfence_gen, rcu));
}

int camfence_policy_commit(struct net *net, struct camfence_net *pn, u64 generation,
			   struct netlink_ext_ack *extack)
{
	struct camfence_gen *gen, *old = camfence_net_live(pn);
	int ret;

	gen = camfence_policy_staged(pn, generation, extack);
	if (IS_ERR(gen))
		return PTR_ERR(gen);
	if (old && old->generation >= generation) {
		NL_SET_ERR_MSG(extack, "generation not above the live policy's");
		return -ESTALE;
	}
	/* from here on, failed or not, the staged policy is used up */
	pn->staged = NULL;
	ret = build(net, pn, gen, extack);
	if (ret) {
		camfence_policy_free(gen);
		return ret;
	}
	rcu_assign_pointer(pn->live, gen);
	if (old)
		call_rcu(&old->rcu, free_rcu);
	return 0;
}

void camfence_policy_abort(struct camfence_net *pn)
{
	camfence_policy_free(pn->staged);
	pn->staged = NULL;
}

/* The live policy, if it is the generation a learned update was meant for. */
static struct camfence_gen *live_generation(struct camfence_net *pn, u64 generation,
					    struct netlink_ext_ack *extack)
{
	struct camfence_gen *live = camfence_net_live(pn);

	if (!live) {
		NL_SET_ERR_MSG(extack, "no policy is live");
		return ERR_PTR(-ENOENT);
	}
	if (live->generation != generation) {
		NL_SET_ERR_MSG(extack, "generation is not the live policy's");
		return ERR_PTR(-ESTALE);
	}
	return live;
}

int camfence_policy_learned_set(struct camfence_net *pn, u64 generation, const struct nlattr *key,
				const struct nlattr *value, struct netlink_ext_ack *extack)
{
	struct camfence_gen *gen = live_generation(pn, generation, extack);
	int ret;

	if (IS_ERR(gen))
		return PTR_ERR(gen);
	ret = check_record(gen, CAMFENCE_TABLE_LEARNED, key, value, extack);
	if (ret)
		return ret;
	if (learned_tables(gen, nla_data(value)))
		return refuse(extack, value, CAMFENCE_TABLE_LEARNED, R_NO_TABLE);
	ret = camfence_learned_set(&gen->learned, nla_data(key), nla_data(value));
	if (ret == -E2BIG)
		return refuse(extack, key, CAMFENCE_TABLE_LEARNED, R_FULL);
	return ret;
}

int camfence_policy_learned_del(struct camfence_net *pn, u64 generation, const struct nlattr *key,
				struct netlink_ext_ack *extack)
{
	struct camfence_gen *gen = live_generation(pn, generation, extack);
	int ret;

	if (IS_ERR(gen))
		return PTR_ERR(gen);
	ret = check_record(gen, CAMFENCE_TABLE_LEARNED, key, NULL, extack);
	if (ret)
		return ret;
	ret = camfence_learned_del(&gen->learned, nla_data(key));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(extack, key, "learned: no record of this key");
	return ret;
}

void camfence_policy_free(struct camfence_gen *gen)
{
	int t;

	if (!gen)
		return;
	for (t = 0; t < __CAMFENCE_TABLE_MAX; t++)
		camfence_table_uninit(&gen->tables[t]);
	camfence_learned_uninit(&gen->learned);
	kvfree(gen->port_tables);
	camfence_counters_rules_free(gen->rules);
	kfree(gen);
}

/* ---- the matcher: bpf/camfence.bpf.c's lookups, one for one ---- */

static const void *find(const struct camfence_gen *gen, int table, const void *key)
{
	return camfence_table_find(&gen->tables[table], key);
}

const struct camfence_iface *camfence_policy_iface(const struct camfence_gen *gen,
						   u32 ifindex, u16 vlan)
{
	struct camfence_iface_key k = { .slot = gen->slot, .ifindex = ifindex, .vlan = vlan };
	const struct camfence_iface *iface;

	iface = find(gen, CAMFENCE_TABLE_IFACES, &k);
	if (iface)
		return iface;
	k.vlan = CAMFENCE_VLAN_ANY;
	return find(gen, CAMFENCE_TABLE_IFACES, &k);
}

static const struct camfence_device *find_device(const struct camfence_gen *gen, u32 scope,
						 const struct camfence_packet *p)
{
	const struct camfence_device *dev = NULL;

	/* a packet that came in without an Ethernet header has no MAC to match */
	if (p->has_mac) {
		struct camfence_mac_key k = { .prefixlen = 80, .scope = scope };

		memcpy(k.mac, p->mac, ETH_ALEN);
		dev = find(gen, CAMFENCE_TABLE_MACS, &k);
		if (dev)
			return dev;
	}
	if (p->family == AF_INET) {
		struct camfence_src4_key k = { .prefixlen = 64, .scope = scope };

		memcpy(k.addr, p->saddr, 4);
		dev = find(gen, CAMFENCE_TABLE_SRC4, &k);
	} else if (p->family == AF_INET6) {
		struct camfence_src6_key k = { .prefixlen = 160, .scope = scope };

		memcpy(k.addr, p->saddr, 16);
		dev = find(gen, CAMFENCE_TABLE_SRC6, &k);
	}
	if (!dev) {
		struct camfence_vlan_key k = { .scope = scope, .vlan = p->vlan };

		dev = find(gen, CAMFENCE_TABLE_VLANS, &k);
	}
	return dev;
}

/* The region of the policy the destination falls in; -1 when none. */
static s64 dst_table(const struct camfence_gen *gen, u32 scope, const struct camfence_packet *p)
{
	const u32 *table;

	if (p->family == AF_INET) {
		struct camfence_dst4_key k = { .prefixlen = 64, .scope = scope };

		memcpy(k.addr, p->daddr, 4);
		table = find(gen, CAMFENCE_TABLE_DST4, &k);
	} else {
		struct camfence_dst6_key k = { .prefixlen = 160, .scope = scope };

		memcpy(k.addr, p->daddr, 16);
		table = find(gen, CAMFENCE_TABLE_DST6, &k);
	}
	return table ? (s64)*table : -1;
}

static const struct camfence_decision *port_decision(const struct camfence_gen *gen, u32 table,
						     const struct camfence_packet *p)
{
	struct camfence_port_key k = {
		.prefixlen = 64,
		.scope = camfence_table_scope(gen->slot, table),
		.proto = p->proto,
		.port = htons(p->dport),
	};
	const struct camfence_decision *d;

	d = find(gen, CAMFENCE_TABLE_PORTS, &k);
	if (d)
		return d;
	/* a protocol that no rule of the region names */
	k.proto = CAMFENCE_PROTO_ANY;
	return find(gen, CAMFENCE_TABLE_PORTS, &k);
}

/*
 * A managed device's packet to a destination it learned for name rules:
 * the first of their port tables to decide the packet by a rule is the
 * candidate, and decides instead of r if it comes first in rule order (or
 * r is the default). The key names the device by the frame's source MAC:
 * a packet without one learned nothing.
 */
static void learned_decision(const struct camfence_gen *gen, const struct camfence_packet *p,
			     struct camfence_result *r)
{
	struct camfence_learned_key k = {
		.slot = gen->slot,
		.device_id = r->device_id,
		.family = p->family,
	};
	const struct camfence_decision *d = NULL;
	const struct camfence_learned *l;
	u32 i, n;

	if (!p->has_mac)
		return;
	memcpy(k.mac, p->mac, ETH_ALEN);
	memcpy(k.addr, p->daddr, p->family == AF_INET ? 4 : 16);
	l = camfence_learned_find(&gen->learned, &k);
	if (!l)
		return;
	/* checked when it was set; bounded again for the array */
	n = min_t(u32, l->n, CAMFENCE_LEARNED_RULES);
	for (i = 0; i < n; i++) {
		d = port_decision(gen, l->table[i], p);
		if (d && d->rule_id != CAMFENCE_RULE_DEFAULT)
			break;
	}
	if (i == n || (r->rule_id != CAMFENCE_RULE_DEFAULT && d->rule_id >= r->rule_id))
		return;
	r->verdict = d->verdict;
	r->flags = d->flags;
	r->rule_id = d->rule_id;
	r->reason = CAMFENCE_REASON_RULE;
}

void camfence_policy_classify(const struct camfence_gen *gen, const struct camfence_iface *iface,
			      const struct camfence_packet *p, struct camfence_result *r)
{
	const struct camfence_device *dev;
	const struct camfence_decision *d;
	const struct camfence_policy *pol;
	u32 policy, idx;
	s64 table;

	dev = find_device(gen, camfence_zone_scope(gen->slot, iface->zone_id), p);
	r->rule_id = CAMFENCE_RULE_DEFAULT;
	r->flags = 0;
	r->policy_flags = 0;
	if (dev) {
		r->device_id = dev->device_id;
		policy = dev->policy_id & ~CAMFENCE_DEVICE_MONITOR;
		r->reason = CAMFENCE_REASON_DEFAULT;
	} else {
		r->device_id = 0;
		policy = iface->unknown_policy;
		r->reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
		if (policy == CAMFENCE_POLICY_NONE) {
			r->policy_id = CAMFENCE_POLICY_NONE;
			r->verdict = iface->unknown_verdict;
			r->flags = r->verdict == CAMFENCE_DROP ? CAMFENCE_DECISION_LOG : 0;
			goto monitor;
		}
	}
	r->policy_id = policy;
	idx = gen->slot * CAMFENCE_MAX_POLICIES + (policy & (CAMFENCE_MAX_POLICIES - 1));
	pol = find(gen, CAMFENCE_TABLE_POLICIES, &idx);
	/* a policy the daemon did not send: fail closed */
	r->verdict = pol ? pol->default_verdict : CAMFENCE_DROP;
	r->flags = pol ? pol->default_flags : CAMFENCE_DECISION_LOG;
	r->policy_flags = pol ? pol->flags : 0;

	table = dst_table(gen, camfence_policy_scope(gen->slot, policy), p);
	d = table < 0 ? NULL : port_decision(gen, table, p);
	if (d && d->rule_id != CAMFENCE_RULE_DEFAULT) {
		r->verdict = d->verdict;
		r->flags = d->flags;
		r->rule_id = d->rule_id;
		if (dev)
			r->reason = CAMFENCE_REASON_RULE;
	}
	/* as the XDP program: only a policy with `to name` rules looks */
	if (r->device_id && (r->policy_flags & CAMFENCE_POLICY_NAMES))
		learned_decision(gen, p, r);
monitor:
	/* `mode monitor`: what the policy drops passes, reported, as in XDP */
	if (r->verdict == CAMFENCE_DROP && camfence_policy_monitored(gen, iface, p))
		r->verdict = CAMFENCE_WOULD_DROP;
}

bool camfence_policy_monitored(const struct camfence_gen *gen, const struct camfence_iface *iface,
			       const struct camfence_packet *p)
{
	const struct camfence_device *dev;

	dev = find_device(gen, camfence_zone_scope(gen->slot, iface->zone_id), p);
	if (dev)
		return dev->policy_id & CAMFENCE_DEVICE_MONITOR;
	return iface->flags & CAMFENCE_IFACE_MONITOR;
}
