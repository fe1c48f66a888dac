// SPDX-License-Identifier: GPL-2.0
/*
 * camfence_xdp: per-packet policy on the router's camera-facing interfaces.
 *
 * Fast path: a packet of a known flow costs one flow-table lookup; its
 * verdict was cached there together with the policy generation that decided
 * it, and a new generation makes every cached verdict stale at once.
 *
 * Slow path (first packet of a flow, or stale cache): interface -> zone,
 * source MAC or source prefix -> device and policy, then the policy's rules
 * as bitvectors: the destination trie gives the rules whose destination
 * matches, the port map the rules whose protocol and port match, and the
 * lowest bit set in both is the first matching rule. The cost does not grow
 * with the number of rules or devices.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "camfence.h"

#define AF_INET		2
#define AF_INET6	10
#define ETH_P_8021AD_	0x88A8
#define ETH_P_8021Q_	0x8100
#define MAX_VLAN_TAGS	2
#define MAX_IPV6_EXT_HDRS 4

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct camfence_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * CAMFENCE_MAX_IFACES);
	__type(key, struct camfence_iface_key);
	__type(value, struct camfence_iface);
} ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CAMFENCE_MAX_MACS);
	__type(key, struct camfence_mac_key);
	__type(value, struct camfence_device);
} macs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CAMFENCE_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct camfence_src4_key);
	__type(value, struct camfence_device);
} src4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CAMFENCE_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct camfence_dst4_key);
	__type(value, __u64);
} dst4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, CAMFENCE_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct camfence_dst6_key);
	__type(value, __u64);
} dst6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CAMFENCE_MAX_PORT_KEYS);
	__type(key, struct camfence_port_key);
	__type(value, __u64);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * CAMFENCE_MAX_POLICIES * CAMFENCE_MAX_RULES);
	__type(key, __u32);
	__type(value, struct camfence_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * CAMFENCE_MAX_POLICIES);
	__type(key, __u32);
	__type(value, struct camfence_policy);
} policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CAMFENCE_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct camfence_counters);
} device_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, __CAMFENCE_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CAMFENCE_MAX_FLOWS);
	__type(key, struct camfence_flow_key);
	__type(value, struct camfence_flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CAMFENCE_RINGBUF_BYTES);
} events SEC(".maps");

/* What the parser learnt of a packet. */
struct packet {
	struct camfence_flow_key key;
	__u16 sport;
	__u8 essential;		/* ARP, DHCP, neighbour discovery */
	__u8 malformed;
	__u8 is_ip;
};

/* Index of the lowest set bit: de Bruijn multiply, BPF has no ctz. */
static const __u8 debruijn64[64] = {
	0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
	62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
	46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
};

static __always_inline __u32 lowest_bit(__u64 v)
{
	__u64 idx = ((v & -v) * 0x03f79d71b4ca8b09ULL) >> 58;

	return debruijn64[idx & 63];
}

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += n;
}

static __always_inline void count(__u32 device_id, __u8 verdict, __u64 bytes)
{
	struct camfence_counters *c;

	if (verdict == CAMFENCE_DROP) {
		stat_add(CAMFENCE_STAT_DROP_PKTS, 1);
		stat_add(CAMFENCE_STAT_DROP_BYTES, bytes);
	} else {
		stat_add(CAMFENCE_STAT_PASS_PKTS, 1);
		stat_add(CAMFENCE_STAT_PASS_BYTES, bytes);
	}
	c = bpf_map_lookup_elem(&device_counters, &device_id);
	if (!c)
		return;
	if (verdict == CAMFENCE_DROP) {
		c->drop_pkts++;
		c->drop_bytes += bytes;
	} else {
		c->pass_pkts++;
		c->pass_bytes += bytes;
	}
}

static __always_inline int parse_l4(void *l4, void *end, struct packet *p, int first_fragment)
{
	p->key.dport = CAMFENCE_PORT_ANY;
	if (!first_fragment)
		return 0;
	if (p->key.proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > end)
			return -1;
		p->sport = bpf_ntohs(th->source);
		p->key.dport = bpf_ntohs(th->dest);
	} else if (p->key.proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > end)
			return -1;
		p->sport = bpf_ntohs(uh->source);
		p->key.dport = bpf_ntohs(uh->dest);
		/* DHCP and DHCPv6 from a client, to whoever serves it */
		if ((p->sport == 68 && p->key.dport == 67) ||
		    (p->sport == 546 && p->key.dport == 547))
			p->essential = 1;
	} else if (p->key.proto == IPPROTO_ICMPV6) {
		struct icmp6hdr *ih = l4;

		if ((void *)(ih + 1) > end)
			return -1;
		/* multicast listener reports (neighbour discovery's solicited-node
		 * groups), router and neighbour solicitation/advertisement, redirect */
		if ((ih->icmp6_type >= 130 && ih->icmp6_type <= 137) || ih->icmp6_type == 143)
			p->essential = 1;
	}
	return 0;
}

static __always_inline int parse(struct xdp_md *ctx, struct packet *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		return -1;
	__builtin_memcpy(p->key.mac, eth->h_source, ETH_ALEN);
	proto = eth->h_proto;
	cur = eth + 1;

#pragma unroll
	for (i = 0; i < MAX_VLAN_TAGS; i++) {
		struct vlan_hdr {
			__be16 tci;
			__be16 proto;
		} *vh = cur;

		if (proto != bpf_htons(ETH_P_8021Q_) && proto != bpf_htons(ETH_P_8021AD_))
			break;
		if ((void *)(vh + 1) > end)
			return -1;
		/* the innermost tag names the VLAN the device sits in */
		p->key.vlan = bpf_ntohs(vh->tci) & 0x0fff;
		proto = vh->proto;
		cur = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_ARP)) {
		p->essential = 1;
		return 0;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = cur;
		__u32 hlen;
		int first;

		if ((void *)(iph + 1) > end)
			return -1;
		hlen = iph->ihl * 4;
		if (iph->version != 4 || hlen < sizeof(*iph) || cur + hlen > end)
			return -1;
		p->is_ip = 1;
		p->key.family = AF_INET;
		p->key.proto = iph->protocol;
		__builtin_memcpy(p->key.saddr, &iph->saddr, 4);
		__builtin_memcpy(p->key.daddr, &iph->daddr, 4);
		first = (iph->frag_off & bpf_htons(0x1fff)) == 0;
		return parse_l4(cur + hlen, end, p, first);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = cur;
		__u8 nh;
		int first = 1;

		if ((void *)(ip6h + 1) > end)
			return -1;
		if (ip6h->version != 6)
			return -1;
		p->is_ip = 1;
		p->key.family = AF_INET6;
		__builtin_memcpy(p->key.saddr, &ip6h->saddr, 16);
		__builtin_memcpy(p->key.daddr, &ip6h->daddr, 16);
		nh = ip6h->nexthdr;
		cur = ip6h + 1;
		/* the protocol is what follows the extension headers */
#pragma unroll
		for (i = 0; i < MAX_IPV6_EXT_HDRS; i++) {
			if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
				struct ipv6_opt_hdr *oh = cur;

				if ((void *)(oh + 1) > end)
					return -1;
				nh = oh->nexthdr;
				cur += (oh->hdrlen + 1) * 8;
			} else if (nh == IPPROTO_FRAGMENT) {
				struct frag_hdr {
					__u8 nexthdr;
					__u8 reserved;
					__be16 frag_off;
					__be32 id;
				} *fh = cur;

				if ((void *)(fh + 1) > end)
					return -1;
				nh = fh->nexthdr;
				first = (fh->frag_off & bpf_htons(0xfff8)) == 0;
				cur = fh + 1;
			} else {
				break;
			}
		}
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
		    nh == IPPROTO_FRAGMENT)
			return -1;	/* a longer chain than any real device sends */
		p->key.proto = nh;
		return parse_l4(cur, end, p, first);
	}
	return 0;
}

static __always_inline __u64 port_bits(__u32 scope, __u8 proto, __u16 port)
{
	struct camfence_port_key pk = { .scope = scope, .proto = proto, .port = port };
	__u64 *bits;

	if (port != CAMFENCE_PORT_ANY) {
		bits = bpf_map_lookup_elem(&ports, &pk);
		if (bits)
			return *bits;
		pk.port = CAMFENCE_PORT_ANY;
	}
	bits = bpf_map_lookup_elem(&ports, &pk);
	if (bits)
		return *bits;
	pk.proto = CAMFENCE_PROTO_ANY;
	bits = bpf_map_lookup_elem(&ports, &pk);
	return bits ? *bits : 0;
}

static __always_inline __u64 dst_bits(__u32 scope, const struct packet *p)
{
	__u64 *bits;

	if (p->key.family == AF_INET) {
		struct camfence_dst4_key k = { .prefixlen = 64, .scope = scope };

		__builtin_memcpy(k.addr, p->key.daddr, 4);
		bits = bpf_map_lookup_elem(&dst4, &k);
	} else {
		struct camfence_dst6_key k = { .prefixlen = 160, .scope = scope };

		__builtin_memcpy(k.addr, p->key.daddr, 16);
		bits = bpf_map_lookup_elem(&dst6, &k);
	}
	return bits ? *bits : 0;
}

static __always_inline struct camfence_device *find_device(__u32 slot, const struct packet *p)
{
	struct camfence_mac_key mk = { .slot = slot };
	struct camfence_device *dev;

	__builtin_memcpy(mk.mac, p->key.mac, ETH_ALEN);
	dev = bpf_map_lookup_elem(&macs, &mk);
	if (dev || p->key.family != AF_INET)
		return dev;

	struct camfence_src4_key sk = { .prefixlen = 64, .scope = slot };

	__builtin_memcpy(sk.addr, p->key.saddr, 4);
	return bpf_map_lookup_elem(&src4, &sk);
}

/* Decide a packet of a zone interface from the policy of its device. */
static __always_inline void classify(__u32 slot, const struct camfence_iface *iface,
				     const struct packet *p, struct camfence_flow *f)
{
	struct camfence_device *dev = find_device(slot, p);
	struct camfence_policy *pol;
	struct camfence_rule *rule;
	__u32 scope, idx;
	__u64 match;

	f->rule = CAMFENCE_RULE_DEFAULT;
	if (!dev) {
		f->device_id = 0;
		f->verdict = iface->unknown_verdict;
		f->reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
		return;
	}
	f->device_id = dev->device_id;
	f->policy_id = dev->policy_id;
	idx = slot * CAMFENCE_MAX_POLICIES + (dev->policy_id & (CAMFENCE_MAX_POLICIES - 1));
	pol = bpf_map_lookup_elem(&policies, &idx);
	f->verdict = pol ? pol->default_verdict : CAMFENCE_DROP;
	f->reason = CAMFENCE_REASON_DEFAULT;
	if (!p->is_ip) {
		f->reason = CAMFENCE_REASON_NOT_IP;
		return;
	}

	scope = camfence_scope(slot, dev->policy_id);
	match = dst_bits(scope, p);
	if (!match)
		return;
	match &= port_bits(scope, p->key.proto, p->key.dport);
	if (!match)
		return;

	f->rule = lowest_bit(match);
	idx = idx * CAMFENCE_MAX_RULES + f->rule;
	rule = bpf_map_lookup_elem(&rules, &idx);
	if (!rule)
		return;
	f->verdict = rule->verdict;
	f->reason = CAMFENCE_REASON_RULE;
}

static __always_inline void emit_event(const struct packet *p, const struct camfence_flow *f,
				       __u32 ifindex, __u64 gen, __u64 now)
{
	struct camfence_event *ev;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		stat_add(CAMFENCE_STAT_EVENTS_LOST, 1);
		return;
	}
	ev->ts_ns = now;
	ev->generation = gen;
	ev->ifindex = ifindex;
	ev->device_id = f->device_id;
	ev->policy_id = f->policy_id;
	ev->rule = f->rule;
	__builtin_memcpy(ev->mac, p->key.mac, ETH_ALEN);
	ev->vlan = p->key.vlan;
	ev->family = p->key.family;
	ev->proto = p->key.proto;
	ev->verdict = f->verdict;
	ev->reason = f->reason;
	ev->sport = p->sport;
	ev->dport = p->key.dport;
	__builtin_memcpy(ev->saddr, p->key.saddr, 16);
	__builtin_memcpy(ev->daddr, p->key.daddr, 16);
	bpf_ringbuf_submit(ev, 0);
	stat_add(CAMFENCE_STAT_EVENTS, 1);
}

static __always_inline int to_xdp(__u8 verdict)
{
	return verdict == CAMFENCE_DROP ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int camfence_xdp(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	struct camfence_iface_key ik = { .ifindex = ctx->ingress_ifindex };
	struct packet p = {};
	struct camfence_config *cfg;
	struct camfence_iface *iface;
	struct camfence_flow *cached = NULL, f = {};
	__u32 zero = 0;
	__u64 gen, now;
	int perr;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return XDP_PASS;
	gen = cfg->generation;
	perr = parse(ctx, &p);
	p.key.ifindex = ctx->ingress_ifindex;

	if (!perr && p.is_ip && !p.essential) {
		cached = bpf_map_lookup_elem(&flows, &p.key);
		if (cached && cached->generation == gen) {
			__sync_fetch_and_add(&cached->packets, 1);
			__sync_fetch_and_add(&cached->bytes, bytes);
			cached->last_ns = bpf_ktime_get_ns();
			stat_add(CAMFENCE_STAT_FLOW_CACHE_HITS, 1);
			count(cached->device_id, cached->verdict, bytes);
			return to_xdp(cached->verdict);
		}
	}

	ik.slot = gen & 1;
	iface = bpf_map_lookup_elem(&ifaces, &ik);
	if (!iface) {
		stat_add(CAMFENCE_STAT_UNMANAGED, 1);
		return XDP_PASS;
	}
	if (perr) {
		/* a camera-facing interface gets no benefit of the doubt */
		stat_add(CAMFENCE_STAT_MALFORMED, 1);
		count(0, CAMFENCE_DROP, bytes);
		return XDP_DROP;
	}

	classify(ik.slot, iface, &p, &f);
	if (p.essential && f.reason != CAMFENCE_REASON_RULE) {
		f.verdict = CAMFENCE_PASS;
		f.reason = CAMFENCE_REASON_ESSENTIAL;
	}
	count(f.device_id, f.verdict, bytes);
	if (!p.is_ip || p.essential)
		return to_xdp(f.verdict);

	now = bpf_ktime_get_ns();
	f.generation = gen;
	f.last_ns = now;
	f.packets = 1;
	f.bytes = bytes;
	if (cached) {
		/* stale verdict of an older generation: decide again */
		__u8 was = cached->verdict;

		f.first_ns = cached->first_ns;
		f.packets += cached->packets;
		f.bytes += cached->bytes;
		bpf_map_update_elem(&flows, &p.key, &f, BPF_EXIST);
		if (f.verdict == CAMFENCE_DROP && was != CAMFENCE_DROP)
			emit_event(&p, &f, ctx->ingress_ifindex, gen, now);
	} else {
		f.first_ns = now;
		/* only the CPU that creates the flow reports it */
		if (bpf_map_update_elem(&flows, &p.key, &f, BPF_NOEXIST) == 0 &&
		    f.verdict == CAMFENCE_DROP)
			emit_event(&p, &f, ctx->ingress_ifindex, gen, now);
	}
	return to_xdp(f.verdict);
}
