// SPDX-License-Identifier: GPL-2.0
/*
 * livegen_xdp: the packet generator of bench/fwd.sh, run by BPF_PROG_RUN in
 * live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES). Each run writes a whole
 * 64-byte Ethernet + IPv4 + UDP frame and sends it with XDP_TX out of the
 * interface the run names, which the kernel turns into a redirect to that
 * device's ndo_xdp_xmit: on a veth, straight into its peer's receive ring.
 *
 * The kernel recycles frame memory between runs and whatever received the
 * frame before may have touched it, so nothing of the last frame is trusted:
 * every header byte is written again. Flows vary by destination address and
 * source port, nflows of them, from a per-CPU counter so that the threads of
 * livegen.c (one per CPU) never share a cache line. Each CPU sends its own
 * share of the flows, as a NIC's receive-side scaling keeps a flow on one
 * queue and so on one CPU of the router.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "livegen.h"

char LICENSE[] SEC("license") = "GPL";

/* Set through the skeleton before load; addresses in network order. */
const volatile __u8 smac[ETH_ALEN];
const volatile __u8 dmac[ETH_ALEN];
const volatile __be32 saddr;
const volatile __u32 daddr_base;	/* host order: flows add to it */
const volatile __u16 sport_base;
const volatile __u16 dport;
const volatile __u32 flow_mask;		/* nflows - 1, nflows a power of two */
const volatile __u32 ncpus = 1;		/* CPU c sends flows c, c + ncpus, ... */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct livegen_count);
} counts SEC(".maps");

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int livegen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *uh = (void *)(iph + 1);
	struct livegen_count *c;
	__u32 zero = 0, flow, daddr, sum;
	__u16 *w;
	int i;

	if ((void *)(uh + 1) > end)
		return XDP_ABORTED;
	c = bpf_map_lookup_elem(&counts, &zero);
	if (!c)
		return XDP_ABORTED;
	flow = (c->frames++ * ncpus + bpf_get_smp_processor_id()) & flow_mask;
	daddr = bpf_htonl(daddr_base + flow);

	/* byte by byte: a memcpy from the volatile arrays would let clang fold
	 * in their zero initialisers */
#pragma unroll
	for (i = 0; i < ETH_ALEN; i++) {
		eth->h_dest[i] = dmac[i];
		eth->h_source[i] = smac[i];
	}
	eth->h_proto = bpf_htons(ETH_P_IP);

	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->tot_len = bpf_htons(end - (void *)iph);
	iph->id = 0;
	iph->frag_off = bpf_htons(0x4000);	/* DF */
	iph->ttl = 64;
	iph->protocol = IPPROTO_UDP;
	iph->check = 0;
	iph->saddr = saddr;
	iph->daddr = daddr;
	/* the router's stack checks it (ip_rcv); ten words, no loop left after clang */
	sum = 0;
	w = (__u16 *)iph;
#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	iph->check = csum_fold(sum);

	uh->source = bpf_htons(sport_base + flow);
	uh->dest = bpf_htons(dport);
	uh->len = bpf_htons(end - (void *)uh);
	uh->check = 0;	/* none, as IPv4 allows: a forwarder does not look */
	return XDP_TX;
}
