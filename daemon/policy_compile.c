// SPDX-License-Identifier: GPL-2.0
/*
 * Policy compiler: turns first-match rule lists into lookups whose cost does
 * not grow with the number of rules.
 *
 * Destinations: every prefix a policy's rules name, and /0, goes into an LPM
 * trie. The longest match of an address is its region; the rules that can
 * match there are those whose destinations contain the region's prefix
 * (prefixes nest or are disjoint). Regions with the same rules share a table.
 *
 * Ports: for each table and protocol, the port space is cut at every range
 * boundary, each piece gets the first rule that matches it, and the pieces
 * whose decision differs from the table's default are written as aligned
 * blocks (port prefixes) into a second LPM trie, above an entry of length 0
 * that carries the default. One lookup finds the decision.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns_answer.h"
#include "policy_compile.h"

/* A rule as the compiler sees it within one policy. */
struct crule {
	const struct cf_rule *r;
	__u32 id;
	int any_dst;
	int catch_all;		/* any protocol, any port: nothing after it matters */
};

struct region {
	struct cf_prefix p;
	int rule;		/* the rule that named the prefix, -1 for /0 */
	int parent;		/* index of the longest enclosing region, -1 for /0 */
	CF_VEC(int) rules;	/* indexes into the policy's crules, in order */
	__u32 table;
};

struct table_sig {
	const int *rules;
	size_t n;
	__u32 id;
};

struct compiler {
	const struct cf_config *cfg;
	struct cf_compiled *c;
	struct crule *crules;
	size_t ncrules;
	CF_VEC(struct table_sig) tables;	/* of the family being compiled */
	size_t *table_slots;			/* hash of tables by rule list */
	size_t table_mask;
	const struct cf_policy *pol;
	__u32 policy_idx;
};

static int prefix_order(const void *a, const void *b)
{
	const struct region *x = a, *y = b;
	int d = memcmp(x->p.addr, y->p.addr, 16);

	if (d)
		return d;
	if (x->p.len != y->p.len)
		return (int)x->p.len - (int)y->p.len;
	return x->rule - y->rule;
}

static size_t list_hash(const int *rules, size_t n)
{
	size_t h = 1469598103934665603ULL, i;

	for (i = 0; i < n; i++)
		h = (h ^ (size_t)rules[i]) * 1099511628211ULL;
	return h;
}

static struct camfence_decision decision_of(const struct compiler *k, int ci)
{
	struct camfence_decision d = { 0 };

	if (ci < 0) {
		const struct cf_policy *p = k->pol;
		int log = p->default_log == CF_LOG_DEFAULT ? p->default_verdict == CAMFENCE_DROP :
							     p->default_log;

		d.verdict = p->default_verdict;
		d.flags = log ? CAMFENCE_DECISION_LOG : 0;
		d.rule_id = CAMFENCE_RULE_DEFAULT;
		return d;
	}
	d.verdict = k->crules[ci].r->verdict;
	d.flags = camfence_policy_rule_logs(k->crules[ci].r) ? CAMFENCE_DECISION_LOG : 0;
	d.rule_id = k->crules[ci].id;
	return d;
}

static void add_port_entry(struct compiler *k, __u32 table, __u8 proto, unsigned int port,
			   unsigned int bits, struct camfence_decision d)
{
	struct cf_port_entry *e = CF_VEC_PUSH(k->c->ports);

	e->key.prefixlen = 48 + bits;
	e->key.scope = camfence_table_scope(k->c->slot, table);
	e->key.proto = proto;
	e->key.port = htons(port);
	e->val = d;
}

/* [lo, hi] as the fewest aligned power-of-two blocks. */
static void add_port_blocks(struct compiler *k, __u32 table, __u8 proto, unsigned int lo,
			    unsigned int hi, struct camfence_decision d)
{
	while (lo <= hi) {
		unsigned int size = 1, bits = 16;

		while (bits > 0 && (lo & (size * 2 - 1)) == 0 && lo + size * 2 - 1 <= hi) {
			size *= 2;
			bits--;
		}
		add_port_entry(k, table, proto, lo, bits, d);
		lo += size;
		if (lo == 0)
			break;	/* wrapped past 65535 */
	}
}

static int rule_has_port(const struct cf_rule *r, unsigned int port)
{
	size_t i;

	for (i = 0; i < r->ports.n; i++)
		if (r->ports.v[i].lo <= port && port <= r->ports.v[i].hi)
			return 1;
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The decisions of one table for one protocol class (proto 0: the protocols
 * no rule of the table names). */
static void compile_class(struct compiler *k, __u32 table, const int *rules, size_t n, __u8 proto)
{
	CF_VEC(unsigned int) cuts = { 0 };
	int base = -1;
	size_t i, j, nranged = 0;

	for (i = 0; i < n; i++) {
		const struct cf_rule *r = k->crules[rules[i]].r;

		if (r->proto != CAMFENCE_PROTO_ANY && r->proto != proto)
			continue;
		if (proto == CAMFENCE_PROTO_ANY && r->proto != CAMFENCE_PROTO_ANY)
			continue;
		if (!r->ports.n) {
			base = rules[i];
			break;
		}
		/* a ranged rule before the first port-less one may win somewhere */
		for (j = 0; j < r->ports.n; j++) {
			*CF_VEC_PUSH(cuts) = r->ports.v[j].lo;
			*CF_VEC_PUSH(cuts) = r->ports.v[j].hi + 1;
		}
		nranged++;
	}
	add_port_entry(k, table, proto, 0, 0, decision_of(k, base));
	if (!nranged)
		return;

	qsort(cuts.v, cuts.n, sizeof(*cuts.v), cmp_uint);
	for (i = 0; i + 1 < cuts.n; i++) {
		unsigned int lo = cuts.v[i], hi = cuts.v[i + 1] - 1;
		int winner = base;

		if (cuts.v[i] == cuts.v[i + 1])
			continue;
		for (j = 0; j < n; j++) {
			const struct cf_rule *r = k->crules[rules[j]].r;

			if (rules[j] == base)
				break;
			if (r->proto != CAMFENCE_PROTO_ANY && r->proto != proto)
				continue;
			if (proto == CAMFENCE_PROTO_ANY && r->proto != CAMFENCE_PROTO_ANY)
				continue;
			if (rule_has_port(r, lo)) {
				winner = rules[j];
				break;
			}
		}
		if (winner != base)
			add_port_blocks(k, table, proto, lo, hi, decision_of(k, winner));
	}
	free(cuts.v);
}

static __u32 compile_table(struct compiler *k, const int *rules, size_t n)
{
	size_t mask = k->table_mask, h = list_hash(rules, n) & mask;
	int protos[256] = { 0 };
	struct table_sig *sig;
	__u32 id;
	size_t i;

	/* open addressing over the tables of this family; slots hold index + 1 */
	for (; k->table_slots[h]; h = (h + 1) & mask) {
		sig = &k->tables.v[k->table_slots[h] - 1];
		if (sig->n == n && !memcmp(sig->rules, rules, n * sizeof(*rules)))
			return sig->id;
	}
	id = k->c->ntables++;
	sig = CF_VEC_PUSH(k->tables);
	sig->rules = rules;
	sig->n = n;
	sig->id = id;
	k->table_slots[h] = k->tables.n;
	for (i = 0; i < n; i++)
		protos[k->crules[rules[i]].r->proto] = 1;
	compile_class(k, id, rules, n, CAMFENCE_PROTO_ANY);
	for (i = 1; i < 256; i++)
		if (protos[i])
			compile_class(k, id, rules, n, i);
	return id;
}

/* Regions of one address family: parents by a sweep over the prefixes in
 * address order, where every enclosing prefix comes before what it holds. */
static void compile_family(struct compiler *k, int family)
{
	CF_VEC(struct region) regs = { 0 };
	CF_VEC(int) stack = { 0 }, own = { 0 };
	__u32 scope = camfence_policy_scope(k->c->slot, k->policy_idx);
	size_t i, j, d, first;

	/* one entry per (prefix, rule naming it); /0 holds the any-destination rules */
	CF_VEC_PUSH(regs)->p.family = family;
	regs.v[0].rule = -1;
	for (i = 0; i < k->ncrules; i++) {
		if (k->crules[i].any_dst) {
			struct region *r = CF_VEC_PUSH(regs);

			r->p.family = family;
			r->rule = i;
		}
		for (d = 0; d < k->crules[i].r->dsts.n; d++) {
			if (k->crules[i].r->dsts.v[d].family == family) {
				struct region *r = CF_VEC_PUSH(regs);

				r->p = k->crules[i].r->dsts.v[d];
				r->rule = i;
			}
		}
	}
	qsort(regs.v, regs.n, sizeof(*regs.v), prefix_order);

	/* fold each run of one prefix into a region with its own rules */
	for (i = 0, j = 0; i < regs.n; j++) {
		struct region rg = regs.v[i];

		own.n = 0;
		for (first = i; i < regs.n && regs.v[i].p.len == rg.p.len &&
				!memcmp(regs.v[i].p.addr, rg.p.addr, 16); i++)
			if (regs.v[i].rule >= 0 && (!own.n || own.v[own.n - 1] != regs.v[i].rule))
				*CF_VEC_PUSH(own) = regs.v[i].rule;
		(void)first;
		while (stack.n && !camfence_addr_prefix_contains(&regs.v[stack.v[stack.n - 1]].p, &rg.p))
			stack.n--;
		rg.parent = stack.n ? stack.v[stack.n - 1] : -1;
		memset(&rg.rules, 0, sizeof(rg.rules));
		/* a region's rules: its parent's and its own, in rule order, up
		 * to the first that matches everything */
		{
			const struct region *parent = rg.parent >= 0 ? &regs.v[rg.parent] : NULL;
			size_t pi = 0, oi = 0;
			int done = 0;

			while (!done && ((parent && pi < parent->rules.n) || oi < own.n)) {
				int next;

				if (parent && pi < parent->rules.n &&
				    (oi == own.n || parent->rules.v[pi] <= own.v[oi])) {
					next = parent->rules.v[pi++];
					if (oi < own.n && own.v[oi] == next)
						oi++;
				} else {
					next = own.v[oi++];
				}
				*CF_VEC_PUSH(rg.rules) = next;
				done = k->crules[next].catch_all;
			}
		}
		regs.v[j] = rg;
		*CF_VEC_PUSH(stack) = j;
	}
	regs.n = j;

	/* at most one table per region: keep the hash at most half full */
	for (k->table_mask = 15; k->table_mask < 2 * regs.n; k->table_mask = k->table_mask * 2 + 1)
		;
	k->table_slots = calloc(k->table_mask + 1, sizeof(*k->table_slots));
	if (!k->table_slots) {
		perror("camfence: out of memory");
		exit(1);
	}
	for (i = 0; i < regs.n; i++) {
		struct region *rg = &regs.v[i];

		rg->table = compile_table(k, rg->rules.v, rg->rules.n);
		if (family == AF_INET) {
			struct cf_dst4_entry *e = CF_VEC_PUSH(k->c->dst4);

			e->key.prefixlen = 32 + rg->p.len;
			e->key.scope = scope;
			memcpy(e->key.addr, rg->p.addr, 4);
			e->val = rg->table;
		} else {
			struct cf_dst6_entry *e = CF_VEC_PUSH(k->c->dst6);

			e->key.prefixlen = 32 + rg->p.len;
			e->key.scope = scope;
			memcpy(e->key.addr, rg->p.addr, 16);
			e->val = rg->table;
		}
	}
	/* tables point into region rule lists: free those last */
	free(k->table_slots);
	k->table_slots = NULL;
	k->tables.n = 0;
	for (i = 0; i < regs.n; i++)
		free(regs.v[i].rules.v);
	free(regs.v);
	free(stack.v);
	free(own.v);
}

/* `to name` rules match no destination the tables hold: each gets a port
 * table of its own, which learned entries point at. */
static void compile_learned(struct compiler *k)
{
	int *idx = calloc(k->ncrules + 1, sizeof(*idx));
	size_t i, n = 0;

	if (!idx) {
		perror("camfence: out of memory");
		exit(1);
	}
	for (i = 0; i < k->ncrules; i++)
		if (k->crules[i].r->dst_kind == CF_DST_LEARNED)
			idx[n++] = i;
	for (k->table_mask = 15; k->table_mask < 2 * n; k->table_mask = k->table_mask * 2 + 1)
		;
	k->table_slots = calloc(k->table_mask + 1, sizeof(*k->table_slots));
	if (!k->table_slots) {
		perror("camfence: out of memory");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		struct cf_learned_rule *lr = CF_VEC_PUSH(k->c->learned_rules);

		lr->policy = k->policy_idx;
		lr->rule = idx[i];
		lr->rule_id = k->crules[idx[i]].id;
		lr->table = compile_table(k, &idx[i], 1);
	}
	free(k->table_slots);
	k->table_slots = NULL;
	k->tables.n = 0;
	free(idx);
}

static void compile_policy(struct compiler *k, size_t pi)
{
	const struct cf_policy *pol = &k->cfg->policies.v[pi];
	struct cf_policy_entry *pe = CF_VEC_PUSH(k->c->policies);
	size_t i;

	k->pol = pol;
	k->policy_idx = pi;
	pe->key = k->c->slot * CAMFENCE_MAX_POLICIES + pi;
	pe->val.default_verdict = pol->default_verdict;
	pe->val.default_flags = decision_of(k, -1).flags;
	pe->val.flags = pol->allow_replies ? CAMFENCE_POLICY_ALLOW_REPLIES : 0;
	for (i = 0; i < pol->rules.n; i++)
		if (pol->rules.v[i].dst_kind == CF_DST_LEARNED)
			pe->val.flags |= CAMFENCE_POLICY_NAMES;

	k->ncrules = pol->rules.n;
	k->crules = calloc(pol->rules.n + 1, sizeof(*k->crules));
	for (i = 0; i < pol->rules.n; i++) {
		const struct cf_rule *r = &pol->rules.v[i];
		struct cf_rule_ref *ref = CF_VEC_PUSH(k->c->rules);

		ref->policy = pi;
		ref->rule = i;
		k->crules[i].r = r;
		k->crules[i].id = k->c->rules.n - 1;
		k->crules[i].any_dst = r->dst_kind == CF_DST_ANY;
		k->crules[i].catch_all = k->crules[i].any_dst && !r->proto && !r->ports.n;
	}
	compile_family(k, AF_INET);
	compile_family(k, AF_INET6);
	compile_learned(k);
	free(k->crules);
	free(k->tables.v);
	memset(&k->tables, 0, sizeof(k->tables));
}

/* Device keys of one recognised device, in one zone's scope. */
static void add_mac(struct cf_compiled *c, __u32 scope, const struct cf_mac_prefix *m,
		    struct camfence_device dev)
{
	struct cf_mac_entry *e = CF_VEC_PUSH(c->macs);

	e->key.prefixlen = 32 + m->len;
	e->key.scope = scope;
	memcpy(e->key.mac, m->mac, 6);
	e->val = dev;
}

static void add_src(struct cf_compiled *c, __u32 scope, const struct cf_prefix *p,
		    struct camfence_device dev)
{
	if (p->family == AF_INET) {
		struct cf_src4_entry *e = CF_VEC_PUSH(c->src4);

		e->key.prefixlen = 32 + p->len;
		e->key.scope = scope;
		memcpy(e->key.addr, p->addr, 4);
		e->val = dev;
	} else {
		struct cf_src6_entry *e = CF_VEC_PUSH(c->src6);

		e->key.prefixlen = 32 + p->len;
		e->key.scope = scope;
		memcpy(e->key.addr, p->addr, 16);
		e->val = dev;
	}
}

/* Whether a member is monitored in zone z: its device's mode, else its
 * group's, else the group holding the policy's, else the zone's. */
static int monitored(const struct cf_config *cfg, size_t owner, size_t g,
		     const struct cf_member *m, size_t z)
{
	enum cf_mode mode = CF_MODE_UNSET;

	if (m->kind == CF_MEMBER_DEVICE && m->ref >= 0)
		mode = cfg->devices.v[m->ref].mode;
	if (!mode)
		mode = cfg->groups.v[g].mode;
	if (!mode)
		mode = cfg->groups.v[owner].mode;
	if (!mode)
		mode = cfg->zones.v[z].mode;
	return mode == CF_MODE_MONITOR;
}

static void add_member(struct cf_compiled *c, const struct cf_config *cfg, size_t owner,
		       size_t g, size_t mi, int zone)
{
	const struct cf_member *m = &cfg->groups.v[g].members.v[mi];
	struct camfence_device dev = { .policy_id = cfg->groups.v[owner].policy_idx },
			       enforced;
	struct cf_device_ref *ref;
	size_t z, j;

	if (m->kind == CF_MEMBER_GROUP)
		return;
	dev.device_id = c->devices.n;
	ref = CF_VEC_PUSH(c->devices);
	ref->group = owner;
	ref->member_group = g;
	ref->member = mi;
	enforced = dev;
	for (z = 0; z < cfg->zones.n; z++) {
		__u32 scope = camfence_zone_scope(c->slot, z);

		if (zone >= 0 && (size_t)zone != z)
			continue;
		dev = enforced;
		if (monitored(cfg, owner, g, m, z))
			dev.policy_id |= CAMFENCE_DEVICE_MONITOR;
		switch (m->kind) {
		case CF_MEMBER_MAC:
			add_mac(c, scope, &m->mac, dev);
			break;
		case CF_MEMBER_VENDOR:
			for (j = 0; j < m->vendor_macs.n; j++)
				add_mac(c, scope, &m->vendor_macs.v[j], dev);
			break;
		case CF_MEMBER_PREFIX:
			add_src(c, scope, &m->prefix, dev);
			break;
		case CF_MEMBER_VLAN: {
			struct cf_vlan_entry *e = CF_VEC_PUSH(c->vlans);

			e->key.scope = scope;
			e->key.vlan = m->vlan;
			e->val = dev;
			break;
		}
		case CF_MEMBER_DEVICE: {
			const struct cf_device *d = &cfg->devices.v[m->ref];

			for (j = 0; j < d->macs.n; j++)
				add_mac(c, scope, &d->macs.v[j], dev);
			for (j = 0; j < d->addrs.n; j++)
				add_src(c, scope, &d->addrs.v[j], dev);
			break;
		}
		default:
			break;
		}
	}
}

static void add_group(struct cf_compiled *c, const struct cf_config *cfg, size_t owner, size_t g,
		      int zone, int depth)
{
	const struct cf_group *grp = &cfg->groups.v[g];
	size_t i;

	if (depth > 64)
		return;
	if (zone < 0)
		zone = grp->zone_idx;
	for (i = 0; i < grp->members.n; i++) {
		if (grp->members.v[i].kind == CF_MEMBER_GROUP)
			add_group(c, cfg, owner, grp->members.v[i].ref, zone, depth + 1);
		else
			add_member(c, cfg, owner, g, i, zone);
	}
}

static int compile_zones(struct cf_compiled *c, const struct cf_config *cfg, cf_ifindex_fn ifindex,
			 void *ctx, char *err, size_t errlen)
{
	size_t i, j, v;

	for (i = 0; i < cfg->zones.n; i++) {
		const struct cf_zone *z = &cfg->zones.v[i];

		for (j = 0; j < z->ifaces.n; j++) {
			int idx = 0;

			if (ifindex) {
				idx = ifindex(z->ifaces.v[j], ctx);
				if (idx < 0) {
					snprintf(err, errlen, "%s:%u:%u: zone %s: interface %s: %s",
						 camfence_policy_file(cfg, z->iface_locs.v[j]),
						 z->iface_locs.v[j].line, z->iface_locs.v[j].col, z->name,
						 z->ifaces.v[j], strerror(-idx));
					return idx;
				}
				if (!idx)
					continue;	/* absent: compiled in when it appears */
			}
			for (v = 0; v < (z->vlans.n ? z->vlans.n : 1); v++) {
				struct cf_iface_entry *e = CF_VEC_PUSH(c->ifaces);

				e->key.slot = c->slot;
				e->key.ifindex = idx;
				e->key.vlan = z->vlans.n ? z->vlans.v[v] : CAMFENCE_VLAN_ANY;
				e->val.zone_id = i;
				e->val.unknown_verdict = z->unknown_verdict;
				e->val.flags = z->mode == CF_MODE_MONITOR ? CAMFENCE_IFACE_MONITOR : 0;
				e->val.unknown_policy = z->unknown_policy_idx >= 0 ?
					(__u32)z->unknown_policy_idx : CAMFENCE_POLICY_NONE;
				*CF_VEC_PUSH(c->iface_names) = strdup(z->ifaces.v[j]);
			}
		}
	}
	return 0;
}

int camfence_policy_compile(const struct cf_config *cfg, __u32 slot, cf_ifindex_fn ifindex,
			    void *ctx, struct cf_compiled **out, char *err, size_t errlen)
{
	struct compiler k = { .cfg = cfg };
	struct cf_compiled *c;
	size_t i;
	int ret;

	*out = NULL;
	if (cfg->nerrors) {
		snprintf(err, errlen, "%s: the policy has errors", cfg->path);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->slot = slot;
	k.c = c;

	ret = compile_zones(c, cfg, ifindex, ctx, err, errlen);
	if (ret)
		goto err;

	CF_VEC_PUSH(c->devices)->group = -1;
	for (i = 0; i < cfg->groups.n; i++)
		if (cfg->groups.v[i].policy_idx >= 0)
			add_group(c, cfg, i, i, -1, 0);
	if (c->devices.n > CAMFENCE_MAX_DEVICES) {
		snprintf(err, errlen, "%s: %zu devices; at most %d are supported", cfg->path,
			 c->devices.n - 1, CAMFENCE_MAX_DEVICES - 1);
		ret = -E2BIG;
		goto err;
	}

	for (i = 0; i < cfg->policies.n; i++)
		compile_policy(&k, i);
	if (c->ports.n > CAMFENCE_MAX_PORT_KEYS / 2 || c->macs.n > CAMFENCE_MAX_MACS / 2 ||
	    c->dst4.n > CAMFENCE_MAX_PREFIXES / 2 || c->dst6.n > CAMFENCE_MAX_PREFIXES / 2 ||
	    c->src4.n > CAMFENCE_MAX_PREFIXES / 2 || c->src6.n > CAMFENCE_MAX_PREFIXES / 2 ||
	    c->vlans.n > CAMFENCE_MAX_VLAN_KEYS / 2) {
		snprintf(err, errlen, "%s: the policy compiles to more entries than the maps hold (%zu port, %zu mac, %zu+%zu destination)",
			 cfg->path, c->ports.n, c->macs.n, c->dst4.n, c->dst6.n);
		ret = -E2BIG;
		goto err;
	}
	*out = c;
	return 0;
err:
	camfence_policy_compiled_free(c);
	return ret;
}

__u32 camfence_policy_learned_value(const struct cf_compiled *c, const struct cf_config *cfg,
				    __u32 policy, const char *const *names, size_t nnames,
				    struct camfence_learned *out)
{
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < c->learned_rules.n && out->n < CAMFENCE_LEARNED_RULES; i++) {
		const struct cf_learned_rule *lr = &c->learned_rules.v[i];
		const struct cf_rule *r;

		if (lr->policy != policy)
			continue;
		r = &cfg->policies.v[lr->policy].rules.v[lr->rule];
		for (j = 0; j < nnames; j++)
			if (camfence_dns_name_match(r->dst_host, names[j]))
				break;
		if (j < nnames)
			out->table[out->n++] = lr->table;
	}
	return out->n;
}

void camfence_policy_compiled_free(struct cf_compiled *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->iface_names.n; i++)
		free(c->iface_names.v[i]);
	free(c->iface_names.v);
	free(c->ifaces.v);
	free(c->macs.v);
	free(c->src4.v);
	free(c->src6.v);
	free(c->vlans.v);
	free(c->dst4.v);
	free(c->dst6.v);
	free(c->ports.v);
	free(c->policies.v);
	free(c->learned.v);
	free(c->learned_rules.v);
	free(c->devices.v);
	free(c->rules.v);
	free(c);
}
