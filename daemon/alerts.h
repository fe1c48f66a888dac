/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What becomes of a blocked event once the daemon has decided it may alert
 * (the policy's `log RATE` buckets stay with the daemon): one line for the
 * first attempt a device makes to a destination, then, per (device MAC,
 * family, destination, protocol, port), one summary per window of what
 * followed. Lines are limited per device and overall; what the limits hold
 * back, the ring buffer loses or the aggregate table has to let go of is
 * counted and said once per window, never dropped without a word.
 *
 * The lines (all LOG_WARNING), each with its structured data, whose first
 * param is always "event" and can serve as the RFC 5424 MSGID:
 *
 * a blocked event, the line as camfence_events_format() made it, and its
 * params (event="blocked", ...) as camfence_events_sd() made them;
 *
 * a summary, when a window closes with attempts after the first line:
 *   blocked udp 192.168.10.204 -> 47.88.59.209:32100 mac b0:d5:9d:b9:f0:b4
 *   device yi-cam1 group cams: 120 more in the last 60 s
 *   [event="repeated" device group mac src dst proto dport count seconds]
 * (one line; the first event's source, no source port; "-" for a name
 * not known). Not held to the device limit: there is at most one per
 * destination and window. The overall limit applies; what it holds back,
 * and what was counted for a destination whose aggregate had to be
 * evicted, is folded, once per report, into
 *   blocked: 480 more attempts to 12 destinations in the last 60 s, not
 *   itemised (overall limit 200/60s: 10, aggregate table full at 4096: 2)
 *   [event="folded" count destinations seconds]
 *
 * the report, once per window, when anything was held back or lost:
 *   alerts: 37 suppressed (device limit 20/60s: 30, overall limit
 *   200/60s: 5, rule log rate: 2), 12 events lost (ring buffer full),
 *   3 aggregates evicted (table full at 4096) in the last 60 s
 *   [event="report" suppressed suppressed_device suppressed_total
 *    suppressed_rule events_lost evicted seconds]
 * (one line, only the parts that are not zero).
 *
 * A first event that a limit holds back makes no aggregate: the next
 * attempt to that destination may make the line. Flow deltas for a
 * destination with no aggregate are not alerts and are ignored.
 */
#ifndef CAMFENCE_ALERTS_H
#define CAMFENCE_ALERTS_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "camfence.h"
#include "syslog_remote.h"

struct cf_alerts_conf {
	unsigned int device_rate, device_period;	/* lines per device per period s; 0: no limit */
	unsigned int total_rate, total_period;	/* all devices together; 0: no limit */
	unsigned int window;			/* aggregation window, s; 0: 60 */
	size_t max_keys;			/* aggregates (and device buckets); 0: 4096 */
	size_t recent_max;			/* recent blocked attempts kept; 0: 4096 */
};

/* Where lines go: the daemon's sink writes syslog(3) and, when configured,
 * the remote collector. */
typedef void (*cf_alert_sink)(void *ctx, int priority, const char *line,
			      const struct cf_sd_param *sd, size_t nsd);

struct cf_alerts;

/* NULL when out of memory. */
struct cf_alerts *camfence_alerts_new(const struct cf_alerts_conf *conf, cf_alert_sink sink,
				      void *ctx);
void camfence_alerts_free(struct cf_alerts *a);

/*
 * A blocked event, its line formatted (camfence_events_format) and its
 * structured data (camfence_events_sd). Emits the line now if the event's
 * aggregate is new and the device and overall limits allow; otherwise
 * counts it in the aggregate (or as suppressed). Records it in the recent
 * list either way. now_ns is CLOCK_MONOTONIC, wall is time(NULL). Returns
 * 1 if the line was emitted.
 */
int camfence_alerts_blocked(struct cf_alerts *a, const struct camfence_event *ev,
			    const char *line, const struct cf_sd_param *sd, size_t nsd,
			    uint64_t now_ns, time_t wall);
/* packets more of a blocked flow, from the flow table sync */
void camfence_alerts_more(struct cf_alerts *a, const uint8_t mac[6], int family,
			  const uint8_t *daddr, uint8_t proto, uint16_t dport, uint64_t packets,
			  uint64_t now_ns);
/* the daemon's `log RATE` said no */
void camfence_alerts_rule_suppressed(struct cf_alerts *a);
/* The ring buffer's cumulative loss counter, read every second. What it
 * grew by since the last call is counted (all of it on the first call); a
 * counter that went back (a new XDP program) counts from 0 again. */
void camfence_alerts_events_lost(struct cf_alerts *a, uint64_t lost_total);
/* Count losses from lost_total on: a daemon that takes over a pinned ring
 * buffer says those of before once, itself, not as this window's. */
void camfence_alerts_events_lost_from(struct cf_alerts *a, uint64_t lost_total);
/* Once a second: summaries of the windows that closed, and the report
 * when one is due. Visits only the aggregates whose window closed. */
void camfence_alerts_tick(struct cf_alerts *a, uint64_t now_ns, time_t wall);
/* The report of what is held back or lost so far, now, when there is
 * any: a daemon that stops says the part of the window it saw. */
void camfence_alerts_report_now(struct cf_alerts *a, uint64_t now_ns);

struct cf_alerts_stats {
	uint64_t emitted;		/* first lines */
	uint64_t summaries;		/* "N more" lines */
	uint64_t aggregated;		/* attempts counted in aggregates: events and packets */
	uint64_t suppressed_device;
	uint64_t suppressed_total;
	uint64_t suppressed_rule;
	uint64_t events_lost;
	uint64_t keys_evicted;
};
void camfence_alerts_stats(const struct cf_alerts *a, struct cf_alerts_stats *out);

/*
 * `camfencectl blocked [--since T]`: the recent blocked attempts at or
 * after since, oldest first. JSON: an array of objects, "time" (epoch s),
 * "alert" ("emitted", "aggregated" or "suppressed"), "line", then each
 * structured-data param by name (sport, dport, vlan and generation as
 * numbers). Text: "2026-11-30 21:00:05 LINE" per attempt, local time.
 */
json_object *camfence_alerts_recent_json(const struct cf_alerts *a, time_t since);
void camfence_alerts_print_recent(const struct cf_alerts *a, time_t since, FILE *out);

/*
 * A --since argument: "90s", "10m", "2h", "1d" ago; "@1764540000" (epoch);
 * "2026-11-30T21:00:00", "2026-11-30 21:00:00" or without seconds (local
 * time); "21:00" or "21:00:30" (today, local time). 0 and *out, or -1
 * with a message naming the argument and what is wrong in err.
 */
int camfence_alerts_parse_since(const char *s, time_t now, time_t *out, char *err, size_t errlen);

#endif
