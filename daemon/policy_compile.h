/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiled form of a policy: the entries of every map the XDP program
 * reads, for one slot, and the tables the daemon needs to name what an
 * event's ids stand for. The loader writes the entries as they are; the
 * tests read them to check the compiler against the reference matcher.
 */
#ifndef CAMFENCE_POLICY_COMPILE_H
#define CAMFENCE_POLICY_COMPILE_H

#include <stddef.h>

#include "camfence.h"
#include "policy.h"

#define CF_ENTRY(name, keytype, valtype)	\
	struct name {				\
		keytype key;			\
		valtype val;			\
	}

CF_ENTRY(cf_iface_entry, struct camfence_iface_key, struct camfence_iface);
CF_ENTRY(cf_mac_entry, struct camfence_mac_key, struct camfence_device);
CF_ENTRY(cf_src4_entry, struct camfence_src4_key, struct camfence_device);
CF_ENTRY(cf_src6_entry, struct camfence_src6_key, struct camfence_device);
CF_ENTRY(cf_vlan_entry, struct camfence_vlan_key, struct camfence_device);
CF_ENTRY(cf_dst4_entry, struct camfence_dst4_key, __u32);
CF_ENTRY(cf_dst6_entry, struct camfence_dst6_key, __u32);
CF_ENTRY(cf_port_entry, struct camfence_port_key, struct camfence_decision);
CF_ENTRY(cf_policy_entry, __u32, struct camfence_policy);
CF_ENTRY(cf_learned_entry, struct camfence_learned_key, struct camfence_learned);

/* What a device id stands for: the group whose policy it follows, and the
 * member (of that group or of a group it includes) that recognises it. */
struct cf_device_ref {
	int group;		/* -1 for id 0, the unknown device */
	int member_group;
	int member;
};

/* A `to name` rule and the port table made for it alone: a learned entry
 * lists these tables for the rules whose names the device was told. */
struct cf_learned_rule {
	__u32 policy;
	__u32 rule;		/* index in the policy */
	__u32 rule_id;
	__u32 table;
};

/* What a rule id stands for. */
struct cf_rule_ref {
	int policy;
	int rule;
};

struct cf_compiled {
	__u32 slot;
	CF_VEC(struct cf_iface_entry) ifaces;
	CF_VEC(char *) iface_names;		/* beside ifaces */
	CF_VEC(struct cf_mac_entry) macs;
	CF_VEC(struct cf_src4_entry) src4;
	CF_VEC(struct cf_src6_entry) src6;
	CF_VEC(struct cf_vlan_entry) vlans;
	CF_VEC(struct cf_dst4_entry) dst4;
	CF_VEC(struct cf_dst6_entry) dst6;
	CF_VEC(struct cf_port_entry) ports;
	CF_VEC(struct cf_policy_entry) policies;
	/* destinations known before the policy is pushed (name rules'
	 * learned entries carried into a new generation) */
	CF_VEC(struct cf_learned_entry) learned;
	CF_VEC(struct cf_device_ref) devices;	/* index: device id */
	CF_VEC(struct cf_rule_ref) rules;	/* index: rule id */
	CF_VEC(struct cf_learned_rule) learned_rules;	/* in rule id order */
	size_t ntables;
};

/* Interface name to index; negative errno when there is none, which fails
 * the compile, or 0 to leave an absent interface out (camfenced compiles
 * it in when it appears). NULL: the interfaces are not resolved
 * (camfencectl check on another machine). */
typedef int (*cf_ifindex_fn)(const char *name, void *ctx);

int camfence_policy_compile(const struct cf_config *cfg, __u32 slot, cf_ifindex_fn ifindex,
			    void *ctx, struct cf_compiled **out, char *err, size_t errlen);
void camfence_policy_compiled_free(struct cf_compiled *c);
/* The learned map's value for a device of policy policy told that an
 * address answers for these names (lower case): the tables of the policy's
 * `to name` rules that name any of them, in rule order, at most
 * CAMFENCE_LEARNED_RULES. Returns how many (0: no rule names them). */
__u32 camfence_policy_learned_value(const struct cf_compiled *c, const struct cf_config *cfg,
				    __u32 policy, const char *const *names, size_t nnames,
				    struct camfence_learned *out);

#endif
