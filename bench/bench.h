/* SPDX-License-Identifier: GPL-2.0 */
/* Generated policies for the benchmarks: as many devices, policies and
 * rules per policy as asked, in the grammar of docs/examples (gen_policy.c);
 * xdp-filter's program with the site's rules (xdpfilter.c). */
#ifndef CAMFENCE_BENCH_H
#define CAMFENCE_BENCH_H

#include <stdint.h>

/* Device d has MAC 02:ca:(d as four bytes); it is in group g(d % npolicies),
 * whose policy is p(d % npolicies). The last rule of every policy is
 * "deny to 47.88.0.0/16 udp"; no other rule matches that prefix. Policies
 * come in file order and their rules are numbered on from one to the next,
 * so with one policy that rule's id is nrules - 1. */
#define BENCH_DENY_PREFIX	"47.88.0.0/16"

void bench_device_mac(unsigned int d, uint8_t mac[6]);
/* The policy text, malloc'd; zone "cams" holds the interface iface. */
char *bench_policy_text(const char *iface, unsigned int ndevices, unsigned int npolicies,
			unsigned int nrules);

/* xdp-filter's program (xdpfilt_dny_all.o of xdp-tools), loaded with the
 * site policy's rules as far as xdp-filter can say them. */
#define BENCH_XDPFILTER_MAPS	5
struct bench_xdpfilter {
	struct bpf_object *obj;
	int prog_fd;
	int map_fd[BENCH_XDPFILTER_MAPS];
};

int bench_xdpfilter_open(struct bench_xdpfilter *xf, const char *path);
/* Since open, drops packets were dropped by default and passes passed by
 * the NVR's rule, and nothing else happened: no other verdict, no other
 * rule hit. */
int bench_xdpfilter_check(struct bench_xdpfilter *xf, uint64_t drops, uint64_t passes);
void bench_xdpfilter_close(struct bench_xdpfilter *xf);

#endif
