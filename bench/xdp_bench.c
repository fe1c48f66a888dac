// SPDX-License-Identifier: GPL-2.0
/*
 * ns per packet through BPF_PROG_TEST_RUN: camfence_xdp against a program
 * that only passes, on the paths a packet can take. Every figure is the
 * median of ROUNDS rounds; the rounds take each figure in turn, so a slow
 * moment of the machine touches all of them alike.
 *
 *   xdp_bench xdp PASS_OBJ [ROUNDS [REPEAT]]   figures: name<TAB>value<TAB>unit
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

/* One loaded camfence_xdp with its own maps and policy. */
struct instance {
	const char *what;
	struct camfence_loader *l;
	struct ring_buffer *rb;
	int fd;
	uint8_t mac[6];		/* the device its packets come from */
	unsigned int next_dst;	/* destinations used by new denied flows so far */
	unsigned int next_port;	/* ports used by new allowed flows so far */
	unsigned long events;
};

enum figure {
	PASS, ALLOWED, DENIED, UNMANAGED, DENIED_NEW, PASS_SINGLE, DENIED_SINGLE, ALLOWED_NEW,
	RULES_1, RULES_64, DEVICES_10, DEVICES_10K,
	RULES_1_NEW, RULES_64_NEW, DEVICES_10_NEW, DEVICES_10K_NEW,
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
	[RULES_1] = "xdp.rules_1_ns",
	[RULES_64] = "xdp.rules_64_ns",
	[DEVICES_10] = "xdp.devices_10_ns",
	[DEVICES_10K] = "xdp.devices_10k_ns",
	[RULES_1_NEW] = "xdp.rules_1_new_ns",
	[RULES_64_NEW] = "xdp.rules_64_new_ns",
	[DEVICES_10_NEW] = "xdp.devices_10_new_ns",
	[DEVICES_10K_NEW] = "xdp.devices_10k_new_ns",
};

static double samples[NFIGURES][MAX_ROUNDS];

static int fail(const char *what, int err)
{
	fprintf(stderr, "xdp_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

static int on_event(void *ctx, void *data, size_t size)
{
	((struct instance *)ctx)->events++;
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

/* Parse, compile and push text with the daemon's own code, as it does. */
static int instance_open(struct instance *in, const char *what, const char *text,
			 long fake_ifindex, const uint8_t mac[6])
{
	struct cf_config *cfg = camfence_policy_parse_text(what, text);
	struct cf_compiled *c = NULL;
	char why[512];
	int ret;

	memset(in, 0, sizeof(*in));
	in->what = what;
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
	ret = camfence_policy_compile(cfg, camfence_loader_next_slot(in->l), resolve,
				      (void *)fake_ifindex, &c, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "xdp_bench: %s\n", why);
		goto out;
	}
	ret = camfence_loader_push(in->l, c);
	if (ret)
		goto out;
	in->fd = bpf_program__fd(camfence_loader_skel(in->l)->progs.camfence_xdp);
	in->rb = ring_buffer__new(bpf_map__fd(camfence_loader_skel(in->l)->maps.events), on_event,
				  in, NULL);
	if (!in->rb)
		ret = -errno;
out:
	camfence_policy_compiled_free(c);
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

static size_t frame_to(const uint8_t mac[6], const char *dst, uint8_t *buf, size_t size)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = "192.168.10.204", .dst = dst, .proto = IPPROTO_UDP,
		.sport = 40000, .dport = 32100,
	};

	memcpy(s.src_mac, mac, 6);
	return pkt_build(&s, buf, size);
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
	struct pkt_spec lan = {
		.family = AF_INET, .src = "192.168.10.204", .dst = "192.168.10.248",
		.proto = IPPROTO_UDP, .sport = 40000,
	};
	uint8_t buf[256];
	char dst[INET_ADDRSTRLEN];
	double sum = 0, one;
	int i, ret;

	memcpy(lan.src_mac, in->mac, 6);
	for (i = 0; i < NEW_FLOWS; i++) {
		if (what == NEW_DENIED) {
			unsigned int k = ++in->next_dst;

			snprintf(dst, sizeof(dst), "47.88.%u.%u", (k >> 8) & 0xff, k & 0xff);
			len = frame_to(in->mac, dst, buf, sizeof(buf));
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

enum { SITE, OUTSIDE, R1, R64, D10, D10K, NINST };

static int bench_xdp(const char *pass_obj, int rounds, __u32 repeat)
{
	static const uint8_t yi[6] = YI;
	struct instance inst[NINST] = { 0 };
	struct instance pass_new = { .what = "pass", .mac = YI };
	struct bpf_object *obj = NULL;
	uint8_t allowed[256], denied[256], scaled[256], dev0[6];
	size_t allowed_len, denied_len, scaled_len;
	struct pkt_spec lan = {
		.src_mac = YI, .family = AF_INET, .src = "192.168.10.204", .dst = "192.168.10.248",
		.proto = IPPROTO_UDP, .sport = 40000, .dport = 5004,
	};
	struct {
		const char *what;
		unsigned int devices, rules;
	} gen[NINST] = {
		[R1] = { "rules-1", 10, 1 },
		[R64] = { "rules-64", 10, CAMFENCE_MAX_RULES },
		[D10] = { "devices-10", 10, 1 },
		[D10K] = { "devices-10k", 10000, 1 },
	};
	__u64 hits0, unmanaged0;
	double v[NFIGURES];
	int pass_fd = -1, i, r, ret;
	char *text;

	pin();
	ret = open_pass(pass_obj, &obj, &pass_fd);
	if (ret) {
		ret = fail(pass_obj, ret);
		goto out;
	}
	bench_device_mac(0, dev0);
	ret = instance_open(&inst[SITE], "site", site_policy, 0, yi);
	if (!ret)
		ret = instance_open(&inst[OUTSIDE], "outside", site_policy, FAKE_IFINDEX, yi);
	for (i = R1; i < NINST && !ret; i++) {
		text = bench_policy_text("lo", gen[i].devices, 1, gen[i].rules);
		ret = instance_open(&inst[i], gen[i].what, text, 0, dev0);
		free(text);
	}
	if (ret) {
		ret = fail("opening camfence_xdp with a policy", ret);
		goto out;
	}

	allowed_len = pkt_build(&lan, allowed, sizeof(allowed));
	denied_len = frame_to(yi, KNOWN_DST, denied, sizeof(denied));
	scaled_len = frame_to(dev0, KNOWN_DST, scaled, sizeof(scaled));
	/* the first packet of each known flow puts it in the flow table */
	ret = run(inst[SITE].fd, allowed, allowed_len, 1, XDP_PASS, &v[0]);
	if (!ret)
		ret = run(inst[SITE].fd, denied, denied_len, 1, XDP_DROP, &v[0]);
	for (i = R1; i < NINST && !ret; i++)
		ret = run(inst[i].fd, scaled, scaled_len, 1, XDP_DROP, &v[0]);
	if (ret) {
		ret = fail("first packet of the known flows", ret);
		goto out;
	}
	hits0 = instance_stat(&inst[SITE], CAMFENCE_STAT_FLOW_CACHE_HITS);
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
			{ UNMANAGED, inst[OUTSIDE].fd, denied, denied_len, XDP_PASS },
			{ RULES_1, inst[R1].fd, scaled, scaled_len, XDP_DROP },
			{ RULES_64, inst[R64].fd, scaled, scaled_len, XDP_DROP },
			{ DEVICES_10, inst[D10].fd, scaled, scaled_len, XDP_DROP },
			{ DEVICES_10K, inst[D10K].fd, scaled, scaled_len, XDP_DROP },
		};
		const struct {
			enum figure fig;
			struct instance *in;
			int fd;
			enum flows what;
			const uint8_t *frame;
			size_t len;
			int want;
		} single[] = {
			{ PASS_SINGLE, &pass_new, pass_fd, NEW_DENIED, NULL, 0, XDP_PASS },
			{ DENIED_SINGLE, &inst[SITE], inst[SITE].fd, SAME_FLOW, denied, denied_len,
			  XDP_DROP },
			{ DENIED_NEW, &inst[SITE], inst[SITE].fd, NEW_DENIED, NULL, 0, XDP_DROP },
			{ ALLOWED_NEW, &inst[SITE], inst[SITE].fd, NEW_ALLOWED, NULL, 0, XDP_PASS },
			{ RULES_1_NEW, &inst[R1], inst[R1].fd, NEW_DENIED, NULL, 0, XDP_DROP },
			{ RULES_64_NEW, &inst[R64], inst[R64].fd, NEW_DENIED, NULL, 0, XDP_DROP },
			{ DEVICES_10_NEW, &inst[D10], inst[D10].fd, NEW_DENIED, NULL, 0, XDP_DROP },
			{ DEVICES_10K_NEW, &inst[D10K], inst[D10K].fd, NEW_DENIED, NULL, 0,
			  XDP_DROP },
		};

		for (i = 0; i < (int)(sizeof(known) / sizeof(known[0])) && !ret; i++) {
			ret = run(known[i].fd, known[i].frame, known[i].len, repeat, known[i].want,
				  &samples[known[i].fig][r]);
			if (ret)
				fail(figure_names[known[i].fig], ret);
		}
		for (i = 0; i < (int)(sizeof(single) / sizeof(single[0])) && !ret; i++) {
			ret = run_single(single[i].in, single[i].fd, single[i].what, single[i].frame,
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
	if (instance_stat(&inst[SITE], CAMFENCE_STAT_FLOW_CACHE_HITS) - hits0 !=
	    2ULL * rounds * repeat + (__u64)rounds * NEW_FLOWS) {
		ret = fail("known flows missed the flow cache", EPROTO);
		goto out;
	}
	if (instance_stat(&inst[OUTSIDE], CAMFENCE_STAT_UNMANAGED) - unmanaged0 !=
	    (__u64)rounds * repeat) {
		ret = fail("unmanaged packets were not counted as unmanaged", EPROTO);
		goto out;
	}
	for (i = 0; i < NINST; i++) {
		if (i == OUTSIDE)
			continue;
		if (inst[i].events != (unsigned long)rounds * NEW_FLOWS + 1 ||
		    instance_stat(&inst[i], CAMFENCE_STAT_EVENTS_LOST)) {
			fprintf(stderr, "xdp_bench: %s: %lu events for %lu new denied flows\n",
				inst[i].what, inst[i].events, (unsigned long)rounds * NEW_FLOWS + 1);
			ret = 1;
			goto out;
		}
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
	print_ratio("xdp.allowed_vs_pass", ALLOWED, PASS, rounds);
	print_ratio("xdp.denied_vs_pass", DENIED, PASS, rounds);
	print_ratio("xdp.unmanaged_vs_pass", UNMANAGED, PASS, rounds);
	/* one packet per call on both sides: the call's own timing is in both */
	print_ratio("xdp.denied_new_vs_pass", DENIED_NEW, PASS_SINGLE, rounds);
	print_ratio("xdp.rules_64_vs_1", RULES_64, RULES_1, rounds);
	print_ratio("xdp.devices_10k_vs_10", DEVICES_10K, DEVICES_10, rounds);
	for (i = PASS_SINGLE; i < NFIGURES; i++)
		printf("%s\t%.1f\tns\n", figure_names[i], v[i]);
	print_ratio("xdp.rules_64_vs_1_new", RULES_64_NEW, RULES_1_NEW, rounds);
	print_ratio("xdp.devices_10k_vs_10_new", DEVICES_10K_NEW, DEVICES_10_NEW, rounds);
	ret = 0;
out:
	for (i = 0; i < NINST; i++)
		instance_close(&inst[i]);
	bpf_object__close(obj);
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
	fprintf(stderr, "usage: xdp_bench xdp PASS_OBJ [ROUNDS [REPEAT]]\n"
			"       xdp_bench policy FILE DEVICES POLICIES RULES\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 5 && !strcmp(argv[1], "xdp")) {
		int rounds = argc > 3 ? atoi(argv[3]) : 7;
		long repeat = argc > 4 ? atol(argv[4]) : 1000000;

		if (rounds < 1 || rounds > MAX_ROUNDS || repeat < 1 || repeat > 100000000)
			return usage();
		return bench_xdp(argv[2], rounds, repeat);
	}
	if (argc == 6 && !strcmp(argv[1], "policy"))
		return write_policy(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	return usage();
}
