// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced's metrics: what `camfencectl status`, `devices` and `rules`
 * show, as a Prometheus exposition (metrics.c formats it), for
 * `camfencectl metrics` and for the --metrics-file node_exporter's textfile
 * collector reads. docs/daemon.md lists every family.
 *
 * The file is rewritten every --metrics-interval seconds from the
 * one-second timer, and once more when camfenced stops; it is left in
 * place then, its camfence_metrics_written_timestamp_seconds telling how
 * old it is. A failed write never touches enforcement: it is logged once
 * for a streak of failures, and once when writing works again.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "camfenced.h"
#include "kmod_client.h"
#include "log.h"
#include "metrics.h"

#define L(n, v)	((struct cf_label){ (n), (v) })

/* Collecting stops at the formatter's first refusal: a bug, said once. */
struct collect {
	struct cf_metrics m;
	int err;
};

static void family(struct collect *c, const char *name, enum cf_metric_type type,
		   const char *help)
{
	if (!c->err && camfence_metrics_family(&c->m, name, type, help))
		c->err = errno ? errno : EINVAL;
}

static void value(struct collect *c, const struct cf_label *l, size_t n, __u64 v)
{
	if (!c->err && camfence_metrics_u64(&c->m, l, n, v))
		c->err = errno ? errno : EINVAL;
}

static void fvalue(struct collect *c, const struct cf_label *l, size_t n, double v)
{
	if (!c->err && camfence_metrics_double(&c->m, l, n, v))
		c->err = errno ? errno : EINVAL;
}

static void one(struct collect *c, const char *name, enum cf_metric_type type, const char *help,
		__u64 v)
{
	family(c, name, type, help);
	value(c, NULL, 0, v);
}

/* A counter with one label of two values, as passed/dropped. */
static void pair(struct collect *c, const char *name, const char *help, const char *label,
		 const char *a, __u64 va, const char *b, __u64 vb)
{
	struct cf_label l;

	family(c, name, CF_METRIC_COUNTER, help);
	l = L(label, a);
	value(c, &l, 1, va);
	l = L(label, b);
	value(c, &l, 1, vb);
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the one-second timer may come a little early: a write is due then too */
#define DUE_MARGIN_NS	(500 * 1000000ULL)

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Every load, whoever made it (SIGHUP, camfencectl reload, a link that
 * appeared, names resolved anew), shows as a new generation: its time is
 * taken when it is first seen here, within the second. */
static void track_generation(struct daemon *d)
{
	__u64 gen = d->loader ? camfence_loader_generation(d->loader) : 0;

	if (gen != d->metrics.generation) {
		d->metrics.generation = gen;
		d->metrics.loaded = time(NULL);
	}
}

static void daemon_metrics(struct collect *c, struct daemon *d)
{
	struct cf_label l = L("version", CAMFENCE_VERSION);
	size_t i;

	family(c, "camfence_build_info", CF_METRIC_GAUGE, "camfenced's version, as a label; always 1.");
	value(c, &l, 1, 1);
	one(c, "camfence_daemon_start_time_seconds", CF_METRIC_GAUGE,
	    "When camfenced started, in seconds since the epoch.", d->started);
	family(c, "camfence_metrics_written_timestamp_seconds", CF_METRIC_GAUGE,
	       "When these metrics were collected, in seconds since the epoch: an old value means camfenced stopped writing them.");
	fvalue(c, NULL, 0, wall_now());
	if (d->metrics.path)
		one(c, "camfence_metrics_interval_seconds", CF_METRIC_GAUGE,
		    "How often camfenced rewrites its metrics file (--metrics-interval).",
		    d->metrics.interval);
	one(c, "camfence_metrics_write_failures_total", CF_METRIC_COUNTER,
	    "Writes of the metrics file that failed; syslog says why.", d->metrics.write_failures);

	one(c, "camfence_policy_generation", CF_METRIC_GAUGE,
	    "The generation of the policy XDP enforces; every load makes a new one.",
	    d->metrics.generation);
	one(c, "camfence_policy_loaded_timestamp_seconds", CF_METRIC_GAUGE,
	    "When the current generation was loaded, in seconds since the epoch.",
	    d->metrics.loaded);
	one(c, "camfence_policy_loads_total", CF_METRIC_COUNTER,
	    "Loads of the policy file that succeeded, the one at start included.", d->reloads);
	one(c, "camfence_policy_load_failures_total", CF_METRIC_COUNTER,
	    "Loads of the policy file that failed; the running policy stayed in force.",
	    d->reloads_failed);
	family(c, "camfence_interface_attached", CF_METRIC_GAUGE,
	       "Zone interfaces the XDP program is attached to, 1 each, with the mode of attachment.");
	for (i = 0; i < d->natt; i++) {
		struct cf_label il[2] = {
			L("interface", d->att[i].name),
			L("mode", camfenced_policy_mode_name(d->att[i].mode)),
		};

		value(c, il, 2, 1);
	}
}

static void xdp_metrics(struct collect *c, struct daemon *d)
{
	__u64 st[__CAMFENCE_STAT_MAX] = { 0 };

	if (d->loader)
		camfence_loader_stats(d->loader, st);
	pair(c, "camfence_xdp_packets_total",
	     "Packets the XDP program decided on zone interfaces, by verdict.", "verdict",
	     "allowed", st[CAMFENCE_STAT_PASS_PKTS], "dropped", st[CAMFENCE_STAT_DROP_PKTS]);
	pair(c, "camfence_xdp_bytes_total",
	     "Bytes of the packets the XDP program decided, by verdict.", "verdict",
	     "allowed", st[CAMFENCE_STAT_PASS_BYTES], "dropped", st[CAMFENCE_STAT_DROP_BYTES]);
	one(c, "camfence_xdp_malformed_packets_total", CF_METRIC_COUNTER,
	    "Packets the XDP program dropped as malformed (truncated headers, IP options that route, ...).",
	    st[CAMFENCE_STAT_MALFORMED]);
	one(c, "camfence_xdp_unmanaged_packets_total", CF_METRIC_COUNTER,
	    "Packets of no zone the policy manages, let through untouched.",
	    st[CAMFENCE_STAT_UNMANAGED]);
	one(c, "camfence_xdp_flow_cache_hits_total", CF_METRIC_COUNTER,
	    "Packets decided from the microflow cache.", st[CAMFENCE_STAT_FLOW_CACHE_HITS]);
	one(c, "camfence_xdp_events_total", CF_METRIC_COUNTER,
	    "Events the XDP program put on its ring buffer (blocked or logged first packets).",
	    st[CAMFENCE_STAT_EVENTS]);
	one(c, "camfence_xdp_events_lost_total", CF_METRIC_COUNTER,
	    "Events the XDP program could not report: its ring buffer was full.",
	    st[CAMFENCE_STAT_EVENTS_LOST]);
	one(c, "camfence_xdp_events_read_total", CF_METRIC_COUNTER,
	    "Events camfenced took off the ring buffer.", d->events_read);
}

static void module_metrics(struct collect *c, struct daemon *d)
{
	struct camfence_kmod_counters kc;
	char version[64];
	unsigned int api;
	int loaded = !camfence_kmod_client_version(version, sizeof(version), &api);

	one(c, "camfence_module_loaded", CF_METRIC_GAUGE, "1 when camfence.ko is loaded.", loaded);
	one(c, "camfence_module_enforcing", CF_METRIC_GAUGE,
	    "1 when camfenced pushes its policy to camfence.ko.", d->kmod != NULL);
	one(c, "camfence_module_push_failures_total", CF_METRIC_COUNTER,
	    "Policies camfence.ko refused; it kept its generation.", d->kmod_push_failures);
	if (d->kmod_events) {
		struct camfence_kmod_event_stats es;

		camfence_kmod_events_stats(d->kmod_events, &es);
		one(c, "camfence_module_events_read_total", CF_METRIC_COUNTER,
		    "Events camfenced read from camfence.ko.", es.delivered);
		one(c, "camfence_module_event_overruns_total", CF_METRIC_COUNTER,
		    "Times camfence.ko's event socket overran: events were lost, how many is unknown.",
		    es.overruns);
	}
	if (!d->kmod || camfence_kmod_counters(d->kmod, &kc, NULL, NULL, NULL))
		return;
	one(c, "camfence_module_generation", CF_METRIC_GAUGE,
	    "camfence.ko's own number for its live policy.", kc.generation);
	pair(c, "camfence_module_packets_total",
	     "Packets camfence.ko decided in the FORWARD hook, by verdict.", "verdict",
	     "allowed", kc.stats[CAMFENCE_STAT_PASS_PKTS], "dropped", kc.stats[CAMFENCE_STAT_DROP_PKTS]);
	pair(c, "camfence_module_bytes_total", "Bytes of the packets camfence.ko decided, by verdict.",
	     "verdict", "allowed", kc.stats[CAMFENCE_STAT_PASS_BYTES], "dropped",
	     kc.stats[CAMFENCE_STAT_DROP_BYTES]);
	one(c, "camfence_module_malformed_packets_total", CF_METRIC_COUNTER,
	    "Packets camfence.ko dropped as malformed.", kc.stats[CAMFENCE_STAT_MALFORMED]);
	one(c, "camfence_module_events_total", CF_METRIC_COUNTER,
	    "Events camfence.ko sent.", kc.stats[CAMFENCE_STAT_EVENTS]);
	one(c, "camfence_module_events_lost_total", CF_METRIC_COUNTER,
	    "Events camfence.ko could not send.", kc.stats[CAMFENCE_STAT_EVENTS_LOST]);
}

static void alert_metrics(struct collect *c, struct daemon *d)
{
	struct cf_alerts_stats as = { 0 };
	struct cf_flowtrack_stats fs = { 0 };
	static const char *const reasons[] = { "device_limit", "overall_limit", "rule_rate" };
	__u64 suppressed[3];
	struct cf_label l;
	size_t i;

	if (d->alerts)
		camfence_alerts_stats(d->alerts, &as);
	if (d->flows)
		camfence_flowtrack_stats(d->flows, &fs);
	one(c, "camfence_alerts_total", CF_METRIC_COUNTER,
	    "Alert lines for blocked attempts sent to syslog.", as.emitted);
	one(c, "camfence_alert_summaries_total", CF_METRIC_COUNTER,
	    "Summary lines (\"N more\") for repeated attempts.", as.summaries);
	one(c, "camfence_alerts_aggregated_total", CF_METRIC_COUNTER,
	    "Blocked attempts counted into summaries instead of lines of their own.", as.aggregated);
	suppressed[0] = as.suppressed_device;
	suppressed[1] = as.suppressed_total;
	suppressed[2] = as.suppressed_rule;
	family(c, "camfence_alerts_suppressed_total", CF_METRIC_COUNTER,
	       "Alert lines not sent: over --alert-rate for the device, over --alert-total, or over a rule's log rate.");
	for (i = 0; i < 3; i++) {
		l = L("reason", reasons[i]);
		value(c, &l, 1, suppressed[i]);
	}
	one(c, "camfence_allowed_logged_total", CF_METRIC_COUNTER,
	    "Packets of `allow ... log` rules logged.", d->events_allowed);
	if (d->remote) {
		uint64_t sent, dropped;

		camfence_syslog_remote_stats(d->remote, &sent, &dropped);
		one(c, "camfence_syslog_remote_sent_total", CF_METRIC_COUNTER,
		    "Alert messages sent to the --syslog-remote collector.", sent);
		one(c, "camfence_syslog_remote_dropped_total", CF_METRIC_COUNTER,
		    "Alert messages the --syslog-remote collector did not get.", dropped);
	}
	one(c, "camfence_tracked_devices", CF_METRIC_GAUGE,
	    "Devices the flow view holds (at most --max-devices).", fs.devices);
	one(c, "camfence_tracked_flows", CF_METRIC_GAUGE,
	    "Flows the flow view holds (at most --max-flows).", fs.flows);
	one(c, "camfence_tracked_devices_evicted_total", CF_METRIC_COUNTER,
	    "Devices the flow view forgot to stay within --max-devices.", fs.devices_evicted);
	one(c, "camfence_tracked_flows_evicted_total", CF_METRIC_COUNTER,
	    "Flows the flow view forgot to stay within --max-flows.", fs.flows_evicted);
}

/* The zone a device was seen in: its group's zone, or the only zone there
 * is (XDP sees nothing outside the zones); "" when neither says. */
static const char *device_zone(const struct cf_config *cfg, const char *group)
{
	size_t i;

	if (!cfg)
		return "";
	for (i = 0; group[0] && i < cfg->groups.n; i++)
		if (!strcmp(cfg->groups.v[i].name, group) && cfg->groups.v[i].zone[0])
			return cfg->groups.v[i].zone;
	return cfg->zones.n == 1 ? cfg->zones.v[0].name : "";
}

static const char *jstring(json_object *o, const char *key)
{
	json_object *x;

	return json_object_object_get_ex(o, key, &x) && x ? json_object_get_string(x) : "";
}

static __u64 jnumber(json_object *o, const char *key)
{
	json_object *x;

	return json_object_object_get_ex(o, key, &x) ? (__u64)json_object_get_int64(x) : 0;
}

/* From the flow view, as `camfencectl devices` shows it: one series per
 * device and verdict, never per flow. */
static void device_metrics(struct collect *c, struct daemon *d)
{
	static const struct {
		const char *name, *help, *allowed, *dropped;
	} fams[] = {
		{ "camfence_device_packets_total",
		  "Packets of each device the flow view holds, by verdict.",
		  "passed_packets", "blocked_packets" },
		{ "camfence_device_bytes_total",
		  "Bytes of each device the flow view holds, by verdict.",
		  "passed_bytes", "blocked_bytes" },
	};
	json_object *root = d->flows ? camfence_flowtrack_devices_json(d->flows) : NULL, *devs;
	size_t f, i, n;

	devs = root ? json_object_object_get(root, "devices") : NULL;
	n = devs ? json_object_array_length(devs) : 0;
	for (f = 0; f < 2; f++) {
		family(c, fams[f].name, CF_METRIC_COUNTER, fams[f].help);
		for (i = 0; i < n; i++) {
			json_object *x = json_object_array_get_idx(devs, i);
			struct cf_label l[5] = {
				L("mac", jstring(x, "mac")),
				L("device", jstring(x, "name")),
				L("group", jstring(x, "group")),
				L("zone", device_zone(d->cur.cfg, jstring(x, "group"))),
				L("verdict", "allowed"),
			};

			value(c, l, 5, jnumber(x, fams[f].allowed));
			l[4] = L("verdict", "dropped");
			value(c, l, 5, jnumber(x, fams[f].dropped));
		}
	}
	json_object_put(root);
}

/* The live generation's rules, as `camfencectl rules` shows them. */
static void rule_metrics(struct collect *c, struct daemon *d)
{
	const struct cf_compiled *cc = d->cur.compiled;
	const struct cf_config *cfg = d->cur.cfg;
	struct camfence_rule_counters *rc;
	size_t nrules = cc && d->loader ? cc->rules.n : 0, i, f;
	char (*where)[300];

	rc = calloc(nrules + 1, sizeof(*rc));
	where = calloc(nrules + 1, sizeof(*where));
	if (!rc || !where) {
		c->err = ENOMEM;
		goto out;
	}
	for (f = 0; f < 2; f++) {
		family(c, f ? "camfence_rule_bytes_total" : "camfence_rule_packets_total",
		       CF_METRIC_COUNTER,
		       f ? "Bytes of the packets each rule of the live policy decided; from 0 at each generation."
			 : "Packets each rule of the live policy decided; from 0 at each generation.");
		for (i = 0; i < nrules; i++) {
			const struct cf_policy *pol = &cfg->policies.v[cc->rules.v[i].policy];
			const struct cf_rule *r = &pol->rules.v[cc->rules.v[i].rule];
			struct cf_label l[3];

			if (!f) {
				snprintf(where[i], sizeof(where[i]), "%s:%u",
					 camfence_policy_file(cfg, r->loc), r->loc.line);
				/* a rule beyond the counted ones has no series */
				if (camfence_loader_rule_counters(d->loader, i, &rc[i]))
					where[i][0] = '\0';
			}
			if (!where[i][0])
				continue;
			l[0] = L("policy", pol->name);
			l[1] = L("rule", where[i]);
			l[2] = L("verdict", r->verdict == CAMFENCE_DROP ? "deny" : "allow");
			value(c, l, 3, f ? rc[i].bytes : rc[i].packets);
		}
	}
out:
	free(rc);
	free(where);
}

int camfenced_metrics_print(struct daemon *d, FILE *f)
{
	struct collect c = { .err = 0 };

	track_generation(d);
	camfence_metrics_init(&c.m, f);
	daemon_metrics(&c, d);
	xdp_metrics(&c, d);
	module_metrics(&c, d);
	alert_metrics(&c, d);
	device_metrics(&c, d);
	rule_metrics(&c, d);
	camfence_metrics_release(&c.m);
	if (c.err) {
		camfence_log(LOG_ERR, "metrics: the exposition is not valid (%s); this is a bug",
			     strerror(c.err));
		errno = c.err;
		return -1;
	}
	return 0;
}

void camfenced_metrics_reply(struct daemon *d, FILE *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int ret;

	/* the counts as of now, as `devices` and `rules` give them */
	camfenced_events_tick(d);
	m = open_memstream(&buf, &len);
	if (!m) {
		fprintf(f, "error: metrics: %s\n", strerror(errno));
		return;
	}
	ret = camfenced_metrics_print(d, m);
	if (fclose(m) || ret)
		fprintf(f, "error: metrics: cannot collect them (%s); syslog has more\n",
			strerror(errno));
	else
		fprintf(f, "ok\n%s", buf);
	free(buf);
}

static void write_file(struct daemon *d)
{
	struct metrics_file *mf = &d->metrics;
	char *buf = NULL, err[PATH_MAX + 256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret = -1;

	if (!f) {
		snprintf(err, sizeof(err), "metrics file %s: %s", mf->path, strerror(errno));
	} else {
		ret = camfenced_metrics_print(d, f);
		if (fclose(f) || ret) {
			snprintf(err, sizeof(err), "metrics file %s: %s", mf->path, strerror(errno));
			ret = -1;
		} else {
			ret = camfence_metrics_write_file(mf->path, buf, len, err, sizeof(err));
		}
	}
	free(buf);
	if (ret) {
		mf->write_failures++;
		/* once per streak: a full disk must not fill the log it shares */
		if (!mf->failing)
			camfence_log(LOG_ERR, "%s; enforcement goes on, and so do the tries every %us",
				     err, mf->interval);
		mf->failing = 1;
		return;
	}
	if (mf->failing)
		camfence_log(LOG_NOTICE, "metrics file %s is written again (%llu writes had failed)",
			     mf->path, (unsigned long long)mf->write_failures);
	mf->failing = 0;
}

void camfenced_metrics_start(struct daemon *d)
{
	track_generation(d);
	if (!d->metrics.path)
		return;
	d->metrics.due_ns = mono_ns() + d->metrics.interval * 1000000000ULL - DUE_MARGIN_NS;
	write_file(d);
}

void camfenced_metrics_tick(struct daemon *d)
{
	__u64 now = mono_ns();

	track_generation(d);
	if (!d->metrics.path || !d->metrics.due_ns || now < d->metrics.due_ns)
		return;
	d->metrics.due_ns = now + d->metrics.interval * 1000000000ULL - DUE_MARGIN_NS;
	write_file(d);
}

void camfenced_metrics_stop(struct daemon *d)
{
	if (d->metrics.path && d->metrics.due_ns)
		write_file(d);
}
