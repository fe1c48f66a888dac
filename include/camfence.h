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

#define CAMFENCE_MAX_IFACES		64	/* zone interfaces (and VLANs on them) */
#define CAMFENCE_MAX_ZONES		256
#define CAMFENCE_MAX_POLICIES		4096
#define CAMFENCE_MAX_DEVICES		65536	/* device id 0: unknown device */
#define CAMFENCE_MAX_MACS		(2 * 262144)
#define CAMFENCE_MAX_PREFIXES		(2 * 262144)
#define CAMFENCE_MAX_VLAN_KEYS		(2 * 4096)
#define CAMFENCE_MAX_PORT_KEYS		(2 * 1048576)
#define CAMFENCE_MAX_FLOWS		65536
#define CAMFENCE_MAX_RULE_COUNTERS	65536	/* per slot: rules beyond are not counted */
#define CAMFENCE_RINGBUF_BYTES		(256 * 1024)
#define CAMFENCE_MAX_LEARNED		65536	/* learned (device, destination) pairs, both slots */
#define CAMFENCE_LEARNED_RULES		4	/* name rules one learned pair can serve */

#define CAMFENCE_PROTO_ANY		0	/* in port keys: a protocol no rule names */
#define CAMFENCE_VLAN_ANY		0xffff	/* in iface keys: every VLAN and none */
#define CAMFENCE_POLICY_NONE		0xffffffff
#define CAMFENCE_RULE_DEFAULT		0xffffffff	/* rule id: the policy default */

enum camfence_verdict {
	CAMFENCE_PASS = 0,
	CAMFENCE_DROP = 1,
	/* `mode monitor`: the policy would drop it; it passes, counted and
	 * reported as "would block" */
	CAMFENCE_WOULD_DROP = 2,
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

/* stats map, one entry per CPU: indexed by enum camfence_stat. */
struct camfence_stats {
	__u64 v[__CAMFENCE_STAT_MAX];
};

/* config map, one entry: the published generation (active slot = gen & 1). */
struct camfence_config {
	__u64 generation;
	/* bumped whenever learned destinations change: a cached decision is
	 * valid for one generation and one epoch */
	__u32 epoch;
	__u32 pad;
};

/* ifaces map: which interfaces (and VLANs on them) make up a zone. The
 * program looks up (ifindex, the frame's VLAN or 0), then (ifindex, ANY). */
struct camfence_iface_key {
	__u32 slot;
	__u32 ifindex;
	__u16 vlan;
	__u8 pad[2];
};

struct camfence_iface {
	__u32 zone_id;
	__u32 unknown_policy;	/* policy for devices in no group, or POLICY_NONE */
	__u8 unknown_verdict;	/* ... else this verdict */
	__u8 flags;		/* CAMFENCE_IFACE_* */
	__u8 pad[2];
};

#define CAMFENCE_IFACE_MONITOR	0x01	/* devices in no group here: monitored */

/* A device, found by MAC prefix, source prefix or VLAN within a zone. */
struct camfence_device {
	__u32 device_id;	/* index into the device counters */
	__u32 policy_id;	/* | CAMFENCE_DEVICE_MONITOR */
};

/* In a device's policy_id: the device is monitored (`mode monitor`), what
 * its policy drops becomes CAMFENCE_WOULD_DROP. */
#define CAMFENCE_DEVICE_MONITOR	0x80000000u

/* Device keys are scoped by slot and zone: scope = slot << 16 | zone_id. */
static inline __u32 camfence_zone_scope(__u32 slot, __u32 zone_id)
{
	return (slot << 16) | (zone_id & 0xffff);
}

/* LPM trie keys: prefixlen counts the 32 bits of scope, matched exactly. */
struct camfence_mac_key {
	__u32 prefixlen;	/* 32 + 24..48 */
	__u32 scope;
	__u8 mac[6];
	__u8 pad[2];
};

struct camfence_src4_key {
	__u32 prefixlen;
	__u32 scope;
	__u8 addr[4];
};

struct camfence_src6_key {
	__u32 prefixlen;
	__u32 scope;
	__u8 addr[16];
};

struct camfence_vlan_key {
	__u32 scope;
	__u16 vlan;
	__u8 pad[2];
};

/* Destination tries, scoped by slot and policy: they give the packet's
 * region, the table of port decisions of the rules that can match there. */
static inline __u32 camfence_policy_scope(__u32 slot, __u32 policy_id)
{
	return (slot << 16) | (policy_id & 0xffff);
}

struct camfence_dst4_key {
	__u32 prefixlen;
	__u32 scope;
	__u8 addr[4];
};

struct camfence_dst6_key {
	__u32 prefixlen;
	__u32 scope;
	__u8 addr[16];
};

/* Port trie: (table, protocol, port prefix) -> the first-match decision,
 * already resolved by the compiler into disjoint port blocks. A port
 * prefix of length 0 is the decision for every port no block covers. */
static inline __u32 camfence_table_scope(__u32 slot, __u32 table)
{
	return (slot << 31) | (table & 0x7fffffff);
}

struct camfence_port_key {
	__u32 prefixlen;	/* 32 + 8 + 8 + 0..16 */
	__u32 scope;		/* camfence_table_scope() */
	__u8 proto;		/* CAMFENCE_PROTO_ANY or an IP protocol */
	__u8 pad;
	__be16 port;		/* network order: prefixes are its high bits */
};

#define CAMFENCE_DECISION_LOG	0x01	/* raise an event for a new flow */

struct camfence_decision {
	__u8 verdict;
	__u8 flags;
	__u8 pad[2];
	__u32 rule_id;		/* index into the daemon's rule table, or RULE_DEFAULT */
};

#define CAMFENCE_POLICY_ALLOW_REPLIES	0x01	/* `allow replies`: for camfence.ko */
#define CAMFENCE_POLICY_NAMES		0x02	/* has `to name` rules: look learned up */

struct camfence_policy {
	__u8 default_verdict;
	__u8 default_flags;
	__u8 flags;		/* CAMFENCE_POLICY_*; the XDP program reads NAMES only */
	__u8 pad;
};

/* Per-rule counters, per CPU, indexed by slot * MAX_RULE_COUNTERS + rule id. */
struct camfence_rule_counters {
	__u64 packets;
	__u64 bytes;
};

/* Per-device counters, per CPU, indexed by device id. */
struct camfence_counters {
	__u64 pass_pkts;
	__u64 pass_bytes;
	__u64 drop_pkts;
	__u64 drop_bytes;
};

/* Flow table (LRU): what a device tried, and the verdict cached for it.
 * 8-aligned: the XDP program compares keys a double word at a time. */
struct camfence_flow_key {
	__u32 ifindex;
	__u8 mac[6];
	__u16 vlan;
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 proto;
	__u16 dport;		/* host order */
	__u8 saddr[16];		/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
} __attribute__((aligned(8)));

struct camfence_flow {
	__u64 packets;
	__u64 bytes;
	__u64 first_ns;
	__u64 last_ns;
	__u64 generation;	/* verdict below is valid for this one only */
	__u32 device_id;
	__u32 policy_id;
	__u32 rule_id;		/* or CAMFENCE_RULE_DEFAULT */
	__u8 verdict;
	__u8 reason;
	__u8 flags;		/* CAMFENCE_DECISION_* */
	__u8 pad;
	__u32 epoch;		/* ... and this learned epoch */
	__u8 pad2[4];
};

/* Microflow cache: per CPU, direct-mapped by a cheap hash of the flow key.
 * A hit decides a packet with one array lookup and a compare, and keeps
 * its counts here until the slot goes to another flow; then they are added
 * to the flow table (userspace adds what is still here when it reads). */
#define CAMFENCE_MICRO_SLOTS		256

#define CAMFENCE_MICRO_VALID		0x01
#define CAMFENCE_MICRO_UNMANAGED	0x02	/* interface in no zone: pass, count */

struct camfence_micro {
	struct camfence_flow_key key;
	__u64 generation;
	__u64 packets;		/* not yet in the flow table */
	__u64 bytes;
	__u64 last_ns;
	__u32 device_id;
	__u32 rule_id;
	__u8 verdict;
	__u8 flags;		/* CAMFENCE_MICRO_* */
	__u8 pad[2];
	__u32 epoch;
};

/*
 * learned map: destinations a device was told by the DNS answers it
 * received, for the rules that name them (`allow to name HOST`). The value
 * lists the port tables the compiler made for those rules, one rule each,
 * in rule order. A packet's decision is that of the first of them whose
 * table decides its protocol and port, if that rule comes before the rule
 * the destination tables decided (or the policy default): rule ids grow in
 * rule order within a policy. Only managed devices (device_id > 0) learn,
 * each for itself: the key holds the source MAC of the device told.
 */
struct camfence_learned_key {
	__u32 slot;
	__u32 device_id;
	/* the one device that was told, by its source MAC: a device id may
	 * stand for many devices (a vendor's MAC prefix, a subnet) */
	__u8 mac[6];
	__u16 family;		/* AF_INET or AF_INET6 */
	__u8 addr[16];		/* IPv4 in the first 4 bytes, the rest zero */
};

struct camfence_learned {
	__u32 n;		/* tables used, 1 to CAMFENCE_LEARNED_RULES */
	__u32 table[CAMFENCE_LEARNED_RULES];
};

/* Ring buffer record: the first packet of each blocked flow. */
struct camfence_event {
	__u64 ts_ns;
	__u64 generation;
	__u32 ifindex;
	__u32 device_id;
	__u32 policy_id;
	__u32 rule_id;
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
};

#define CAMFENCE_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), #type " changed size")

CAMFENCE_ASSERT_SIZE(struct camfence_config, 16);
CAMFENCE_ASSERT_SIZE(struct camfence_learned_key, 32);
CAMFENCE_ASSERT_SIZE(struct camfence_learned, 20);
CAMFENCE_ASSERT_SIZE(struct camfence_stats, 8 * __CAMFENCE_STAT_MAX);
CAMFENCE_ASSERT_SIZE(struct camfence_iface_key, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_iface, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_device, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_mac_key, 16);
CAMFENCE_ASSERT_SIZE(struct camfence_src4_key, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_src6_key, 24);
CAMFENCE_ASSERT_SIZE(struct camfence_vlan_key, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_dst4_key, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_dst6_key, 24);
CAMFENCE_ASSERT_SIZE(struct camfence_port_key, 12);
CAMFENCE_ASSERT_SIZE(struct camfence_decision, 8);
CAMFENCE_ASSERT_SIZE(struct camfence_policy, 4);
CAMFENCE_ASSERT_SIZE(struct camfence_counters, 32);
CAMFENCE_ASSERT_SIZE(struct camfence_flow_key, 48);
CAMFENCE_ASSERT_SIZE(struct camfence_flow, 64);
CAMFENCE_ASSERT_SIZE(struct camfence_event, 80);
CAMFENCE_ASSERT_SIZE(struct camfence_micro, 96);
CAMFENCE_ASSERT_SIZE(struct camfence_rule_counters, 16);

#endif /* CAMFENCE_H */
