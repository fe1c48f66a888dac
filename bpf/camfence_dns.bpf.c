// SPDX-License-Identifier: GPL-2.0
/*
 * camfence_dns_tc: copies the DNS responses leaving a zone interface to
 * camfenced, which learns from them what each device was told a name is
 * (name rules, docs/dns-snoop.md).
 *
 * On clsact egress: whether the router's own resolver answered or it
 * forwarded an answer from elsewhere, the response leaves through the
 * device's interface, and XDP sees only what arrives.
 *
 * Only looks: every packet goes on unchanged, and on to the filters after
 * this one: TC_ACT_UNSPEC, where TC_ACT_OK would end the filter chain and
 * starve filters others put behind it. A response is UDP
 * from port 53, not fragmented; its header fields and up to
 * CAMFENCE_DNS_MSG_MAX bytes of the message go into a ring buffer record
 * only as long as what it carries. Headers are read with bpf_skb_load_bytes,
 * so a packet whose headers are not in the linear part is read all the same.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "camfence_dns.h"

#define AF_INET		2
#define AF_INET6	10
#define ETH_P_8021AD_	0x88A8
#define ETH_P_8021Q_	0x8100
/* as camfence_xdp's parser: the same frames are understood on both ways */
#define MAX_VLAN_TAGS	2
#define MAX_IPV6_EXT_HDRS 4
#define DNS_PORT	53

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CAMFENCE_DNS_RINGBUF_BYTES);
} dns_records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct camfence_dns_counters);
} dns_counters SEC(".maps");

/* A record is put together here, too big for the stack, then written into
 * the ring buffer at the length it has. */
struct scratch {
	struct camfence_dns_record rec;
	__u8 msg[CAMFENCE_DNS_MSG_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} dns_scratch SEC(".maps");

enum parsed {
	NOT_DNS,	/* anything else, or a DNS packet that cannot be told apart */
	DNS_RESPONSE,
	DNS_FRAGMENT,	/* the first fragment of a fragmented response */
};

enum counter {
	COUNT_COPIED,
	COUNT_LOST,
	COUNT_FRAGMENTS,
	COUNT_TRUNCATED,
};

static __always_inline void count(enum counter which)
{
	struct camfence_dns_counters *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&dns_counters, &zero);
	if (!c)
		return;
	switch (which) {
	case COUNT_COPIED:
		c->copied++;
		break;
	case COUNT_LOST:
		c->lost++;
		break;
	case COUNT_FRAGMENTS:
		c->fragments++;
		break;
	case COUNT_TRUNCATED:
		c->truncated++;
		break;
	}
}

/* The UDP header at off: ports into rec, the message's offset and length. */
static __always_inline enum parsed parse_udp(struct __sk_buff *skb, __u32 off, int fragment,
					     struct camfence_dns_record *rec, __u32 *msg_off)
{
	struct udphdr uh;
	__u32 ulen;

	if (bpf_skb_load_bytes(skb, off, &uh, sizeof(uh)))
		return NOT_DNS;
	if (uh.source != bpf_htons(DNS_PORT))
		return NOT_DNS;
	if (fragment)
		return DNS_FRAGMENT;
	rec->sport = DNS_PORT;
	rec->dport = bpf_ntohs(uh.dest);
	ulen = bpf_ntohs(uh.len);
	if (ulen < sizeof(uh) + CAMFENCE_DNS_MSG_MIN)
		return NOT_DNS;
	/* a length the packet does not hold is no message to learn from */
	if (off + ulen > skb->len)
		return NOT_DNS;
	rec->msg_len = ulen - sizeof(uh);
	*msg_off = off + sizeof(uh);
	return DNS_RESPONSE;
}

static __always_inline enum parsed parse_ipv4(struct __sk_buff *skb, __u32 off,
					      struct camfence_dns_record *rec, __u32 *msg_off)
{
	struct iphdr iph;

	if (bpf_skb_load_bytes(skb, off, &iph, sizeof(iph)))
		return NOT_DNS;
	if (iph.version != 4 || iph.ihl < 5 || iph.protocol != IPPROTO_UDP)
		return NOT_DNS;
	/* a later fragment has no UDP header to tell a response by */
	if (iph.frag_off & bpf_htons(0x1fff))
		return NOT_DNS;
	rec->family = AF_INET;
	__builtin_memcpy(rec->saddr, &iph.saddr, 4);
	__builtin_memcpy(rec->daddr, &iph.daddr, 4);
	/* options are stepped over: they do not change where it goes */
	return parse_udp(skb, off + iph.ihl * 4, !!(iph.frag_off & bpf_htons(0x2000)), rec,
			 msg_off);
}

static __always_inline enum parsed parse_ipv6(struct __sk_buff *skb, __u32 off,
					      struct camfence_dns_record *rec, __u32 *msg_off)
{
	struct ipv6hdr ip6h;
	int fragment = 0;
	__u8 nh;
	int i;

	if (bpf_skb_load_bytes(skb, off, &ip6h, sizeof(ip6h)))
		return NOT_DNS;
	if (ip6h.version != 6)
		return NOT_DNS;
	rec->family = AF_INET6;
	__builtin_memcpy(rec->saddr, &ip6h.saddr, 16);
	__builtin_memcpy(rec->daddr, &ip6h.daddr, 16);
	nh = ip6h.nexthdr;
	off += sizeof(ip6h);
	/* the protocol is what follows the extension headers */
#pragma unroll
	for (i = 0; i < MAX_IPV6_EXT_HDRS; i++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
			struct {
				__u8 nexthdr, hdrlen, type, segments_left;
			} oh;

			if (bpf_skb_load_bytes(skb, off, &oh, sizeof(oh)))
				return NOT_DNS;
			/* segments left: the destination is only the next hop,
			 * not the device the answer is for */
			if (nh == IPPROTO_ROUTING && oh.segments_left)
				return NOT_DNS;
			nh = oh.nexthdr;
			off += (oh.hdrlen + 1) * 8;
		} else if (nh == IPPROTO_FRAGMENT) {
			struct {
				__u8 nexthdr;
				__u8 reserved;
				__be16 frag_off;
				__be32 id;
			} fh;

			if (bpf_skb_load_bytes(skb, off, &fh, sizeof(fh)))
				return NOT_DNS;
			if (fh.frag_off & bpf_htons(0xfff8))
				return NOT_DNS;	/* a later fragment, as for IPv4 */
			/* M set; without it the header is an atomic fragment
			 * (RFC 6946) and the packet whole */
			fragment = !!(fh.frag_off & bpf_htons(0x0001));
			nh = fh.nexthdr;
			off += sizeof(fh);
		} else {
			break;
		}
	}
	/* a longer extension chain ends in one of these, not in UDP */
	if (nh != IPPROTO_UDP)
		return NOT_DNS;
	return parse_udp(skb, off, fragment, rec, msg_off);
}

static __always_inline enum parsed parse(struct __sk_buff *skb, struct camfence_dns_record *rec,
					 __u32 *msg_off)
{
	struct ethhdr eth;
	__u32 off = sizeof(eth);
	__be16 proto;
	int i;

	if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)))
		return NOT_DNS;
	__builtin_memcpy(rec->dst_mac, eth.h_dest, ETH_ALEN);
	proto = eth.h_proto;
	/* a tag the driver is to insert is outside the data; one in the data
	 * is inside it, so it wins: the innermost tag names the VLAN */
	rec->vlan = skb->vlan_present ? skb->vlan_tci & 0x0fff : 0;

#pragma unroll
	for (i = 0; i < MAX_VLAN_TAGS; i++) {
		struct {
			__be16 tci;
			__be16 proto;
		} vh;

		if (proto != bpf_htons(ETH_P_8021Q_) && proto != bpf_htons(ETH_P_8021AD_))
			break;
		if (bpf_skb_load_bytes(skb, off, &vh, sizeof(vh)))
			return NOT_DNS;
		rec->vlan = bpf_ntohs(vh.tci) & 0x0fff;
		proto = vh.proto;
		off += sizeof(vh);
	}
	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(skb, off, rec, msg_off);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(skb, off, rec, msg_off);
	return NOT_DNS;
}

static __always_inline void copy_response(struct __sk_buff *skb)
{
	struct scratch *s;
	__u32 zero = 0;
	__u32 msg_off = 0;
	__u32 len;

	s = bpf_map_lookup_elem(&dns_scratch, &zero);
	if (!s)
		return;
	__builtin_memset(&s->rec, 0, sizeof(s->rec));
	switch (parse(skb, &s->rec, &msg_off)) {
	case DNS_RESPONSE:
		break;
	case DNS_FRAGMENT:
		count(COUNT_FRAGMENTS);
		return;
	default:
		return;
	}
	s->rec.ifindex = skb->ifindex;
	len = s->rec.msg_len;
	if (len > CAMFENCE_DNS_MSG_MAX) {
		len = CAMFENCE_DNS_MSG_MAX;
		s->rec.flags |= CAMFENCE_DNS_TRUNCATED;
		count(COUNT_TRUNCATED);
	}
	/* parse_udp saw at least a DNS header; the check again is the
	 * verifier's lower bound */
	if (len < CAMFENCE_DNS_MSG_MIN)
		return;
	s->rec.copied = len;
	if (bpf_skb_load_bytes(skb, msg_off, s->msg, len))
		return;
	if (bpf_ringbuf_output(&dns_records, s, sizeof(s->rec) + len, 0))
		count(COUNT_LOST);
	else
		count(COUNT_COPIED);
}

SEC("tc")
int camfence_dns_tc(struct __sk_buff *skb)
{
	copy_response(skb);
	return TC_ACT_UNSPEC;
}
