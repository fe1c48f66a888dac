// SPDX-License-Identifier: GPL-2.0
/* bench/fwd.sh's floor: an XDP program on the router's camera-facing
 * interface that drops every frame and looks at none. What the router drops
 * with it is as much as livegen can deliver there: the generator's own
 * rate, receiver included. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}
