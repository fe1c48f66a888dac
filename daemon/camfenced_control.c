// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced: the control socket's commands (control.h has the protocol).
 * A request is "COMMAND [ARG] [--json] [--since=@EPOCH] [--detach]"; every
 * listing is built once and written as text or as JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "camfenced.h"
#include "control.h"
#include "kmod_client.h"
#include "log.h"
#include "ratelimit.h"

#define MAX_WORDS 4

struct request {
	const char *cmd;
	const char *arg;	/* one positional argument, or NULL */
	int json;
	int detach;
	int has_since;
	time_t since;
};

static int parse_request(char *line, struct request *r, char *err, size_t errlen)
{
	char *save = NULL, *w;
	int n = 0;

	memset(r, 0, sizeof(*r));
	for (w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (++n > MAX_WORDS) {
			snprintf(err, errlen, "too many words in the request");
			return -1;
		}
		if (!r->cmd) {
			r->cmd = w;
		} else if (!strcmp(w, "--json")) {
			r->json = 1;
		} else if (!strcmp(w, "--detach")) {
			r->detach = 1;
		} else if (!strncmp(w, "--since=@", 9)) {
			char *end;
			long long v;

			errno = 0;
			v = strtoll(w + 9, &end, 10);
			if (errno || end == w + 9 || *end || v < 0) {
				snprintf(err, errlen, "'%.40s' is not --since=@EPOCH", w);
				return -1;
			}
			r->since = (time_t)v;
			r->has_since = 1;
		} else if (w[0] == '-') {
			snprintf(err, errlen, "unknown option '%.40s'", w);
			return -1;
		} else if (!r->arg) {
			r->arg = w;
		} else {
			snprintf(err, errlen, "too many arguments");
			return -1;
		}
	}
	if (!r->cmd) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	return 0;
}

static void emit_json(FILE *f, json_object *o)
{
	fprintf(f, "ok\n%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void jadd_u64(json_object *o, const char *k, __u64 v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static void jadd_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void monitored(json_object *arr, const char *what, const char *name, enum cf_mode mode)
{
	char buf[64];

	if (mode != CF_MODE_MONITOR)
		return;
	snprintf(buf, sizeof(buf), "%s %s", what, name);
	json_object_array_add(arr, json_object_new_string(buf));
}

static json_object *status_json(struct daemon *d)
{
	__u64 st[__CAMFENCE_STAT_MAX] = { 0 };
	json_object *o = json_object_new_object(), *ifs = json_object_new_array(), *x;
	struct cf_flowtrack_stats fs;
	struct cf_alerts_stats as;
	char version[64];
	unsigned int api;
	size_t i;
	int kret;

	camfence_loader_stats(d->loader, st);
	camfence_flowtrack_stats(d->flows, &fs);
	camfence_alerts_stats(d->alerts, &as);

	jadd_str(o, "version", CAMFENCE_VERSION);
	jadd_u64(o, "pid", getpid());
	jadd_u64(o, "uptime_s", time(NULL) - d->started);
	jadd_str(o, "policy", d->config_path);
	jadd_u64(o, "generation", camfence_loader_generation(d->loader));
	jadd_u64(o, "loads", d->reloads);
	jadd_u64(o, "loads_failed", d->reloads_failed);
	jadd_str(o, "pinned", d->pin_dir[0] ? d->pin_dir : NULL);
	json_object_object_add(o, "took_over", json_object_new_boolean(d->took_over));
	/* what is watched, not protected: said where the admin looks */
	x = json_object_new_array();
	for (i = 0; d->cur.cfg && i < d->cur.cfg->zones.n; i++)
		monitored(x, "zone", d->cur.cfg->zones.v[i].name, d->cur.cfg->zones.v[i].mode);
	for (i = 0; d->cur.cfg && i < d->cur.cfg->groups.n; i++)
		monitored(x, "group", d->cur.cfg->groups.v[i].name, d->cur.cfg->groups.v[i].mode);
	for (i = 0; d->cur.cfg && i < d->cur.cfg->devices.n; i++)
		monitored(x, "device", d->cur.cfg->devices.v[i].name, d->cur.cfg->devices.v[i].mode);
	json_object_object_add(o, "monitor", x);
	for (i = 0; i < d->natt; i++) {
		x = json_object_new_object();
		jadd_str(x, "name", d->att[i].name);
		jadd_u64(x, "ifindex", d->att[i].ifindex);
		jadd_str(x, "xdp", camfenced_policy_mode_name(d->att[i].mode));
		json_object_array_add(ifs, x);
	}
	json_object_object_add(o, "interfaces", ifs);

	x = json_object_new_object();
	kret = camfence_kmod_client_version(version, sizeof(version), &api);
	json_object_object_add(x, "loaded", json_object_new_boolean(!kret));
	if (!kret) {
		jadd_str(x, "version", version);
		jadd_u64(x, "api", api);
		json_object_object_add(x, "enforcing", json_object_new_boolean(d->kmod != NULL));
		jadd_u64(x, "generation", d->kmod_gen);
		jadd_u64(x, "push_failures", d->kmod_push_failures);
		if (d->kmod_events) {
			struct camfence_kmod_event_stats es;

			camfence_kmod_events_stats(d->kmod_events, &es);
			jadd_u64(x, "events_read", es.delivered);
			/* the socket overran: events lost, how many unknown */
			jadd_u64(x, "event_overruns", es.overruns);
		}
	} else {
		jadd_str(x, "why", camfence_kmod_client_strerror(kret));
	}
	json_object_object_add(o, "module", x);

	x = json_object_new_object();
	jadd_u64(x, "passed_packets", st[CAMFENCE_STAT_PASS_PKTS]);
	jadd_u64(x, "passed_bytes", st[CAMFENCE_STAT_PASS_BYTES]);
	jadd_u64(x, "dropped_packets", st[CAMFENCE_STAT_DROP_PKTS]);
	jadd_u64(x, "dropped_bytes", st[CAMFENCE_STAT_DROP_BYTES]);
	jadd_u64(x, "malformed", st[CAMFENCE_STAT_MALFORMED]);
	jadd_u64(x, "unmanaged", st[CAMFENCE_STAT_UNMANAGED]);
	jadd_u64(x, "flow_cache_hits", st[CAMFENCE_STAT_FLOW_CACHE_HITS]);
	jadd_u64(x, "events", st[CAMFENCE_STAT_EVENTS]);
	jadd_u64(x, "events_lost", st[CAMFENCE_STAT_EVENTS_LOST]);
	jadd_u64(x, "events_read", d->events_read);
	json_object_object_add(o, "xdp", x);

	x = json_object_new_object();
	jadd_u64(x, "emitted", as.emitted);
	jadd_u64(x, "summaries", as.summaries);
	jadd_u64(x, "aggregated", as.aggregated);
	jadd_u64(x, "suppressed_device", as.suppressed_device);
	jadd_u64(x, "suppressed_total", as.suppressed_total);
	jadd_u64(x, "suppressed_rule", as.suppressed_rule);
	jadd_u64(x, "allowed_logged", d->events_allowed);
	/* the losses the daemon has accounted for and reports to syslog */
	jadd_u64(x, "events_lost", as.events_lost);
	if (d->remote) {
		uint64_t sent, dropped;

		camfence_syslog_remote_stats(d->remote, &sent, &dropped);
		jadd_str(x, "remote", camfence_syslog_remote_spec(d->remote));
		jadd_u64(x, "remote_sent", sent);
		jadd_u64(x, "remote_dropped", dropped);
	}
	json_object_object_add(o, "alerts", x);

	x = json_object_new_object();
	jadd_u64(x, "devices", fs.devices);
	jadd_u64(x, "flows", fs.flows);
	jadd_u64(x, "devices_evicted", fs.devices_evicted);
	jadd_u64(x, "flows_evicted", fs.flows_evicted);
	jadd_u64(x, "max_devices", fs.max_devices);
	jadd_u64(x, "max_flows", fs.max_flows);
	json_object_object_add(o, "tracking", x);
	return o;
}

static __u64 jget(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL;

	if (json_object_object_get_ex(o, a, &x) && b)
		json_object_object_get_ex(x, b, &x);
	return x ? (__u64)json_object_get_int64(x) : 0;
}

static const char *jstr(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL;

	if (json_object_object_get_ex(o, a, &x) && b)
		json_object_object_get_ex(x, b, &x);
	return x ? json_object_get_string(x) : "-";
}

#define U(v) ((unsigned long long)(v))

static void status_text(json_object *o, FILE *f)
{
	json_object *ifs = json_object_object_get(o, "interfaces"), *m;
	size_t i;

	fprintf(f, "ok\ncamfenced %s pid %llu uptime %llus\n", jstr(o, "version", NULL),
		U(jget(o, "pid", NULL)), U(jget(o, "uptime_s", NULL)));
	fprintf(f, "policy %s generation %llu loads %llu failed %llu\n", jstr(o, "policy", NULL),
		U(jget(o, "generation", NULL)), U(jget(o, "loads", NULL)),
		U(jget(o, "loads_failed", NULL)));
	fprintf(f, "pinned %s%s\n", jstr(o, "pinned", NULL),
		json_object_get_boolean(json_object_object_get(o, "took_over")) ?
		" (took over a running state)" : "");
	m = json_object_object_get(o, "monitor");
	for (i = 0; i < json_object_array_length(m); i++)
		fprintf(f, "%s%s%s", i ? ", " : "mode monitor (nothing blocked, what would be is alerted): ",
			json_object_get_string(json_object_array_get_idx(m, i)),
			i + 1 == json_object_array_length(m) ? "\n" : "");
	for (i = 0; i < json_object_array_length(ifs); i++) {
		json_object *x = json_object_array_get_idx(ifs, i);

		fprintf(f, "interface %s ifindex %llu xdp %s\n", jstr(x, "name", NULL),
			U(jget(x, "ifindex", NULL)), jstr(x, "xdp", NULL));
	}
	m = json_object_object_get(o, "module");
	if (json_object_get_boolean(json_object_object_get(m, "loaded")))
		fprintf(f, "module camfence.ko %s (genl api %llu) generation %llu push-failures %llu events-read %llu event-overruns %llu%s\n",
			jstr(m, "version", NULL), U(jget(m, "api", NULL)),
			U(jget(m, "generation", NULL)), U(jget(m, "push_failures", NULL)),
			U(jget(m, "events_read", NULL)), U(jget(m, "event_overruns", NULL)),
			json_object_get_boolean(json_object_object_get(m, "enforcing")) ? "" :
			" (not used: see syslog)");
	else
		fprintf(f, "module absent: %s; XDP enforces alone\n", jstr(m, "why", NULL));
	fprintf(f, "passed %llu packets %llu bytes\n", U(jget(o, "xdp", "passed_packets")),
		U(jget(o, "xdp", "passed_bytes")));
	fprintf(f, "dropped %llu packets %llu bytes\n", U(jget(o, "xdp", "dropped_packets")),
		U(jget(o, "xdp", "dropped_bytes")));
	fprintf(f, "events %llu lost %llu read %llu alerts %llu summaries %llu aggregated %llu\n",
		U(jget(o, "xdp", "events")), U(jget(o, "xdp", "events_lost")),
		U(jget(o, "xdp", "events_read")),
		U(jget(o, "alerts", "emitted")), U(jget(o, "alerts", "summaries")),
		U(jget(o, "alerts", "aggregated")));
	fprintf(f, "suppressed device-limit %llu overall-limit %llu rule-rate %llu\n",
		U(jget(o, "alerts", "suppressed_device")), U(jget(o, "alerts", "suppressed_total")),
		U(jget(o, "alerts", "suppressed_rule")));
	if (json_object_object_get_ex(json_object_object_get(o, "alerts"), "remote", NULL))
		fprintf(f, "remote %s sent %llu dropped %llu\n", jstr(o, "alerts", "remote"),
			U(jget(o, "alerts", "remote_sent")), U(jget(o, "alerts", "remote_dropped")));
	fprintf(f, "devices %llu of %llu evicted %llu\n", U(jget(o, "tracking", "devices")),
		U(jget(o, "tracking", "max_devices")), U(jget(o, "tracking", "devices_evicted")));
	fprintf(f, "flows %llu of %llu evicted %llu\n", U(jget(o, "tracking", "flows")),
		U(jget(o, "tracking", "max_flows")), U(jget(o, "tracking", "flows_evicted")));
	fprintf(f, "malformed %llu unmanaged %llu flow-cache-hits %llu\n",
		U(jget(o, "xdp", "malformed")), U(jget(o, "xdp", "unmanaged")),
		U(jget(o, "xdp", "flow_cache_hits")));
	json_object_put(o);
}

static void reply_rules(struct daemon *d, FILE *f, int json)
{
	const struct cf_compiled *c = d->cur.compiled;
	const struct cf_config *cfg = d->cur.cfg;
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; c && i < c->rules.n; i++) {
		const struct cf_policy *pol = &cfg->policies.v[c->rules.v[i].policy];
		const struct cf_rule *r = &pol->rules.v[c->rules.v[i].rule];
		struct camfence_rule_counters rc;
		json_object *x = json_object_new_object();

		jadd_str(x, "file", camfence_policy_file(cfg, r->loc));
		jadd_u64(x, "line", r->loc.line);
		jadd_str(x, "action", r->verdict == CAMFENCE_DROP ? "deny" : "allow");
		jadd_str(x, "policy", pol->name);
		if (!camfence_loader_rule_counters(d->loader, i, &rc)) {
			jadd_u64(x, "packets", rc.packets);
			jadd_u64(x, "bytes", rc.bytes);
		}
		json_object_array_add(arr, x);
	}
	if (json) {
		json_object *o = json_object_new_object();

		jadd_u64(o, "generation", camfence_loader_generation(d->loader));
		json_object_object_add(o, "rules", arr);
		emit_json(f, o);
		return;
	}
	fprintf(f, "ok\n%-40s  %-6s  %-12s  %10s  %12s\n", "RULE", "ACTION", "POLICY", "PACKETS",
		"BYTES");
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *x = json_object_array_get_idx(arr, i), *p;
		char where[300], pk[24] = "-", by[24] = "-";

		snprintf(where, sizeof(where), "%s:%llu", jstr(x, "file", NULL), U(jget(x, "line", NULL)));
		if (json_object_object_get_ex(x, "packets", &p)) {
			snprintf(pk, sizeof(pk), "%llu", U(json_object_get_int64(p)));
			snprintf(by, sizeof(by), "%llu", U(jget(x, "bytes", NULL)));
		}
		fprintf(f, "%-40s  %-6s  %-12s  %10s  %12s\n", where, jstr(x, "action", NULL),
			jstr(x, "policy", NULL), pk, by);
	}
	json_object_put(arr);
}

static void reply_flows(struct daemon *d, FILE *f, const struct request *r)
{
	uint8_t mac[6];

	if (r->arg && camfence_addr_parse_mac(r->arg, mac)) {
		fprintf(f, "error: flows: '%.40s' is not a MAC address (as in 44:19:b6:10:20:30)\n",
			r->arg);
		return;
	}
	/* the view as of now, not as of the last tick */
	camfenced_events_tick(d);
	if (r->json) {
		emit_json(f, camfence_flowtrack_flows_json(d->flows, r->arg ? mac : NULL));
		return;
	}
	fprintf(f, "ok\n");
	camfence_flowtrack_print_flows(d->flows, r->arg ? mac : NULL, f);
}

static void reply_stop(struct daemon *d, FILE *f, const struct request *r)
{
	if (r->detach) {
		camfence_log(LOG_NOTICE, "camfencectl stop --detach: lifting enforcement on %zu interface%s",
			     d->natt, d->natt == 1 ? "" : "s");
		d->stop = 2;
		fprintf(f, "ok\ncamfenced stops; enforcement lifted\n");
		return;
	}
	d->stop = 1;
	fprintf(f, "ok\ncamfenced stops; enforcement stays in force\n");
}

/* Which commands take what: anything else is refused by name. */
static const struct {
	const char *cmd;
	unsigned int arg : 1, json : 1, since : 1, detach : 1;
} commands[] = {
	{ "status",  0, 1, 0, 0 },
	{ "devices", 0, 1, 0, 0 },
	{ "flows",   1, 1, 0, 0 },
	{ "blocked", 0, 1, 1, 0 },
	{ "rules",   0, 1, 0, 0 },
	{ "reload",  0, 0, 0, 0 },
	{ "stop",    0, 0, 0, 1 },
	{ "metrics", 0, 0, 0, 0 },
	{ "names",   0, 1, 0, 0 },
	{ "learned", 0, 1, 0, 0 },
	{ "propose", 1, 0, 1, 0 },
};

static int validate(const struct request *r, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(r->cmd, commands[i].cmd))
			continue;
		if (r->arg && !commands[i].arg)
			snprintf(err, errlen, "%s: takes no argument ('%.40s')", r->cmd, r->arg);
		else if (r->json && !commands[i].json)
			snprintf(err, errlen, "%s: has no --json output", r->cmd);
		else if (r->has_since && !commands[i].since)
			snprintf(err, errlen, "%s: takes no --since", r->cmd);
		else if (r->detach && !commands[i].detach)
			snprintf(err, errlen, "%s: takes no --detach", r->cmd);
		else
			return 0;
		return -1;
	}
	snprintf(err, errlen, "unknown command '%.40s'", r->cmd);
	return -1;
}

static void dispatch(struct daemon *d, const struct request *r, FILE *f)
{
	if (!strcmp(r->cmd, "status")) {
		if (r->json)
			emit_json(f, status_json(d));
		else
			status_text(status_json(d), f);
	} else if (!strcmp(r->cmd, "devices")) {
		camfenced_events_tick(d);
		if (r->json) {
			json_object *o = camfence_flowtrack_devices_json(d->flows);

			camfenced_learned_devices_json(d, o);
			emit_json(f, o);
		} else {
			fprintf(f, "ok\n");
			camfence_flowtrack_print_devices(d->flows, f);
			camfenced_learned_devices_text(d, f);
		}
	} else if (!strcmp(r->cmd, "flows")) {
		reply_flows(d, f, r);
	} else if (!strcmp(r->cmd, "blocked")) {
		ring_buffer__consume(d->rb);
		if (r->json) {
			emit_json(f, camfence_alerts_recent_json(d->alerts, r->has_since ? r->since : 0));
		} else {
			fprintf(f, "ok\n");
			camfence_alerts_print_recent(d->alerts, r->has_since ? r->since : 0, f);
		}
	} else if (!strcmp(r->cmd, "rules")) {
		reply_rules(d, f, r->json);
	} else if (!strcmp(r->cmd, "reload")) {
		camfence_log(LOG_INFO, "camfencectl reload: reloading %s", d->config_path);
		if (camfenced_policy_load(d))
			fprintf(f, "error: reload failed, the running policy (generation %llu) stays in force; syslog has the reasons\n",
				U(camfence_loader_generation(d->loader)));
		else
			fprintf(f, "ok\ngeneration %llu\n", U(camfence_loader_generation(d->loader)));
	} else if (!strcmp(r->cmd, "stop")) {
		reply_stop(d, f, r);
	} else if (!strcmp(r->cmd, "metrics")) {
		camfenced_metrics_reply(d, f);
	} else if (!strcmp(r->cmd, "names")) {
		camfenced_names_reply(d, f, r->json);
	} else if (!strcmp(r->cmd, "learned")) {
		if (r->json)
			emit_json(f, camfenced_learned_json(d));
		else
			camfenced_learned_print(camfenced_learned_json(d), f);
	} else if (!strcmp(r->cmd, "propose")) {
		camfenced_propose_reply(d, f, r->arg, r->has_since ? r->since : 0);
	}
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void camfenced_control_serve(struct daemon *d)
{
	static struct cf_bucket refused_log;
	char line[CAMFENCE_CONTROL_MAX], err[160];
	uid_t peer = 0;
	struct request r;
	FILE *f;
	int fd;

	fd = camfence_control_accept(d->ctlfd, line, sizeof(line), &peer);
	if (fd == -EPERM) {
		/* said, but a client in a loop must not fill the log */
		if (camfence_ratelimit_allow(&refused_log, mono_ns(), 10, 60))
			camfence_log(LOG_WARNING, "control socket %s: a client of uid %d was refused: camfenced answers root only",
				     d->socket_path, (int)peer);
		return;
	}
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	if (parse_request(line, &r, err, sizeof(err)) || validate(&r, err, sizeof(err)))
		fprintf(f, "error: %s\n", err);
	else
		dispatch(d, &r, f);
	fclose(f);
}
