// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced: `camfencectl propose [GROUP|DEVICE] [--since TIME]`: the flow
 * view's records of the devices asked for, with the names their
 * destinations are known by, handed to propose.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "camfenced.h"
#include "learned.h"
#include "log.h"
#include "propose.h"

/* A destination's name: what DNS told a device (by MAC) or what a policy
 * set's name resolved to (mac all zero). */
struct known {
	uint8_t mac[6];
	uint8_t family;
	uint8_t addr[16];
	const char *name, *from;
};

struct gather {
	struct daemon *d;
	const char *group;		/* devices of this group ... */
	const char *devname;		/* ... or of this name ... */
	const struct cf_device *dev;	/* (the named device, for its MACs) */
	const uint8_t *mac;		/* ... or this one; all NULL: every device */
	struct cf_propose_device *devs;
	size_t ndevs, capdevs;
	struct cf_propose_flow *flows;
	size_t nflows, capflows;
	struct known *known;
	size_t nknown, capknown;
	char (*devnames)[32];
	int nomem;
};

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	nv = realloc(v, (*cap ? *cap * 2 : 64) * size);
	if (nv)
		*cap = *cap ? *cap * 2 : 64;
	return nv;
}

static int known_cmp(const void *x, const void *y)
{
	const struct known *a = x, *b = y;
	int c = memcmp(a->mac, b->mac, 6);

	if (c)
		return c;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

static void known_add(struct gather *g, const uint8_t *mac, int family, const uint8_t *addr,
		      const char *name, const char *from)
{
	void *v = grow(g->known, &g->capknown, g->nknown, sizeof(*g->known));
	struct known *k;

	if (!v) {
		g->nomem = 1;
		return;
	}
	g->known = v;
	k = &g->known[g->nknown++];
	memset(k, 0, sizeof(*k));
	if (mac)
		memcpy(k->mac, mac, 6);
	k->family = family;
	memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
	k->name = name;
	k->from = from;
}

static void learned_one(const struct cf_learned_dest *ld, void *ctx)
{
	const char *names[1];

	if (camfence_learned_names(ld, names, 1))
		known_add(ctx, ld->dev.mac, ld->dst.family, ld->dst.addr, names[0],
			  "DNS told the device");
}

static const struct known *known_find(const struct gather *g, const uint8_t *mac, int family,
				      const uint8_t *addr)
{
	struct known key = { .family = family };

	if (mac)
		memcpy(key.mac, mac, 6);
	memcpy(key.addr, addr, family == AF_INET ? 4 : 16);
	return bsearch(&key, g->known, g->nknown, sizeof(key), known_cmp);
}

static bool wanted(const struct gather *g, const struct cf_flow_device_record *r)
{
	if (g->mac)
		return !memcmp(r->mac, g->mac, 6);
	if (g->group)
		return !strcmp(r->group, g->group);
	if (g->devname) {
		size_t i;

		/* named by the flow view, or found by the MACs the device line gives */
		if (!strcmp(r->name, g->devname))
			return true;
		for (i = 0; g->dev && i < g->dev->macs.n; i++)
			if (camfence_addr_mac_match(g->dev->macs.v[i].mac, g->dev->macs.v[i].len, r->mac))
				return true;
		return false;
	}
	return true;
}

static int device_take(const struct cf_flow_device_record *r, void *ctx)
{
	struct gather *g = ctx;
	void *v, *n;

	if (!wanted(g, r))
		return 0;
	v = grow(g->devs, &g->capdevs, g->ndevs, sizeof(*g->devs));
	if (v)
		g->devs = v;
	n = v ? realloc(g->devnames, g->capdevs * sizeof(*g->devnames)) : NULL;
	if (!n) {
		g->nomem = 1;
		return -ENOMEM;
	}
	g->devnames = n;
	memcpy(g->devnames[g->ndevs], r->name, 32);
	if (g->devname && !r->name[0])
		snprintf(g->devnames[g->ndevs], 32, "%s", g->devname);
	memcpy(g->devs[g->ndevs].mac, r->mac, 6);
	g->ndevs++;
	return 0;
}

static int device_held(const struct gather *g, const uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < g->ndevs; i++)
		if (!memcmp(g->devs[i].mac, mac, 6))
			return 1;
	return 0;
}

static int flow_take(const struct cf_flow_record *r, void *ctx)
{
	static const uint8_t none[6];
	struct gather *g = ctx;
	const struct known *k;
	struct cf_propose_flow *f;
	void *v;

	if (!device_held(g, r->mac))
		return 0;
	v = grow(g->flows, &g->capflows, g->nflows, sizeof(*g->flows));
	if (!v) {
		g->nomem = 1;
		return -ENOMEM;
	}
	g->flows = v;
	f = &g->flows[g->nflows++];
	*f = (struct cf_propose_flow){ .family = r->family, .proto = r->proto,
		.verdict = r->verdict, .dport = r->dport, .packets = r->packets, .bytes = r->bytes,
		.first_seen = r->first_seen, .last_seen = r->last_seen };
	memcpy(f->daddr, r->daddr, 16);
	k = known_find(g, r->mac, r->family, r->daddr);
	if (!k)
		k = known_find(g, none, r->family, r->daddr);
	if (k) {
		f->name = k->name;
		f->name_from = k->from;
	}
	return 0;
}

static void policy_names(struct gather *g)
{
	static const uint8_t none[6];
	struct cf_names_entry e;
	size_t i, j;

	for (i = 0; g->d->names && i < camfence_names_count(g->d->names); i++) {
		if (camfence_names_entry(g->d->names, i, &e))
			continue;
		for (j = 0; j < e.naddrs; j++)
			known_add(g, none, e.addrs[j].addr.family, e.addrs[j].addr.addr, e.host,
				  "a policy set resolves it");
	}
}

/* "NAME-proposed", NAME cut so that the whole is a policy name */
static void named(char out[CF_NAME_MAX], const char *base, const char *suffix)
{
	int keep = CF_NAME_MAX - 1 - (int)strlen(suffix);

	snprintf(out, CF_NAME_MAX, "%.*s%s", keep, base, suffix);
}

struct zones {
	struct cf_propose_zone v[CAMFENCE_MAX_IFACES];
	char text[CAMFENCE_MAX_IFACES][2][256];
	size_t n;
};

static void zone_add(struct zones *z, const struct cf_zone *cz)
{
	size_t i, off = 0, voff = 0;
	char *ifs, *vl;

	if (z->n == CAMFENCE_MAX_IFACES)
		return;
	ifs = z->text[z->n][0];
	vl = z->text[z->n][1];
	ifs[0] = vl[0] = '\0';
	for (i = 0; i < cz->ifaces.n && off < 255; i++)
		off += snprintf(ifs + off, 256 - off, "%s%s", i ? " " : "", cz->ifaces.v[i]);
	for (i = 0; i < cz->vlans.n && voff < 255; i++)
		voff += snprintf(vl + voff, 256 - voff, "%s%u", i ? " " : "", cz->vlans.v[i]);
	z->v[z->n++] = (struct cf_propose_zone){ .name = cz->name, .interfaces = ifs,
						 .vlans = vl[0] ? vl : NULL };
}

void camfenced_propose_reply(struct daemon *d, FILE *f, const char *arg, time_t since)
{
	const struct cf_config *cfg = d->cur.cfg;
	struct gather g = { .d = d };
	struct cf_propose p = { .since = since };
	char subject[80], group[CF_NAME_MAX], policy[CF_NAME_MAX], hex[13];
	struct zones *z = calloc(1, sizeof(*z));
	int group_idx = -1;
	uint8_t mac[6];
	size_t i;

	if (!cfg || !z) {
		fprintf(f, "error: propose: %s\n", z ? "no policy is loaded" : "out of memory");
		free(z);
		return;
	}
	if (!arg) {
		snprintf(subject, sizeof(subject), "every device");
		snprintf(group, sizeof(group), "proposed");
	} else {
		for (i = 0; i < cfg->groups.n && group_idx < 0; i++)
			if (!strcmp(cfg->groups.v[i].name, arg))
				group_idx = i;
		for (i = 0; group_idx < 0 && i < cfg->devices.n && !g.devname; i++)
			if (!strcmp(cfg->devices.v[i].name, arg)) {
				g.devname = arg;
				g.dev = &cfg->devices.v[i];
			}
		if (group_idx >= 0) {
			g.group = arg;
			snprintf(subject, sizeof(subject), "group %s", arg);
			snprintf(group, sizeof(group), "%s", arg);
		} else if (g.devname) {
			snprintf(subject, sizeof(subject), "device %s", arg);
			named(group, arg, "-alone");
		} else if (!camfence_addr_parse_mac(arg, mac)) {
			g.mac = mac;
			snprintf(subject, sizeof(subject), "device %s", arg);
			for (i = 0; i < 6; i++)
				snprintf(hex + 2 * i, 3, "%02x", mac[i]);
			snprintf(group, sizeof(group), "dev-%s", hex);
		} else {
			fprintf(f, "error: propose: '%.64s' is no group or named device of the running policy (%s), nor a MAC address\n",
				arg, d->config_path);
			free(z);
			return;
		}
	}
	named(policy, group, "-proposed");
	/* the view as of now, not as of the last tick */
	camfenced_events_tick(d);
	if (d->learned)
		camfence_learned_foreach(d->learned, learned_one, &g);
	policy_names(&g);
	qsort(g.known, g.nknown, sizeof(*g.known), known_cmp);
	camfence_flowtrack_walk(d->flows, device_take, NULL, &g);
	if (!g.nomem && g.ndevs)
		camfence_flowtrack_walk(d->flows, NULL, flow_take, &g);
	if (g.nomem) {
		fprintf(f, "error: propose: out of memory\n");
		goto out;
	}
	if (!g.ndevs) {
		fprintf(f, "error: propose: camfenced has seen no traffic of %s yet\n", subject);
		goto out;
	}
	for (i = 0; i < g.ndevs; i++)
		g.devs[i].name = g.devnames[i];
	if (group_idx >= 0 && cfg->groups.v[group_idx].zone_idx >= 0)
		zone_add(z, &cfg->zones.v[cfg->groups.v[group_idx].zone_idx]);
	else
		for (i = 0; i < cfg->zones.n; i++)
			zone_add(z, &cfg->zones.v[i]);
	p.subject = subject;
	p.group = group;
	p.policy = policy;
	p.devices = g.devs;
	p.ndevices = g.ndevs;
	p.zones = z->v;
	p.nzones = z->n;
	p.local = cfg->local.v;
	p.nlocal = cfg->local.n;
	p.router = cfg->router.v;
	p.nrouter = cfg->router.n;
	p.flows = g.flows;
	p.nflows = g.nflows;
	fprintf(f, "ok\n");
	if (camfence_propose_write(&p, f))
		fprintf(f, "# error: the proposal is incomplete: %s\n", strerror(errno));
out:
	free(g.devs);
	free(g.devnames);
	free(g.flows);
	free(g.known);
	free(z);
}
