// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced: what the enforcement points report, turned into the flow view
 * and alerts. Events (the first packet of each blocked flow) come from the
 * ring buffer as they happen; the rest of a flow's packets are read from
 * the flow table once a second, so a flood costs counters, not lines.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "camfenced.h"
#include "log.h"

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* wall = mono + offset: for the flow table's CLOCK_MONOTONIC times */
static __s64 mono_to_wall_ns(void)
{
	struct timespec m, w;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &w);
	return ((__s64)w.tv_sec - m.tv_sec) * 1000000000LL + ((__s64)w.tv_nsec - m.tv_nsec);
}

/* The `log RATE` of the rule, or of the policy default, that decided. */
static int log_rate_allows(struct generation *g, const struct camfence_event *ev, __u64 now)
{
	const struct cf_config *cfg = g->cfg;

	if (ev->rule_id != CAMFENCE_RULE_DEFAULT && ev->rule_id < g->compiled->rules.n) {
		const struct cf_rule_ref *ref = &g->compiled->rules.v[ev->rule_id];
		const struct cf_rule *r = &cfg->policies.v[ref->policy].rules.v[ref->rule];

		return camfence_ratelimit_allow(&g->rule_buckets[ev->rule_id], now, r->log_rate,
						r->log_period);
	}
	if (ev->rule_id == CAMFENCE_RULE_DEFAULT && ev->policy_id < cfg->policies.n) {
		const struct cf_policy *p = &cfg->policies.v[ev->policy_id];

		return camfence_ratelimit_allow(&g->default_buckets[ev->policy_id], now,
						p->default_log_rate, p->default_log_period);
	}
	return 1;
}

void camfenced_events_handle(struct daemon *d, const struct camfence_event *ev,
			     struct generation *g)
{
	struct cf_flow_names names;
	struct cf_alert_names an;
	struct attachment *a;
	struct cf_sd_param sd[CAMFENCE_EVENTS_SD_MAX];
	char line[768], addrs[200];
	size_t nsd;
	__u64 now = mono_ns();

	camfenced_policy_names(d, g, ev->device_id, ev->mac, &names);
	camfence_flowtrack_event(d->flows, ev, &names, mono_to_wall_ns());
	if (g && !log_rate_allows(g, ev, now)) {
		camfence_alerts_rule_suppressed(d->alerts);
		return;
	}
	a = camfenced_policy_attachment(d, ev->ifindex);
	an.ifname = a ? a->name : NULL;
	an.device = names.device;
	an.vendor = names.vendor;
	an.addrs = camfence_flowtrack_addrs(d->flows, ev->mac, addrs, sizeof(addrs));
	camfence_events_format(ev, g ? g->cfg : NULL, g ? g->compiled : NULL, &an, line,
			       sizeof(line));
	nsd = camfence_events_sd(ev, g ? g->cfg : NULL, g ? g->compiled : NULL, &an, sd,
				 CAMFENCE_EVENTS_SD_MAX);
	if (ev->verdict == CAMFENCE_PASS) {
		/* `allow ... log`: a record, not an alarm */
		syslog(LOG_INFO, "%s", line);
		d->events_allowed++;
		return;
	}
	camfence_alerts_blocked(d->alerts, ev, line, sd, nsd, now, time(NULL));
}

int camfenced_events_on_ringbuf(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	const struct camfence_event *ev = data;

	d->events_read++;
	if (size < sizeof(*ev))
		return 0;
	camfenced_events_handle(d, ev, camfenced_policy_generation(d, ev->generation));
	return 0;
}

#define SYNC_MARGIN_NS	(100 * 1000000ULL)

struct sync_ctx {
	struct daemon *d;
	__s64 to_wall;
	__u64 now;
	__u64 since;	/* entries last seen before this have nothing new */
};

static int sync_flow(const struct camfence_flow_key *k, const struct camfence_flow *f, void *arg)
{
	struct sync_ctx *s = arg;
	struct cf_flow_names names;
	__u64 more;

	if (f->last_ns < s->since)
		return 0;
	camfenced_policy_names(s->d, camfenced_policy_generation(s->d, f->generation),
			       f->device_id, k->mac, &names);
	more = camfence_flowtrack_update_xdp(s->d->flows, k, f, &names, s->to_wall);
	if (more && f->verdict != CAMFENCE_PASS)
		camfence_alerts_more(s->d->alerts, k->mac, k->family, k->daddr, k->proto, k->dport,
				     more, s->now);
	return 0;
}

void camfenced_events_tick(struct daemon *d)
{
	struct sync_ctx s = { d, mono_to_wall_ns(), mono_ns(), d->synced_ns };
	__u64 st[__CAMFENCE_STAT_MAX];

	/* what is waiting first, so the flow sync does not count an event's
	 * packet before the event itself */
	ring_buffer__consume(d->rb);
	/* The first read takes every entry (a takeover finds the table full);
	 * later ones skip what was idle since the one before. The XDP clock is
	 * coarse (a jiffy), hence the margin. */
	if (!camfence_loader_flows(d->loader, sync_flow, &s))
		d->synced_ns = s.now > SYNC_MARGIN_NS ? s.now - SYNC_MARGIN_NS : 0;
	if (!camfence_loader_stats(d->loader, st))
		camfence_alerts_events_lost(d->alerts, st[CAMFENCE_STAT_EVENTS_LOST]);
	camfence_alerts_tick(d->alerts, s.now, time(NULL));
	if (d->remote)
		camfence_syslog_remote_flush(d->remote);
}

void camfenced_events_on_neigh(const struct camfence_neigh_event *ev, void *ctx)
{
	struct daemon *d = ctx;

	camfence_flowtrack_neigh(d->flows, ev->mac, ev->family, ev->addr, ev->gone);
}

/* Every alert line: local syslog(3), and the remote collector when there
 * is one, as RFC 5424 with the alert's fields as structured data. */
void camfenced_events_sink(void *ctx, int priority, const char *line, const struct cf_sd_param *sd,
			   size_t nsd)
{
	struct daemon *d = ctx;
	struct timespec now;
	char msg[2048];
	int n;

	syslog(priority, "%s", line);
	if (!d->remote)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	/* the first parameter says what the line is: blocked, repeated, ... */
	n = camfence_syslog_remote_format(msg, sizeof(msg), LOG_DAEMON | priority, &now, d->hostname,
					  "camfenced", getpid(),
					  nsd && !strcmp(sd[0].name, "event") ? sd[0].value : "alert",
					  CAMFENCE_SD_ID, sd, nsd, line);
	if (n > 0)
		camfence_syslog_remote_send(d->remote, msg, (size_t)n < sizeof(msg) ? (size_t)n :
					    sizeof(msg) - 1);
}
