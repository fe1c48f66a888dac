// SPDX-License-Identifier: GPL-2.0
/* The benchmark's baseline: an XDP program that does nothing but pass. What
 * BPF_PROG_TEST_RUN reports for it is the floor every other figure is
 * divided by. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
