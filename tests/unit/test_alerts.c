// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "alerts.h"
#include "unit.h"

#define SEC 1000000000ULL
#define T0 (1000 * SEC)
#define WALL0 1764540000

/* ---- a sink that keeps what it is given ---- */

#define MAX_LINES 64

static struct {
	int prio;
	char line[512];
	char event[32];		/* sd[0], which must be "event" */
	char sd[512];		/* "name=value ..." */
} lines[MAX_LINES];
static int nlines;

static void sink(void *ctx, int priority, const char *line, const struct cf_sd_param *sd, size_t nsd)
{
	size_t i, at = 0;

	ck_assert_int_lt(nlines, MAX_LINES);
	ck_assert_uint_gt(nsd, 0);
	ck_assert_str_eq(sd[0].name, "event");
	lines[nlines].prio = priority;
	snprintf(lines[nlines].line, sizeof(lines[nlines].line), "%s", line);
	snprintf(lines[nlines].event, sizeof(lines[nlines].event), "%.31s", sd[0].value);
	lines[nlines].sd[0] = '\0';
	for (i = 1; i < nsd; i++)
		at += snprintf(lines[nlines].sd + at, sizeof(lines[nlines].sd) - at, "%s%s=%s",
			       i > 1 ? " " : "", sd[i].name, sd[i].value);
	nlines++;
}

static struct cf_alerts *a;

static void reset(void)
{
	nlines = 0;
	memset(lines, 0, sizeof(lines));
}

static void setup_with(unsigned int dev_rate, unsigned int total_rate, unsigned int total_period,
		       size_t max_keys, size_t recent_max)
{
	struct cf_alerts_conf conf = {
		.device_rate = dev_rate, .device_period = 60,
		.total_rate = total_rate, .total_period = total_period,
		.window = 60, .max_keys = max_keys, .recent_max = recent_max,
	};

	reset();
	a = camfence_alerts_new(&conf, sink, NULL);
	ck_assert_ptr_nonnull(a);
}

static void teardown(void)
{
	camfence_alerts_free(a);
	a = NULL;
}

static void setup_open(void)
{
	setup_with(0, 0, 0, 0, 0);
}

/* ---- events ---- */

/* Camera `cam` (last MAC byte) tries 47.88.59.`dst`:port over UDP. */
static struct camfence_event event(int cam, int dst, int port)
{
	struct camfence_event ev = {
		.generation = 1, .ifindex = 1, .device_id = 1, .rule_id = CAMFENCE_RULE_DEFAULT,
		.mac = { 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, cam }, .family = AF_INET,
		.proto = IPPROTO_UDP, .verdict = CAMFENCE_DROP, .reason = CAMFENCE_REASON_DEFAULT,
		.sport = 25508, .dport = port,
		.saddr = { 192, 168, 10, cam }, .daddr = { 47, 88, 59, dst },
	};

	return ev;
}

static int blocked_at(const struct camfence_event *ev, uint64_t now, time_t wall)
{
	struct cf_sd_param sd[3] = {
		{ "event", "blocked" }, { "device", "" }, { "group", "cams" },
	};
	char line[256];

	snprintf(sd[1].value, sizeof(sd[1].value), "cam%u", ev->mac[5]);
	snprintf(line, sizeof(line), "blocked udp 192.168.10.%u:%u -> 47.88.59.%u:%u cam%u",
		 ev->saddr[3], ev->sport, ev->daddr[3], ev->dport, ev->mac[5]);
	return camfence_alerts_blocked(a, ev, line, sd, 3, now, wall);
}

static int blocked(int cam, int dst, int port, uint64_t now)
{
	struct camfence_event ev = event(cam, dst, port);

	return blocked_at(&ev, now, WALL0 + (now - T0) / SEC);
}

static void more(int cam, int dst, int port, uint64_t packets, uint64_t now)
{
	struct camfence_event ev = event(cam, dst, port);

	camfence_alerts_more(a, ev.mac, AF_INET, ev.daddr, IPPROTO_UDP, port, packets, now);
}

static struct cf_alerts_stats stats(void)
{
	struct cf_alerts_stats st;

	camfence_alerts_stats(a, &st);
	return st;
}

static int count_event(const char *event)
{
	int i, n = 0;

	for (i = 0; i < nlines; i++)
		n += !strcmp(lines[i].event, event);
	return n;
}

/* ---- aggregation ---- */

START_TEST(first_emits_then_aggregates)
{
	struct camfence_event ev = event(204, 209, 32100);

	ck_assert_int_eq(blocked(204, 209, 32100, T0), 1);
	ck_assert_int_eq(nlines, 1);
	ck_assert_int_eq(lines[0].prio, LOG_WARNING);
	ck_assert_str_eq(lines[0].line, "blocked udp 192.168.10.204:25508 -> 47.88.59.209:32100 cam204");
	ck_assert_str_eq(lines[0].sd, "device=cam204 group=cams");

	/* the same device and destination from another source: counted, not said */
	ev.saddr[3] = 205;
	ev.sport = 1234;
	ck_assert_int_eq(blocked_at(&ev, T0 + SEC, WALL0 + 1), 0);
	/* another port, another destination */
	ck_assert_int_eq(blocked(204, 209, 32101, T0 + SEC), 1);
	ck_assert_int_eq(nlines, 2);
	ck_assert_uint_eq(stats().emitted, 2);
	ck_assert_uint_eq(stats().aggregated, 1);
}
END_TEST

START_TEST(summary_counts_events_and_packets)
{
	ck_assert_int_eq(blocked(204, 209, 32100, T0), 1);
	ck_assert_int_eq(blocked(204, 209, 32100, T0 + 2 * SEC), 0);
	more(204, 209, 32100, 100, T0 + 10 * SEC);
	more(204, 209, 32100, 19, T0 + 11 * SEC);
	/* packets of a destination nobody was told about are not alerts */
	more(204, 99, 32100, 1000, T0 + 11 * SEC);
	ck_assert_uint_eq(stats().aggregated, 120);

	camfence_alerts_tick(a, T0 + 59 * SEC, WALL0 + 59);
	ck_assert_int_eq(nlines, 1);
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	ck_assert_int_eq(nlines, 2);
	ck_assert_int_eq(lines[1].prio, LOG_WARNING);
	ck_assert_str_eq(lines[1].event, "repeated");
	ck_assert_str_eq(lines[1].line,
			 "blocked udp 192.168.10.204 -> 47.88.59.209:32100 mac b0:d5:9d:b9:f0:cc "
			 "device cam204 group cams: 120 more in the last 60 s");
	ck_assert_str_eq(lines[1].sd,
			 "device=cam204 group=cams mac=b0:d5:9d:b9:f0:cc src=192.168.10.204 "
			 "dst=47.88.59.209 proto=udp dport=32100 count=120 seconds=60");
	ck_assert_uint_eq(stats().summaries, 1);
}
END_TEST

START_TEST(no_summary_when_nothing_more)
{
	ck_assert_int_eq(blocked(204, 209, 32100, T0), 1);
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	camfence_alerts_tick(a, T0 + 200 * SEC, WALL0 + 200);
	ck_assert_int_eq(nlines, 1);
	ck_assert_uint_eq(stats().summaries, 0);
	/* the window closed quietly: the next attempt is news again */
	ck_assert_int_eq(blocked(204, 209, 32100, T0 + 201 * SEC), 1);
}
END_TEST

START_TEST(persistent_attempts_one_summary_per_window)
{
	int w;

	ck_assert_int_eq(blocked(204, 209, 32100, T0), 1);
	for (w = 0; w < 3; w++) {
		more(204, 209, 32100, 10 + w, T0 + (60 * w + 30) * SEC);
		camfence_alerts_tick(a, T0 + 60 * (w + 1) * SEC, WALL0 + 60 * (w + 1));
	}
	/* one first line, then a summary per window, never a new first line */
	ck_assert_int_eq(nlines, 4);
	ck_assert_int_eq(count_event("repeated"), 3);
	ck_assert_ptr_nonnull(strstr(lines[3].line, ": 12 more in the last 60 s"));
	ck_assert_int_eq(blocked(204, 209, 32100, T0 + 190 * SEC), 0);
}
END_TEST

/* ---- limits and the report ---- */

START_TEST(device_limit)
{
	int i, sent = 0;

	setup_with(20, 0, 0, 0, 0);
	for (i = 0; i < 25; i++)
		sent += blocked(204, i, 32100, T0 + i * 1000);
	ck_assert_int_eq(sent, 20);
	ck_assert_uint_eq(stats().suppressed_device, 5);
	/* another camera has a limit of its own */
	ck_assert_int_eq(blocked(205, 1, 32100, T0 + SEC), 1);
	ck_assert_int_eq(nlines, 21);

	camfence_alerts_tick(a, T0 + 59 * SEC, WALL0 + 59);
	ck_assert_int_eq(nlines, 21);
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	ck_assert_int_eq(nlines, 22);
	ck_assert_int_eq(lines[21].prio, LOG_WARNING);
	ck_assert_str_eq(lines[21].line, "alerts: 5 suppressed (device limit 20/60s: 5) in the last 60 s");
	ck_assert_str_eq(lines[21].sd, "suppressed=5 suppressed_device=5 suppressed_total=0 "
				       "suppressed_rule=0 events_lost=0 evicted=0 seconds=60");
	/* told once */
	camfence_alerts_tick(a, T0 + 120 * SEC, WALL0 + 120);
	ck_assert_int_eq(nlines, 22);
}
END_TEST

START_TEST(overall_limit)
{
	int cam, i, sent = 0;

	setup_with(0, 10, 60, 0, 0);
	for (cam = 1; cam <= 3; cam++)
		for (i = 0; i < 5; i++)
			sent += blocked(cam, i, 443, T0);
	ck_assert_int_eq(sent, 10);
	ck_assert_uint_eq(stats().suppressed_total, 5);
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	ck_assert_str_eq(lines[nlines - 1].line,
			 "alerts: 5 suppressed (overall limit 10/60s: 5) in the last 60 s");
}
END_TEST

START_TEST(device_held_back_by_overall_keeps_its_token)
{
	int i;

	/* 3 per minute per device, 1 per 10 s overall: what the overall limit
	 * holds back does not use up the device's own allowance */
	setup_with(3, 1, 10, 0, 0);
	ck_assert_int_eq(blocked(204, 1, 443, T0), 1);
	for (i = 2; i <= 4; i++)
		ck_assert_int_eq(blocked(204, i, 443, T0), 0);
	ck_assert_uint_eq(stats().suppressed_total, 3);
	ck_assert_uint_eq(stats().suppressed_device, 0);
	ck_assert_int_eq(blocked(204, 5, 443, T0 + 10 * SEC), 1);
	ck_assert_int_eq(blocked(204, 6, 443, T0 + 20 * SEC), 1);
	ck_assert_uint_eq(stats().suppressed_device, 0);
}
END_TEST

START_TEST(rule_suppressed_and_events_lost_reported)
{
	camfence_alerts_tick(a, T0, WALL0);
	camfence_alerts_rule_suppressed(a);
	camfence_alerts_rule_suppressed(a);
	camfence_alerts_events_lost(a, 7);
	camfence_alerts_events_lost(a, 12);
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	ck_assert_int_eq(nlines, 1);
	ck_assert_str_eq(lines[0].event, "report");
	ck_assert_str_eq(lines[0].line,
			 "alerts: 2 suppressed (rule log rate: 2), 12 events lost (ring buffer full) "
			 "in the last 60 s");
	/* the counter did not move: nothing new to say */
	camfence_alerts_events_lost(a, 12);
	camfence_alerts_tick(a, T0 + 120 * SEC, WALL0 + 120);
	ck_assert_int_eq(nlines, 1);
	/* only losses; a counter that went back starts from 0 */
	camfence_alerts_events_lost(a, 1);
	camfence_alerts_tick(a, T0 + 180 * SEC, WALL0 + 180);
	ck_assert_str_eq(lines[1].line, "alerts: 1 event lost (ring buffer full) in the last 60 s");
	ck_assert_uint_eq(stats().events_lost, 13);
	ck_assert_uint_eq(stats().suppressed_rule, 2);
}
END_TEST

START_TEST(report_now_says_the_window_so_far)
{
	camfence_alerts_tick(a, T0, WALL0);
	camfence_alerts_report_now(a, T0 + 5 * SEC);
	ck_assert_int_eq(nlines, 0);
	camfence_alerts_events_lost(a, 4);
	camfence_alerts_report_now(a, T0 + 10 * SEC);
	ck_assert_int_eq(nlines, 1);
	ck_assert_str_eq(lines[0].line, "alerts: 4 events lost (ring buffer full) in the last 10 s");
	/* said once: the next window starts from there */
	camfence_alerts_report_now(a, T0 + 11 * SEC);
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	ck_assert_int_eq(nlines, 1);
}
END_TEST

START_TEST(nothing_reported_when_nothing_held_back)
{
	int t;

	for (t = 0; t < 300; t++) {
		if (t % 7 == 0)
			blocked(204, t % 30, 443, T0 + t * SEC);
		camfence_alerts_tick(a, T0 + t * SEC, WALL0 + t);
	}
	ck_assert_int_gt(nlines, 0);
	ck_assert_int_eq(count_event("report"), 0);
	ck_assert_int_eq(count_event("folded"), 0);
	ck_assert_int_eq(count_event("blocked"), nlines - count_event("repeated"));
}
END_TEST

START_TEST(summaries_fold_over_overall_limit)
{
	int i;

	/* 3 per 600 s overall: the first lines take them all */
	setup_with(0, 3, 600, 0, 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(blocked(204, i, 443, T0), 1);
		more(204, i, 443, 10, T0 + SEC);
	}
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	/* no summary each, one line for all, and no report: nothing was lost */
	ck_assert_int_eq(nlines, 4);
	ck_assert_str_eq(lines[3].event, "folded");
	ck_assert_str_eq(lines[3].line,
			 "blocked: 30 more attempts to 3 destinations in the last 60 s, not itemised "
			 "(overall limit 3/600s: 3)");
	ck_assert_str_eq(lines[3].sd, "count=30 destinations=3 seconds=60");
	ck_assert_uint_eq(stats().summaries, 0);
}
END_TEST

START_TEST(aggregates_lru_evicts_and_counts)
{
	int i;

	setup_with(0, 0, 0, 4, 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(blocked(204, i, 443, T0), 1);
	/* used in the order 1, 0, 2, 3: 1 is the least recently used */
	more(204, 1, 443, 3, T0 + 10);
	more(204, 0, 443, 5, T0 + 11);
	more(204, 2, 443, 2, T0 + 12);
	more(204, 3, 443, 4, T0 + 13);
	ck_assert_int_eq(blocked(204, 4, 443, T0 + 20), 1);
	ck_assert_uint_eq(stats().keys_evicted, 1);
	ck_assert_int_eq(blocked(204, 0, 443, T0 + 21), 0);	/* kept */
	ck_assert_int_eq(blocked(204, 1, 443, T0 + 22), 1);	/* evicted: news again ... */
	ck_assert_uint_eq(stats().keys_evicted, 2);		/* ... evicting 2 */

	/* what the evicted counted is not lost: folded, and the evictions reported */
	camfence_alerts_tick(a, T0 + 60 * SEC, WALL0 + 60);
	ck_assert_int_eq(nlines, 6 + 4);
	ck_assert_str_eq(lines[6].event, "repeated");
	ck_assert_ptr_nonnull(strstr(lines[6].line, "-> 47.88.59.0:443 mac"));
	ck_assert_ptr_nonnull(strstr(lines[6].line, ": 6 more in the last 60 s"));
	ck_assert_ptr_nonnull(strstr(lines[7].line, "-> 47.88.59.3:443 mac"));
	ck_assert_ptr_nonnull(strstr(lines[7].line, ": 4 more in the last 60 s"));
	ck_assert_str_eq(lines[8].line,
			 "blocked: 5 more attempts to 2 destinations in the last 60 s, not itemised "
			 "(aggregate table full at 4: 2)");
	ck_assert_str_eq(lines[9].line,
			 "alerts: 2 aggregates evicted (table full at 4) in the last 60 s");
}
END_TEST

/* ---- the recent list ---- */

START_TEST(recent_bounded_and_since)
{
	json_object *arr, *o, *v;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	setup_with(3, 0, 0, 0, 5);
	for (i = 0; i < 8; i++)
		blocked(204, i < 6 ? i : 0, 443, T0 + i * SEC);
	arr = camfence_alerts_recent_json(a, 0);
	ck_assert_int_eq(json_object_array_length(arr), 5);
	o = json_object_array_get_idx(arr, 0);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(o, "time")), WALL0 + 3);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "alert")), "suppressed");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "line")),
			 "blocked udp 192.168.10.204:25508 -> 47.88.59.3:443 cam204");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "device")), "cam204");
	o = json_object_array_get_idx(arr, 4);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o, "alert")), "aggregated");
	json_object_put(arr);

	arr = camfence_alerts_recent_json(a, WALL0 + 6);
	ck_assert_int_eq(json_object_array_length(arr), 2);
	json_object_put(arr);

	/* numbers as numbers */
	{
		struct camfence_event ev = event(204, 9, 443);
		struct cf_sd_param sd[2] = { { "event", "blocked" }, { "dport", "443" } };

		camfence_alerts_blocked(a, &ev, "x", sd, 2, T0 + 9 * SEC, WALL0 + 9);
		arr = camfence_alerts_recent_json(a, WALL0 + 9);
		v = json_object_object_get(json_object_array_get_idx(arr, 0), "dport");
		ck_assert(json_object_is_type(v, json_type_int));
		ck_assert_int_eq(json_object_get_int(v), 443);
		json_object_put(arr);
	}

	f = open_memstream(&text, &len);
	camfence_alerts_print_recent(a, WALL0 + 7, f);
	fclose(f);
	for (i = 0, len = 0; text[i]; i++)
		len += text[i] == '\n';
	ck_assert_uint_eq(len, 2);
	ck_assert_ptr_nonnull(strstr(text, " blocked udp 192.168.10.204:25508 -> 47.88.59.0:443 cam204\n"));
	ck_assert_ptr_nonnull(strstr(text, " x\n"));
	free(text);
}
END_TEST

/* ---- --since ---- */

START_TEST(parse_since_formats)
{
	static const struct {
		const char *s;
		time_t want;
	} ok[] = {
		{ "90s", 1796072400 + 3600 - 90 },
		{ "10m", 1796072400 + 3600 - 600 },
		{ "2h", 1796072400 + 3600 - 7200 },
		{ "1d", 1796072400 + 3600 - 86400 },
		{ "0s", 1796072400 + 3600 },
		{ "@1764540000", 1764540000 },
		{ "2026-11-30T21:00:00", 1796072400 },
		{ "2026-11-30 21:00:00", 1796072400 },
		{ "2026-11-30 21:00", 1796072400 },
		{ "2026-11-30", 1795996800 },
		{ "21:00", 1796072400 },
		{ "21:00:30", 1796072430 },
		{ "9:05", 1795996800 + 9 * 3600 + 5 * 60 },
		{ "2024-02-29T00:00:00", 1709164800 },
	};
	time_t now = 1796072400 + 3600, out;	/* 2026-11-30 22:00:00 UTC */
	char err[256];
	size_t i;

	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		err[0] = '\0';
		out = -1;
		ck_assert_msg(!camfence_alerts_parse_since(ok[i].s, now, &out, err, sizeof(err)),
			      "%s: %s", ok[i].s, err);
		ck_assert_msg(out == ok[i].want, "%s: %lld, expected %lld", ok[i].s, (long long)out,
			      (long long)ok[i].want);
	}
	unsetenv("TZ");
	tzset();
}
END_TEST

START_TEST(parse_since_rejects)
{
	static const struct {
		const char *s, *msg;
	} bad[] = {
		{ "10x", "--since '10x': unknown unit 'x'; use s, m, h or d (90s, 10m, 2h, 1d)" },
		{ "", "--since '': empty; expected 90s, 10m, 2h, 1d, @EPOCH, 2026-11-30T21:00:00 or 21:00" },
		{ "-5m", "--since '-5m': no sign: '5m' already means that long ago" },
		{ "2026-13-01T00:00:00", "--since '2026-13-01T00:00:00': month 13 is out of range (1-12)" },
		{ "2026-02-29", "--since '2026-02-29': day 29 is out of range for 2026-02 (1-28)" },
		{ "2026-11-30T24:00", "--since '2026-11-30T24:00': hour 24 is out of range (0-23)" },
		{ "2026-11-30T21:0", "--since '2026-11-30T21:0': expected a time as HH:MM or HH:MM:SS, like 21:00" },
		{ "2026-11-30X21:00", "--since '2026-11-30X21:00': expected a date and time like 2026-11-30T21:00:00 or 2026-11-30 21:00" },
		{ "21:60", "--since '21:60': minute 60 is out of range (0-59)" },
		{ "@abc", "--since '@abc': expected seconds since the epoch after '@', like @1764540000" },
		{ "@", "--since '@': expected seconds since the epoch after '@', like @1764540000" },
		{ "10", "--since '10': a duration needs its unit: 10s, 10m, 10h or 10d" },
		{ "10mm", "--since '10mm': unexpected 'm' after the unit" },
		{ "yesterday", "--since 'yesterday': expected how long ago (90s, 10m, 2h, 1d), @EPOCH, a date (2026-11-30T21:00:00) or a time today (21:00)" },
	};
	char err[256];
	time_t out = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(camfence_alerts_parse_since(bad[i].s, 1796072400, &out, err, sizeof(err)) == -1,
			      "%s accepted", bad[i].s);
		ck_assert_str_eq(err, bad[i].msg);
	}
	ck_assert_int_eq(out, 42);
}
END_TEST

/* One TCase per behaviour; "open" ones start with no limits. */
#define TC(s, fn, open)								\
	do {									\
		TCase *tc = tcase_create(#fn);					\
		tcase_add_checked_fixture(tc, (open) ? setup_open : NULL, teardown); \
		tcase_add_test(tc, fn);						\
		suite_add_tcase(s, tc);						\
	} while (0)

Suite *alerts_suite(void)
{
	Suite *s = suite_create("alerts");

	TC(s, first_emits_then_aggregates, 1);
	TC(s, summary_counts_events_and_packets, 1);
	TC(s, no_summary_when_nothing_more, 1);
	TC(s, persistent_attempts_one_summary_per_window, 1);
	TC(s, device_limit, 0);
	TC(s, overall_limit, 0);
	TC(s, device_held_back_by_overall_keeps_its_token, 0);
	TC(s, rule_suppressed_and_events_lost_reported, 1);
	TC(s, report_now_says_the_window_so_far, 1);
	TC(s, nothing_reported_when_nothing_held_back, 1);
	TC(s, summaries_fold_over_overall_limit, 0);
	TC(s, aggregates_lru_evicts_and_counts, 0);
	TC(s, recent_bounded_and_since, 0);
	TC(s, parse_since_formats, 0);
	TC(s, parse_since_rejects, 0);
	return s;
}
