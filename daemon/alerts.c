// SPDX-License-Identifier: GPL-2.0
/*
 * Alert lines after the policy's own `log RATE`: aggregation per device and
 * destination, limits per device and overall, and the accounting of all
 * that is held back. Every structure is bounded and every event costs a
 * hash lookup and a few list moves; the once-a-second tick walks only the
 * aggregates whose window closed, kept in a list ordered by window end.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <syslog.h>

#include "alerts.h"
#include "policy.h"
#include "ratelimit.h"

/* uthash: no exit() when a table cannot grow; the element is left out */
static int hash_oom;
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(elt) (hash_oom = 1)
#include <uthash.h>

#define NS		1000000000ULL
#define DEFAULT_WINDOW	60
#define DEFAULT_KEYS	4096
#define DEFAULT_RECENT	4096
#define PRIO		LOG_WARNING
#define SECONDS(from, to) ((unsigned int)(((to) - (from) + NS / 2) / NS))

struct key {
	uint8_t mac[6];
	uint8_t family;
	uint8_t proto;
	uint16_t dport;
	uint8_t daddr[16];
};

/* One (device, destination): attempts after its first line, this window. */
struct agg {
	struct key key;
	uint64_t start_ns, end_ns;
	uint64_t more;
	uint8_t saddr[16];
	char device[CF_NAME_MAX], group[CF_NAME_MAX];
	TAILQ_ENTRY(agg) lru;		/* least recently touched first */
	TAILQ_ENTRY(agg) due;		/* soonest window end first */
	UT_hash_handle hh;
};

struct dev {
	uint8_t mac[6];
	struct cf_bucket bucket;
	TAILQ_ENTRY(dev) lru;
	UT_hash_handle hh;
};

enum alert_fate { FATE_EMITTED, FATE_AGGREGATED, FATE_SUPPRESSED };

/* A recent attempt: "line\0name\0value\0..." in one allocation. */
struct recent {
	time_t wall;
	uint8_t fate;
	uint8_t nsd;
	char *blob;
};

/* What the next report will tell. */
struct pending {
	uint64_t device, total, rule, lost, evicted;
	uint64_t fold_attempts, fold_limit, fold_evicted;
};

struct cf_alerts {
	struct cf_alerts_conf conf;
	uint64_t window_ns;
	cf_alert_sink sink;
	void *ctx;

	struct agg *aggs;
	size_t naggs;
	TAILQ_HEAD(, agg) agg_lru;
	TAILQ_HEAD(, agg) agg_due;
	struct dev *devs;
	size_t ndevs;
	TAILQ_HEAD(, dev) dev_lru;
	struct cf_bucket total;

	struct recent *recent;		/* a ring of conf.recent_max */
	size_t rhead, rn;

	int started;
	uint64_t last_report_ns, report_due_ns;
	uint64_t lost_seen;
	struct pending p;
	struct cf_alerts_stats st;
};

struct cf_alerts *camfence_alerts_new(const struct cf_alerts_conf *conf, cf_alert_sink sink,
				      void *ctx)
{
	struct cf_alerts *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->conf = *conf;
	if (!a->conf.window)
		a->conf.window = DEFAULT_WINDOW;
	if (!a->conf.max_keys)
		a->conf.max_keys = DEFAULT_KEYS;
	if (!a->conf.recent_max)
		a->conf.recent_max = DEFAULT_RECENT;
	a->window_ns = a->conf.window * NS;
	a->sink = sink;
	a->ctx = ctx;
	TAILQ_INIT(&a->agg_lru);
	TAILQ_INIT(&a->agg_due);
	TAILQ_INIT(&a->dev_lru);
	a->recent = calloc(a->conf.recent_max, sizeof(*a->recent));
	if (!a->recent) {
		free(a);
		return NULL;
	}
	return a;
}

static void agg_del(struct cf_alerts *a, struct agg *g)
{
	HASH_DEL(a->aggs, g);
	TAILQ_REMOVE(&a->agg_lru, g, lru);
	TAILQ_REMOVE(&a->agg_due, g, due);
	a->naggs--;
	free(g);
}

static void dev_del(struct cf_alerts *a, struct dev *d)
{
	HASH_DEL(a->devs, d);
	TAILQ_REMOVE(&a->dev_lru, d, lru);
	a->ndevs--;
	free(d);
}

void camfence_alerts_free(struct cf_alerts *a)
{
	size_t i;

	if (!a)
		return;
	while (!TAILQ_EMPTY(&a->agg_lru))
		agg_del(a, TAILQ_FIRST(&a->agg_lru));
	while (!TAILQ_EMPTY(&a->dev_lru))
		dev_del(a, TAILQ_FIRST(&a->dev_lru));
	for (i = 0; i < a->conf.recent_max; i++)
		free(a->recent[i].blob);
	free(a->recent);
	free(a);
}

/* The report's period starts with the first thing that carries a time. */
static void start_clock(struct cf_alerts *a, uint64_t now)
{
	if (a->started)
		return;
	a->started = 1;
	a->last_report_ns = now;
	a->report_due_ns = now + a->window_ns;
}

static void make_key(struct key *k, const uint8_t mac[6], int family, const uint8_t *daddr,
		     uint8_t proto, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->mac, mac, 6);
	k->family = family;
	k->proto = proto;
	k->dport = dport;
	memcpy(k->daddr, daddr, family == AF_INET6 ? 16 : 4);
}

static const char *sd_get(const struct cf_sd_param *sd, size_t nsd, const char *name)
{
	size_t i;

	for (i = 0; i < nsd; i++)
		if (!strcmp(sd[i].name, name))
			return sd[i].value;
	return NULL;
}

static void add_param(struct cf_sd_param *sd, size_t *n, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	snprintf(sd[*n].name, sizeof(sd[*n].name), "%s", name);
	snprintf(sd[*n].value, sizeof(sd[*n].value), "%s", value);
	(*n)++;
}

static void add_u64(struct cf_sd_param *sd, size_t *n, const char *name, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	add_param(sd, n, name, s);
}

/* ---- limits ---- */

static struct dev *dev_get(struct cf_alerts *a, const uint8_t mac[6])
{
	struct dev *d;

	HASH_FIND(hh, a->devs, mac, 6, d);
	if (d) {
		TAILQ_REMOVE(&a->dev_lru, d, lru);
		TAILQ_INSERT_TAIL(&a->dev_lru, d, lru);
		return d;
	}
	/* a device forgotten starts again with a full bucket: the overall
	 * limit still holds when more devices than max_keys are at it */
	if (a->ndevs >= a->conf.max_keys)
		dev_del(a, TAILQ_FIRST(&a->dev_lru));
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->mac, mac, 6);
	hash_oom = 0;
	HASH_ADD(hh, a->devs, mac, 6, d);
	if (hash_oom) {
		free(d);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&a->dev_lru, d, lru);
	a->ndevs++;
	return d;
}

/* 0 when a line may go out; else which limit holds it back, counted. */
static int limited(struct cf_alerts *a, const uint8_t mac[6], uint64_t now)
{
	struct dev *d = NULL;

	if (a->conf.device_rate && a->conf.device_period) {
		d = dev_get(a, mac);
		if (d && !camfence_ratelimit_allow(&d->bucket, now, a->conf.device_rate,
						   a->conf.device_period)) {
			a->st.suppressed_device++;
			a->p.device++;
			return 1;
		}
	}
	if (!camfence_ratelimit_allow(&a->total, now, a->conf.total_rate, a->conf.total_period)) {
		if (d)
			d->bucket.tokens += 1;	/* the device did not get its line */
		a->st.suppressed_total++;
		a->p.total++;
		return 1;
	}
	return 0;
}

/* ---- aggregates ---- */

static void agg_touch(struct cf_alerts *a, struct agg *g)
{
	TAILQ_REMOVE(&a->agg_lru, g, lru);
	TAILQ_INSERT_TAIL(&a->agg_lru, g, lru);
}

/* What an evicted aggregate counted still reaches the folded line. */
static void evict(struct cf_alerts *a)
{
	struct agg *g = TAILQ_FIRST(&a->agg_lru);

	if (g->more) {
		a->p.fold_attempts += g->more;
		a->p.fold_evicted++;
	}
	a->st.keys_evicted++;
	a->p.evicted++;
	agg_del(a, g);
}

static void agg_new(struct cf_alerts *a, const struct key *k, const struct camfence_event *ev,
		    const struct cf_sd_param *sd, size_t nsd, uint64_t now)
{
	struct agg *g;

	if (a->naggs >= a->conf.max_keys)
		evict(a);
	g = calloc(1, sizeof(*g));
	if (!g)
		return;
	g->key = *k;
	g->start_ns = now;
	g->end_ns = now + a->window_ns;
	memcpy(g->saddr, ev->saddr, sizeof(g->saddr));
	snprintf(g->device, sizeof(g->device), "%.*s", CF_NAME_MAX - 1,
		 sd_get(sd, nsd, "device") ?: "");
	snprintf(g->group, sizeof(g->group), "%.*s", CF_NAME_MAX - 1,
		 sd_get(sd, nsd, "group") ?: "");
	hash_oom = 0;
	HASH_ADD(hh, a->aggs, key, sizeof(g->key), g);
	if (hash_oom) {
		free(g);
		return;
	}
	TAILQ_INSERT_TAIL(&a->agg_lru, g, lru);
	TAILQ_INSERT_TAIL(&a->agg_due, g, due);
	a->naggs++;
}

/* ---- the recent list ---- */

static void record(struct cf_alerts *a, const char *line, const struct cf_sd_param *sd,
		   size_t nsd, time_t wall, enum alert_fate fate)
{
	size_t i, len = strlen(line) + 1, at;
	struct recent *r;
	char *blob;

	if (nsd > 255)
		nsd = 255;
	for (i = 0; i < nsd; i++)
		len += strlen(sd[i].name) + strlen(sd[i].value) + 2;
	blob = malloc(len);
	if (!blob)
		return;
	at = stpcpy(blob, line) - blob + 1;
	for (i = 0; i < nsd; i++) {
		at = stpcpy(blob + at, sd[i].name) - blob + 1;
		at = stpcpy(blob + at, sd[i].value) - blob + 1;
	}
	if (a->rn < a->conf.recent_max) {
		r = &a->recent[(a->rhead + a->rn++) % a->conf.recent_max];
	} else {
		r = &a->recent[a->rhead];
		a->rhead = (a->rhead + 1) % a->conf.recent_max;
		free(r->blob);
	}
	r->wall = wall;
	r->fate = fate;
	r->nsd = nsd;
	r->blob = blob;
}

/* ---- events ---- */

int camfence_alerts_blocked(struct cf_alerts *a, const struct camfence_event *ev,
			    const char *line, const struct cf_sd_param *sd, size_t nsd,
			    uint64_t now_ns, time_t wall)
{
	struct agg *g;
	struct key k;

	start_clock(a, now_ns);
	make_key(&k, ev->mac, ev->family, ev->daddr, ev->proto, ev->dport);
	HASH_FIND(hh, a->aggs, &k, sizeof(k), g);
	if (g) {
		g->more++;
		a->st.aggregated++;
		agg_touch(a, g);
		record(a, line, sd, nsd, wall, FATE_AGGREGATED);
		return 0;
	}
	if (limited(a, ev->mac, now_ns)) {
		record(a, line, sd, nsd, wall, FATE_SUPPRESSED);
		return 0;
	}
	a->sink(a->ctx, PRIO, line, sd, nsd);
	a->st.emitted++;
	agg_new(a, &k, ev, sd, nsd, now_ns);
	record(a, line, sd, nsd, wall, FATE_EMITTED);
	return 1;
}

void camfence_alerts_more(struct cf_alerts *a, const uint8_t mac[6], int family,
			  const uint8_t *daddr, uint8_t proto, uint16_t dport, uint64_t packets,
			  uint64_t now_ns)
{
	struct agg *g;
	struct key k;

	start_clock(a, now_ns);
	if (!packets)
		return;
	make_key(&k, mac, family, daddr, proto, dport);
	HASH_FIND(hh, a->aggs, &k, sizeof(k), g);
	if (!g)
		return;
	g->more += packets;
	a->st.aggregated += packets;
	agg_touch(a, g);
}

void camfence_alerts_rule_suppressed(struct cf_alerts *a)
{
	a->st.suppressed_rule++;
	a->p.rule++;
}

void camfence_alerts_events_lost(struct cf_alerts *a, uint64_t lost_total)
{
	uint64_t d = lost_total >= a->lost_seen ? lost_total - a->lost_seen : lost_total;

	a->lost_seen = lost_total;
	a->st.events_lost += d;
	a->p.lost += d;
}

void camfence_alerts_events_lost_from(struct cf_alerts *a, uint64_t lost_total)
{
	a->lost_seen = lost_total;
}

void camfence_alerts_stats(const struct cf_alerts *a, struct cf_alerts_stats *out)
{
	*out = a->st;
}

/* ---- the tick: summaries and the report ---- */

static void summarise(struct cf_alerts *a, struct agg *g, uint64_t now)
{
	char mac[18], src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN] = "?", pbuf[8];
	char dstp[64], line[512];
	struct cf_sd_param sd[10];
	const char *proto;
	int family = g->key.family == AF_INET6 ? AF_INET6 : AF_INET;
	int ports = g->key.proto == IPPROTO_TCP || g->key.proto == IPPROTO_UDP;
	unsigned int secs = SECONDS(g->start_ns, now);
	size_t n = 0;

	if (!camfence_ratelimit_allow(&a->total, now, a->conf.total_rate, a->conf.total_period)) {
		a->p.fold_attempts += g->more;
		a->p.fold_limit++;
		return;
	}
	inet_ntop(family, g->saddr, src, sizeof(src));
	inet_ntop(family, g->key.daddr, dst, sizeof(dst));
	proto = camfence_policy_proto_name(g->key.proto, pbuf);
	camfence_addr_mac_str(g->key.mac, mac);
	if (!ports)
		snprintf(dstp, sizeof(dstp), "%s", dst);
	else
		snprintf(dstp, sizeof(dstp), family == AF_INET6 ? "[%s]:%u" : "%s:%u", dst,
			 g->key.dport);
	snprintf(line, sizeof(line),
		 "blocked %s %s -> %s mac %s device %s group %s: %llu more in the last %u s", proto,
		 src, dstp, mac, g->device[0] ? g->device : "-", g->group[0] ? g->group : "-",
		 (unsigned long long)g->more, secs);
	add_param(sd, &n, "event", "repeated");
	add_param(sd, &n, "device", g->device);
	add_param(sd, &n, "group", g->group);
	add_param(sd, &n, "mac", mac);
	add_param(sd, &n, "src", src);
	add_param(sd, &n, "dst", dst);
	add_param(sd, &n, "proto", proto);
	if (ports)
		add_u64(sd, &n, "dport", g->key.dport);
	add_u64(sd, &n, "count", g->more);
	add_u64(sd, &n, "seconds", secs);
	a->sink(a->ctx, PRIO, line, sd, n);
	a->st.summaries++;
}

/* Appends to a list, ", " between. */
static __attribute__((format(printf, 3, 4)))
void join(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strlen(buf);
	va_list ap;

	if (at + 2 >= len)
		return;
	if (at) {
		strcpy(buf + at, ", ");
		at += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void report_folded(struct cf_alerts *a, unsigned int secs)
{
	const struct pending *p = &a->p;
	uint64_t dests = p->fold_limit + p->fold_evicted;
	char why[160] = "", line[400];
	struct cf_sd_param sd[4];
	size_t n = 0;

	if (p->fold_limit)
		join(why, sizeof(why), "overall limit %u/%us: %llu", a->conf.total_rate,
		     a->conf.total_period, (unsigned long long)p->fold_limit);
	if (p->fold_evicted)
		join(why, sizeof(why), "aggregate table full at %zu: %llu", a->conf.max_keys,
		     (unsigned long long)p->fold_evicted);
	snprintf(line, sizeof(line),
		 "blocked: %llu more attempt%s to %llu destination%s in the last %u s, not itemised (%s)",
		 (unsigned long long)p->fold_attempts, plural(p->fold_attempts),
		 (unsigned long long)dests, plural(dests), secs, why);
	add_param(sd, &n, "event", "folded");
	add_u64(sd, &n, "count", p->fold_attempts);
	add_u64(sd, &n, "destinations", dests);
	add_u64(sd, &n, "seconds", secs);
	a->sink(a->ctx, PRIO, line, sd, n);
}

static void report_losses(struct cf_alerts *a, unsigned int secs)
{
	const struct pending *p = &a->p;
	uint64_t sup = p->device + p->total + p->rule;
	char why[200] = "", parts[400] = "", line[512];
	struct cf_sd_param sd[8];
	size_t n = 0;

	if (p->device)
		join(why, sizeof(why), "device limit %u/%us: %llu", a->conf.device_rate,
		     a->conf.device_period, (unsigned long long)p->device);
	if (p->total)
		join(why, sizeof(why), "overall limit %u/%us: %llu", a->conf.total_rate,
		     a->conf.total_period, (unsigned long long)p->total);
	if (p->rule)
		join(why, sizeof(why), "rule log rate: %llu", (unsigned long long)p->rule);
	if (sup)
		join(parts, sizeof(parts), "%llu suppressed (%s)", (unsigned long long)sup, why);
	if (p->lost)
		join(parts, sizeof(parts), "%llu event%s lost (ring buffer full)",
		     (unsigned long long)p->lost, plural(p->lost));
	if (p->evicted)
		join(parts, sizeof(parts), "%llu aggregate%s evicted (table full at %zu)",
		     (unsigned long long)p->evicted, plural(p->evicted), a->conf.max_keys);
	snprintf(line, sizeof(line), "alerts: %s in the last %u s", parts, secs);
	add_param(sd, &n, "event", "report");
	add_u64(sd, &n, "suppressed", sup);
	add_u64(sd, &n, "suppressed_device", p->device);
	add_u64(sd, &n, "suppressed_total", p->total);
	add_u64(sd, &n, "suppressed_rule", p->rule);
	add_u64(sd, &n, "events_lost", p->lost);
	add_u64(sd, &n, "evicted", p->evicted);
	add_u64(sd, &n, "seconds", secs);
	a->sink(a->ctx, PRIO, line, sd, n);
}

static void report(struct cf_alerts *a, uint64_t now)
{
	unsigned int secs = SECONDS(a->last_report_ns, now);
	struct pending *p = &a->p;

	if (p->fold_attempts)
		report_folded(a, secs);
	if (p->device || p->total || p->rule || p->lost || p->evicted)
		report_losses(a, secs);
	memset(p, 0, sizeof(*p));
	a->last_report_ns = now;
	a->report_due_ns = now + a->window_ns;
}

void camfence_alerts_report_now(struct cf_alerts *a, uint64_t now_ns)
{
	start_clock(a, now_ns);
	if (a->p.fold_attempts || a->p.device || a->p.total || a->p.rule || a->p.lost ||
	    a->p.evicted)
		report(a, now_ns);
}

void camfence_alerts_tick(struct cf_alerts *a, uint64_t now_ns, time_t wall)
{
	struct agg *g;

	start_clock(a, now_ns);
	while ((g = TAILQ_FIRST(&a->agg_due)) && g->end_ns <= now_ns) {
		if (!g->more) {
			agg_del(a, g);
			continue;
		}
		summarise(a, g, now_ns);
		/* still at it: the next window counts on, without a new first line */
		g->more = 0;
		g->start_ns = now_ns;
		g->end_ns = now_ns + a->window_ns;
		TAILQ_REMOVE(&a->agg_due, g, due);
		TAILQ_INSERT_TAIL(&a->agg_due, g, due);
	}
	if (now_ns >= a->report_due_ns)
		report(a, now_ns);
}

/* ---- listing ---- */

static const char *const fate_names[] = { "emitted", "aggregated", "suppressed" };

static int numeric(const char *name)
{
	return !strcmp(name, "sport") || !strcmp(name, "dport") || !strcmp(name, "vlan") ||
	       !strcmp(name, "generation");
}

static const struct recent *recent_at(const struct cf_alerts *a, size_t i)
{
	return &a->recent[(a->rhead + i) % a->conf.recent_max];
}

json_object *camfence_alerts_recent_json(const struct cf_alerts *a, time_t since)
{
	json_object *arr = json_object_new_array(), *o;
	const struct recent *r;
	const char *p, *v;
	size_t i, j;

	for (i = 0; i < a->rn; i++) {
		r = recent_at(a, i);
		if (r->wall < since)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "time", json_object_new_int64(r->wall));
		json_object_object_add(o, "alert", json_object_new_string(fate_names[r->fate]));
		json_object_object_add(o, "line", json_object_new_string(r->blob));
		p = r->blob + strlen(r->blob) + 1;
		for (j = 0; j < r->nsd; j++) {
			v = p + strlen(p) + 1;
			json_object_object_add(o, p, numeric(p) ? json_object_new_int64(strtoll(v, NULL, 10))
							       : json_object_new_string(v));
			p = v + strlen(v) + 1;
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

void camfence_alerts_print_recent(const struct cf_alerts *a, time_t since, FILE *out)
{
	const struct recent *r;
	char when[32];
	struct tm tm;
	size_t i;

	for (i = 0; i < a->rn; i++) {
		r = recent_at(a, i);
		if (r->wall < since)
			continue;
		localtime_r(&r->wall, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(out, "%s %s\n", when, r->blob);
	}
}

/* ---- --since ---- */

static __attribute__((format(printf, 4, 5)))
int since_err(char *err, size_t errlen, const char *s, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "--since '%.60s': ", s);

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Between lo and hi digits; the count read, 0 when there are too few. */
static int digits(const char **p, int lo, int hi, long long *v)
{
	int n = 0;

	*v = 0;
	while (n < hi && isdigit((unsigned char)(*p)[n])) {
		*v = *v * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n < lo || isdigit((unsigned char)(*p)[n]))
		return 0;
	*p += n;
	return n;
}

static int days_in(long long year, long long month)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : d[month - 1];
}

/* "HH:MM[:SS]" to the end of the string, into tm. */
static int clock_time(const char *s, const char *p, struct tm *tm, char *err, size_t errlen)
{
	long long h, m, sec = 0;

	if (!digits(&p, 1, 2, &h) || *p++ != ':' || !digits(&p, 2, 2, &m) ||
	    (*p == ':' && (p++, !digits(&p, 2, 2, &sec))) || *p)
		return since_err(err, errlen, s, "expected a time as HH:MM or HH:MM:SS, like 21:00");
	if (h > 23)
		return since_err(err, errlen, s, "hour %lld is out of range (0-23)", h);
	if (m > 59)
		return since_err(err, errlen, s, "minute %lld is out of range (0-59)", m);
	if (sec > 59)
		return since_err(err, errlen, s, "second %lld is out of range (0-59)", sec);
	tm->tm_hour = h;
	tm->tm_min = m;
	tm->tm_sec = sec;
	return 0;
}

static int local_time(const char *s, struct tm *tm, time_t *out, char *err, size_t errlen)
{
	tm->tm_isdst = -1;
	*out = mktime(tm);
	if (*out == (time_t)-1)
		return since_err(err, errlen, s, "not a time that exists here");
	return 0;
}

static int since_date(const char *s, time_t *out, char *err, size_t errlen)
{
	const char *p = s;
	long long y, mo, d;
	struct tm tm = { 0 };

	if (!digits(&p, 4, 4, &y) || *p++ != '-' || !digits(&p, 1, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 1, 2, &d) || (*p && *p != 'T' && *p != ' '))
		return since_err(err, errlen, s,
				 "expected a date and time like 2026-11-30T21:00:00 or 2026-11-30 21:00");
	if (y < 1970)
		return since_err(err, errlen, s, "year %lld is before 1970", y);
	if (mo < 1 || mo > 12)
		return since_err(err, errlen, s, "month %lld is out of range (1-12)", mo);
	if (d < 1 || d > days_in(y, mo))
		return since_err(err, errlen, s, "day %lld is out of range for %04lld-%02lld (1-%d)",
				 d, y, mo, days_in(y, mo));
	if (*p && clock_time(s, p + 1, &tm, err, errlen))
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	return local_time(s, &tm, out, err, errlen);
}

static int since_ago(const char *s, time_t now, time_t *out, char *err, size_t errlen)
{
	const char *p = s;
	long long n, unit;

	if (!digits(&p, 1, 12, &n))
		return since_err(err, errlen, s,
				 "expected how long ago (90s, 10m, 2h, 1d), @EPOCH, a date "
				 "(2026-11-30T21:00:00) or a time today (21:00)");
	switch (*p) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case '\0':
		return since_err(err, errlen, s, "a duration needs its unit: %llds, %lldm, %lldh or %lldd",
				 n, n, n, n);
	default:
		return since_err(err, errlen, s, "unknown unit '%c'; use s, m, h or d (90s, 10m, 2h, 1d)",
				 *p);
	}
	if (p[1])
		return since_err(err, errlen, s, "unexpected '%s' after the unit", p + 1);
	*out = n * unit > now ? 0 : now - n * unit;
	return 0;
}

int camfence_alerts_parse_since(const char *s, time_t now, time_t *out, char *err, size_t errlen)
{
	const char *p;
	long long v;
	struct tm tm;

	if (!s || !*s)
		return since_err(err, errlen, s ? s : "",
				 "empty; expected 90s, 10m, 2h, 1d, @EPOCH, 2026-11-30T21:00:00 or 21:00");
	if (*s == '-')
		return since_err(err, errlen, s, "no sign: '%s' already means that long ago", s + 1);
	if (*s == '@') {
		p = s + 1;
		if (!digits(&p, 1, 18, &v) || *p)
			return since_err(err, errlen, s,
					 "expected seconds since the epoch after '@', like @1764540000");
		*out = v;
		return 0;
	}
	for (p = s; isdigit((unsigned char)*p); p++)
		;
	if (*p == '-' && p - s == 4)
		return since_date(s, out, err, errlen);
	if (*p == ':') {
		localtime_r(&now, &tm);
		if (clock_time(s, s, &tm, err, errlen))
			return -1;
		return local_time(s, &tm, out, err, errlen);
	}
	return since_ago(s, now, out, err, errlen);
}
