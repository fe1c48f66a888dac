// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_push: camfence.ko through the daemon's own client (daemon/kmod_*.c),
 * for tests/vm/tests.sh. Links libcamfence.a:
 *
 *   cc -Iinclude -Idaemon $(pkg-config --cflags libnl-genl-3.0) \
 *      -o kmod_push tests/vm/kmod_push.c build/libcamfence.a \
 *      $(pkg-config --libs libbpf libnl-genl-3.0 libmnl json-c)
 *
 *   kmod_push push FILE [GEN]  compile FILE against this host's interfaces,
 *                              push it as GEN (default: the live one + 1) in
 *                              slot GEN & 1, dump the live policy back and
 *                              compare it record by record
 *   kmod_push counters         generation, stats, devices and rules
 *   kmod_push reset            zero the counters
 *   kmod_push events N [SECS]  print N events (waits SECS, default 5)
 *
 * One fact a line, "name value...", for the tests to grep. Exit status: 0,
 * 1 when refused or failed (the reason on stderr), 2 when the policy read
 * back differs from the one pushed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "kmod_client.h"
#include "policy.h"
#include "policy_compile.h"

static const char *const stat_names[__CAMFENCE_STAT_MAX] = {
	[CAMFENCE_STAT_PASS_PKTS]	= "pass_pkts",
	[CAMFENCE_STAT_PASS_BYTES]	= "pass_bytes",
	[CAMFENCE_STAT_DROP_PKTS]	= "drop_pkts",
	[CAMFENCE_STAT_DROP_BYTES]	= "drop_bytes",
	[CAMFENCE_STAT_EVENTS]		= "events",
	[CAMFENCE_STAT_EVENTS_LOST]	= "events_lost",
	[CAMFENCE_STAT_MALFORMED]	= "malformed",
	[CAMFENCE_STAT_UNMANAGED]	= "unmanaged",
	[CAMFENCE_STAT_FLOW_CACHE_HITS]	= "flow_cache_hits",
};

static int fail(const char *what, int err)
{
	fprintf(stderr, "kmod_push: %s: %s\n", what, camfence_kmod_client_strerror(err));
	return 1;
}

static int ifindex_of(const char *name, void *ctx)
{
	unsigned int idx = if_nametoindex(name);

	return idx ? (int)idx : -ENODEV;
}

/* The module keeps each table sorted for its binary searches, so a dump
 * comes back in its own order: both sides are sorted bytewise first. */
static size_t entry_size;

static int entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, entry_size);
}

#define SORTED(c, field)								\
	(entry_size = sizeof(*(c)->field.v),						\
	 (c)->field.n ? qsort((c)->field.v, (c)->field.n, entry_size, entry_cmp) : (void)0, 1)

/* Same records per table: what was pushed is what is live. */
#define SAME(a, b, field)								\
	((a)->field.n == (b)->field.n &&						\
	 (!(a)->field.n || !memcmp((a)->field.v, (b)->field.v, (a)->field.n * sizeof(*(a)->field.v))))

/* Names the first table that differs on stderr, so a failure says where. */
#define CHECK(a, b, field)								\
	do {										\
		if (!SORTED(a, field) || !SORTED(b, field) || !SAME(a, b, field)) {						\
			fprintf(stderr, "kmod_push: table " #field ": pushed %zu records, live %zu\n", \
				(a)->field.n, (b)->field.n);				\
			return 0;							\
		}									\
	} while (0)

static int same_policy(struct cf_compiled *a, struct cf_compiled *b)
{
	if (a->slot != b->slot) {
		fprintf(stderr, "kmod_push: slot: pushed %u, live %u\n", a->slot, b->slot);
		return 0;
	}
	CHECK(a, b, ifaces);
	CHECK(a, b, macs);
	CHECK(a, b, src4);
	CHECK(a, b, src6);
	CHECK(a, b, vlans);
	CHECK(a, b, dst4);
	CHECK(a, b, dst6);
	CHECK(a, b, ports);
	CHECK(a, b, policies);
	return 1;
}

static size_t records(const struct cf_compiled *c)
{
	return c->ifaces.n + c->macs.n + c->src4.n + c->src6.n + c->vlans.n + c->dst4.n +
	       c->dst6.n + c->ports.n + c->policies.n;
}

static int push(struct camfence_kmod *k, const char *file, const char *gen_arg)
{
	struct camfence_kmod_counters now;
	struct cf_compiled *c, *live;
	struct cf_config *cfg;
	char err[512];
	__u64 gen, got;
	int ret;

	ret = camfence_kmod_counters(k, &now, NULL, NULL, NULL);
	if (ret)
		return fail("COUNTERS_GET", ret);
	gen = gen_arg ? strtoull(gen_arg, NULL, 0) : now.generation + 1;

	cfg = camfence_policy_parse_file(file);
	if (!cfg || cfg->nerrors) {
		fprintf(stderr, "kmod_push: %s: does not parse (camfencectl check %s)\n", file, file);
		camfence_policy_free(cfg);
		return 1;
	}
	ret = camfence_policy_compile(cfg, gen & 1, ifindex_of, NULL, &c, err, sizeof(err));
	camfence_policy_free(cfg);
	if (ret) {
		fprintf(stderr, "kmod_push: %s\n", err);
		return 1;
	}

	ret = camfence_kmod_push(k, c, gen, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "kmod_push: %s\n", err);
		camfence_policy_compiled_free(c);
		return 1;
	}
	printf("pushed generation %llu slot %u records %zu\n", (unsigned long long)gen, c->slot,
	       records(c));

	ret = camfence_kmod_policy_get(k, &live, &got);
	if (ret) {
		camfence_policy_compiled_free(c);
		return fail("POLICY_GET", ret);
	}
	ret = got == gen && same_policy(c, live) ? 0 : 2;
	printf("live generation %llu records %zu %s\n", (unsigned long long)got, records(live),
	       ret ? "differs" : "same");
	camfence_policy_compiled_free(live);
	camfence_policy_compiled_free(c);
	return ret;
}

static void print_device(__u32 id, const struct camfence_counters *c, void *ctx)
{
	printf("device %u pass_pkts %llu pass_bytes %llu drop_pkts %llu drop_bytes %llu\n", id,
	       (unsigned long long)c->pass_pkts, (unsigned long long)c->pass_bytes,
	       (unsigned long long)c->drop_pkts, (unsigned long long)c->drop_bytes);
}

static void print_rule(__u32 id, __u64 pkts, __u64 bytes, void *ctx)
{
	printf("rule %u pkts %llu bytes %llu\n", id, (unsigned long long)pkts,
	       (unsigned long long)bytes);
}

static int counters(struct camfence_kmod *k)
{
	struct camfence_kmod_counters c;
	int i, ret;

	ret = camfence_kmod_counters(k, &c, print_device, print_rule, NULL);
	if (ret)
		return fail("COUNTERS_GET", ret);
	printf("generation %llu\n", (unsigned long long)c.generation);
	for (i = 0; i < __CAMFENCE_STAT_MAX; i++)
		printf("stat %s %llu\n", stat_names[i], (unsigned long long)c.stats[i]);
	return 0;
}

static int print_event(void *ctx, void *data, size_t size)
{
	const struct camfence_event *ev = data;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
	int *left = ctx;

	inet_ntop(ev->family, ev->saddr, saddr, sizeof(saddr));
	inet_ntop(ev->family, ev->daddr, daddr, sizeof(daddr));
	printf("event ifindex %u device %u policy %u rule %u proto %u %s %u > %s %u "
	       "verdict %u reason %u generation %llu\n", ev->ifindex, ev->device_id,
	       ev->policy_id, ev->rule_id, ev->proto, saddr, ev->sport, daddr, ev->dport,
	       ev->verdict, ev->reason, (unsigned long long)ev->generation);
	fflush(stdout);
	return --*left > 0 ? 0 : -ECANCELED;
}

static int events(int want, int secs)
{
	struct camfence_kmod_event_stats st;
	struct camfence_kmod_events *e;
	time_t end = time(NULL) + secs;
	int left = want, ret;

	ret = camfence_kmod_events_open(&e);
	if (ret)
		return fail("events", ret);
	printf("listening\n");
	fflush(stdout);
	while (left > 0 && time(NULL) < end) {
		struct pollfd p = { .fd = camfence_kmod_events_fd(e), .events = POLLIN };

		if (poll(&p, 1, 200) <= 0)
			continue;
		ret = camfence_kmod_events_read(e, print_event, &left);
		if (ret == -ENOBUFS)
			printf("overrun\n");
		else if (ret < 0 && ret != -ECANCELED)
			break;
	}
	camfence_kmod_events_stats(e, &st);
	printf("events delivered %llu malformed %llu ignored %llu overruns %llu\n",
	       (unsigned long long)st.delivered, (unsigned long long)st.malformed,
	       (unsigned long long)st.ignored, (unsigned long long)st.overruns);
	camfence_kmod_events_close(e);
	return left > 0 ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: kmod_push push FILE [GEN] | counters | reset | events N [SECS]\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct camfence_kmod *k;
	int ret;

	if (!strcmp(cmd, "events") && argc > 2)
		return events(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 5);
	if (!(!strcmp(cmd, "push") && argc > 2) && strcmp(cmd, "counters") && strcmp(cmd, "reset"))
		return usage();

	ret = camfence_kmod_open(&k);
	if (ret)
		return fail("open", ret);
	if (!strcmp(cmd, "push"))
		ret = push(k, argv[2], argc > 3 ? argv[3] : NULL);
	else if (!strcmp(cmd, "counters"))
		ret = counters(k);
	else if ((ret = camfence_kmod_counters_reset(k)))
		ret = fail("COUNTERS_RESET", ret);
	camfence_kmod_close(k);
	return ret;
}
