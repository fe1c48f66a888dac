// SPDX-License-Identifier: GPL-2.0
/*
 * Policy compiler. Every policy becomes two sets of bitvectors over its
 * rules (bit i = rule i), in the manner of bpf-iptables' LBVS:
 *
 *  - destination: an LPM entry for every prefix a rule names, plus /0; the
 *    bits of an entry are the rules whose destination contains it, so the
 *    longest match holds exactly the rules that match the address;
 *  - protocol and port: an entry (proto, port) for each port a rule names,
 *    (proto, any) and (any, any), each holding the rules that match it,
 *    wildcards included, so the most specific entry found is complete.
 *
 * The first rule that matches is the lowest bit of the AND of the two.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy_compile.h"

#define MAX_PORT_KEYS_PER_SLOT	(CAMFENCE_MAX_PORT_KEYS / 2)

#define VEC_PUSH(vec) (vec_grow((void **)&(vec).v, &(vec).n, &(vec).cap, sizeof(*(vec).v)))

static void *vec_grow(void **v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *p = realloc(*v, ncap * size);

		if (!p) {
			perror("camfence: out of memory");
			exit(1);
		}
		*v = p;
		*cap = ncap;
	}
	memset((char *)*v + *n * size, 0, size);
	return (char *)*v + (*n)++ * size;
}

static int rule_dst_matches(const struct cf_rule *r, const struct cf_prefix *p)
{
	if (!r->has_dst)
		return 1;
	return camfence_addr_prefix_contains(&r->dst, p);
}

static void compile_dst(struct cf_compiled *c, const struct cf_policy *pol, __u32 scope)
{
	static const struct cf_prefix any4 = { .family = AF_INET }, any6 = { .family = AF_INET6 };
	size_t i, j, r;

	/* one entry per distinct prefix; /0 of each family catches the rest */
	for (i = 0; i <= pol->nrules + 1; i++) {
		const struct cf_prefix *p;
		__u64 bits = 0;

		if (i < pol->nrules) {
			if (!pol->rules[i].has_dst)
				continue;
			p = &pol->rules[i].dst;
			for (j = 0; j < i; j++)
				if (pol->rules[j].has_dst && pol->rules[j].dst.family == p->family &&
				    pol->rules[j].dst.len == p->len &&
				    !memcmp(pol->rules[j].dst.addr, p->addr, 16))
					break;
			if (j < i || p->len == 0)
				continue;
		} else {
			p = i == pol->nrules ? &any4 : &any6;
		}
		for (r = 0; r < pol->nrules; r++)
			if (rule_dst_matches(&pol->rules[r], p))
				bits |= 1ULL << r;
		if (!bits)
			continue;
		if (p->family == AF_INET) {
			struct cf_dst4_entry *e = VEC_PUSH(c->dst4);

			e->key.prefixlen = 32 + p->len;
			e->key.scope = scope;
			memcpy(e->key.addr, p->addr, 4);
			e->bits = bits;
		} else {
			struct cf_dst6_entry *e = VEC_PUSH(c->dst6);

			e->key.prefixlen = 32 + p->len;
			e->key.scope = scope;
			memcpy(e->key.addr, p->addr, 16);
			e->bits = bits;
		}
	}
}

static void add_port(struct cf_compiled *c, __u32 scope, __u8 proto, __u16 port, __u64 bits)
{
	struct cf_port_entry *e;

	if (!bits)
		return;
	e = VEC_PUSH(c->ports);
	e->key.scope = scope;
	e->key.proto = proto;
	e->key.port = port;
	e->bits = bits;
}

static int compile_ports(struct cf_compiled *c, const struct cf_policy *pol, __u32 scope,
			 size_t *nkeys)
{
	__u64 any_proto = 0, *per_port = NULL;
	size_t r, before;
	int protos[256] = { 0 };
	unsigned int proto, port;

	for (r = 0; r < pol->nrules; r++) {
		if (pol->rules[r].proto == CAMFENCE_PROTO_ANY)
			any_proto |= 1ULL << r;
		else
			protos[pol->rules[r].proto] = 1;
	}
	add_port(c, scope, CAMFENCE_PROTO_ANY, CAMFENCE_PORT_ANY, any_proto);

	for (proto = 1; proto < 256; proto++) {
		__u64 base = any_proto;
		int ranged = 0;

		if (!protos[proto])
			continue;
		for (r = 0; r < pol->nrules; r++) {
			if (pol->rules[r].proto != proto)
				continue;
			if (pol->rules[r].port_lo)
				ranged = 1;
			else
				base |= 1ULL << r;
		}
		/* when base is empty so is (any, any), which answers the miss */
		add_port(c, scope, proto, CAMFENCE_PORT_ANY, base);
		if (!ranged)
			continue;
		if (!per_port && !(per_port = malloc(65536 * sizeof(*per_port)))) {
			perror("camfence: out of memory");
			exit(1);
		}
		memset(per_port, 0, 65536 * sizeof(*per_port));
		for (r = 0; r < pol->nrules; r++) {
			if (pol->rules[r].proto != proto || !pol->rules[r].port_lo)
				continue;
			for (port = pol->rules[r].port_lo; port <= pol->rules[r].port_hi; port++)
				per_port[port] |= 1ULL << r;
		}
		before = c->ports.n;
		for (port = 1; port < 65536; port++)
			if (per_port[port])
				add_port(c, scope, proto, port, per_port[port] | base);
		*nkeys += c->ports.n - before;
		if (*nkeys > MAX_PORT_KEYS_PER_SLOT) {
			free(per_port);
			return -E2BIG;
		}
	}
	free(per_port);
	return 0;
}

static void add_device(struct cf_compiled *c, const struct cf_config *cfg, size_t g, size_t m)
{
	const struct cf_member *mem = &cfg->groups[g].members[m];
	struct camfence_device dev = {
		.device_id = c->devices.n,
		.policy_id = cfg->groups[g].policy_idx,
	};
	struct cf_device_ref *ref = VEC_PUSH(c->devices);

	ref->group = g;
	ref->member = m;
	if (mem->kind == CF_MEMBER_MAC) {
		struct cf_mac_entry *e = VEC_PUSH(c->macs);

		e->key.slot = c->slot;
		memcpy(e->key.mac, mem->mac, 6);
		e->val = dev;
	} else {
		struct cf_src4_entry *e = VEC_PUSH(c->src4);

		e->key.prefixlen = 32 + mem->prefix.len;
		e->key.scope = c->slot;
		memcpy(e->key.addr, mem->prefix.addr, 4);
		e->val = dev;
	}
}

int camfence_policy_compile(const struct cf_config *cfg, __u32 slot, cf_ifindex_fn ifindex,
			    void *ctx, struct cf_compiled **out, char *err, size_t errlen)
{
	struct cf_compiled *c;
	struct cf_device_ref *unknown;
	size_t i, j, nkeys = 0;
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

	for (i = 0; i < cfg->nzones; i++) {
		const struct cf_zone *z = &cfg->zones[i];

		for (j = 0; j < z->nifaces; j++) {
			struct cf_iface_entry *e;
			int idx = 0;

			if (ifindex) {
				idx = ifindex(z->ifaces[j], ctx);
				if (idx < 0) {
					snprintf(err, errlen, "%s:%u:%u: zone %s: interface %s: %s",
						 cfg->path, z->iface_locs[j].line, z->iface_locs[j].col,
						 z->name, z->ifaces[j], strerror(-idx));
					ret = idx;
					goto err;
				}
			}
			e = VEC_PUSH(c->ifaces);
			e->key.slot = slot;
			e->key.ifindex = idx;
			e->val.zone_id = i;
			e->val.unknown_verdict = z->unknown_verdict;
			snprintf(e->name, sizeof(e->name), "%s", z->ifaces[j]);
		}
	}

	unknown = VEC_PUSH(c->devices);
	unknown->group = -1;
	for (i = 0; i < cfg->ngroups; i++)
		for (j = 0; j < cfg->groups[i].nmembers; j++)
			add_device(c, cfg, i, j);
	if (c->devices.n > CAMFENCE_MAX_DEVICES) {
		snprintf(err, errlen, "%s: %zu devices; at most %d are supported", cfg->path,
			 c->devices.n - 1, CAMFENCE_MAX_DEVICES - 1);
		ret = -E2BIG;
		goto err;
	}

	for (i = 0; i < cfg->npolicies; i++) {
		const struct cf_policy *pol = &cfg->policies[i];
		__u32 scope = camfence_scope(slot, i);
		struct cf_policy_entry *pe = VEC_PUSH(c->policies);

		pe->idx = slot * CAMFENCE_MAX_POLICIES + i;
		pe->val.default_verdict = pol->default_verdict;
		pe->val.nrules = pol->nrules;
		for (j = 0; j < pol->nrules; j++) {
			struct cf_rule_entry *re = VEC_PUSH(c->rules);

			re->idx = pe->idx * CAMFENCE_MAX_RULES + j;
			re->val.verdict = pol->rules[j].verdict;
			re->val.log = 1;
			re->val.line = pol->rules[j].loc.line;
		}
		compile_dst(c, pol, scope);
		ret = compile_ports(c, pol, scope, &nkeys);
		if (ret) {
			snprintf(err, errlen, "%s:%u:%u: policy %s: port ranges expand to more than %d entries",
				 cfg->path, pol->loc.line, pol->loc.col, pol->name,
				 MAX_PORT_KEYS_PER_SLOT);
			goto err;
		}
	}
	*out = c;
	return 0;
err:
	camfence_policy_compiled_free(c);
	return ret;
}

void camfence_policy_compiled_free(struct cf_compiled *c)
{
	if (!c)
		return;
	free(c->ifaces.v);
	free(c->macs.v);
	free(c->src4.v);
	free(c->dst4.v);
	free(c->dst6.v);
	free(c->ports.v);
	free(c->rules.v);
	free(c->policies.v);
	free(c->devices.v);
	free(c);
}
