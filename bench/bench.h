/* SPDX-License-Identifier: GPL-2.0 */
/* Generated policies for the benchmarks: as many devices, policies and
 * rules per policy as asked, in the grammar of docs/examples. */
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

#endif
