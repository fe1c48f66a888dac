/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Generic netlink interface of camfence.ko, family "camfence".
 *
 * The module enforces the same compiled policy as the XDP program: the
 * daemon sends the very records it writes to the XDP maps (include/
 * camfence.h: struct camfence_iface_key and camfence_iface, camfence_mac_key
 * and camfence_device, ...), keys carrying the slot the policy was compiled
 * for. A policy is staged in as many messages as it takes and made live by
 * one COMMIT: packets see the old generation or the new one, never a mix.
 * State is per network namespace. Commands marked (admin) need
 * CAP_NET_ADMIN in the namespace's user namespace (GENL_UNS_ADMIN_PERM).
 * Every attribute is checked against an nla_policy of its nesting level
 * with exact lengths; what is refused says why through extack. An attribute
 * a command does not take is refused (-EINVAL), not ignored.
 *
 * CAMFENCE_CMD_GET_VERSION
 * ------------------------
 * Request: no attributes. Reply:
 *
 *    CAMFENCE_A_VERSION: NLA_NUL_STRING, the module's version, e.g. "0.1.0"
 *    CAMFENCE_A_API: NLA_U32, CAMFENCE_GENL_API
 *
 * CAMFENCE_CMD_POLICY_BEGIN (admin)
 * ---------------------------------
 * Starts staging a policy, discarding one staged before and not committed.
 *
 *    CAMFENCE_A_GENERATION: NLA_U64, required, greater than the live one's
 *                           (0 when none is live), else -ESTALE
 *    CAMFENCE_A_SLOT: NLA_U32, required, 0 or 1: the slot the keys carry
 *
 * CAMFENCE_CMD_POLICY_ADD (admin)
 * -------------------------------
 * Adds records to the staged policy (-ENOENT when none is staged, -ESTALE
 * when its generation is not CAMFENCE_A_GENERATION). A message is staged
 * whole or not at all. Each record is checked as it arrives, and refused
 * with -EINVAL and an extack message naming its table: a key or value of
 * another size, a prefix length below 32 or past the key's address bits,
 * a key of the other slot, a zone, policy or VLAN id out of range, a
 * verdict other than pass or drop, padding not zero; -EOPNOTSUPP for
 * unknown flag bits. -E2BIG for more than CAMFENCE_GENL_ENTRIES_MAX records
 * in one message, or for a table grown past the size of its XDP map.
 *
 * CAMFENCE_TABLE_LEARNED records (destinations the policy's devices have
 * learned, see "Learned destinations" below) are checked the same way and,
 * at COMMIT, against the policy: a port table it does not have refuses the
 * commit (-EINVAL).
 *
 *    CAMFENCE_A_GENERATION: NLA_U64, required
 *    CAMFENCE_A_ENTRIES: NLA_NESTED, required
 *        CAMFENCE_A_ENTRY: NLA_NESTED, repeated
 *            CAMFENCE_ENTRY_A_TABLE: NLA_U8, enum camfence_table, required
 *            CAMFENCE_ENTRY_A_KEY: NLA_BINARY, required, exactly the size of
 *                                  the table's key struct
 *            CAMFENCE_ENTRY_A_VALUE: NLA_BINARY, required, exactly the size
 *                                    of the table's value struct
 *
 * CAMFENCE_CMD_POLICY_COMMIT (admin)
 * ----------------------------------
 *    CAMFENCE_A_GENERATION: NLA_U64, required: the staged one
 *
 * Builds the lookup tables of the staged policy and makes it live, whole,
 * for the packets that follow. -ENOENT when none is staged, -ESTALE when
 * another generation is. Of records with equal keys the one added last
 * counts, as a BPF map update would keep it. Any other failure (memory)
 * uses the staged policy up: start again with POLICY_BEGIN. The first
 * commit in a namespace enables conntrack (and reassembly) there.
 *
 * CAMFENCE_CMD_POLICY_ABORT (admin)
 * ---------------------------------
 * Discards the staged policy, if any. No attributes.
 *
 * CAMFENCE_CMD_POLICY_GET (dump)
 * ------------------------------
 * Request: no attributes. Replies: the live policy, as many messages as it
 * takes, each with
 *
 *    CAMFENCE_A_GENERATION: NLA_U64
 *    CAMFENCE_A_SLOT: NLA_U32
 *    CAMFENCE_A_ENTRIES: NLA_NESTED, as in POLICY_ADD
 *
 * The records as the module keeps them: by table, sorted, LPM keys masked
 * to their prefix length, one record a key; the learned destinations last,
 * as they stand now, in no particular order. No message when no policy is
 * live. A commit, or a LEARNED_SET or LEARNED_DEL, between two messages
 * ends the dump with -EAGAIN.
 *
 * CAMFENCE_CMD_COUNTERS_GET (dump)
 * --------------------------------
 * Request: no attributes. The first reply carries
 *
 *    CAMFENCE_A_GENERATION: NLA_U64, the live one (0: none)
 *    CAMFENCE_A_STATS: NLA_NESTED
 *        attribute i + 1: NLA_U64, enum camfence_stat i (never padded:
 *                         this level has no pad attribute)
 *
 * and every reply, first included, any number of
 *
 *    CAMFENCE_A_DEVICE: NLA_NESTED, a device with packets counted
 *        CAMFENCE_COUNTER_A_ID: NLA_U32, device id
 *        CAMFENCE_COUNTER_A_PASS_PKTS, _PASS_BYTES, _DROP_PKTS,
 *        _DROP_BYTES: NLA_U64
 *    CAMFENCE_A_RULE: NLA_NESTED, a rule of the live policy that matched
 *        CAMFENCE_COUNTER_A_ID: NLA_U32, rule id
 *        CAMFENCE_COUNTER_A_PKTS, CAMFENCE_COUNTER_A_BYTES: NLA_U64
 *
 * Bytes are IP bytes (the frame's length less its link-layer header).
 * Device counters outlive commits, as the XDP program's do; rule counters
 * start at zero with each generation. A commit between two messages ends
 * the dump with -EAGAIN.
 *
 * CAMFENCE_CMD_COUNTERS_RESET (admin)
 * -----------------------------------
 * Zeroes every counter of the namespace. No attributes.
 *
 * Multicast group "events": CAMFENCE_CMD_EVENT
 * --------------------------------------------
 * The first packet of each blocked connection (a new conntrack entry, or
 * every packet when conntrack does not track it) whose decision carries
 * CAMFENCE_DECISION_LOG, at most CAMFENCE_GENL_EVENT_RATE a second per
 * namespace; what the limit or a full socket drops counts in
 * CAMFENCE_STAT_EVENTS_LOST (nothing is lost while nobody listens).
 * Joining the group needs CAP_NET_ADMIN, on kernels that can check it
 * (GENL_MCAST_CAP_NET_ADMIN).
 *
 *    CAMFENCE_A_EVENT: NLA_BINARY, struct camfence_event
 *
 * Learned destinations
 * --------------------
 * A rule `allow|deny to name PATTERN` is compiled to a port table of its own
 * that no destination prefix leads to. Its destinations are learned from the
 * DNS answers each device receives, by the daemon, which gives the module
 * one record per (device, destination): struct camfence_learned_key (the
 * slot, the device id, the source MAC of the one device told, the family,
 * the address) -> struct camfence_learned (n port tables, the name rules'
 * own, in rule order). A packet of a managed device (device id > 0) whose
 * policy has CAMFENCE_POLICY_NAMES (it has such rules), that came in as an
 * Ethernet frame, is first decided as usual, by rule r1 or by
 * the policy default; then, if its (slot, device, source MAC, family,
 * destination) is learned, the tables are looked up in turn for its
 * protocol and port as a port lookup does (exact protocol, then
 * CAMFENCE_PROTO_ANY), and the first decision of a rule (not the default)
 * decides instead, if r1 is the default or the candidate's rule id is below
 * r1's: rule ids grow in rule order.
 *
 * Each record is checked with an extack message naming it (learned: ...):
 * key and value of their struct's size, the key's slot the policy's, device
 * id not 0, family AF_INET or AF_INET6, an IPv4 address with bytes 4 to 15
 * zero, n from 1 to CAMFENCE_LEARNED_RULES, table ids past n zero, every
 * table id one of the policy's port tables. A policy holds at most
 * CAMFENCE_MAX_LEARNED of them (-E2BIG). They arrive in two ways:
 *
 * - in the policy: POLICY_ADD records of CAMFENCE_TABLE_LEARNED, so a new
 *   generation goes live with its destinations in place (their tables are
 *   checked at COMMIT, when the policy's tables are all there);
 * - against the live policy, one at a time, by the two commands below.
 *   Each names the generation it was meant for: another one (a commit came
 *   in between) is refused with -ESTALE and changes nothing. A packet sees
 *   the record before or after the change, never a mix.
 *
 * CAMFENCE_CMD_LEARNED_SET (admin)
 * --------------------------------
 * Adds the record, or replaces the value of an equal key.
 *
 *    CAMFENCE_A_GENERATION: NLA_U64, required, the live one (-ESTALE; no
 *                           live policy: -ENOENT)
 *    CAMFENCE_A_LEARNED_KEY: NLA_BINARY, required, struct
 *                            camfence_learned_key
 *    CAMFENCE_A_LEARNED_VALUE: NLA_BINARY, required, struct camfence_learned
 *
 * CAMFENCE_CMD_LEARNED_DEL (admin)
 * --------------------------------
 * Removes the record of the key: -ENOENT when there is none.
 *
 *    CAMFENCE_A_GENERATION: NLA_U64, required, as for LEARNED_SET
 *    CAMFENCE_A_LEARNED_KEY: NLA_BINARY, required
 *
 * Any other command is refused with -EOPNOTSUPP.
 */
#ifndef CAMFENCE_GENL_H
#define CAMFENCE_GENL_H

#define CAMFENCE_GENL_NAME		"camfence"
#define CAMFENCE_GENL_API		3
#define CAMFENCE_GENL_MCGRP_EVENTS	"events"
#define CAMFENCE_GENL_EVENT_RATE	1000
/* records in one POLICY_ADD or one POLICY_GET reply, so each fits a page */
#define CAMFENCE_GENL_ENTRIES_MAX	64

enum camfence_cmd {
	CAMFENCE_CMD_UNSPEC,
	CAMFENCE_CMD_GET_VERSION,
	CAMFENCE_CMD_POLICY_BEGIN,
	CAMFENCE_CMD_POLICY_ADD,
	CAMFENCE_CMD_POLICY_COMMIT,
	CAMFENCE_CMD_POLICY_ABORT,
	CAMFENCE_CMD_POLICY_GET,
	CAMFENCE_CMD_COUNTERS_GET,
	CAMFENCE_CMD_COUNTERS_RESET,
	CAMFENCE_CMD_EVENT,
	CAMFENCE_CMD_LEARNED_SET,
	CAMFENCE_CMD_LEARNED_DEL,
	__CAMFENCE_CMD_MAX,
};
#define CAMFENCE_CMD_MAX (__CAMFENCE_CMD_MAX - 1)

enum camfence_attr {
	CAMFENCE_A_UNSPEC,
	CAMFENCE_A_VERSION,
	CAMFENCE_A_API,
	CAMFENCE_A_GENERATION,
	CAMFENCE_A_SLOT,
	CAMFENCE_A_ENTRIES,
	CAMFENCE_A_STATS,
	CAMFENCE_A_DEVICE,
	CAMFENCE_A_RULE,
	CAMFENCE_A_EVENT,
	CAMFENCE_A_PAD,
	CAMFENCE_A_LEARNED_KEY,
	CAMFENCE_A_LEARNED_VALUE,
	__CAMFENCE_A_MAX,
};
#define CAMFENCE_A_MAX (__CAMFENCE_A_MAX - 1)

enum camfence_entries_attr {
	CAMFENCE_ENTRIES_A_UNSPEC,
	CAMFENCE_A_ENTRY,
	__CAMFENCE_ENTRIES_A_MAX,
};
#define CAMFENCE_ENTRIES_A_MAX (__CAMFENCE_ENTRIES_A_MAX - 1)

enum camfence_entry_attr {
	CAMFENCE_ENTRY_A_UNSPEC,
	CAMFENCE_ENTRY_A_TABLE,
	CAMFENCE_ENTRY_A_KEY,
	CAMFENCE_ENTRY_A_VALUE,
	__CAMFENCE_ENTRY_A_MAX,
};
#define CAMFENCE_ENTRY_A_MAX (__CAMFENCE_ENTRY_A_MAX - 1)

enum camfence_counter_attr {
	CAMFENCE_COUNTER_A_UNSPEC,
	CAMFENCE_COUNTER_A_ID,
	CAMFENCE_COUNTER_A_PASS_PKTS,
	CAMFENCE_COUNTER_A_PASS_BYTES,
	CAMFENCE_COUNTER_A_DROP_PKTS,
	CAMFENCE_COUNTER_A_DROP_BYTES,
	CAMFENCE_COUNTER_A_PKTS,
	CAMFENCE_COUNTER_A_BYTES,
	CAMFENCE_COUNTER_A_PAD,
	__CAMFENCE_COUNTER_A_MAX,
};
#define CAMFENCE_COUNTER_A_MAX (__CAMFENCE_COUNTER_A_MAX - 1)

/* The tables of a policy, each with the key and value structs of
 * include/camfence.h that the XDP map of the same name holds. */
enum camfence_table {
	CAMFENCE_TABLE_IFACES,		/* camfence_iface_key -> camfence_iface */
	CAMFENCE_TABLE_MACS,		/* camfence_mac_key -> camfence_device */
	CAMFENCE_TABLE_SRC4,		/* camfence_src4_key -> camfence_device */
	CAMFENCE_TABLE_SRC6,		/* camfence_src6_key -> camfence_device */
	CAMFENCE_TABLE_VLANS,		/* camfence_vlan_key -> camfence_device */
	CAMFENCE_TABLE_DST4,		/* camfence_dst4_key -> __u32 port table */
	CAMFENCE_TABLE_DST6,		/* camfence_dst6_key -> __u32 port table */
	CAMFENCE_TABLE_PORTS,		/* camfence_port_key -> camfence_decision */
	CAMFENCE_TABLE_POLICIES,	/* __u32 slot * MAX_POLICIES + id -> camfence_policy */
	CAMFENCE_TABLE_LEARNED,		/* camfence_learned_key -> camfence_learned */
	__CAMFENCE_TABLE_MAX,
};

#endif /* CAMFENCE_GENL_H */
