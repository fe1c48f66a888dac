// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced: the policy file into the XDP maps, and the program onto the
 * zone interfaces. A bad file or a failed push leaves the running policy
 * in force and says so.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "camfenced.h"
#include "ifaddrs_bind.h"
#include "log.h"

/* A zone interface that does not exist yet (a VLAN or a USB NIC the
 * network brings up after camfenced started) is left out and said; when it
 * appears, rtnetlink tells, and the policy is loaded again with it. */
static int resolve_ifindex(const char *name, void *ctx)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx)
		camfence_log(LOG_WARNING, "zone interface %s does not exist (yet): it is enforced when it appears",
			     name);
	return (int)idx;
}

void camfenced_policy_free(struct generation *g)
{
	free(g->rule_buckets);
	free(g->default_buckets);
	camfence_policy_compiled_free(g->compiled);
	camfence_policy_free(g->cfg);
	memset(g, 0, sizeof(*g));
}

struct generation *camfenced_policy_generation(struct daemon *d, __u64 number)
{
	if (number && number == d->cur.number)
		return &d->cur;
	if (number && number == d->prev.number)
		return &d->prev;
	return NULL;
}

void camfenced_policy_names(struct daemon *d, const struct generation *g, __u32 device_id,
			    const __u8 mac[6], struct cf_flow_names *out)
{
	memset(out, 0, sizeof(*out));
	out->vendor = d->oui ? camfence_oui_org(d->oui, mac) : NULL;
	if (!g || !g->compiled || !device_id || device_id >= g->compiled->devices.n)
		return;
	const struct cf_device_ref *ref = &g->compiled->devices.v[device_id];
	const struct cf_config *cfg = g->cfg;

	if (ref->group >= 0 && (size_t)ref->group < cfg->groups.n)
		out->group = cfg->groups.v[ref->group].name;
	if (ref->member_group >= 0 && (size_t)ref->member_group < cfg->groups.n) {
		const struct cf_group *mg = &cfg->groups.v[ref->member_group];

		if (ref->member >= 0 && (size_t)ref->member < mg->members.n &&
		    mg->members.v[ref->member].kind == CF_MEMBER_DEVICE &&
		    mg->members.v[ref->member].ref >= 0 &&
		    (size_t)mg->members.v[ref->member].ref < cfg->devices.n)
			out->device = cfg->devices.v[mg->members.v[ref->member].ref].name;
	}
}

struct attachment *camfenced_policy_attachment(struct daemon *d, int ifindex)
{
	size_t i;

	for (i = 0; i < d->natt; i++)
		if (d->att[i].ifindex == ifindex)
			return &d->att[i];
	return NULL;
}

const char *camfenced_policy_mode_name(enum camfence_attach_mode m)
{
	return m == CAMFENCE_ATTACH_NATIVE ? "native" : "generic";
}

int camfenced_policy_zone_iface(const struct daemon *d, const char *ifname)
{
	const struct cf_config *cfg = d->cur.cfg;
	size_t i, j;

	for (i = 0; cfg && i < cfg->zones.n; i++)
		for (j = 0; j < cfg->zones.v[i].ifaces.n; j++)
			if (!strcmp(cfg->zones.v[i].ifaces.v[j], ifname))
				return 1;
	return 0;
}

/* Attach to the interfaces of the new policy, detach from those it left.
 * Attaching over the program a previous camfenced left replaces it in one
 * step: the interface is never without a filter. */
static int reconcile_attachments(struct daemon *d, const struct cf_compiled *c)
{
	size_t i, j;
	int ret, failed = 0;

	for (i = 0; i < c->ifaces.n && !d->no_xdp; i++) {
		struct attachment *a;

		if (camfenced_policy_attachment(d, c->ifaces.v[i].key.ifindex))
			continue;
		a = &d->att[d->natt];
		a->ifindex = c->ifaces.v[i].key.ifindex;
		snprintf(a->name, sizeof(a->name), "%s", c->iface_names.v[i]);
		ret = camfence_loader_attach(d->loader, a->ifindex, &a->mode);
		if (ret) {
			camfence_log(LOG_ERR, "interface %s: cannot attach the XDP program: %s",
				     a->name, strerror(-ret));
			failed = ret;
			continue;
		}
		camfence_log(LOG_INFO, "interface %s: XDP attached (%s mode)", a->name,
			     camfenced_policy_mode_name(a->mode));
		d->natt++;
	}
	for (i = 0; i < d->natt;) {
		for (j = 0; j < c->ifaces.n; j++)
			if (c->ifaces.v[j].key.ifindex == (__u32)d->att[i].ifindex)
				break;
		if (j < c->ifaces.n) {
			i++;
			continue;
		}
		camfence_loader_detach(d->loader, d->att[i].ifindex, d->att[i].mode);
		camfence_log(LOG_INFO, "interface %s: no longer in a zone, XDP detached",
			     d->att[i].name);
		d->att[i] = d->att[--d->natt];
	}
	return failed;
}

void camfenced_policy_detach_all(struct daemon *d)
{
	while (d->natt) {
		struct attachment *a = &d->att[--d->natt];
		int ret = camfence_loader_detach(d->loader, a->ifindex, a->mode);

		if (ret)
			camfence_log(LOG_ERR, "interface %s: cannot detach: %s", a->name,
				     strerror(-ret));
		else
			camfence_log(LOG_NOTICE, "interface %s: XDP detached, enforcement lifted",
				     a->name);
	}
}

/* What stays in force when a policy cannot be loaded. */
static const char *running_policy(const struct daemon *d, char *buf, size_t len)
{
	__u64 gen = camfence_loader_generation(d->loader);

	if (!gen)
		return "no policy was loaded";
	snprintf(buf, len, "the running policy (generation %llu) stays in force",
		 (unsigned long long)gen);
	return buf;
}

static void log_first_lines(int prio, char *const *msgs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		/* syslog gets the first line; the caret is for terminals */
		const char *nl = strchr(msgs[i], '\n');

		camfence_log(prio, "%.*s", nl ? (int)(nl - msgs[i]) : (int)strlen(msgs[i]), msgs[i]);
	}
}

/* Compile g's policy and push it; on success g becomes the running
 * generation. g->cfg may be the running generation's own (a rebind):
 * generations then share it, and it is freed with the last of them. On any
 * error the running policy stays as it is and the reason is logged. */
struct stage {
	struct daemon *d;
	const struct cf_config *cfg;
};

static int stage_learned(struct cf_compiled *c, void *ctx)
{
	struct stage *s = ctx;

	return camfenced_learned_stage(s->d, c, s->cfg);
}

static int install(struct daemon *d, struct generation *g, const char *why_new)
{
	char why[512], keep[80];
	struct stage stage_ctx;
	int ret;

	ret = camfence_policy_compile(g->cfg, camfence_loader_next_slot(d->loader), resolve_ifindex,
				      NULL, &g->compiled, why, sizeof(why));
	if (ret) {
		camfence_log(LOG_ERR, "%s; %s", why, running_policy(d, keep, sizeof(keep)));
		return ret;
	}
	g->rule_buckets = calloc(g->compiled->rules.n + 1, sizeof(*g->rule_buckets));
	g->default_buckets = calloc(g->cfg->policies.n + 1, sizeof(*g->default_buckets));
	if (!g->rule_buckets || !g->default_buckets) {
		camfence_log(LOG_ERR, "%s: out of memory; %s", d->config_path,
			     running_policy(d, keep, sizeof(keep)));
		return -ENOMEM;
	}
	stage_ctx = (struct stage){ d, g->cfg };
	ret = camfence_loader_push_learned(d->loader, g->compiled, stage_learned, &stage_ctx);
	if (ret) {
		camfence_log(LOG_ERR, "%s: cannot write the policy maps: %s; %s", d->config_path,
			     strerror(-ret), running_policy(d, keep, sizeof(keep)));
		return ret;
	}
	g->number = camfence_loader_generation(d->loader);
	/* the generation dropped may share its policy with one kept */
	if (d->prev.cfg == d->cur.cfg || d->prev.cfg == g->cfg)
		d->prev.cfg = NULL;
	camfenced_policy_free(&d->prev);
	d->prev = d->cur;
	d->cur = *g;
	memset(g, 0, sizeof(*g));
	camfence_log(LOG_INFO, "policy %s %s: generation %llu, %zu devices, %zu interfaces",
		     d->config_path, why_new, (unsigned long long)d->cur.number,
		     d->cur.compiled->devices.n - 1, d->cur.compiled->ifaces.n);
	/* the module's refusal is logged; XDP enforces the new policy already */
	camfenced_kmod_push(d, &d->cur);
	camfenced_learned_reconcile(d);
	return reconcile_attachments(d, d->cur.compiled);
}

/* Parse the policy file and install it. */
static int load(struct daemon *d)
{
	struct generation g = { 0 };
	char keep[80];
	int ret;

	g.cfg = camfence_policy_parse_file_trust(d->config_path, CF_TRUST_REQUIRE);
	if (!g.cfg)
		return -ENOMEM;
	if (g.cfg->nerrors) {
		log_first_lines(LOG_ERR, g.cfg->errors, g.cfg->nerrors);
		camfence_log(LOG_ERR, "%s: %zu error%s; %s", d->config_path,
			     g.cfg->nerrors + g.cfg->nerrors_dropped, g.cfg->nerrors == 1 ? "" : "s",
			     running_policy(d, keep, sizeof(keep)));
		camfenced_policy_free(&g);
		return -EINVAL;
	}
	log_first_lines(LOG_WARNING, g.cfg->warnings, g.cfg->nwarnings);
	camfence_ifaddrs_bind(g.cfg);
	camfenced_names_want(d, g.cfg);
	ret = install(d, &g, "loaded");
	camfenced_policy_free(&g);
	return ret;
}

int camfenced_policy_rebind(struct daemon *d)
{
	struct generation g = { .cfg = d->cur.cfg };
	int ret;

	camfence_policy_bind_names(g.cfg, camfence_names_lookup, d->names);
	ret = install(d, &g, "compiled again for the addresses its names hold now");
	g.cfg = NULL;		/* the running generation's still */
	camfenced_policy_free(&g);
	return ret;
}

int camfenced_policy_load(struct daemon *d)
{
	int ret = load(d);

	if (ret)
		d->reloads_failed++;
	else
		d->reloads++;
	return ret;
}
