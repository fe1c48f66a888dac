// SPDX-License-Identifier: GPL-2.0
/*
 * kmod_push: camfence.ko through the daemon's own client (daemon/kmod_*.c),
 * for tests/vm/tests.sh. Links libcamfence.a:
 *
 *   cc -Iinclude -Idaemon $(pkg-config --cflags libnl-genl-3.0) \
 *      -o kmod_push tests/vm/kmod_push.c build/libcamfence.a \
 *      $(pkg-config --libs libbpf libnl-genl-3.0 libmnl json-c)
 *
 *   kmod_push push FILE [GEN [RECORD...]]
 *                              compile FILE against this host's interfaces,
 *                              add the RECORDs, push it as GEN (default: the
 *                              live one + 1; 0 too) in slot GEN & 1, dump
 *                              the live policy back and compare it record by
 *                              record
 *   kmod_push learned-set GEN RECORD, kmod_push learned-del GEN RECORD
 *                              the learned RECORD (its key alone for a del)
 *                              to the live policy, meant for generation GEN;
 *                              prints the errno ("result -116")
 *   kmod_push learned          the live policy's learned records, one a line:
 *                              "learned DEVICE MAC ADDR TABLE,..." (sorted)
 *   kmod_push counters         generation, stats, devices and rules
 *   kmod_push reset            zero the counters
 *   kmod_push events N [SECS]  print N events (waits SECS, default 5)
 *
 * RECORDs are hand-built, in slot GEN & 1 (the live one's for learned-*):
 *
 *   port,TABLE,PROTO|any,PORT/BITS=pass|drop,log|0,RULE
 *   learned,DEVICE,MAC,ADDR=TABLE[,TABLE...]
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
	CHECK(a, b, learned);
	return 1;
}

static size_t records(const struct cf_compiled *c)
{
	return c->ifaces.n + c->macs.n + c->src4.n + c->src6.n + c->vlans.n + c->dst4.n +
	       c->dst6.n + c->ports.n + c->policies.n + c->learned.n;
}

/* A hand-built RECORD (see the top) for slot; 0, or -1 when it is not one. */
static int parse_port(char *text, __u32 slot, struct cf_port_entry *e)
{
	char proto[8], verdict[8], flags[8], rule[16];
	unsigned int table, port, bits;

	memset(e, 0, sizeof(*e));
	if (sscanf(text, "port,%u,%7[^,],%u/%u=%7[^,],%7[^,],%15s", &table, proto, &port, &bits,
		   verdict, flags, rule) != 7 || bits > 16)
		return -1;
	e->key.prefixlen = 48 + bits;
	e->key.scope = camfence_table_scope(slot, table);
	e->key.proto = strcmp(proto, "any") ? atoi(proto) : CAMFENCE_PROTO_ANY;
	e->key.port = htons(port);
	e->val.verdict = strcmp(verdict, "pass") ? CAMFENCE_DROP : CAMFENCE_PASS;
	e->val.flags = strcmp(flags, "log") ? 0 : CAMFENCE_DECISION_LOG;
	e->val.rule_id = strtoul(rule, NULL, 0);
	return 0;
}

static int parse_learned(char *text, __u32 slot, struct cf_learned_entry *e)
{
	char mac[18], addr[INET6_ADDRSTRLEN], *tables, *t;
	unsigned int device, b[6];
	int i;

	memset(e, 0, sizeof(*e));
	if (sscanf(text, "learned,%u,%17[^,],%45[^=]=", &device, mac, addr) != 3 ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6 ||
	    !(tables = strchr(text, '=')))
		return -1;
	e->key.slot = slot;
	e->key.device_id = device;
	for (i = 0; i < 6; i++)
		e->key.mac[i] = b[i];
	e->key.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(e->key.family, addr, e->key.addr) != 1)
		return -1;
	for (t = strtok(tables + 1, ","); t; t = strtok(NULL, ",")) {
		if (e->val.n == CAMFENCE_LEARNED_RULES)
			return -1;
		e->val.table[e->val.n++] = strtoul(t, NULL, 0);
	}
	return 0;
}

static int add_record(struct cf_compiled *c, const char *record)
{
	char text[256];

	snprintf(text, sizeof(text), "%s", record);
	if (!strncmp(text, "port,", 5) && !parse_port(text, c->slot, CF_VEC_PUSH(c->ports)))
		return 0;
	if (!strncmp(text, "learned,", 8) && !parse_learned(text, c->slot, CF_VEC_PUSH(c->learned)))
		return 0;
	fprintf(stderr, "kmod_push: not a record: %s\n", record);
	return -1;
}

static int push(struct camfence_kmod *k, const char *file, const char *gen_arg,
		char **extra, int nextra)
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
	gen = gen_arg ? strtoull(gen_arg, NULL, 0) : 0;
	if (!gen)
		gen = now.generation + 1;

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
	for (ret = 0; ret < nextra; ret++) {
		if (add_record(c, extra[ret])) {
			camfence_policy_compiled_free(c);
			return 1;
		}
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

/* learned-set and learned-del: what the module answered, as a number. */
static int learned_update(struct camfence_kmod *k, const char *cmd, const char *gen_arg,
			  const char *record)
{
	struct camfence_kmod_counters now;
	struct cf_learned_entry e;
	char text[256];
	__u64 gen = strtoull(gen_arg, NULL, 0);
	int ret;

	/* the slot of the live policy, as the daemon would write it */
	ret = camfence_kmod_counters(k, &now, NULL, NULL, NULL);
	if (ret)
		return fail("COUNTERS_GET", ret);
	snprintf(text, sizeof(text), "%s", record);
	if (strncmp(text, "learned,", 8) || parse_learned(text, now.generation & 1, &e)) {
		fprintf(stderr, "kmod_push: not a learned record: %s\n", record);
		return 1;
	}
	if (!strcmp(cmd, "learned-set"))
		ret = camfence_kmod_learned_set(k, gen, &e.key, &e.val);
	else
		ret = camfence_kmod_learned_del(k, gen, &e.key);
	printf("result %d\n", ret);
	return 0;
}

static int learned_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int learned_dump(struct camfence_kmod *k)
{
	struct cf_compiled *live;
	char **lines;
	__u64 gen;
	size_t i;
	int ret, j;

	ret = camfence_kmod_policy_get(k, &live, &gen);
	if (ret)
		return fail("POLICY_GET", ret);
	lines = calloc(live->learned.n + 1, sizeof(*lines));
	for (i = 0; lines && i < live->learned.n; i++) {
		const struct cf_learned_entry *e = &live->learned.v[i];
		char addr[INET6_ADDRSTRLEN], tables[64] = "";
		size_t len = 0;

		inet_ntop(e->key.family, e->key.addr, addr, sizeof(addr));
		for (j = 0; j < (int)e->val.n && j < CAMFENCE_LEARNED_RULES; j++)
			len += snprintf(tables + len, sizeof(tables) - len, "%s%u", j ? "," : "",
					e->val.table[j]);
		if (asprintf(&lines[i], "learned %u %02x:%02x:%02x:%02x:%02x:%02x %s %s",
			     e->key.device_id, e->key.mac[0], e->key.mac[1], e->key.mac[2],
			     e->key.mac[3], e->key.mac[4], e->key.mac[5], addr, tables) < 0)
			lines[i] = NULL;
	}
	if (lines) {
		qsort(lines, live->learned.n, sizeof(*lines), learned_lines);
		for (i = 0; i < live->learned.n; i++) {
			printf("%s\n", lines[i] ? lines[i] : "?");
			free(lines[i]);
		}
	}
	free(lines);
	printf("generation %llu learned %zu\n", (unsigned long long)gen, live->learned.n);
	camfence_policy_compiled_free(live);
	return 0;
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
	fprintf(stderr, "usage: kmod_push push FILE [GEN [RECORD...]] | learned-set GEN RECORD | "
		"learned-del GEN RECORD | learned | counters | reset | events N [SECS]\n");
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct camfence_kmod *k;
	int ret;

	if (!strcmp(cmd, "events") && argc > 2)
		return events(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 5);
	if (!(!strcmp(cmd, "push") && argc > 2) && strcmp(cmd, "counters") && strcmp(cmd, "reset") &&
	    !((!strcmp(cmd, "learned-set") || !strcmp(cmd, "learned-del")) && argc == 4) &&
	    !(!strcmp(cmd, "learned") && argc == 2))
		return usage();

	ret = camfence_kmod_open(&k);
	if (ret)
		return fail("open", ret);
	if (!strcmp(cmd, "push"))
		ret = push(k, argv[2], argc > 3 ? argv[3] : NULL, argv + 4, argc > 4 ? argc - 4 : 0);
	else if (!strncmp(cmd, "learned-", 8))
		ret = learned_update(k, cmd, argv[2], argv[3]);
	else if (!strcmp(cmd, "learned"))
		ret = learned_dump(k);
	else if (!strcmp(cmd, "counters"))
		ret = counters(k);
	else if ((ret = camfence_kmod_counters_reset(k)))
		ret = fail("COUNTERS_RESET", ret);
	camfence_kmod_close(k);
	return ret;
}
