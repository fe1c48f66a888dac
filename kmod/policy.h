/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_POLICY_H
#define _CAMFENCE_POLICY_H

#include "learned.h"
#include "tables.h"

#include "camfence.h"
#include "camfence_genl.h"

#include <linux/if_ether.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct net;
struct nlattr;
struct netlink_ext_ack;
struct camfence_net;
struct camfence_rule_set;

/*
 * One generation of a namespace's policy: the records the daemon sent, in
 * the tables the XDP program has as maps, for one slot. Staged by
 * POLICY_BEGIN and ADD, built and made live by COMMIT, read by packets
 * under RCU, freed a grace period after the next one replaces it.
 */
struct camfence_gen {
	struct rcu_head rcu;
	u64 generation;
	u32 slot;
	struct camfence_rule_set *rules;	/* its rule counters */
	/* as staged; the learned one is emptied into learned by COMMIT */
	struct camfence_tbl tables[__CAMFENCE_TABLE_MAX];
	/* the port table ids the ports table has, sorted: what a learned
	 * record may name */
	u32 *port_tables;
	u32 nport_tables;
	struct camfence_learned_table learned;
};

/* What the hook learnt of a packet: the fields the XDP program parses. */
struct camfence_packet {
	u8 saddr[16];
	u8 daddr[16];
	u8 mac[ETH_ALEN];
	bool has_mac;		/* an Ethernet frame: mac is its source */
	bool essential;		/* DHCP, neighbour discovery */
	u16 vlan;
	u16 sport, dport;	/* host order; 0 when not TCP or UDP */
	u8 family;		/* AF_INET or AF_INET6 */
	u8 proto;
};

/* The decision, as the XDP program stores it in a flow. */
struct camfence_result {
	u32 device_id;
	u32 policy_id;
	u32 rule_id;
	u8 verdict;		/* enum camfence_verdict */
	u8 reason;		/* enum camfence_reason */
	u8 flags;		/* CAMFENCE_DECISION_* */
	u8 policy_flags;	/* CAMFENCE_POLICY_* of the policy that decided */
};

/* Control, under pn->lock. Each refusal says why through extack. */
int camfence_policy_begin(struct camfence_net *pn, u64 generation, u32 slot,
			  struct netlink_ext_ack *extack);
/* The staged generation a POLICY_ADD names: -ENOENT, -ESTALE. */
struct camfence_gen *camfence_policy_staged(struct camfence_net *pn, u64 generation,
					    struct netlink_ext_ack *extack);
/* POLICY_ADD in two passes, so a message is taken whole or not at all:
 * check every record, reserve room for them all, then append. */
int camfence_policy_check(const struct camfence_gen *staged, const struct nlattr *table,
			  const struct nlattr *key, const struct nlattr *value,
			  struct netlink_ext_ack *extack);
int camfence_policy_reserve(struct camfence_gen *staged, const u32 count[__CAMFENCE_TABLE_MAX],
			    struct netlink_ext_ack *extack);
void camfence_policy_append(struct camfence_gen *staged, u8 table, const void *key,
			    const void *value);
int camfence_policy_commit(struct net *net, struct camfence_net *pn, u64 generation,
			   struct netlink_ext_ack *extack);
void camfence_policy_abort(struct camfence_net *pn);
/* LEARNED_SET and LEARNED_DEL on the live policy, if it is generation's
 * (-ESTALE; -ENOENT when none is live); value may be NULL for a del. */
int camfence_policy_learned_set(struct camfence_net *pn, u64 generation, const struct nlattr *key,
				const struct nlattr *value, struct netlink_ext_ack *extack);
int camfence_policy_learned_del(struct camfence_net *pn, u64 generation, const struct nlattr *key,
				struct netlink_ext_ack *extack);
/* Now, without waiting for readers: a staged policy, or none can see it. */
void camfence_policy_free(struct camfence_gen *gen);

/* Packets, under RCU: the zone interface (ifindex, vlan) is part of, or NULL. */
const struct camfence_iface *camfence_policy_iface(const struct camfence_gen *gen,
						   u32 ifindex, u16 vlan);
/* classify() of the XDP program: same lookups, same result, learned
 * destinations included. */
/* `mode monitor` for p's device, or for the zone's unknown devices. */
bool camfence_policy_monitored(const struct camfence_gen *gen, const struct camfence_iface *iface,
			       const struct camfence_packet *p);
void camfence_policy_classify(const struct camfence_gen *gen, const struct camfence_iface *iface,
			      const struct camfence_packet *p, struct camfence_result *r);

#endif /* _CAMFENCE_POLICY_H */
