// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters of a namespace: the stats of enum camfence_stat, packets
 * and bytes per device and per rule. Readers sum over CPUs; a reset races
 * with packets being counted and may miss a few of them, as a reset of the
 * XDP program's maps does.
 */

#include "counters.h"

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

int camfence_counters_init(struct camfence_net_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->stats = alloc_percpu_gfp(struct camfence_stats, GFP_KERNEL_ACCOUNT);
	return c->stats ? 0 : -ENOMEM;
}

void camfence_counters_uninit(struct camfence_net_counters *c)
{
	u32 i;

	for (i = 0; i < CAMFENCE_DEVICE_CHUNKS; i++)
		free_percpu(c->devices[i]);
	free_percpu(c->stats);
	memset(c, 0, sizeof(*c));
}

int camfence_counters_devices_grow(struct camfence_net_counters *c, u32 max)
{
	struct camfence_counters __percpu *chunk;
	u32 i;

	max = min_t(u32, max, CAMFENCE_MAX_DEVICES - 1);
	for (i = 0; i <= max / CAMFENCE_DEVICE_CHUNK; i++) {
		if (c->devices[i])
			continue;
		chunk = __alloc_percpu_gfp(sizeof(*chunk) * CAMFENCE_DEVICE_CHUNK,
					   __alignof__(*chunk), GFP_KERNEL_ACCOUNT);
		if (!chunk)
			return -ENOMEM;
		/* zeroed before a packet can see it */
		smp_store_release(&c->devices[i], chunk);
	}
	return 0;
}

u32 camfence_counters_devices(const struct camfence_net_counters *c)
{
	u32 i;

	for (i = 0; i < CAMFENCE_DEVICE_CHUNKS && c->devices[i]; i++)
		;
	return i * CAMFENCE_DEVICE_CHUNK;
}

struct camfence_rule_set *camfence_counters_rules_alloc(u32 n)
{
	struct camfence_rule_set *rules;
	u32 i, chunks;

	n = min_t(u32, n, CAMFENCE_MAX_RULE_COUNTERS);
	if (!n)
		return NULL;
	chunks = DIV_ROUND_UP(n, CAMFENCE_RULE_CHUNK);
	rules = kzalloc(struct_size(rules, chunk, chunks), GFP_KERNEL_ACCOUNT);
	if (!rules)
		return ERR_PTR(-ENOMEM);
	rules->n = n;
	for (i = 0; i < chunks; i++) {
		u32 ids = min_t(u32, n - i * CAMFENCE_RULE_CHUNK, CAMFENCE_RULE_CHUNK);

		rules->chunk[i] = __alloc_percpu_gfp(sizeof(struct camfence_rule_counters) * ids,
						     __alignof__(struct camfence_rule_counters),
						     GFP_KERNEL_ACCOUNT);
		if (!rules->chunk[i]) {
			camfence_counters_rules_free(rules);
			return ERR_PTR(-ENOMEM);
		}
	}
	return rules;
}

/* Also from an RCU callback, with the generation that owns them. */
void camfence_counters_rules_free(struct camfence_rule_set *rules)
{
	u32 i;

	if (!rules)
		return;
	for (i = 0; i < DIV_ROUND_UP(rules->n, CAMFENCE_RULE_CHUNK); i++)
		free_percpu(rules->chunk[i]);
	kfree(rules);
}

void camfence_counters_count(struct camfence_net_counters *c, struct camfence_rule_set *rules,
			     u32 device_id, u32 rule_id, u8 verdict, u32 bytes)
{
	bool drop = verdict == CAMFENCE_DROP;
	struct camfence_counters __percpu *chunk, *d;
	struct camfence_rule_counters __percpu *r;

	this_cpu_inc(c->stats->v[drop ? CAMFENCE_STAT_DROP_PKTS : CAMFENCE_STAT_PASS_PKTS]);
	this_cpu_add(c->stats->v[drop ? CAMFENCE_STAT_DROP_BYTES : CAMFENCE_STAT_PASS_BYTES], bytes);

	if (device_id < CAMFENCE_MAX_DEVICES) {
		chunk = READ_ONCE(c->devices[device_id / CAMFENCE_DEVICE_CHUNK]);
		if (chunk) {
			d = chunk + device_id % CAMFENCE_DEVICE_CHUNK;
			if (drop) {
				this_cpu_inc(d->drop_pkts);
				this_cpu_add(d->drop_bytes, bytes);
			} else {
				this_cpu_inc(d->pass_pkts);
				this_cpu_add(d->pass_bytes, bytes);
			}
		}
	}
	/* the default decision, or a rule beyond those counted */
	if (!rules || rule_id >= rules->n)
		return;
	r = rules->chunk[rule_id / CAMFENCE_RULE_CHUNK] + rule_id % CAMFENCE_RULE_CHUNK;
	this_cpu_inc(r->packets);
	this_cpu_add(r->bytes, bytes);
}

void camfence_counters_read_stats(const struct camfence_net_counters *c,
				  u64 out[__CAMFENCE_STAT_MAX])
{
	int cpu, i;

	memset(out, 0, sizeof(u64) * __CAMFENCE_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct camfence_stats *s = per_cpu_ptr(c->stats, cpu);

		for (i = 0; i < __CAMFENCE_STAT_MAX; i++)
			out[i] += READ_ONCE(s->v[i]);
	}
}

bool camfence_counters_read_device(const struct camfence_net_counters *c, u32 id,
				   struct camfence_counters *out)
{
	struct camfence_counters __percpu *chunk;
	int cpu;

	memset(out, 0, sizeof(*out));
	if (id >= CAMFENCE_MAX_DEVICES)
		return false;
	chunk = READ_ONCE(c->devices[id / CAMFENCE_DEVICE_CHUNK]);
	if (!chunk)
		return false;
	for_each_possible_cpu(cpu) {
		const struct camfence_counters *d =
			per_cpu_ptr(chunk + id % CAMFENCE_DEVICE_CHUNK, cpu);

		out->pass_pkts += READ_ONCE(d->pass_pkts);
		out->pass_bytes += READ_ONCE(d->pass_bytes);
		out->drop_pkts += READ_ONCE(d->drop_pkts);
		out->drop_bytes += READ_ONCE(d->drop_bytes);
	}
	return out->pass_pkts || out->drop_pkts;
}

bool camfence_counters_read_rule(const struct camfence_rule_set *rules, u32 id,
				 struct camfence_rule_counters *out)
{
	int cpu;

	memset(out, 0, sizeof(*out));
	if (!rules || id >= rules->n)
		return false;
	for_each_possible_cpu(cpu) {
		const struct camfence_rule_counters *r =
			per_cpu_ptr(rules->chunk[id / CAMFENCE_RULE_CHUNK] + id % CAMFENCE_RULE_CHUNK,
				    cpu);

		out->packets += READ_ONCE(r->packets);
		out->bytes += READ_ONCE(r->bytes);
	}
	return out->packets;
}

void camfence_counters_reset(struct camfence_net_counters *c, struct camfence_rule_set *rules)
{
	u32 i;
	int cpu;

	for_each_possible_cpu(cpu) {
		memset(per_cpu_ptr(c->stats, cpu), 0, sizeof(struct camfence_stats));
		for (i = 0; i < CAMFENCE_DEVICE_CHUNKS && c->devices[i]; i++)
			memset(per_cpu_ptr(c->devices[i], cpu), 0,
			       sizeof(struct camfence_counters) * CAMFENCE_DEVICE_CHUNK);
		if (!rules)
			continue;
		for (i = 0; i < DIV_ROUND_UP(rules->n, CAMFENCE_RULE_CHUNK); i++)
			memset(per_cpu_ptr(rules->chunk[i], cpu), 0,
			       sizeof(struct camfence_rule_counters) *
			       min_t(u32, rules->n - i * CAMFENCE_RULE_CHUNK, CAMFENCE_RULE_CHUNK));
	}
}
