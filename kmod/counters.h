/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_COUNTERS_H
#define _CAMFENCE_COUNTERS_H

#include "camfence.h"

#include <linux/percpu.h>
#include <linux/types.h>

/*
 * Counters are per CPU, in chunks: one percpu allocation is limited to
 * 32 KiB, and a namespace only pays for the device and rule ids its policy
 * uses. Device counters belong to the namespace and outlive policies, as
 * the XDP program's do; rule counters belong to one generation, whose rule
 * ids they count.
 */
#define CAMFENCE_DEVICE_CHUNK	256
#define CAMFENCE_DEVICE_CHUNKS	(CAMFENCE_MAX_DEVICES / CAMFENCE_DEVICE_CHUNK)
#define CAMFENCE_RULE_CHUNK	1024

struct camfence_net_counters {
	struct camfence_stats __percpu *stats;
	/* allocated as policies need them, freed with the namespace */
	struct camfence_counters __percpu *devices[CAMFENCE_DEVICE_CHUNKS];
};

struct camfence_rule_set {
	u32 n;			/* rule ids counted: 0 .. n - 1 */
	struct camfence_rule_counters __percpu *chunk[];
};

int camfence_counters_init(struct camfence_net_counters *c);
void camfence_counters_uninit(struct camfence_net_counters *c);

/* Device ids up to max counted from now on; process context. */
int camfence_counters_devices_grow(struct camfence_net_counters *c, u32 max);
/* Device ids with counters: a multiple of CAMFENCE_DEVICE_CHUNK. */
u32 camfence_counters_devices(const struct camfence_net_counters *c);

/* Counters of rule ids 0 .. n - 1 (n may be 0: NULL). */
struct camfence_rule_set *camfence_counters_rules_alloc(u32 n);
void camfence_counters_rules_free(struct camfence_rule_set *rules);

static inline void camfence_counters_stat(struct camfence_net_counters *c,
					  enum camfence_stat stat, u64 n)
{
	this_cpu_add(c->stats->v[stat], n);
}

/* One packet of bytes bytes, decided for device_id by rule_id. */
void camfence_counters_count(struct camfence_net_counters *c, struct camfence_rule_set *rules,
			     u32 device_id, u32 rule_id, u8 verdict, u32 bytes);

/* Sums over every CPU. A device or rule with nothing counted reads false. */
void camfence_counters_read_stats(const struct camfence_net_counters *c,
				  u64 out[__CAMFENCE_STAT_MAX]);
bool camfence_counters_read_device(const struct camfence_net_counters *c, u32 id,
				   struct camfence_counters *out);
bool camfence_counters_read_rule(const struct camfence_rule_set *rules, u32 id,
				 struct camfence_rule_counters *out);

/* Zero the namespace's stats and devices, and rules (may be NULL). */
void camfence_counters_reset(struct camfence_net_counters *c, struct camfence_rule_set *rules);

#endif /* _CAMFENCE_COUNTERS_H */
