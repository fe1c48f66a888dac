// SPDX-License-Identifier: GPL-2.0
/*
 * livegen: floods 64-byte UDP frames out of an interface with BPF_PROG_RUN
 * in live-frames mode, one thread per CPU, each pinned to its CPU, for as
 * long as asked. The program (livegen.bpf.c) writes every frame and sends
 * it with XDP_TX; on a veth the frame lands in the peer's receive ring with
 * no socket, no skb and no qdisc on the way, which is why it outruns
 * trafgen or camgen's sendmmsg by an order of magnitude.
 *
 *   livegen --iface IF --smac MAC --dmac MAC --src IPV4 --dst IPV4
 *           [--dport N] [--sport N] [--flows N] [--seconds S] [--threads N]
 *           [--repeat N] [--batch N]
 *
 * CPU c sends flows c, c + CPUs, c + 2 * CPUs... (flows is a power of two;
 * with as many CPUs, each CPU's share is its own), so no two CPUs of the
 * receiver see the same flow, as with a NIC's receive-side scaling.
 *
 * Runs in the network namespace of IF (ip netns exec). Prints
 * "livegen: sent N frames in T s, R Mpps, K threads, F flows" on stdout:
 * N is what the program wrote and handed to the device; a full peer ring
 * drops some of them, which the receiver's counters show, not these.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "livegen.h"
#include "livegen.skel.h"

struct worker {
	pthread_t tid;
	int cpu, prog_fd, ifindex, repeat, batch;
	double deadline;
	unsigned long long frames;
	int err;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	/* live frames are built from data_in once per page, then recycled */
	static const unsigned char frame[LIVEGEN_FRAME_LEN];
	struct xdp_md ctx = { .data_end = sizeof(frame), .ingress_ifindex = w->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = w->repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = w->batch);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) {
		w->err = EINVAL;
		return NULL;
	}
	while (!stop && now_s() < w->deadline) {
		if (bpf_prog_test_run_opts(w->prog_fd, &opts)) {
			w->err = errno;
			break;
		}
		w->frames += w->repeat;
	}
	return NULL;
}

static int parse_mac(const char *s, __u8 mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = b[i];
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: livegen --iface IF --smac MAC --dmac MAC --src IPV4 --dst IPV4\n"
		"               [--dport N (32100)] [--sport N (40000)] [--flows N (16, a power of two)]\n"
		"               [--seconds S (3)] [--threads N (one per CPU)] [--repeat N (262144)]\n"
		"               [--batch N (64)]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "smac", required_argument, NULL, 's' },
		{ "dmac", required_argument, NULL, 'd' },
		{ "src", required_argument, NULL, 'S' },
		{ "dst", required_argument, NULL, 'D' },
		{ "dport", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 'P' },
		{ "flows", required_argument, NULL, 'f' },
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'n' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'b' },
		{ 0 },
	};
	struct livegen_bpf *skel = NULL;
	struct worker *w = NULL;
	struct in_addr src = { 0 }, dst = { 0 };
	__u8 smac[6], dmac[6];
	const char *iface = NULL;
	long dport = 32100, sport = 40000, flows = 16, threads = sysconf(_SC_NPROCESSORS_ONLN);
	long repeat = 1 << 18, batch = 64;
	double seconds = 3, t0, t1;
	unsigned long long sent = 0;
	int have = 0, ifindex, i, c, ret = 1;

	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'i': iface = optarg; have |= 1; break;
		case 's': if (parse_mac(optarg, smac)) return usage(); have |= 2; break;
		case 'd': if (parse_mac(optarg, dmac)) return usage(); have |= 4; break;
		case 'S': if (inet_pton(AF_INET, optarg, &src) != 1) return usage(); have |= 8; break;
		case 'D': if (inet_pton(AF_INET, optarg, &dst) != 1) return usage(); have |= 16; break;
		case 'p': dport = atol(optarg); break;
		case 'P': sport = atol(optarg); break;
		case 'f': flows = atol(optarg); break;
		case 't': seconds = atof(optarg); break;
		case 'n': threads = atol(optarg); break;
		case 'r': repeat = atol(optarg); break;
		case 'b': batch = atol(optarg); break;
		default: return usage();
		}
	}
	if (have != 31 || optind != argc || dport < 0 || dport > 65535 || sport < 0 ||
	    sport > 65535 || flows < 1 || flows > 65536 || (flows & (flows - 1)) ||
	    seconds <= 0 || threads < 1 || threads > 256 || repeat < 1 || repeat > (1 << 30) ||
	    batch < 1 || batch > 256)
		return usage();
	ifindex = if_nametoindex(iface);
	if (!ifindex) {
		fprintf(stderr, "livegen: %s: no such interface in this namespace\n", iface);
		return 1;
	}

	skel = livegen_bpf__open();
	if (!skel) {
		fprintf(stderr, "livegen: cannot open the program: %s\n", strerror(errno));
		return 1;
	}
	memcpy((void *)skel->rodata->smac, smac, 6);
	memcpy((void *)skel->rodata->dmac, dmac, 6);
	skel->rodata->saddr = src.s_addr;
	skel->rodata->daddr_base = ntohl(dst.s_addr);
	skel->rodata->sport_base = sport;
	skel->rodata->dport = dport;
	skel->rodata->flow_mask = flows - 1;
	skel->rodata->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (livegen_bpf__load(skel)) {
		fprintf(stderr, "livegen: cannot load the program (root?): %s\n", strerror(errno));
		goto out;
	}

	w = calloc(threads, sizeof(*w));
	if (!w)
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now_s();
	for (i = 0; i < threads; i++) {
		w[i] = (struct worker){
			.cpu = i % sysconf(_SC_NPROCESSORS_ONLN),
			.prog_fd = bpf_program__fd(skel->progs.livegen_xdp),
			.ifindex = ifindex, .repeat = repeat, .batch = batch,
			.deadline = t0 + seconds,
		};
		if (pthread_create(&w[i].tid, NULL, work, &w[i])) {
			stop = 1;
			threads = i;
			break;
		}
	}
	for (i = 0; i < threads; i++)
		pthread_join(w[i].tid, NULL);
	t1 = now_s();
	ret = 0;
	for (i = 0; i < threads; i++) {
		sent += w[i].frames;
		if (w[i].err) {
			fprintf(stderr, "livegen: thread on CPU %d: %s\n", w[i].cpu,
				strerror(w[i].err));
			ret = 1;
		}
	}
	if (!ret && stop) {
		fprintf(stderr, "livegen: interrupted\n");
		ret = 1;
	}
	printf("livegen: sent %llu frames in %.3f s, %.2f Mpps, %ld threads, %ld flows\n", sent,
	       t1 - t0, sent / (t1 - t0) / 1e6, threads, flows);
out:
	free(w);
	livegen_bpf__destroy(skel);
	return ret;
}
