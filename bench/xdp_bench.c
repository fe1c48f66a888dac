// SPDX-License-Identifier: GPL-2.0
/*
 * ns per packet through BPF_PROG_TEST_RUN: camfence_xdp against a program
 * that only passes, on the paths a packet can take, and against xdp-filter's
 * program (XDPFILTER_OBJ, bench/xdpfilter.c) on the known denied packet.
 * Every figure is the median of ROUNDS rounds; the rounds take each figure
 * in turn, so a slow moment of the machine touches all of them alike.
 *
 *   xdp_bench xdp PASS_OBJ XDPFILTER_OBJ [ROUNDS [REPEAT]]
 *                                              figures: name<TAB>value<TAB>unit
 *   xdp_bench push RULES [RUNS]                seconds to compile and push a policy
 *   xdp_bench policy FILE DEVICES POLICIES RULES   write a generated policy
 *
 * Known flows run REPEAT times in one call (the kernel reports the mean).
 * Ratios are medians of per-round ratios. BENCH_VERBOSE=1 prints every
 * round's figures to stderr.
 * A new flow is new only once, so those figures run one packet per call
 * over NEW_FLOWS distinct destinations a round. The pass program and a known
 * denied flow are timed the same way too (xdp.pass_single_ns,
 * xdp.denied_single_ns): one call's timing adds its own overhead, and only
 * figures taken the same way are compared.
 * Every measured packet must have taken the path its figure names: the
 * flow-cache hits are counted, the flow entry of each known flow and every
 * event are checked against the rule that should have decided them, and
 * xdp-filter's own counters must show every packet dropped by its default.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "camfence.skel.h"
#include "loader.h"
#include "packet.h"

#define MAX_ROUNDS	11	/* every new flow stays in the flow table */
#define NEW_FLOWS	2048	/* per round and instance */
#define CONSUME_EVERY	256	/* events of 88 bytes: the ring holds about 2900 */
#define FAKE_IFINDEX	4242
#define KNOWN_DST	"47.88.255.254"	/* the destination of the known denied flows */
#define KNOWN_DPORT	32100
#define SCALE_RULES	100000	/* the big side of xdp.rules_100k_vs_10 */
#define SCALE_DEVICES	10000	/* ... and of xdp.devices_10k_vs_10 */
#define SMALL		10	/* rules and devices of the small sides */

#define YI	{ 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 }

/* The site of docs/examples/camfence.conf with the Yi camera of the test data. */
static const char site_policy[] =
	"zone cams {\n"
	"\tinterface lo\n"
	"\tunknown deny\n"
	"}\n"
	"group yi {\n"
	"\tmac b0:d5:9d:b9:f0:b4\n"
	"\tip 192.168.10.64/28\n"
	"\tpolicy lan\n"
	"}\n"
	"policy lan {\n"
	"\tallow to 192.168.10.0/24\n"
	"\tallow to 192.0.2.123 udp 123\n"
	"\tdeny to 192.0.2.0/24\n"
	"\tallow to 2001:db8:20::/48 tcp 554\n"
	"\tdefault deny\n"
	"}\n";

/* What decides a packet: what its flow entry and its event must say. */
struct decided {
	__u8 verdict;
	__u8 reason;
	__u32 policy_id;
	__u32 rule_id;
	__u32 device_id;
};

/* One loaded camfence_xdp with its own maps and policy. */
struct instance {
	const char *what;
	struct camfence_loader *l;
	struct ring_buffer *rb;
	int fd;
	uint8_t mac[6];		/* the device its packets come from */
	struct decided denied;	/* what decides its packets to BENCH_DENY_PREFIX */
	unsigned int next_dst;	/* destinations used by new denied flows so far */
	unsigned int next_port;	/* ports used by new allowed flows so far */
	unsigned long events, bad_events;
	__u64 hits0;		/* flow-cache hits before the rounds */
};

enum figure {
	PASS, ALLOWED, DENIED, UNMANAGED, DENIED_NEW, PASS_SINGLE, DENIED_SINGLE, ALLOWED_NEW,
	XDPFILTER,
	RULES_10, RULES_100K, DEVICES_10, DEVICES_10K,
	RULES_10_NEW, RULES_100K_NEW, DEVICES_10_NEW, DEVICES_10K_NEW,
	NFIGURES
};

static const char *const figure_names[NFIGURES] = {
	[PASS] = "xdp.pass_ns",
	[ALLOWED] = "xdp.allowed_ns",
	[DENIED] = "xdp.denied_ns",
	[UNMANAGED] = "xdp.unmanaged_ns",
	[DENIED_NEW] = "xdp.denied_new_ns",
	[PASS_SINGLE] = "xdp.pass_single_ns",
	[DENIED_SINGLE] = "xdp.denied_single_ns",
	[ALLOWED_NEW] = "xdp.allowed_new_ns",
	[XDPFILTER] = "xdp.xdpfilter_denied_ns",
	[RULES_10] = "xdp.rules_10_ns",
	[RULES_100K] = "xdp.rules_100k_ns",
	[DEVICES_10] = "xdp.devices_10_ns",
	[DEVICES_10K] = "xdp.devices_10k_ns",
	[RULES_10_NEW] = "xdp.rules_10_new_ns",
	[RULES_100K_NEW] = "xdp.rules_100k_new_ns",
	[DEVICES_10_NEW] = "xdp.devices_10_new_ns",
	[DEVICES_10K_NEW] = "xdp.devices_10k_new_ns",
};

static double samples[NFIGURES][MAX_ROUNDS];

static int fail(const char *what, int err)
{
	fprintf(stderr, "xdp_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every event must be a new flow to BENCH_DENY_PREFIX, decided as expected. */
static int on_event(void *ctx, void *data, size_t size)
{
	struct instance *in = ctx;
	const struct camfence_event *ev = data;
	const struct decided *d = &in->denied;

	in->events++;
	if (size < sizeof(*ev) || ev->verdict != d->verdict || ev->reason != d->reason ||
	    ev->policy_id != d->policy_id || ev->rule_id != d->rule_id ||
	    ev->device_id != d->device_id || memcmp(ev->mac, in->mac, 6) ||
	    ev->family != AF_INET || ev->proto != IPPROTO_UDP || ev->daddr[0] != 47 ||
	    ev->daddr[1] != 88) {
		if (!in->bad_events++)
			fprintf(stderr, "xdp_bench: %s: event verdict %u reason %u policy %u rule %u device %u, want %u %u %u %u %u\n",
				in->what, ev->verdict, ev->reason, ev->policy_id, ev->rule_id,
				ev->device_id, d->verdict, d->reason, d->policy_id, d->rule_id,
				d->device_id);
	}
	return 0;
}

static int resolve(const char *name, void *ctx)
{
	long fake = (long)ctx;
	int idx;

	if (fake)
		return fake;
	idx = if_nametoindex(name);
	return idx ? idx : -ENODEV;
}

/* Compile and push cfg with the daemon's own code, as it does; how long
 * each step took in compile_s and push_s when they are not NULL. */
static int push(struct camfence_loader *l, const struct cf_config *cfg, long fake_ifindex,
		double *compile_s, double *push_s)
{
	struct cf_compiled *c = NULL;
	char why[512];
	double t0 = now_s(), t1;
	int ret;

	ret = camfence_policy_compile(cfg, camfence_loader_next_slot(l), resolve,
				      (void *)fake_ifindex, &c, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "xdp_bench: %s\n", why);
		return ret;
	}
	t1 = now_s();
	ret = camfence_loader_push(l, c);
	if (compile_s)
		*compile_s = t1 - t0;
	if (push_s)
		*push_s = now_s() - t1;
	camfence_policy_compiled_free(c);
	return ret;
}

static int instance_open(struct instance *in, const char *what, const char *text,
			 long fake_ifindex, const uint8_t mac[6], struct decided denied)
{
	struct cf_config *cfg = camfence_policy_parse_text(what, text);
	int ret;

	memset(in, 0, sizeof(*in));
	in->what = what;
	in->denied = denied;
	memcpy(in->mac, mac, 6);
	if (cfg->nerrors) {
		camfence_policy_print_errors(cfg, stderr);
		ret = -EINVAL;
		goto out;
	}
	ret = camfence_loader_open(&in->l);
	if (ret) {
		fprintf(stderr, "xdp_bench: %s: cannot load the XDP program (root?)\n", what);
		goto out;
	}
	ret = push(in->l, cfg, fake_ifindex, NULL, NULL);
	if (ret)
		goto out;
	in->fd = bpf_program__fd(camfence_loader_skel(in->l)->progs.camfence_xdp);
	in->rb = ring_buffer__new(bpf_map__fd(camfence_loader_skel(in->l)->maps.events), on_event,
				  in, NULL);
	if (!in->rb)
		ret = -errno;
out:
	camfence_policy_free(cfg);
	return ret;
}

static void instance_close(struct instance *in)
{
	ring_buffer__free(in->rb);
	camfence_loader_close(in->l);
}

static __u64 instance_stat(struct instance *in, enum camfence_stat s)
{
	__u64 st[__CAMFENCE_STAT_MAX];

	if (camfence_loader_stats(in->l, st))
		return 0;
	return st[s];
}

/* Runs one frame repeat times; *ns is the kernel's mean per run. */
static int run(int fd, const uint8_t *frame, size_t len, __u32 repeat, int want, double *ns)
{
	/* data_end is the length of data_in: no metadata before the frame */
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	if ((int)opts.retval != want) {
		fprintf(stderr, "xdp_bench: verdict %u, want %d\n", opts.retval, want);
		return -EPROTO;
	}
	*ns = opts.duration;
	return 0;
}

/* A UDP packet of the device with MAC mac, from the Yi camera's address. */
static struct pkt_spec udp_to(const uint8_t mac[6], const char *dst, uint16_t dport)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = "192.168.10.204", .dst = dst, .proto = IPPROTO_UDP,
		.sport = 40000, .dport = dport,
	};

	memcpy(s.src_mac, mac, 6);
	return s;
}

/* The flow entry of s, put there by one packet, must hold what decided it. */
static int check_flow(struct instance *in, const struct pkt_spec *s, const struct decided *d)
{
	struct camfence_flow_key k = {
		.ifindex = 1, .family = AF_INET, .proto = s->proto, .dport = s->dport,
	};
	struct camfence_flow f;

	memcpy(k.mac, s->src_mac, 6);
	inet_pton(AF_INET, s->src, k.saddr);
	inet_pton(AF_INET, s->dst, k.daddr);
	if (bpf_map_lookup_elem(bpf_map__fd(camfence_loader_skel(in->l)->maps.flows), &k, &f)) {
		fprintf(stderr, "xdp_bench: %s: no flow entry to %s\n", in->what, s->dst);
		return -ENOENT;
	}
	if (f.generation != camfence_loader_generation(in->l) || f.packets != 1 ||
	    f.verdict != d->verdict || f.reason != d->reason || f.policy_id != d->policy_id ||
	    f.rule_id != d->rule_id || f.device_id != d->device_id) {
		fprintf(stderr, "xdp_bench: %s: flow to %s: verdict %u reason %u policy %u rule %u device %u, want %u %u %u %u %u\n",
			in->what, s->dst, f.verdict, f.reason, f.policy_id, f.rule_id, f.device_id,
			d->verdict, d->reason, d->policy_id, d->rule_id, d->device_id);
		return -EPROTO;
	}
	return 0;
}

/* What run_single sends. */
enum flows {
	SAME_FLOW,	/* frame, again and again */
	NEW_DENIED,	/* first packets of flows to 47.88/16, never KNOWN_DST */
	NEW_ALLOWED,	/* first packets of flows to the NVR, a new port above 10000 each */
};

/* NEW_FLOWS packets, one per call; *ns is their mean. */
static int run_single(struct instance *in, int fd, enum flows what, const uint8_t *frame,
		      size_t len, int want, double *ns)
{
	struct pkt_spec lan = udp_to(in->mac, "192.168.10.248", 0), s;
	uint8_t buf[256];
	char dst[INET_ADDRSTRLEN];
	double sum = 0, one;
	int i, ret;

	for (i = 0; i < NEW_FLOWS; i++) {
		if (what == NEW_DENIED) {
			unsigned int k = ++in->next_dst;

			snprintf(dst, sizeof(dst), "47.88.%u.%u", (k >> 8) & 0xff, k & 0xff);
			s = udp_to(in->mac, dst, KNOWN_DPORT);
			len = pkt_build(&s, buf, sizeof(buf));
			frame = buf;
		} else if (what == NEW_ALLOWED) {
			lan.dport = 10000 + ++in->next_port;
			len = pkt_build(&lan, buf, sizeof(buf));
			frame = buf;
		}
		ret = run(fd, frame, len, 1, want, &one);
		if (ret)
			return ret;
		sum += one;
		if (in->rb && i % CONSUME_EVERY == CONSUME_EVERY - 1)
			ring_buffer__consume(in->rb);
	}
	if (in->rb)
		ring_buffer__consume(in->rb);
	*ns = sum / NEW_FLOWS;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* A ratio is the median of the rounds' own ratios: both figures of a round
 * were taken moments apart, so a slow stretch of the machine cancels out. */
static void print_ratio(const char *name, enum figure num, enum figure den, int rounds)
{
	double q[MAX_ROUNDS];
	int r;

	for (r = 0; r < rounds; r++)
		q[r] = samples[num][r] / samples[den][r];
	printf("%s\t%.2f\tx\n", name, median(q, rounds));
}

/* Runs where the kernel is least disturbed: the last CPU. */
static void pin(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(n > 1 ? n - 1 : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int open_pass(const char *path, struct bpf_object **obj, int *fd)
{
	struct bpf_program *prog;
	int ret;

	*obj = bpf_object__open_file(path, NULL);
	if (!*obj)
		return -errno;
	ret = bpf_object__load(*obj);
	if (ret)
		return ret;
	prog = bpf_object__find_program_by_name(*obj, "bench_pass");
	if (!prog)
		return -ENOENT;
	*fd = bpf_program__fd(prog);
	return 0;
}

enum { SITE, OUTSIDE, R10, R100K, D10, D10K, NINST };

/* Each measured packet hit the flow cache, and only those did; every new
 * denied flow raised one event, decided as expected, and none was lost. */
static int check_paths(struct instance *inst, int rounds, __u32 repeat, __u64 unmanaged0)
{
	__u64 want_hits[NINST] = {
		[SITE] = 2ULL * rounds * repeat + (__u64)rounds * NEW_FLOWS,
		[R10] = (__u64)rounds * repeat,
		[R100K] = (__u64)rounds * repeat,
		[D10] = (__u64)rounds * repeat,
		[D10K] = (__u64)rounds * repeat,
	};
	unsigned long want_events = (unsigned long)rounds * NEW_FLOWS + 1;
	__u64 hits;
	int i;

	if (instance_stat(&inst[OUTSIDE], CAMFENCE_STAT_UNMANAGED) - unmanaged0 !=
	    (__u64)rounds * repeat)
		return fail("unmanaged packets were not counted as unmanaged", EPROTO);
	for (i = 0; i < NINST; i++) {
		hits = instance_stat(&inst[i], CAMFENCE_STAT_FLOW_CACHE_HITS) - inst[i].hits0;
		if (hits != want_hits[i]) {
			fprintf(stderr, "xdp_bench: %s: %llu flow-cache hits, want %llu\n",
				inst[i].what, (unsigned long long)hits,
				(unsigned long long)want_hits[i]);
			return 1;
		}
		if (i == OUTSIDE)
			continue;
		if (inst[i].events != want_events || inst[i].bad_events ||
		    instance_stat(&inst[i], CAMFENCE_STAT_EVENTS_LOST)) {
			fprintf(stderr, "xdp_bench: %s: %lu events (%lu not as expected) for %lu new denied flows\n",
				inst[i].what, inst[i].events, inst[i].bad_events, want_events);
			return 1;
		}
	}
	return 0;
}

static int bench_xdp(const char *pass_obj, const char *xdpfilter_obj, int rounds, __u32 repeat)
{
	static const uint8_t yi[6] = YI;
	struct instance inst[NINST] = { 0 };
	struct instance pass_new = { .what = "pass", .mac = YI };
	struct bpf_object *obj = NULL;
	struct bench_xdpfilter xf = { 0 };
	uint8_t allowed[256], denied[256], scaled[256], dev0[6];
	size_t allowed_len, denied_len, scaled_len;
	struct pkt_spec lan = udp_to(yi, "192.168.10.248", 5004), known_denied, known_scaled;
	/* the site: the NVR is its rule 0, the rest falls to the default */
	const struct decided site_allowed = { CAMFENCE_PASS, CAMFENCE_REASON_RULE, 0, 0, 1 };
	const struct decided site_denied = {
		CAMFENCE_DROP, CAMFENCE_REASON_DEFAULT, 0, CAMFENCE_RULE_DEFAULT, 1,
	};
	struct {
		const char *what;
		unsigned int devices, rules;
	} gen[NINST] = {
		[R10] = { "rules-10", SMALL, SMALL },
		[R100K] = { "rules-100k", SMALL, SCALE_RULES },
		[D10] = { "devices-10", SMALL, SMALL },
		[D10K] = { "devices-10k", SCALE_DEVICES, SMALL },
	};
	__u64 unmanaged0;
	double v[NFIGURES];
	int pass_fd = -1, i, r, ret;
	char *text;

	pin();
	ret = open_pass(pass_obj, &obj, &pass_fd);
	if (ret) {
		ret = fail(pass_obj, ret);
		goto out;
	}
	ret = bench_xdpfilter_open(&xf, xdpfilter_obj);
	if (ret) {
		ret = fail("opening xdp-filter's program with the site's rules", ret);
		goto out;
	}
	bench_device_mac(0, dev0);
	ret = instance_open(&inst[SITE], "site", site_policy, 0, yi, site_denied);
	if (!ret)
		ret = instance_open(&inst[OUTSIDE], "outside", site_policy, FAKE_IFINDEX, yi,
				    site_denied);
	for (i = R10; i < NINST && !ret; i++) {
		/* one policy: device 0 is device id 1, its last rule the deny */
		const struct decided d = {
			CAMFENCE_DROP, CAMFENCE_REASON_RULE, 0, gen[i].rules - 1, 1,
		};

		text = bench_policy_text("lo", gen[i].devices, 1, gen[i].rules);
		ret = instance_open(&inst[i], gen[i].what, text, 0, dev0, d);
		free(text);
	}
	if (ret) {
		ret = fail("opening camfence_xdp with a policy", ret);
		goto out;
	}

	known_denied = udp_to(yi, KNOWN_DST, KNOWN_DPORT);
	known_scaled = udp_to(dev0, KNOWN_DST, KNOWN_DPORT);
	allowed_len = pkt_build(&lan, allowed, sizeof(allowed));
	denied_len = pkt_build(&known_denied, denied, sizeof(denied));
	scaled_len = pkt_build(&known_scaled, scaled, sizeof(scaled));
	/* xdp-filter passes the NVR's packet by its rule and drops the known
	 * denied one by its default: the deny policy, as the site's */
	ret = run(xf.prog_fd, allowed, allowed_len, 1, XDP_PASS, &v[0]);
	if (!ret)
		ret = run(xf.prog_fd, denied, denied_len, 1, XDP_DROP, &v[0]);
	if (!ret)
		ret = bench_xdpfilter_check(&xf, 1, 1);
	if (ret) {
		fprintf(stderr, "xdp_bench: %s: want xdp-filter's deny policy (xdpfilt_dny_all.o)\n",
			xdpfilter_obj);
		ret = fail("xdp-filter on the NVR's and the known denied packet", ret);
		goto out;
	}
	/* the first packet of each known flow puts it in the flow table */
	ret = run(inst[SITE].fd, allowed, allowed_len, 1, XDP_PASS, &v[0]);
	if (!ret)
		ret = check_flow(&inst[SITE], &lan, &site_allowed);
	if (!ret)
		ret = run(inst[SITE].fd, denied, denied_len, 1, XDP_DROP, &v[0]);
	if (!ret)
		ret = check_flow(&inst[SITE], &known_denied, &site_denied);
	for (i = R10; i < NINST && !ret; i++) {
		ret = run(inst[i].fd, scaled, scaled_len, 1, XDP_DROP, &v[0]);
		if (!ret)
			ret = check_flow(&inst[i], &known_scaled, &inst[i].denied);
	}
	if (ret) {
		ret = fail("first packet of the known flows", ret);
		goto out;
	}
	for (i = 0; i < NINST; i++)
		inst[i].hits0 = instance_stat(&inst[i], CAMFENCE_STAT_FLOW_CACHE_HITS);
	unmanaged0 = instance_stat(&inst[OUTSIDE], CAMFENCE_STAT_UNMANAGED);

	for (r = 0; r < rounds && !ret; r++) {
		const struct {
			enum figure fig;
			int fd;
			const uint8_t *frame;
			size_t len;
			int want;
		} known[] = {
			{ PASS, pass_fd, denied, denied_len, XDP_PASS },
			{ ALLOWED, inst[SITE].fd, allowed, allowed_len, XDP_PASS },
			{ DENIED, inst[SITE].fd, denied, denied_len, XDP_DROP },
			{ XDPFILTER, xf.prog_fd, denied, denied_len, XDP_DROP },
			{ UNMANAGED, inst[OUTSIDE].fd, denied, denied_len, XDP_PASS },
			{ RULES_10, inst[R10].fd, scaled, scaled_len, XDP_DROP },
			{ RULES_100K, inst[R100K].fd, scaled, scaled_len, XDP_DROP },
			{ DEVICES_10, inst[D10].fd, scaled, scaled_len, XDP_DROP },
			{ DEVICES_10K, inst[D10K].fd, scaled, scaled_len, XDP_DROP },
		};
		const struct {
			enum figure fig;
			struct instance *in;
			enum flows what;
			const uint8_t *frame;
			size_t len;
			int want;
		} single[] = {
			{ PASS_SINGLE, &pass_new, NEW_DENIED, NULL, 0, XDP_PASS },
			{ DENIED_SINGLE, &inst[SITE], SAME_FLOW, denied, denied_len, XDP_DROP },
			{ DENIED_NEW, &inst[SITE], NEW_DENIED, NULL, 0, XDP_DROP },
			{ ALLOWED_NEW, &inst[SITE], NEW_ALLOWED, NULL, 0, XDP_PASS },
			{ RULES_10_NEW, &inst[R10], NEW_DENIED, NULL, 0, XDP_DROP },
			{ RULES_100K_NEW, &inst[R100K], NEW_DENIED, NULL, 0, XDP_DROP },
			{ DEVICES_10_NEW, &inst[D10], NEW_DENIED, NULL, 0, XDP_DROP },
			{ DEVICES_10K_NEW, &inst[D10K], NEW_DENIED, NULL, 0, XDP_DROP },
		};

		for (i = 0; i < (int)(sizeof(known) / sizeof(known[0])) && !ret; i++) {
			ret = run(known[i].fd, known[i].frame, known[i].len, repeat, known[i].want,
				  &samples[known[i].fig][r]);
			if (ret)
				fail(figure_names[known[i].fig], ret);
		}
		for (i = 0; i < (int)(sizeof(single) / sizeof(single[0])) && !ret; i++) {
			int fd = single[i].in == &pass_new ? pass_fd : single[i].in->fd;

			ret = run_single(single[i].in, fd, single[i].what, single[i].frame,
					 single[i].len, single[i].want, &samples[single[i].fig][r]);
			if (ret)
				fail(figure_names[single[i].fig], ret);
		}
	}
	if (ret) {
		ret = 1;
		goto out;
	}
	/* each figure measured the path it names, or it is worth nothing */
	ret = check_paths(inst, rounds, repeat, unmanaged0);
	if (!ret && bench_xdpfilter_check(&xf, 1 + (__u64)rounds * repeat, 1))
		ret = fail("xdp-filter's packets", EPROTO);
	if (ret)
		goto out;
	/* new allowed flows raise no event: their last flow entry speaks for them */
	lan.dport = 10000 + inst[SITE].next_port;
	ret = check_flow(&inst[SITE], &lan, &site_allowed);
	if (ret) {
		ret = fail("new allowed flows", ret);
		goto out;
	}

	for (i = 0; i < NFIGURES; i++) {
		v[i] = median(samples[i], rounds);
		if (getenv("BENCH_VERBOSE")) {
			fprintf(stderr, "%-26s", figure_names[i]);
			for (r = 0; r < rounds; r++)
				fprintf(stderr, " %7.1f", samples[i][r]);
			fputc('\n', stderr);
		}
	}
	printf("%s\t%.1f\tns\n", figure_names[PASS], v[PASS]);
	printf("%s\t%.1f\tns\n", figure_names[ALLOWED], v[ALLOWED]);
	printf("%s\t%.1f\tns\n", figure_names[DENIED], v[DENIED]);
	printf("%s\t%.1f\tns\n", figure_names[UNMANAGED], v[UNMANAGED]);
	printf("%s\t%.1f\tns\n", figure_names[DENIED_NEW], v[DENIED_NEW]);
	printf("%s\t%.1f\tns\n", figure_names[ALLOWED_NEW], v[ALLOWED_NEW]);
	printf("%s\t%.1f\tns\n", figure_names[XDPFILTER], v[XDPFILTER]);
	print_ratio("xdp.allowed_vs_pass", ALLOWED, PASS, rounds);
	print_ratio("xdp.denied_vs_pass", DENIED, PASS, rounds);
	print_ratio("xdp.unmanaged_vs_pass", UNMANAGED, PASS, rounds);
	print_ratio("xdp.denied_vs_xdpfilter", DENIED, XDPFILTER, rounds);
	/* one packet per call on both sides: the call's own timing is in both */
	print_ratio("xdp.denied_new_vs_pass", DENIED_NEW, PASS_SINGLE, rounds);
	print_ratio("xdp.allowed_new_vs_pass", ALLOWED_NEW, PASS_SINGLE, rounds);
	print_ratio("xdp.rules_100k_vs_10", RULES_100K, RULES_10, rounds);
	print_ratio("xdp.rules_100k_vs_10_new", RULES_100K_NEW, RULES_10_NEW, rounds);
	print_ratio("xdp.devices_10k_vs_10", DEVICES_10K, DEVICES_10, rounds);
	print_ratio("xdp.devices_10k_vs_10_new", DEVICES_10K_NEW, DEVICES_10_NEW, rounds);
	printf("%s\t%.1f\tns\n", figure_names[PASS_SINGLE], v[PASS_SINGLE]);
	printf("%s\t%.1f\tns\n", figure_names[DENIED_SINGLE], v[DENIED_SINGLE]);
	for (i = RULES_10; i < NFIGURES; i++)
		printf("%s\t%.1f\tns\n", figure_names[i], v[i]);
	ret = 0;
out:
	for (i = 0; i < NINST; i++)
		instance_close(&inst[i]);
	bench_xdpfilter_close(&xf);
	bpf_object__close(obj);
	return ret;
}

/*
 * Compile and push a policy of one device group and rules rules, as the
 * daemon does at start (into empty maps) and on a reload. The first push is
 * reported on its own; the second fills the other, still empty slot and is
 * not counted; from the third on, each push first clears the slot of the
 * generation before the live one, which holds as many entries: that is a
 * reload, and runs of them give the median.
 */
static int bench_push(unsigned int rules, int runs)
{
	char *text = bench_policy_text("lo", SMALL, 1, rules);
	struct cf_config *cfg = camfence_policy_parse_text("push", text);
	struct camfence_loader *l = NULL;
	double total[MAX_ROUNDS], compile[MAX_ROUNDS], first = 0, cs, ps;
	int r, ret;

	free(text);
	if (cfg->nerrors) {
		camfence_policy_print_errors(cfg, stderr);
		ret = 1;
		goto out;
	}
	ret = camfence_loader_open(&l);
	if (ret) {
		ret = fail("cannot load the XDP program (root?)", ret);
		goto out;
	}
	for (r = 0; r < runs + 2; r++) {
		ret = push(l, cfg, 0, &cs, &ps);
		if (ret) {
			ret = fail("pushing the policy", ret);
			goto out;
		}
		if (getenv("BENCH_VERBOSE"))
			fprintf(stderr, "push %d: compile %.3f s, push %.3f s\n", r, cs, ps);
		if (r == 0)
			first = cs + ps;
		if (r < 2)
			continue;
		total[r - 2] = cs + ps;
		compile[r - 2] = cs;
	}
	printf("policy.push_%uk_rules_s\t%.3f\ts\n", rules / 1000, median(total, runs));
	printf("policy.push_%uk_rules_first_s\t%.3f\ts\n", rules / 1000, first);
	printf("policy.compile_%uk_rules_s\t%.3f\ts\n", rules / 1000, median(compile, runs));
out:
	camfence_loader_close(l);
	camfence_policy_free(cfg);
	return ret;
}

static int write_policy(const char *path, unsigned int devices, unsigned int policies,
			unsigned int rules)
{
	char *text = bench_policy_text("lan0", devices, policies, rules);
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f || fputs(text, f) == EOF)
		ret = 1;
	if (f && fclose(f))
		ret = 1;
	if (ret)
		perror(path);
	free(text);
	return ret;
}

static int usage(void)
{
	fprintf(stderr, "usage: xdp_bench xdp PASS_OBJ XDPFILTER_OBJ [ROUNDS [REPEAT]]\n"
			"       xdp_bench push RULES [RUNS]\n"
			"       xdp_bench policy FILE DEVICES POLICIES RULES\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && argc <= 6 && !strcmp(argv[1], "xdp")) {
		int rounds = argc > 4 ? atoi(argv[4]) : 7;
		long repeat = argc > 5 ? atol(argv[5]) : 1000000;

		if (rounds < 1 || rounds > MAX_ROUNDS || repeat < 1 || repeat > 100000000)
			return usage();
		return bench_xdp(argv[2], argv[3], rounds, repeat);
	}
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "push")) {
		long rules = atol(argv[2]);
		int runs = argc > 3 ? atoi(argv[3]) : 3;

		if (rules < 1 || rules > 1000000 || runs < 1 || runs > MAX_ROUNDS)
			return usage();
		return bench_push(rules, runs);
	}
	if (argc == 6 && !strcmp(argv[1], "policy") && atoi(argv[4]) >= 1 && atoi(argv[5]) >= 1)
		return write_policy(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	return usage();
}
