// SPDX-License-Identifier: GPL-2.0
/*
 * Resolution of a parsed policy: every name to what it names, vendors to
 * their MAC prefixes, group includes flattened (cycles refused), and the
 * checks that need the whole file: a device in two groups, an interface in
 * two zones, rules that can never match, groups that match nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "camfence.h"
#include "oui.h"
#include "policy_internal.h"

#define SHADOW_CHECK_ALL 4000

#define error_at(ctx, loc, ...) camfence_policy_error(ctx, loc, __VA_ARGS__)

/* "line 6" when b is in the same file as a, else "other.conf:6". */
static const char *where(const struct cf_config *cfg, struct cf_loc a, struct cf_loc b,
			 char *buf, size_t len)
{
	if (a.file == b.file)
		snprintf(buf, len, "line %u", b.line);
	else
		snprintf(buf, len, "%s:%u", camfence_policy_file(cfg, b), b.line);
	return buf;
}

static int find_name(const char *name, const void *arr, size_t n, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp((const char *)arr + i * size, name))
			return i;
	return -1;
}

#define FIND(vec, name) find_name(name, (vec).v, (vec).n, sizeof(*(vec).v))

static void check_unique(struct cf_parse_ctx *ctx, const void *arr, size_t n, size_t size,
			 size_t loc_off, const char *what)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		const char *a = (const char *)arr + i * size;

		for (j = 0; j < i; j++) {
			const char *b = (const char *)arr + j * size;

			if (!strcmp(a, b)) {
				const struct cf_loc *la = (const void *)(a + loc_off);
				const struct cf_loc *lb = (const void *)(b + loc_off);

				char w[300];

				error_at(ctx, *la, "%s '%s' is defined twice (first at %s)", what, a,
					 where(ctx->cfg, *la, *lb, w, sizeof(w)));
				break;
			}
		}
	}
}

#define CHECK_UNIQUE(ctx, vec, type, what) \
	check_unique(ctx, (vec).v, (vec).n, sizeof(type), offsetof(type, loc), what)

static void resolve_zones(struct cf_parse_ctx *ctx)
{
	struct cf_config *cfg = ctx->cfg;
	size_t i, j, k, l, nkeys = 0;
	struct cf_loc top = { 0, 1, 1 };

	if (!cfg->zones.n)
		error_at(ctx, top, "no zone: camfence would filter nothing; add 'zone NAME { interface IFNAME }'");
	CHECK_UNIQUE(ctx, cfg->zones, struct cf_zone, "zone");
	for (i = 0; i < cfg->zones.n; i++) {
		struct cf_zone *z = &cfg->zones.v[i];

		if (!z->ifaces.n)
			error_at(ctx, z->loc, "zone '%s' has no interface", z->name);
		if (z->unknown_policy[0]) {
			z->unknown_policy_idx = FIND(cfg->policies, z->unknown_policy);
			if (z->unknown_policy_idx < 0)
				error_at(ctx, z->unknown_loc, "no policy named '%s'", z->unknown_policy);
		}
		nkeys += z->ifaces.n * (z->vlans.n ? z->vlans.n : 1);
		/* an interface, or one of its VLANs, belongs to one zone only */
		for (k = 0; k < z->ifaces.n; k++) {
			for (j = 0; j <= i; j++) {
				const struct cf_zone *o = &cfg->zones.v[j];
				/* a zone of VLANs takes those, a zone without takes the rest */
				int overlap = !z->vlans.n && !o->vlans.n;
				size_t a, b;

				for (a = 0; !overlap && a < z->vlans.n; a++)
					for (b = 0; b < o->vlans.n; b++)
						overlap |= z->vlans.v[a] == o->vlans.v[b];
				if (j == i)
					overlap = 1;
				for (l = 0; overlap && l < (j == i ? k : o->ifaces.n); l++)
					if (!strcmp(o->ifaces.v[l], z->ifaces.v[k]))
					{
						char w[300];

						error_at(ctx, z->iface_locs.v[k],
							 "interface '%s' is already in zone '%s' (%s)",
							 z->ifaces.v[k], o->name,
							 where(ctx->cfg, z->iface_locs.v[k], o->iface_locs.v[l], w, sizeof(w)));
					}
			}
		}
	}
	if (nkeys > CAMFENCE_MAX_IFACES)
		error_at(ctx, top, "%zu zone interfaces and VLANs; at most %d are supported", nkeys,
			 CAMFENCE_MAX_IFACES);
	if (cfg->zones.n > CAMFENCE_MAX_ZONES)
		error_at(ctx, top, "more than %d zones", CAMFENCE_MAX_ZONES);
}

static void resolve_vendor(struct cf_parse_ctx *ctx, struct cf_oui_db **db, int *db_failed,
			   struct cf_member *m)
{
	struct cf_oui_prefix *pfx = NULL;
	char why[512];
	int n, i;

	if (!*db && !*db_failed) {
		const char *dir = getenv("CAMFENCE_OUI_DIR");

		if (camfence_oui_load(dir ? dir : CF_OUI_DIR, db, why, sizeof(why))) {
			error_at(ctx, m->loc, "vendor '%s': cannot read the IEEE registry: %s", m->name, why);
			*db_failed = 1;
			return;
		}
	}
	if (*db_failed)
		return;
	n = camfence_oui_vendor(*db, m->name, &pfx, why, sizeof(why));
	if (n < 0) {
		error_at(ctx, m->loc, "vendor '%s': %s", m->name, why);
		return;
	}
	for (i = 0; i < n; i++) {
		struct cf_mac_prefix *mp = CF_VEC_PUSH(m->vendor_macs);

		memcpy(mp->mac, pfx[i].bytes, 6);
		mp->len = pfx[i].len;
	}
	free(pfx);
}

/* Depth-first walk of group includes: 0 unvisited, 1 on the path, 2 done. */
static int include_cycle(struct cf_parse_ctx *ctx, size_t g, int *state)
{
	struct cf_group *grp = &ctx->cfg->groups.v[g];
	size_t i;

	if (state[g] == 2)
		return 0;
	state[g] = 1;
	for (i = 0; i < grp->members.n; i++) {
		struct cf_member *m = &grp->members.v[i];

		if (m->kind != CF_MEMBER_GROUP || m->ref < 0)
			continue;
		if (state[m->ref] == 1) {
			error_at(ctx, m->loc, "group '%s' includes group '%s', which includes '%s' again: a cycle",
				 grp->name, m->name, grp->name);
			return 1;
		}
		if (include_cycle(ctx, m->ref, state))
			return 1;
	}
	state[g] = 2;
	return 0;
}

/* Ways a group recognises devices once includes are followed, saturating at
 * CF_MAX_EXPANDED; sizes[] memoises, -1 not yet known. Groups that include
 * the same groups over and over would otherwise grow exponentially. */
static size_t group_size(const struct cf_config *cfg, size_t g, long long *sizes)
{
	const struct cf_group *grp = &cfg->groups.v[g];
	size_t i, n = 0;

	if (sizes[g] >= 0)
		return sizes[g];
	for (i = 0; i < grp->members.n && n < CF_MAX_EXPANDED; i++) {
		const struct cf_member *m = &grp->members.v[i];

		if (m->kind == CF_MEMBER_GROUP && m->ref >= 0)
			n += group_size(cfg, m->ref, sizes);
		else if (m->kind == CF_MEMBER_VENDOR)
			n += m->vendor_macs.n;
		else if (m->kind == CF_MEMBER_DEVICE && m->ref >= 0)
			n += cfg->devices.v[m->ref].macs.n + cfg->devices.v[m->ref].addrs.n;
		else
			n++;
	}
	if (n > CF_MAX_EXPANDED)
		n = CF_MAX_EXPANDED + 1;
	sizes[g] = n;
	return n;
}

static void check_expansion(struct cf_parse_ctx *ctx)
{
	const struct cf_config *cfg = ctx->cfg;
	long long *sizes = malloc((cfg->groups.n + 1) * sizeof(*sizes));
	size_t i, total = 0;

	if (!sizes)
		return;
	for (i = 0; i < cfg->groups.n; i++)
		sizes[i] = -1;
	for (i = 0; i < cfg->groups.n; i++) {
		size_t n = group_size(cfg, i, sizes);

		if (n > CF_MAX_EXPANDED) {
			error_at(ctx, cfg->groups.v[i].loc,
				 "group '%s' expands to more than %d members through its includes; include each group once",
				 cfg->groups.v[i].name, CF_MAX_EXPANDED);
			break;
		}
		/* every group with a policy is compiled whole: bound them together */
		if (cfg->groups.v[i].policy_idx < 0)
			continue;
		total += n;
		if (total > CF_MAX_EXPANDED) {
			error_at(ctx, cfg->groups.v[i].loc,
				 "with group '%s' the groups that have a policy recognise more than %d devices in all, includes followed",
				 cfg->groups.v[i].name, CF_MAX_EXPANDED);
			break;
		}
	}
	free(sizes);
}

static void resolve_groups(struct cf_parse_ctx *ctx)
{
	struct cf_config *cfg = ctx->cfg;
	struct cf_oui_db *db = NULL;
	int db_failed = 0, *state;
	size_t i, j;

	CHECK_UNIQUE(ctx, cfg->groups, struct cf_group, "group");
	for (i = 0; i < cfg->groups.n; i++) {
		struct cf_group *g = &cfg->groups.v[i];

		if (g->zone[0]) {
			g->zone_idx = FIND(cfg->zones, g->zone);
			if (g->zone_idx < 0)
				error_at(ctx, g->zone_loc, "no zone named '%s'", g->zone);
		}
		if (g->policy[0]) {
			g->policy_idx = FIND(cfg->policies, g->policy);
			if (g->policy_idx < 0)
				error_at(ctx, g->policy_loc, "no policy named '%s'", g->policy);
			g->used = 1;
		}
		if (!g->members.n)
			error_at(ctx, g->loc, "group '%s' has no members: add mac, vendor, ip, vlan, device or group",
				 g->name);
		for (j = 0; j < g->members.n; j++) {
			struct cf_member *m = &g->members.v[j];

			switch (m->kind) {
			case CF_MEMBER_DEVICE:
				m->ref = FIND(cfg->devices, m->name);
				if (m->ref < 0)
					error_at(ctx, m->loc, "no device named '%s'", m->name);
				break;
			case CF_MEMBER_GROUP:
				m->ref = FIND(cfg->groups, m->name);
				if (m->ref < 0)
					error_at(ctx, m->loc, "no group named '%s'", m->name);
				else
					cfg->groups.v[m->ref].used = 1;
				break;
			case CF_MEMBER_VENDOR:
				resolve_vendor(ctx, &db, &db_failed, m);
				break;
			default:
				break;
			}
		}
	}
	camfence_oui_free(db);

	state = calloc(cfg->groups.n + 1, sizeof(*state));
	for (i = 0; state && i < cfg->groups.n; i++)
		if (include_cycle(ctx, i, state))
			break;
	free(state);
	if (!ctx->cfg->nerrors)
		check_expansion(ctx);
}

/* One way a device is recognised, for finding a device in two groups. */
struct member_key {
	int kind;		/* CF_MEMBER_MAC, CF_MEMBER_PREFIX or CF_MEMBER_VLAN */
	int family;
	unsigned int len;
	uint8_t bytes[16];
	int zone;		/* -1: every zone */
	size_t group;
	struct cf_loc loc;
};

struct key_list {
	CF_VEC(struct member_key) keys;
};

static void add_key(struct key_list *kl, int kind, int family, unsigned int len,
		    const uint8_t *bytes, size_t nbytes, int zone, size_t group, struct cf_loc loc)
{
	struct member_key *k = CF_VEC_PUSH(kl->keys);

	k->kind = kind;
	k->family = family;
	k->len = len;
	memcpy(k->bytes, bytes, nbytes);
	k->zone = zone;
	k->group = group;
	k->loc = loc;
}

/* Every way the devices of group g are recognised, includes followed. */
static void group_keys(const struct cf_config *cfg, size_t g, int zone, size_t owner,
		       struct key_list *kl, int depth)
{
	const struct cf_group *grp = &cfg->groups.v[g];
	size_t i, j;

	if (depth > 64)
		return;
	if (zone < 0)
		zone = grp->zone_idx;
	for (i = 0; i < grp->members.n; i++) {
		const struct cf_member *m = &grp->members.v[i];

		switch (m->kind) {
		case CF_MEMBER_MAC:
			add_key(kl, CF_MEMBER_MAC, 0, m->mac.len, m->mac.mac, 6, zone, owner, m->loc);
			break;
		case CF_MEMBER_VENDOR:
			for (j = 0; j < m->vendor_macs.n; j++)
				add_key(kl, CF_MEMBER_MAC, 0, m->vendor_macs.v[j].len,
					m->vendor_macs.v[j].mac, 6, zone, owner, m->loc);
			break;
		case CF_MEMBER_PREFIX:
			add_key(kl, CF_MEMBER_PREFIX, m->prefix.family, m->prefix.len,
				m->prefix.addr, 16, zone, owner, m->loc);
			break;
		case CF_MEMBER_VLAN: {
			uint8_t b[2] = { m->vlan >> 8, m->vlan & 0xff };

			add_key(kl, CF_MEMBER_VLAN, 0, 16, b, 2, zone, owner, m->loc);
			break;
		}
		case CF_MEMBER_DEVICE: {
			const struct cf_device *d;

			if (m->ref < 0)
				break;
			d = &cfg->devices.v[m->ref];
			for (j = 0; j < d->macs.n; j++)
				add_key(kl, CF_MEMBER_MAC, 0, 48, d->macs.v[j].mac, 6, zone, owner, m->loc);
			for (j = 0; j < d->addrs.n; j++)
				add_key(kl, CF_MEMBER_PREFIX, d->addrs.v[j].family, d->addrs.v[j].len,
					d->addrs.v[j].addr, 16, zone, owner, m->loc);
			break;
		}
		case CF_MEMBER_GROUP:
			if (m->ref >= 0)
				group_keys(cfg, m->ref, zone, owner, kl, depth + 1);
			break;
		}
	}
}

static int key_cmp(const void *a, const void *b)
{
	const struct member_key *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, 16);
}

/* A device recognised the same way by two groups that give policies would
 * follow whichever the lookup finds first: refuse it. */
static void check_overlaps(struct cf_parse_ctx *ctx)
{
	struct cf_config *cfg = ctx->cfg;
	struct key_list kl = { 0 };
	size_t i, j, k;

	for (i = 0; i < cfg->groups.n; i++) {
		size_t before = kl.keys.n;

		if (cfg->groups.v[i].policy_idx < 0)
			continue;
		group_keys(cfg, i, -1, i, &kl, 0);
		if (kl.keys.n == before)
			camfence_policy_warning(ctx, cfg->groups.v[i].loc,
						"group '%s' matches no device", cfg->groups.v[i].name);
	}
	if (kl.keys.n)
		qsort(kl.keys.v, kl.keys.n, sizeof(*kl.keys.v), key_cmp);
	for (i = 0; i < kl.keys.n; i = j) {
		for (j = i + 1; j < kl.keys.n && !key_cmp(&kl.keys.v[i], &kl.keys.v[j]); j++)
			;
		/* the same key within one group (a vendor and a mac line) is harmless */
		for (k = i + 1; k < j; k++) {
			const struct member_key *a = &kl.keys.v[i], *b = &kl.keys.v[k];
			const struct member_key *first = a->loc.line <= b->loc.line ? a : b;
			const struct member_key *second = first == a ? b : a;

			if (a->group == b->group)
				continue;
			if (a->zone >= 0 && b->zone >= 0 && a->zone != b->zone)
				continue;
			char w[300];

			error_at(ctx, second->loc, "this device is already in group '%s' (%s)",
				 cfg->groups.v[first->group].name,
				 where(cfg, second->loc, first->loc, w, sizeof(w)));
			break;
		}
	}
	free(kl.keys.v);
}

static int names_device_or_set(struct cf_config *cfg, const char *name, struct cf_rule *r)
{
	int i = FIND(cfg->sets, name);
	size_t j;

	if (i >= 0) {
		for (j = 0; j < cfg->sets.v[i].prefixes.n; j++)
			*CF_VEC_PUSH(r->dsts) = cfg->sets.v[i].prefixes.v[j];
		r->dst_set = i;
		return 0;
	}
	i = FIND(cfg->devices, name);
	if (i >= 0) {
		for (j = 0; j < cfg->devices.v[i].addrs.n; j++)
			*CF_VEC_PUSH(r->dsts) = cfg->devices.v[i].addrs.v[j];
		return 0;
	}
	return -ENOENT;
}

/* Does every packet that rule b matches also match rule a? */
static int covers(const struct cf_config *cfg, const struct cf_rule *a, const struct cf_rule *b)
{
	size_t i, j;

	if (a->proto && a->proto != b->proto)
		return 0;
	if (a->ports.n) {
		if (!b->ports.n)
			return 0;
		for (i = 0; i < b->ports.n; i++) {
			for (j = 0; j < a->ports.n; j++)
				if (a->ports.v[j].lo <= b->ports.v[i].lo && b->ports.v[i].hi <= a->ports.v[j].hi)
					break;
			if (j == a->ports.n)
				return 0;
		}
	}
	if (a->dst_kind == CF_DST_ANY)
		return 1;
	/* what b's names will resolve to, or a device be told, is unknown here */
	if ((b->dst_set >= 0 && cfg->sets.v[b->dst_set].names.n) || b->dst_kind == CF_DST_LEARNED ||
	    a->dst_kind == CF_DST_LEARNED)
		return 0;
	if (b->dst_kind == CF_DST_ANY || a->dst_kind == CF_DST_LOCAL || a->dst_kind == CF_DST_ROUTER ||
	    b->dst_kind == CF_DST_LOCAL || b->dst_kind == CF_DST_ROUTER)
		return a->dst_kind == b->dst_kind && a->dst_kind != CF_DST_ANY;
	if (!b->dsts.n)
		return 0;
	for (i = 0; i < b->dsts.n; i++) {
		for (j = 0; j < a->dsts.n; j++)
			if (camfence_addr_prefix_contains(&a->dsts.v[j], &b->dsts.v[i]))
				break;
		if (j == a->dsts.n)
			return 0;
	}
	return 1;
}

static void resolve_policies(struct cf_parse_ctx *ctx)
{
	struct cf_config *cfg = ctx->cfg;
	struct cf_loc top = { 0, 1, 1 };
	size_t i, j, k, l;

	CHECK_UNIQUE(ctx, cfg->policies, struct cf_policy, "policy");
	if (cfg->policies.n > CAMFENCE_MAX_POLICIES)
		error_at(ctx, top, "%zu policies; at most %d are supported", cfg->policies.n,
			 CAMFENCE_MAX_POLICIES);
	for (i = 0; i < cfg->policies.n; i++) {
		struct cf_policy *p = &cfg->policies.v[i];
		int used = 0;

		for (j = 0; j < p->rules.n; j++) {
			struct cf_rule *r = &p->rules.v[j];
			int v4 = 0, v6 = 0;

			r->dst_set = -1;
			if (r->dst_kind == CF_DST_PREFIX)
				*CF_VEC_PUSH(r->dsts) = r->dst;
			if (r->dst_kind == CF_DST_NAME && names_device_or_set(cfg, r->dst_name, r)) {
				error_at(ctx, r->dst_loc, "no set or device named '%s'", r->dst_name);
				continue;
			}
			r->static_dsts = r->dsts.n;
			/* what names resolve to is known only when camfenced runs */
			if (r->dst_set >= 0 && cfg->sets.v[r->dst_set].names.n)
				continue;
			if (r->dst_kind == CF_DST_NAME && !r->dsts.n)
				camfence_policy_warning(ctx, r->dst_loc, "'%s' holds no address: this rule matches nothing",
							r->dst_name);
			for (k = 0; k < r->dsts.n; k++) {
				v4 |= r->dsts.v[k].family == AF_INET;
				v6 |= r->dsts.v[k].family == AF_INET6;
			}
			if (r->dst_kind == CF_DST_NAME && r->proto == IPPROTO_ICMP && v6 && !v4)
				error_at(ctx, r->loc, "icmp is IPv4 and '%s' holds only IPv6 addresses: use icmpv6",
					 r->dst_name);
			if (r->dst_kind == CF_DST_NAME && r->proto == IPPROTO_ICMPV6 && v4 && !v6)
				error_at(ctx, r->loc, "icmpv6 is IPv6 and '%s' holds only IPv4 addresses: use icmp",
					 r->dst_name);
		}
		if (cfg->nerrors)
			continue;
		/* every pair in a policy of a few thousand rules; beyond that only
		 * the rules for any destination, so checking stays fast */
		CF_VEC(size_t) cand = { 0 };

		for (j = 1; j < p->rules.n; j++) {
			if (p->rules.n <= SHADOW_CHECK_ALL || p->rules.v[j - 1].dst_kind == CF_DST_ANY)
				*CF_VEC_PUSH(cand) = j - 1;
			for (l = 0; l < cand.n; l++) {
				k = cand.v[l];
				if (covers(cfg, &p->rules.v[k], &p->rules.v[j])) {
					p->rules.v[j].shadowed_by = k;
					char w[300];

					camfence_policy_warning(ctx, p->rules.v[j].loc,
						"this rule never matches: the rule at %s matches all it does",
						where(cfg, p->rules.v[j].loc, p->rules.v[k].loc, w, sizeof(w)));
					break;
				}
			}
		}
		free(cand.v);
		for (j = 0; j < cfg->groups.n; j++)
			used |= cfg->groups.v[j].policy_idx == (int)i;
		for (j = 0; j < cfg->zones.n; j++)
			used |= cfg->zones.v[j].unknown_policy_idx == (int)i;
		if (!used)
			camfence_policy_warning(ctx, p->loc, "policy '%s' is used by no group or zone",
						p->name);
	}
}

static void resolve_names(struct cf_parse_ctx *ctx)
{
	static const char *const reserved[] = { "any", "local", "router", "name" };
	struct cf_config *cfg = ctx->cfg;
	size_t i, j;

	CHECK_UNIQUE(ctx, cfg->sets, struct cf_set, "set");
	CHECK_UNIQUE(ctx, cfg->devices, struct cf_device, "device");
	/* rules name sets and devices alike */
	for (i = 0; i < cfg->devices.n; i++) {
		int s = FIND(cfg->sets, cfg->devices.v[i].name);

		if (s >= 0)
		{
			char w[300];

			error_at(ctx, cfg->devices.v[i].loc, "device '%s' has the name of the set at %s",
				 cfg->devices.v[i].name,
				 where(cfg, cfg->devices.v[i].loc, cfg->sets.v[s].loc, w, sizeof(w)));
		}
	}
	for (j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++) {
		int s = FIND(cfg->sets, reserved[j]), d = FIND(cfg->devices, reserved[j]);

		if (s >= 0)
			error_at(ctx, cfg->sets.v[s].loc, "'%s' is a reserved name", reserved[j]);
		if (d >= 0)
			error_at(ctx, cfg->devices.v[d].loc, "'%s' is a reserved name", reserved[j]);
	}
}

void camfence_policy_resolve(struct cf_parse_ctx *ctx)
{
	struct cf_config *cfg = ctx->cfg;
	size_t i;

	resolve_zones(ctx);
	resolve_names(ctx);
	resolve_groups(ctx);
	resolve_policies(ctx);
	if (cfg->nerrors)
		return;
	check_overlaps(ctx);
	for (i = 0; i < cfg->groups.n; i++)
		if (!cfg->groups.v[i].used)
			camfence_policy_warning(ctx, cfg->groups.v[i].loc,
				"group '%s' has no policy and no group includes it: it does nothing",
				cfg->groups.v[i].name);
}

void camfence_policy_bind(struct cf_config *cfg, const struct cf_iface_addr *addrs, size_t n)
{
	size_t i, j, k;

	cfg->local.n = cfg->router.n = 0;
	for (i = 0; i < n; i++) {
		int in_zone = 0;

		for (j = 0; j < cfg->zones.n; j++)
			for (k = 0; k < cfg->zones.v[j].ifaces.n; k++)
				in_zone |= !strcmp(cfg->zones.v[j].ifaces.v[k], addrs[i].ifname);
		if (!in_zone)
			continue;
		struct cf_prefix net = addrs[i].addr, host = addrs[i].addr;
		unsigned int b, max = net.family == AF_INET ? 32 : 128;

		for (b = net.len; b < max; b++)
			net.addr[b / 8] &= ~(0x80 >> (b % 8));
		host.len = max;
		*CF_VEC_PUSH(cfg->local) = net;
		*CF_VEC_PUSH(cfg->router) = host;
	}
	for (i = 0; i < cfg->policies.n; i++) {
		for (j = 0; j < cfg->policies.v[i].rules.n; j++) {
			struct cf_rule *r = &cfg->policies.v[i].rules.v[j];
			const struct cf_prefix *src;
			size_t cnt;

			if (r->dst_kind != CF_DST_LOCAL && r->dst_kind != CF_DST_ROUTER)
				continue;
			src = r->dst_kind == CF_DST_LOCAL ? cfg->local.v : cfg->router.v;
			cnt = r->dst_kind == CF_DST_LOCAL ? cfg->local.n : cfg->router.n;
			r->dsts.n = 0;
			for (k = 0; k < cnt; k++)
				*CF_VEC_PUSH(r->dsts) = src[k];
		}
	}
	cfg->bound = 1;
}

size_t camfence_policy_bind_names(struct cf_config *cfg, cf_name_lookup_fn lookup, void *ctx)
{
	struct cf_prefix found[64];
	size_t i, j, k, l, changed = 0;

	for (i = 0; i < cfg->policies.n; i++) {
		for (j = 0; j < cfg->policies.v[i].rules.n; j++) {
			struct cf_rule *r = &cfg->policies.v[i].rules.v[j];
			const struct cf_set *set;
			size_t before;
			struct cf_prefix *old;

			if (r->dst_set < 0 || !cfg->sets.v[r->dst_set].names.n)
				continue;
			set = &cfg->sets.v[r->dst_set];
			before = r->dsts.n;
			old = before > r->static_dsts ?
			      malloc((before - r->static_dsts) * sizeof(*old)) : NULL;
			if (old)
				memcpy(old, r->dsts.v + r->static_dsts,
				       (before - r->static_dsts) * sizeof(*old));
			r->dsts.n = r->static_dsts;
			for (k = 0; k < set->names.n; k++) {
				size_t n = lookup(set->names.v[k].host, found,
						  sizeof(found) / sizeof(found[0]), ctx);

				for (l = 0; l < n; l++)
					*CF_VEC_PUSH(r->dsts) = found[l];
			}
			if (r->dsts.n != before ||
			    (old && memcmp(old, r->dsts.v + r->static_dsts,
					   (before - r->static_dsts) * sizeof(*old))))
				changed++;
			free(old);
		}
	}
	return changed;
}

int camfence_policy_uses_learned(const struct cf_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->policies.n; i++)
		for (j = 0; j < cfg->policies.v[i].rules.n; j++)
			if (cfg->policies.v[i].rules.v[j].dst_kind == CF_DST_LEARNED)
				return 1;
	return 0;
}

int camfence_policy_uses_names(const struct cf_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->sets.n; i++)
		if (cfg->sets.v[i].names.n)
			return 1;
	return 0;
}

int camfence_policy_uses_local(const struct cf_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->policies.n; i++)
		for (j = 0; j < cfg->policies.v[i].rules.n; j++)
			if (cfg->policies.v[i].rules.v[j].dst_kind == CF_DST_LOCAL ||
			    cfg->policies.v[i].rules.v[j].dst_kind == CF_DST_ROUTER)
				return 1;
	return 0;
}
