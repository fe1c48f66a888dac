// SPDX-License-Identifier: GPL-2.0
/*
 * camfence_xdp: per-packet policy on the router's camera-facing interfaces.
 *
 * Fast path: a packet of a known flow costs one flow-table lookup; its
 * verdict was cached there together with the policy generation that decided
 * it, and a new generation makes every cached verdict stale at once.
 *
 * Slow path (first packet of a flow, or stale cache): interface and VLAN ->
 * zone; source MAC prefix, source address prefix or VLAN -> device and
 * policy; destination trie -> region of the policy; port trie -> the first
 * rule that matches there, resolved by the compiler into disjoint port
 * blocks. Each step is one lookup, whatever the number of rules or devices.
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

#define LPM_MAP(name, nentries, keytype, valtype)		\
	struct {						\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);		\
		__uint(max_entries, nentries);			\
		__uint(map_flags, BPF_F_NO_PREALLOC);		\
		__type(key, keytype);				\
		__type(value, valtype);				\
	} name SEC(".maps")

LPM_MAP(macs, CAMFENCE_MAX_MACS, struct camfence_mac_key, struct camfence_device);
LPM_MAP(src4, CAMFENCE_MAX_PREFIXES, struct camfence_src4_key, struct camfence_device);
LPM_MAP(src6, CAMFENCE_MAX_PREFIXES, struct camfence_src6_key, struct camfence_device);
LPM_MAP(dst4, CAMFENCE_MAX_PREFIXES, struct camfence_dst4_key, __u32);
LPM_MAP(dst6, CAMFENCE_MAX_PREFIXES, struct camfence_dst6_key, __u32);
LPM_MAP(ports, CAMFENCE_MAX_PORT_KEYS, struct camfence_port_key, struct camfence_decision);

/* What DNS told each device (camfence.h): written by camfenced as the
 * answers it sees go by, removed when their TTL runs out. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CAMFENCE_MAX_LEARNED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct camfence_learned_key);
	__type(value, struct camfence_learned);
} learned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CAMFENCE_MAX_VLAN_KEYS);
	__type(key, struct camfence_vlan_key);
	__type(value, struct camfence_device);
} vlans SEC(".maps");

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

/* All counters of one CPU in one value: a packet pays for one lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct camfence_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CAMFENCE_MAX_FLOWS);
	__type(key, struct camfence_flow_key);
	__type(value, struct camfence_flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * CAMFENCE_MAX_RULE_COUNTERS);
	__type(key, __u32);
	__type(value, struct camfence_rule_counters);
} rule_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CAMFENCE_MICRO_SLOTS);
	__type(key, __u32);
	__type(value, struct camfence_micro);
} micro SEC(".maps");

/* Malformed flows already reported in this generation: the first packet
 * of each is an event, as for a blocked flow. Kept apart from the flow
 * table so a crafted packet cannot plant a verdict on a real flow's key. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct camfence_flow_key);
	__type(value, __u64);
} malformed_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CAMFENCE_RINGBUF_BYTES);
} events SEC(".maps");

/* What the parser learnt of a packet; 8-aligned so its key can be read
 * a double word at a time. */
struct packet {
	struct camfence_flow_key key;
	__u16 sport;
	__u8 essential;		/* ARP, DHCP, neighbour discovery */
	__u8 malformed;
	__u8 is_ip;
} __attribute__((aligned(8)));

static __always_inline struct camfence_stats *cpu_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline void stat_add(__u32 idx, __u64 n)
{
	struct camfence_stats *st = cpu_stats();

	if (st && idx < __CAMFENCE_STAT_MAX)
		st->v[idx] += n;
}

static __always_inline void count(__u32 device_id, __u8 verdict, __u64 bytes, int cache_hit)
{
	struct camfence_stats *st = cpu_stats();
	struct camfence_counters *c;

	if (st) {
		int drop = verdict == CAMFENCE_DROP;

		st->v[drop ? CAMFENCE_STAT_DROP_PKTS : CAMFENCE_STAT_PASS_PKTS]++;
		st->v[drop ? CAMFENCE_STAT_DROP_BYTES : CAMFENCE_STAT_PASS_BYTES] += bytes;
		st->v[CAMFENCE_STAT_FLOW_CACHE_HITS] += cache_hit;
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

/* Packets decided by a rule of the policy of generation gen. */
static __always_inline void count_rule(__u32 rule_id, __u64 gen, __u64 packets, __u64 bytes)
{
	struct camfence_rule_counters *rc;
	__u32 idx;

	if (rule_id >= CAMFENCE_MAX_RULE_COUNTERS)
		return;	/* the default, or beyond what is counted */
	idx = (gen & 1) * CAMFENCE_MAX_RULE_COUNTERS + rule_id;
	rc = bpf_map_lookup_elem(&rule_counters, &idx);
	if (rc) {
		rc->packets += packets;
		rc->bytes += bytes;
	}
}

static __always_inline int parse_l4(void *l4, void *end, struct packet *p, int first_fragment)
{
	p->key.dport = 0;
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

/*
 * IPv4 options a device has no business sending: a loose or strict source
 * route (the header's destination is then only the next hop, so judging it
 * would judge the wrong packet), or options that do not parse. The options
 * are copied out and walked by bpf_loop, so the verifier sees one step.
 */
struct opt_walk {
	__u8 o[64];
	__u32 off, len;
	int refused;
};

static long opt_step(__u64 step, void *data)
{
	struct opt_walk *w = data;
	__u32 off = w->off;
	__u8 type, olen;

	if (off >= w->len)
		return 1;
	type = w->o[off & 63];
	if (type == IPOPT_END)
		return 1;
	if (type == IPOPT_NOOP) {
		w->off = off + 1;
		return 0;
	}
	olen = off + 1 < w->len ? w->o[(off + 1) & 63] : 0;
	if (type == IPOPT_LSRR || type == IPOPT_SSRR || olen < 2 || off + olen > w->len) {
		w->refused = 1;
		return 1;
	}
	w->off = off + olen;
	return 0;
}

static __always_inline int refused_options4(__u8 *opts, __u32 len, void *end)
{
	struct opt_walk w = { .len = len };
	int j;

	for (j = 0; j < 40; j++) {
		if ((__u32)j >= len)
			break;
		if ((void *)(opts + j + 1) > end)
			return 1;
		w.o[j] = opts[j];
	}
	bpf_loop(40, opt_step, &w, 0);
	return w.refused;
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
		if (parse_l4(cur + hlen, end, p, first))
			return -1;
		if (hlen > sizeof(*iph) && refused_options4(cur + sizeof(*iph), hlen - sizeof(*iph), end))
			return -1;
		return 0;
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
				struct {
					__u8 nexthdr, hdrlen, type, segments_left;
				} *oh = cur;

				if ((void *)(oh + 1) > end)
					return -1;
				/* a routing header with segments left: the destination
				 * is only the next hop, as with an IPv4 source route */
				if (nh == IPPROTO_ROUTING && oh->segments_left) {
					p->key.proto = IPPROTO_ROUTING;
					return -1;
				}
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
		    nh == IPPROTO_FRAGMENT) {
			p->key.proto = nh;
			return -1;	/* a longer chain than any real device sends */
		}
		p->key.proto = nh;
		return parse_l4(cur, end, p, first);
	}
	return 0;
}

/*
 * Essentials (DHCP, neighbour discovery, listener reports) are for the
 * link. One the router would route on is not one: it is judged as any
 * other packet, or DHCP to port 67 and ICMPv6 shaped as neighbour
 * discovery would carry anything anywhere. Multicast, broadcast and
 * link-local destinations stay on the link without asking the FIB.
 */
static __always_inline int routed_on(struct xdp_md *ctx, const struct packet *p)
{
	struct bpf_fib_lookup fib = {
		.l4_protocol = p->key.proto,
		.sport = bpf_htons(p->sport),
		.dport = bpf_htons(p->key.dport),
		.ifindex = ctx->ingress_ifindex,
	};
	long ret;

	if (p->key.family == AF_INET) {
		__u8 first = p->key.daddr[0];

		if ((first & 0xf0) == 0xe0 || (first == 255 && p->key.daddr[1] == 255 &&
					       p->key.daddr[2] == 255 && p->key.daddr[3] == 255))
			return 0;
		fib.family = AF_INET;
		__builtin_memcpy(&fib.ipv4_src, p->key.saddr, 4);
		__builtin_memcpy(&fib.ipv4_dst, p->key.daddr, 4);
	} else {
		if (p->key.daddr[0] == 0xff || (p->key.daddr[0] == 0xfe && (p->key.daddr[1] & 0xc0) == 0x80))
			return 0;
		fib.family = AF_INET6;
		__builtin_memcpy(fib.ipv6_src, p->key.saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, p->key.daddr, 16);
	}
	ret = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	return ret == BPF_FIB_LKUP_RET_SUCCESS || ret == BPF_FIB_LKUP_RET_NO_NEIGH ||
	       ret == BPF_FIB_LKUP_RET_FRAG_NEEDED;
}

/* The region of the policy the destination falls in; -1 when none. */
static __always_inline __s64 dst_table(__u32 scope, const struct packet *p)
{
	__u32 *table;

	if (p->key.family == AF_INET) {
		struct camfence_dst4_key k = { .prefixlen = 64, .scope = scope };

		__builtin_memcpy(k.addr, p->key.daddr, 4);
		table = bpf_map_lookup_elem(&dst4, &k);
	} else {
		struct camfence_dst6_key k = { .prefixlen = 160, .scope = scope };

		__builtin_memcpy(k.addr, p->key.daddr, 16);
		table = bpf_map_lookup_elem(&dst6, &k);
	}
	return table ? (__s64)*table : -1;
}

static __always_inline struct camfence_decision *port_decision(__u32 slot, __u32 table,
							       const struct packet *p)
{
	struct camfence_port_key k = {
		.prefixlen = 64,
		.scope = camfence_table_scope(slot, table),
		.proto = p->key.proto,
		.port = bpf_htons(p->key.dport),
	};
	struct camfence_decision *d;

	d = bpf_map_lookup_elem(&ports, &k);
	if (d)
		return d;
	/* a protocol that no rule of the region names */
	k.proto = CAMFENCE_PROTO_ANY;
	return bpf_map_lookup_elem(&ports, &k);
}

static __always_inline struct camfence_device *find_device(__u32 scope, const struct packet *p)
{
	struct camfence_mac_key mk = { .prefixlen = 80, .scope = scope };
	struct camfence_device *dev;

	__builtin_memcpy(mk.mac, p->key.mac, ETH_ALEN);
	dev = bpf_map_lookup_elem(&macs, &mk);
	if (dev)
		return dev;
	if (p->key.family == AF_INET) {
		struct camfence_src4_key k = { .prefixlen = 64, .scope = scope };

		__builtin_memcpy(k.addr, p->key.saddr, 4);
		dev = bpf_map_lookup_elem(&src4, &k);
	} else if (p->key.family == AF_INET6) {
		struct camfence_src6_key k = { .prefixlen = 160, .scope = scope };

		__builtin_memcpy(k.addr, p->key.saddr, 16);
		dev = bpf_map_lookup_elem(&src6, &k);
	}
	if (dev)
		return dev;

	struct camfence_vlan_key vk = { .scope = scope, .vlan = p->key.vlan };

	return bpf_map_lookup_elem(&vlans, &vk);
}

/* A `to name` rule of a destination the device was told by DNS, if it
 * comes before the rule the destination tables chose (d: NULL or that
 * rule's decision): the first of the entry's tables, in rule order, that
 * decides the protocol and port. */
static __always_inline struct camfence_decision *learned_decision(__u32 slot, __u32 device_id,
								  const struct packet *p,
								  struct camfence_decision *d)
{
	struct camfence_learned_key k = { .slot = slot, .device_id = device_id,
					  .family = p->key.family };
	struct camfence_decision *ld;
	struct camfence_learned *v;
	__u32 i;

	__builtin_memcpy(k.mac, p->key.mac, ETH_ALEN);
	__builtin_memcpy(k.addr, p->key.daddr, 16);
	v = bpf_map_lookup_elem(&learned, &k);
	if (!v)
		return d;
	for (i = 0; i < CAMFENCE_LEARNED_RULES; i++) {
		if (i >= v->n)
			break;
		ld = port_decision(slot, v->table[i], p);
		if (!ld || ld->rule_id == CAMFENCE_RULE_DEFAULT)
			continue;
		if (!d || d->rule_id == CAMFENCE_RULE_DEFAULT || ld->rule_id < d->rule_id)
			return ld;
		break;
	}
	return d;
}

/* Decide a packet of a zone interface from the policy of its device. */
static __always_inline void classify(__u32 slot, const struct camfence_iface *iface,
				     const struct packet *p, struct camfence_flow *f, int *monitor)
{
	struct camfence_device *dev = find_device(camfence_zone_scope(slot, iface->zone_id), p);

	/* `mode monitor` for the device, or for the zone's unknown devices */
	*monitor = dev ? !!(dev->policy_id & CAMFENCE_DEVICE_MONITOR) :
			 !!(iface->flags & CAMFENCE_IFACE_MONITOR);
	struct camfence_decision *d;
	struct camfence_policy *pol;
	__u32 policy, idx;
	__s64 table;

	f->rule_id = CAMFENCE_RULE_DEFAULT;
	f->flags = 0;
	if (dev) {
		f->device_id = dev->device_id;
		policy = dev->policy_id & ~CAMFENCE_DEVICE_MONITOR;
		f->reason = CAMFENCE_REASON_DEFAULT;
	} else {
		f->device_id = 0;
		policy = iface->unknown_policy;
		f->reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
		if (policy == CAMFENCE_POLICY_NONE) {
			f->policy_id = CAMFENCE_POLICY_NONE;
			f->verdict = iface->unknown_verdict;
			f->flags = f->verdict == CAMFENCE_DROP ? CAMFENCE_DECISION_LOG : 0;
			return;
		}
	}
	f->policy_id = policy;
	idx = slot * CAMFENCE_MAX_POLICIES + (policy & (CAMFENCE_MAX_POLICIES - 1));
	pol = bpf_map_lookup_elem(&policies, &idx);
	f->verdict = pol ? pol->default_verdict : CAMFENCE_DROP;
	f->flags = pol ? pol->default_flags : CAMFENCE_DECISION_LOG;
	if (!p->is_ip) {
		if (dev)
			f->reason = CAMFENCE_REASON_NOT_IP;
		return;
	}

	table = dst_table(camfence_policy_scope(slot, policy), p);
	d = table < 0 ? NULL : port_decision(slot, table, p);
	/* only a policy with `to name` rules pays for the learned lookup */
	if (dev && dev->device_id && pol && (pol->flags & CAMFENCE_POLICY_NAMES))
		d = learned_decision(slot, dev->device_id, p, d);
	if (!d || d->rule_id == CAMFENCE_RULE_DEFAULT)
		return;
	f->verdict = d->verdict;
	f->flags = d->flags;
	f->rule_id = d->rule_id;
	if (dev)
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
	ev->rule_id = f->rule_id;
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

/* The first malformed packet of a flow in a generation is an event too:
 * a device probing the parser is as worth an alert as one phoning home. */
static __always_inline void report_malformed(const struct packet *p,
					     const struct camfence_device *dev, __u32 ifindex,
					     __u64 gen, __u8 verdict)
{
	struct camfence_flow f = {
		.device_id = dev ? dev->device_id : 0,
		.policy_id = dev ? dev->policy_id & ~CAMFENCE_DEVICE_MONITOR : CAMFENCE_POLICY_NONE,
		.rule_id = CAMFENCE_RULE_DEFAULT,
		.verdict = verdict,
		.reason = CAMFENCE_REASON_MALFORMED,
	};
	__u64 *seen = bpf_map_lookup_elem(&malformed_seen, &p->key);

	if (seen && *seen == gen)
		return;
	if (bpf_map_update_elem(&malformed_seen, &p->key, &gen, BPF_ANY) == 0)
		emit_event(p, &f, ifindex, gen, bpf_ktime_get_ns());
}

static __always_inline int to_xdp(__u8 verdict)
{
	return verdict == CAMFENCE_DROP ? XDP_DROP : XDP_PASS;
}

/* The key is 6 double words; their sum folded and multiplied picks a slot. */
static __always_inline __u32 micro_slot(const struct camfence_flow_key *k)
{
	const __u64 *w = (const __u64 *)k;
	__u64 x = w[0] + (w[1] << 1) + (w[2] << 2) + (w[3] << 3) + (w[4] << 4) + w[5];

	x ^= x >> 32;
	return ((__u32)x * 0x9e3779b1u) >> 24;
}

static __always_inline int key_equal(const struct camfence_flow_key *a,
				     const struct camfence_flow_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) |
		 (x[4] ^ y[4]) | (x[5] ^ y[5]));
}

/* Give the slot to this flow. What the slot counted for another flow goes
 * where a packet outside the cache counts: the flow table, the device's
 * counters and the CPU's totals (userspace adds what is still here). */
static __always_inline void micro_fill(struct camfence_micro *m, const struct packet *p, __u64 gen,
				       __u32 epoch, __u32 device_id, __u32 rule_id, __u8 verdict,
				       __u8 flags)
{
	if ((m->flags & CAMFENCE_MICRO_VALID) && m->packets) {
		struct camfence_flow *old = bpf_map_lookup_elem(&flows, &m->key);
		struct camfence_stats *st = cpu_stats();
		struct camfence_counters *c;

		if (old) {
			__sync_fetch_and_add(&old->packets, m->packets);
			__sync_fetch_and_add(&old->bytes, m->bytes);
			if (m->last_ns > old->last_ns)
				old->last_ns = m->last_ns;
		}
		if (m->flags & CAMFENCE_MICRO_UNMANAGED) {
			if (st)
				st->v[CAMFENCE_STAT_UNMANAGED] += m->packets;
		} else {
			int drop = m->verdict == CAMFENCE_DROP;

			if (st) {
				st->v[drop ? CAMFENCE_STAT_DROP_PKTS : CAMFENCE_STAT_PASS_PKTS] += m->packets;
				st->v[drop ? CAMFENCE_STAT_DROP_BYTES : CAMFENCE_STAT_PASS_BYTES] += m->bytes;
				st->v[CAMFENCE_STAT_FLOW_CACHE_HITS] += m->packets;
			}
			/* rule ids of an older generation name other rules now */
			if (m->generation == gen)
				count_rule(m->rule_id, gen, m->packets, m->bytes);
			c = bpf_map_lookup_elem(&device_counters, &m->device_id);
			if (c && drop) {
				c->drop_pkts += m->packets;
				c->drop_bytes += m->bytes;
			} else if (c) {
				c->pass_pkts += m->packets;
				c->pass_bytes += m->bytes;
			}
		}
	}
	__builtin_memcpy(&m->key, &p->key, sizeof(m->key));
	m->generation = gen;
	m->epoch = epoch;
	m->packets = 0;
	m->bytes = 0;
	m->last_ns = 0;
	m->device_id = device_id;
	m->rule_id = rule_id;
	m->verdict = verdict;
	m->flags = CAMFENCE_MICRO_VALID | flags;
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
	struct camfence_micro *m = NULL;
	__u32 zero = 0, slot, epoch;
	int monitor;
	__u64 gen, now;
	int perr;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return XDP_PASS;
	gen = cfg->generation;
	epoch = cfg->epoch;
	perr = parse(ctx, &p);
	p.key.ifindex = ctx->ingress_ifindex;
	if (!perr && p.essential && p.is_ip && routed_on(ctx, &p))
		p.essential = 0;

	if (!perr && p.is_ip && !p.essential) {
		slot = micro_slot(&p.key);
		m = bpf_map_lookup_elem(&micro, &slot);
		if (m && (m->flags & CAMFENCE_MICRO_VALID) && m->generation == gen &&
		    m->epoch == epoch && key_equal(&m->key, &p.key)) {
			/* counted here only, until the slot goes to another flow;
			 * "last seen" to the tick, read once every 64 packets */
			if (!(m->packets++ & 63))
				m->last_ns = bpf_ktime_get_coarse_ns();
			m->bytes += bytes;
			return to_xdp(m->verdict);
		}
		cached = bpf_map_lookup_elem(&flows, &p.key);
		if (cached && cached->generation == gen && cached->epoch == epoch) {
			__sync_fetch_and_add(&cached->packets, 1);
			__sync_fetch_and_add(&cached->bytes, bytes);
			cached->last_ns = bpf_ktime_get_coarse_ns();
			count(cached->device_id, cached->verdict, bytes, 1);
			count_rule(cached->rule_id, gen, 1, bytes);
			if (m)
				micro_fill(m, &p, gen, epoch, cached->device_id, cached->rule_id,
					   cached->verdict, 0);
			return to_xdp(cached->verdict);
		}
	}

	ik.slot = gen & 1;
	ik.vlan = p.key.vlan;
	iface = bpf_map_lookup_elem(&ifaces, &ik);
	if (!iface) {
		ik.vlan = CAMFENCE_VLAN_ANY;
		iface = bpf_map_lookup_elem(&ifaces, &ik);
	}
	if (!iface) {
		stat_add(CAMFENCE_STAT_UNMANAGED, 1);
		/* not stored in the flow table, but its next packets hit here */
		if (m)
			micro_fill(m, &p, gen, epoch, 0, CAMFENCE_RULE_DEFAULT, CAMFENCE_PASS,
				   CAMFENCE_MICRO_UNMANAGED);
		return XDP_PASS;
	}
	if (perr) {
		/* a camera-facing interface gets no benefit of the doubt */
		struct camfence_device *dev = find_device(camfence_zone_scope(ik.slot, iface->zone_id), &p);
		__u8 v = (dev ? dev->policy_id & CAMFENCE_DEVICE_MONITOR :
				iface->flags & CAMFENCE_IFACE_MONITOR) ?
			 CAMFENCE_WOULD_DROP : CAMFENCE_DROP;

		stat_add(CAMFENCE_STAT_MALFORMED, 1);
		count(dev ? dev->device_id : 0, v, bytes, 0);
		report_malformed(&p, dev, ctx->ingress_ifindex, gen, v);
		return to_xdp(v);
	}

	classify(ik.slot, iface, &p, &f, &monitor);
	if (p.essential && f.rule_id == CAMFENCE_RULE_DEFAULT) {
		f.verdict = CAMFENCE_PASS;
		f.reason = CAMFENCE_REASON_ESSENTIAL;
	}
	/* monitored: what the policy would drop passes, reported */
	if (f.verdict == CAMFENCE_DROP && monitor)
		f.verdict = CAMFENCE_WOULD_DROP;
	count(f.device_id, f.verdict, bytes, 0);
	count_rule(f.rule_id, gen, 1, bytes);
	if (!p.is_ip || p.essential)
		return to_xdp(f.verdict);

	now = bpf_ktime_get_ns();
	f.generation = gen;
	f.epoch = epoch;
	f.last_ns = now;
	f.packets = 1;
	f.bytes = bytes;
	if (cached) {
		/* stale verdict of an older generation or epoch: decide again */
		__u8 was = cached->verdict, was_logged = cached->flags & CAMFENCE_DECISION_LOG;

		f.first_ns = cached->first_ns;
		f.packets += cached->packets;
		f.bytes += cached->bytes;
		bpf_map_update_elem(&flows, &p.key, &f, BPF_EXIST);
		if ((f.flags & CAMFENCE_DECISION_LOG) &&
		    (f.verdict != was || !was_logged))
			emit_event(&p, &f, ctx->ingress_ifindex, gen, now);
	} else {
		f.first_ns = now;
		/* only the CPU that creates the flow reports it */
		if (bpf_map_update_elem(&flows, &p.key, &f, BPF_NOEXIST) == 0 &&
		    (f.flags & CAMFENCE_DECISION_LOG))
			emit_event(&p, &f, ctx->ingress_ifindex, gen, now);
	}
	if (m)
		micro_fill(m, &p, gen, epoch, f.device_id, f.rule_id, f.verdict, 0);
	return to_xdp(f.verdict);
}
