/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The contract between the XDP program (bpf/), the daemon (daemon/) and the
 * kernel module (kmod/): map keys and values, event records, verdict and
 * reason codes. Fixed-width types, no pointers, explicit padding; the sizes
 * are checked at the end of this file so a change on one side cannot
 * silently disagree with the other.
 *
 * Double buffering: every policy key carries a slot (0 or 1). The daemon
 * fills the inactive slot, then publishes the new generation in one 8-byte
 * write to the config map; the active slot is generation & 1. A packet reads
 * the generation once, so it sees one whole policy, old or new, never a mix.
 */
#ifndef CAMFENCE_H
#define CAMFENCE_H

#include <linux/types.h>

#define CAMFENCE_VERSION "0.1.0"

#define CAMFENCE_MAX_IFACES		64
#define CAMFENCE_MAX_POLICIES		256
#define CAMFENCE_MAX_RULES		64	/* per policy: one bit each */
#define CAMFENCE_MAX_DEVICES		65536	/* device id 0: unknown device */
#define CAMFENCE_MAX_MACS		(2 * 65536)
#define CAMFENCE_MAX_PREFIXES		(2 * 65536)
#define CAMFENCE_MAX_PORT_KEYS		(2 * 262144)
#define CAMFENCE_MAX_FLOWS		65536
#define CAMFENCE_RINGBUF_BYTES		(256 * 1024)

#define CAMFENCE_PROTO_ANY		0	/* in port keys: any protocol */
#define CAMFENCE_PORT_ANY		0	/* in port keys: any port */
#define CAMFENCE_RULE_DEFAULT		0xffff	/* rule index: policy default */

enum camfence_verdict {
	CAMFENCE_PASS = 0,
	CAMFENCE_DROP = 1,
};

/* Why a packet got its verdict; carried in events and flow entries. */
enum camfence_reason {
	CAMFENCE_REASON_UNMANAGED = 0,	/* interface is in no zone */
	CAMFENCE_REASON_RULE,		/* a policy rule matched */
	CAMFENCE_REASON_DEFAULT,	/* no rule matched: policy default */
	CAMFENCE_REASON_ESSENTIAL,	/* ARP and the like: always passed */
	CAMFENCE_REASON_UNKNOWN_DEVICE,	/* device in no group: zone default */
	CAMFENCE_REASON_MALFORMED,	/* truncated or unparsable headers */
	CAMFENCE_REASON_NOT_IP,		/* non-IP frame from a managed device */
	__CAMFENCE_REASON_MAX,
};

/* Indexes into the per-CPU stats array. */
enum camfence_stat {
	CAMFENCE_STAT_PASS_PKTS = 0,
	CAMFENCE_STAT_PASS_BYTES,
	CAMFENCE_STAT_DROP_PKTS,
	CAMFENCE_STAT_DROP_BYTES,
	CAMFENCE_STAT_EVENTS,
	CAMFENCE_STAT_EVENTS_LOST,	/* ring buffer full */
	CAMFENCE_STAT_MALFORMED,
	CAMFENCE_STAT_UNMANAGED,
	CAMFENCE_STAT_FLOW_CACHE_HITS,
	__CAMFENCE_STAT_MAX,
};

/* config map, one entry: the published generation (active slot = gen & 1). */
struct camfence_config {
	__u64 generation;
};

/* ifaces map: which interfaces are zone members, per slot. */
struct camfence_iface_key {
	__u32 slot;
	__u32 ifindex;
};

struct camfence_iface {
	__u32 zone_id;
	__u8 unknown_verdict;	/* enum camfence_verdict for unknown devices */
	__u8 pad[3];
};

/* A device as identified by MAC or by source prefix. */
struct camfence_device {
	__u32 device_id;	/* index into the device counters */
	__u32 policy_id;
};

struct camfence_mac_key {
	__u32 slot;
	__u8 mac[6];
	__u8 pad[2];
};

/* LPM trie keys: prefixlen counts the 32 bits of scope, matched exactly. */
struct camfence_src4_key {
	__u32 prefixlen;
	__u32 scope;		/* slot */
	__u8 addr[4];
};

struct camfence_dst4_key {
	__u32 prefixlen;
	__u32 scope;		/* camfence_scope(slot, policy) */
	__u8 addr[4];
};

struct camfence_dst6_key {
	__u32 prefixlen;
	__u32 scope;
	__u8 addr[16];
};

/* port map: (policy, protocol, destination port) -> rules that match it. */
struct camfence_port_key {
	__u32 scope;
	__u8 proto;		/* CAMFENCE_PROTO_ANY or an IP protocol */
	__u8 pad;
	__u16 port;		/* host order; CAMFENCE_PORT_ANY for any */
};

/* Rules of one policy are bits of a __u64: bit i is rule i, the lowest set
 * bit of (destination bits & port bits) is the first rule that matches. */
struct camfence_rule {
	__u8 verdict;
	__u8 log;
	__u16 pad;
	__u32 line;		/* line in the policy file, for alerts */
};

struct camfence_policy {
	__u8 default_verdict;
	__u8 pad[3];
	__u32 nrules;
};

/* Per-device counters, per CPU, indexed by device id. */
struct camfence_counters {
	__u64 pass_pkts;
	__u64 pass_bytes;
	__u64 drop_pkts;
	__u64 drop_bytes;
};

/* Flow table (LRU): what a device tried, and the verdict cached for it. */
struct camfence_flow_key {
	__u32 ifindex;
	__u8 mac[6];
	__u16 vlan;
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 proto;
	__u16 dport;		/* host order */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
};

struct camfence_flow {
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
	__u64 generation;	/* verdict below is valid for this one only */
	__u32 device_id;
	__u16 policy_id;
	__u16 rule;		/* rule index or CAMFENCE_RULE_DEFAULT */
	__u8 verdict;
	__u8 reason;
	__u8 pad[6];
};

/* Ring buffer record: the first packet of each blocked flow. */
struct camfence_event {
	__u64 ts_ns;
	__u64 generation;
	__u32 ifindex;
	__u32 device_id;
	__u16 policy_id;
	__u16 rule;
	__u8 mac[6];
	__u16 vlan;
	__u8 family;
	__u8 proto;
	__u8 verdict;
	__u8 reason;
	__u16 sport;		/* host order */
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
	__u8 pad[4];
};

static inline __u32 camfence_scope(__u32 slot, __u32 policy_id)
{
	return (slot << 16) | (policy_id & 0xffff);
}

#define CAMFENCE_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " changed size")

CAMFENCE_ASSERT_SIZE(struct camfence_config, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_iface_key, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_iface, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_device, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_mac_key, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_src4_key, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_dst4_key, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_dst6_key, 24);
CAMFENCE_ASSERT_SIZE(struct camfence_port_key, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_rule, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_policy, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_counters, 32);
CAMFENCE_ASSERT_SIZE(struct camfence_flow_key, 48);
CAMFENCE_ASSERT_SIZE(struct camfence_flow, 56);
CAMFENCE_ASSERT_SIZE(struct camfence_event, 80);

#endif /* CAMFENCE_H */
