/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiled form of a policy: the entries of every map the XDP program
 * reads, for one slot. The loader writes them as they are; the tests read
 * them to check the compiler against the reference matcher.
 */
#ifndef CAMFENCE_POLICY_COMPILE_H
#define CAMFENCE_POLICY_COMPILE_H

#include <stddef.h>

#include "camfence.h"
#include "policy.h"

#define CF_VEC(type) struct { type *v; size_t n, cap; }

struct cf_iface_entry {
	struct camfence_iface_key key;
	struct camfence_iface val;
	char name[IF_NAMESIZE];
};

struct cf_mac_entry {
	struct camfence_mac_key key;
	struct camfence_device val;
};

struct cf_src4_entry {
	struct camfence_src4_key key;
	struct camfence_device val;
};

struct cf_dst4_entry {
	struct camfence_dst4_key key;
	__u64 bits;
};

struct cf_dst6_entry {
	struct camfence_dst6_key key;
	__u64 bits;
};

struct cf_port_entry {
	struct camfence_port_key key;
	__u64 bits;
};

struct cf_rule_entry {
	__u32 idx;
	struct camfence_rule val;
};

struct cf_policy_entry {
	__u32 idx;
	struct camfence_policy val;
};

/* What a device id stands for, to name it in alerts. */
struct cf_device_ref {
	int group;		/* index into cf_config.groups, -1 for id 0 */
	int member;
};

struct cf_compiled {
	__u32 slot;
	CF_VEC(struct cf_iface_entry) ifaces;
	CF_VEC(struct cf_mac_entry) macs;
	CF_VEC(struct cf_src4_entry) src4;
	CF_VEC(struct cf_dst4_entry) dst4;
	CF_VEC(struct cf_dst6_entry) dst6;
	CF_VEC(struct cf_port_entry) ports;
	CF_VEC(struct cf_rule_entry) rules;
	CF_VEC(struct cf_policy_entry) policies;
	CF_VEC(struct cf_device_ref) devices;	/* index: device id */
};

/* Interface name to index; negative errno when there is none. NULL: the
 * interfaces are not resolved (camfencectl check on another machine). */
typedef int (*cf_ifindex_fn)(const char *name, void *ctx);

int camfence_policy_compile(const struct cf_config *cfg, __u32 slot, cf_ifindex_fn ifindex,
			    void *ctx, struct cf_compiled **out, char *err, size_t errlen);
void camfence_policy_compiled_free(struct cf_compiled *c);

#endif
