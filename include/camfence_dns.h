/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The contract between the DNS snooper (bpf/camfence_dns.bpf.c, a TC egress
 * program on the zone interfaces) and camfenced (daemon/dns_snoop.c): the
 * record it copies each DNS response leaving towards a device into, and its
 * counters. Fixed-width types, explicit padding, sizes checked at the end.
 *
 * A ring buffer record is struct camfence_dns_record followed by the first
 * `copied` bytes of the DNS message (the UDP payload), nothing after: records
 * are only as long as what they carry, so the ring holds many small answers.
 */
#ifndef CAMFENCE_DNS_H
#define CAMFENCE_DNS_H

#include <linux/types.h>

#define CAMFENCE_DNS_MSG_MAX		1500	/* bytes of a message copied */
#define CAMFENCE_DNS_MSG_MIN		12	/* a DNS header: anything shorter is no message */
#define CAMFENCE_DNS_RINGBUF_BYTES	(256 * 1024)
/* The TC filter's priority and handle on clsact egress: fixed, so a
 * restarted camfenced replaces its predecessor's filter instead of adding a
 * second one beside it. */
#define CAMFENCE_DNS_TC_PRIORITY	0xcf53
#define CAMFENCE_DNS_TC_HANDLE		0xcf53
#define CAMFENCE_DNS_PROG_NAME		"camfence_dns_tc"

/* flags */
#define CAMFENCE_DNS_TRUNCATED		0x01	/* msg_len > copied: cut at CAMFENCE_DNS_MSG_MAX */

struct camfence_dns_record {
	__u32 ifindex;		/* the interface the response left through */
	__u16 vlan;		/* innermost VLAN tag, 0 when untagged */
	__u8 dst_mac[6];	/* the device's MAC */
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 flags;
	__u16 sport;		/* host order; 53 */
	__u16 dport;		/* host order */
	__u16 msg_len;		/* the DNS message's length on the wire */
	__u16 copied;		/* bytes of it that follow, at most CAMFENCE_DNS_MSG_MAX */
	__u16 pad;
	__u8 saddr[16];		/* the resolver; IPv4 in the first 4 bytes, the rest zero */
	__u8 daddr[16];		/* the device */
	/* then the message's first `copied` bytes */
};

/* Per CPU; userspace sums them. */
struct camfence_dns_counters {
	__u64 copied;		/* responses put in the ring buffer */
	__u64 lost;		/* responses the ring buffer had no room for */
	__u64 fragments;	/* fragmented responses, not copied */
	__u64 truncated;	/* responses longer than CAMFENCE_DNS_MSG_MAX, copied cut */
};

#define CAMFENCE_DNS_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " changed size")

CAMFENCE_DNS_ASSERT_SIZE(struct camfence_dns_record, 56);
CAMFENCE_DNS_ASSERT_SIZE(struct camfence_dns_counters, 32);
_Static_assert(CAMFENCE_DNS_MSG_MAX <= 0xffff, "copied is a __u16");

#endif /* CAMFENCE_DNS_H */
