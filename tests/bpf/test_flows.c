// SPDX-License-Identifier: GPL-2.0
/*
 * camfence_loader_flows against a reference read of the same maps: a walk
 * of the flow table key by key, plus what every CPU's microflow cache still
 * holds. The XDP program fills the table itself, with N distinct flows of
 * two to four packets each, sent one flow after the other: a flow's later
 * packets are counted in its cache slot, and the flows that hold a slot last
 * keep them there. The batch lookups and the key by key walk must both
 * report every flow once, with every packet it was sent.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf_tests.h"
#include "camfence.skel.h"
#include "loader.h"
#include "loader_priv.h"
#include "packet.h"

#define YI		{ 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 }
#define PORTS		50000		/* flows a destination address takes */
#define PACKETS(i)	(2 + (i) % 3)

static const char policy_text[] =
	"zone cams {\n\tinterface lo\n\tunknown deny\n}\n"
	"group yi {\n\tmac b0:d5:9d:b9:f0:b4\n\tpolicy lan\n}\n"
	"policy lan {\n\tallow to 192.168.10.0/24\n\tdefault deny\n}\n";

static struct camfence_loader *loader;
static size_t frame_len;		/* every flow's frames are this long */

/* What a read of the table found, by flow. */
struct found {
	int n;
	int *times;
	__u64 *packets, *bytes;
	int calls, strangers;
	int stop_at;			/* fn returns 7 at this call, if not 0 */
};

static int lo_ifindex(const char *name, void *ctx)
{
	return 1;
}

static void setup(void)
{
	struct cf_config *cfg = camfence_policy_parse_text("test.conf", policy_text);
	struct cf_compiled *c;
	char why[256];

	ck_assert_int_eq(cfg->nerrors, 0);
	ck_assert_int_eq(camfence_loader_open(&loader), 0);
	ck_assert_int_eq(camfence_policy_compile(cfg, camfence_loader_next_slot(loader), lo_ifindex,
						 NULL, &c, why, sizeof(why)), 0);
	ck_assert_int_eq(camfence_loader_push(loader, c), 0);
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}

static void teardown(void)
{
	camfence_loader_close(loader);
	loader = NULL;
}

/* Flow i goes to port 1 + i % PORTS of an allowed address on the LAN when
 * i is even, of a denied one in the cloud when odd. */
static size_t flow_frame(int i, uint8_t *frame, size_t len)
{
	struct pkt_spec s = { YI, .family = AF_INET, .src = "192.168.10.204", .proto = IPPROTO_UDP,
			      .sport = 40000, .dport = 1 + i % PORTS };
	char dst[32];

	snprintf(dst, sizeof(dst), i % 2 ? "47.88.59.%d" : "192.168.10.%d", 1 + i / PORTS);
	s.dst = dst;
	return pkt_build(&s, frame, len);
}

static int flow_index(const struct camfence_flow_key *k)
{
	int i = (k->daddr[3] - 1) * PORTS + k->dport - 1;

	if (k->family != AF_INET || k->proto != IPPROTO_UDP || !k->dport ||
	    k->daddr[0] != (i % 2 ? 47 : 192))
		return -1;
	return i;
}

/* Sends flow after flow, PACKETS(i) each; returns how many were dropped
 * or passed against their destination's verdict. */
static int fill(int n)
{
	uint8_t frame[256];
	struct xdp_md ctx = { .ingress_ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx));
	int fd = bpf_program__fd(camfence_loader_skel(loader)->progs.camfence_xdp), i, j, wrong = 0;

	for (i = 0; i < n; i++) {
		frame_len = flow_frame(i, frame, sizeof(frame));
		ctx.data_end = frame_len;
		opts.data_size_in = frame_len;
		for (j = 0; j < PACKETS(i); j++) {
			if (bpf_prog_test_run_opts(fd, &opts) ||
			    opts.retval != (i % 2 ? XDP_DROP : XDP_PASS))
				wrong++;
		}
	}
	return wrong;
}

static void found_init(struct found *f, int n)
{
	memset(f, 0, sizeof(*f));
	f->n = n;
	f->times = calloc(n, sizeof(*f->times));
	f->packets = calloc(n, sizeof(*f->packets));
	f->bytes = calloc(n, sizeof(*f->bytes));
	ck_assert(f->times && f->packets && f->bytes);
}

static void found_free(struct found *f)
{
	free(f->times);
	free(f->packets);
	free(f->bytes);
}

static int record(const struct camfence_flow_key *k, const struct camfence_flow *fl, void *ctx)
{
	struct found *f = ctx;
	int i = flow_index(k);

	f->calls++;
	if (i < 0 || i >= f->n) {
		f->strangers++;
	} else {
		f->times[i]++;
		f->packets[i] += fl->packets;
		f->bytes[i] += fl->bytes;
	}
	return f->calls == f->stop_at ? 7 : 0;
}

/* The flow table key by key, then the microflow cache's counts added to
 * the flows they belong to; returns how many slots held counts. */
static int reference(struct found *ref)
{
	int fd = bpf_map__fd(camfence_loader_skel(loader)->maps.flows), ncpus, c, held = 0;
	struct camfence_flow_key key, prev;
	struct camfence_micro *percpu;
	struct camfence_flow fl;
	__u32 slot;
	void *at = NULL;

	while (bpf_map_get_next_key(fd, at, &key) == 0) {
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &key, &fl), 0);
		record(&key, &fl, ref);
		prev = key;
		at = &prev;
	}
	ncpus = libbpf_num_possible_cpus();
	ck_assert_int_gt(ncpus, 0);
	percpu = calloc(ncpus, sizeof(*percpu));
	ck_assert_ptr_nonnull(percpu);
	fd = bpf_map__fd(camfence_loader_skel(loader)->maps.micro);
	for (slot = 0; slot < CAMFENCE_MICRO_SLOTS; slot++) {
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &slot, percpu), 0);
		for (c = 0; c < ncpus; c++) {
			const struct camfence_micro *m = &percpu[c];
			int i = flow_index(&m->key);

			if (!(m->flags & CAMFENCE_MICRO_VALID) || !m->packets)
				continue;
			held++;
			ck_assert_msg(i >= 0 && i < ref->n && ref->times[i],
				      "cache slot %u holds a flow not in the table", slot);
			ref->packets[i] += m->packets;
			ref->bytes[i] += m->bytes;
		}
	}
	free(percpu);
	return held;
}

/* The first flow got did not see once with the packets ref and the sender
 * counted, or -1. */
static int first_wrong(const struct found *got, const struct found *ref)
{
	int i;

	for (i = 0; i < got->n; i++) {
		if (got->times[i] != 1 || got->packets[i] != ref->packets[i] ||
		    got->packets[i] != (__u64)PACKETS(i) || got->bytes[i] != ref->bytes[i] ||
		    got->bytes[i] != PACKETS(i) * frame_len)
			return i;
	}
	return -1;
}

static void same(const struct found *got, const struct found *ref, const char *how)
{
	int i = first_wrong(got, ref);

	ck_assert_msg(got->strangers == 0, "%s: %d flows not sent", how, got->strangers);
	ck_assert_msg(got->calls == got->n, "%s: %d calls for %d flows", how, got->calls, got->n);
	if (i >= 0)
		ck_abort_msg("%s: flow %d: seen %d times, %llu packets (reference %llu, sent %d), "
			     "%llu bytes (reference %llu)",
			     how, i, got->times[i], (unsigned long long)got->packets[i],
			     (unsigned long long)ref->packets[i], PACKETS(i),
			     (unsigned long long)got->bytes[i], (unsigned long long)ref->bytes[i]);
}

static void read_and_compare(const struct found *ref, const char *how)
{
	struct found got;

	found_init(&got, ref->n);
	ck_assert_int_eq(camfence_loader_flows(loader, record, &got), 0);
	same(&got, ref, how);
	found_free(&got);
}

static const int sizes[] = { 1, 1000, 20000 };

START_TEST(each_flow_once)
{
	int n = sizes[_i];
	struct found ref;

	ck_assert_int_eq(fill(n), 0);
	found_init(&ref, n);
	ck_assert_int_gt(reference(&ref), 0);
	same(&ref, &ref, "reference");
	ck_assert(!loader->flows_per_key);
	read_and_compare(&ref, "batch lookups");
	/* no bucket outgrew a batch: 20,000 flows took five of them */
	ck_assert_uint_eq(loader->flow_batch, 4096);
	/* what a kernel without batch lookups gets */
	loader->flows_per_key = true;
	read_and_compare(&ref, "key by key");
	found_free(&ref);
}
END_TEST

/* A batch holds whole buckets of the hash: one larger than the batch is
 * read again with more room. */
START_TEST(batch_grows_for_a_bucket)
{
	struct found ref;

	ck_assert_int_eq(fill(3000), 0);
	found_init(&ref, 3000);
	reference(&ref);
	loader->flow_batch = 1;
	read_and_compare(&ref, "batches of 1");
	/* 3000 flows in 65,536 buckets: about 70 pairs share one */
	ck_assert_uint_gt(loader->flow_batch, 1);
	found_free(&ref);
}
END_TEST

/* fn's non-zero return ends the walk, past the first batch too. */
START_TEST(stops_when_fn_says)
{
	struct found got;
	int per_key;

	ck_assert_int_eq(fill(6000), 0);
	for (per_key = 0; per_key < 2; per_key++) {
		loader->flows_per_key = per_key;
		found_init(&got, 6000);
		got.stop_at = 5000;
		ck_assert_int_eq(camfence_loader_flows(loader, record, &got), 7);
		ck_assert_int_eq(got.calls, 5000);
		found_free(&got);
	}
}
END_TEST

/* A kernel before 5.6 (EINVAL) or a map type without batch lookups
 * (ENOTSUPP), made with a seccomp filter in a child: the walk goes key by
 * key, gives the same flows, and remembers not to try again. */
static const int refusals[] = { EINVAL, 524 /* ENOTSUPP */ };

static int refuse_batch_lookups(int err)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_MAP_LOOKUP_BATCH, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(insns) / sizeof(insns[0]), insns };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

START_TEST(falls_back_without_batch_lookups)
{
	struct found ref, got;
	int status;
	pid_t pid;

	ck_assert_int_eq(fill(5000), 0);
	found_init(&ref, 5000);
	reference(&ref);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		found_init(&got, 5000);
		if (refuse_batch_lookups(refusals[_i]))
			_exit(10);
		if (camfence_loader_flows(loader, record, &got))
			_exit(11);
		if (!loader->flows_per_key)
			_exit(12);
		_exit(got.strangers || got.calls != got.n || first_wrong(&got, &ref) >= 0 ? 13 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child: %s %d (10: no seccomp filter, 11: read failed, 12: batch lookups still "
		      "on, 13: flows differ)", WIFEXITED(status) ? "exit" : "signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	found_free(&ref);
}
END_TEST

Suite *flows_suite(void)
{
	Suite *s = suite_create("flows");
	TCase *tc = tcase_create("flows");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, each_flow_once, 0, sizeof(sizes) / sizeof(sizes[0]));
	tcase_add_test(tc, batch_grows_for_a_bucket);
	tcase_add_test(tc, stops_when_fn_says);
	tcase_add_loop_test(tc, falls_back_without_batch_lookups, 0,
			    sizeof(refusals) / sizeof(refusals[0]));
	suite_add_tcase(s, tc);
	return s;
}
