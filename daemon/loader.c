// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP program and its maps: load, publish policies, attach, and read
 * the counters and the flow table. Pinning is in loader_pin.c.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "camfence.skel.h"
#include "loader.h"
#include "loader_priv.h"
#include "log.h"

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	camfence_log(level == LIBBPF_WARN ? LOG_WARNING : LOG_INFO, "libbpf: %s", buf);
	return 0;
}

int camfence_loader_alloc(struct camfence_loader **out)
{
	struct camfence_loader *l;
	int ncpus = libbpf_num_possible_cpus();

	libbpf_set_print(libbpf_print);
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->ncpus = ncpus;
	*out = l;
	return 0;
}

/* A takeover goes on numbering from the generation the old program sees. */
int camfence_loader_read_generation(struct camfence_loader *l)
{
	struct camfence_config cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.config), &zero, &cfg))
		return -errno;
	l->generation = cfg.generation;
	return 0;
}

int camfence_loader_open(struct camfence_loader **out)
{
	struct camfence_loader *l;
	int ret;

	ret = camfence_loader_alloc(&l);
	if (ret)
		return ret;
	l->skel = camfence_bpf__open_and_load();
	if (!l->skel) {
		ret = -errno;
		goto err;
	}
	ret = camfence_loader_read_generation(l);
	if (ret)
		goto err;
	*out = l;
	return 0;
err:
	camfence_loader_close(l);
	return ret;
}

void camfence_loader_close(struct camfence_loader *l)
{
	if (!l)
		return;
	camfence_bpf__destroy(l->skel);
	free(l->pin_dir);
	free(l);
}

struct camfence_bpf *camfence_loader_skel(struct camfence_loader *l)
{
	return l->skel;
}

__u64 camfence_loader_generation(const struct camfence_loader *l)
{
	return l->generation;
}

__u32 camfence_loader_next_slot(const struct camfence_loader *l)
{
	return (l->generation + 1) & 1;
}

/* The slot a key belongs to: the first or second __u32 of the key, whole or
 * in its upper half (scope = slot << 16 | policy). */
struct slot_field {
	size_t offset;
	unsigned int shift;
};

static int clear_slot(struct bpf_map *map, struct slot_field f, __u32 slot)
{
	size_t ksize = bpf_map__key_size(map), n = 0, cap = 0, i;
	int fd = bpf_map__fd(map), ret = 0, have_prev = 0;
	char *keys = NULL, *cur, *prev;

	cur = calloc(2, ksize);
	if (!cur)
		return -ENOMEM;
	prev = cur + ksize;
	/* collect first: deleting while walking a hash restarts the walk */
	while (bpf_map_get_next_key(fd, have_prev ? prev : NULL, cur) == 0) {
		__u32 v;

		memcpy(&v, cur + f.offset, sizeof(v));
		if ((v >> f.shift) == slot) {
			if (n == cap) {
				char *nk = realloc(keys, (cap = cap ? cap * 2 : 256) * ksize);

				if (!nk) {
					ret = -ENOMEM;
					goto out;
				}
				keys = nk;
			}
			memcpy(keys + n++ * ksize, cur, ksize);
		}
		memcpy(prev, cur, ksize);
		have_prev = 1;
	}
	for (i = 0; i < n; i++) {
		if (bpf_map_delete_elem(fd, keys + i * ksize) && errno != ENOENT) {
			ret = -errno;
			goto out;
		}
	}
out:
	free(keys);
	free(cur);
	return ret;
}

static int put(struct bpf_map *map, const void *key, const void *val)
{
	return bpf_map_update_elem(bpf_map__fd(map), key, val, BPF_ANY) ? -errno : 0;
}

/* The slot's rule ids are about to mean other rules: start them at zero. */
static int clear_rule_counters(struct camfence_loader *l, __u32 slot, size_t nrules)
{
	int fd = bpf_map__fd(l->skel->maps.rule_counters);
	struct camfence_rule_counters *zero = calloc(l->ncpus, sizeof(*zero));
	__u32 i, base = slot * CAMFENCE_MAX_RULE_COUNTERS;
	int ret = 0;

	if (!zero)
		return -ENOMEM;
	if (nrules > CAMFENCE_MAX_RULE_COUNTERS)
		nrules = CAMFENCE_MAX_RULE_COUNTERS;
	for (i = 0; i < nrules && !ret; i++) {
		__u32 idx = base + i;

		if (bpf_map_update_elem(fd, &idx, zero, BPF_ANY))
			ret = -errno;
	}
	free(zero);
	return ret;
}

#define PUT_ALL(map, vec)							\
	do {									\
		size_t _i;							\
		for (_i = 0; _i < (vec).n; _i++) {				\
			ret = put(map, &(vec).v[_i].key, &(vec).v[_i].val);	\
			if (ret)						\
				goto out;					\
		}								\
	} while (0)

int camfence_loader_push(struct camfence_loader *l, const struct cf_compiled *c)
{
	struct camfence_bpf *s = l->skel;
	struct camfence_config cfg = { .generation = l->generation + 1 };
	__u32 slot = camfence_loader_next_slot(l), zero = 0;
	/* where each key holds its slot: ifaces {slot}, device keys {len, zone
	 * scope}, destinations {len, policy scope}, ports {len, table scope} */
	const struct { struct bpf_map *map; struct slot_field f; } tables[] = {
		{ s->maps.ifaces, { 0, 0 } },
		{ s->maps.macs, { 4, 16 } },
		{ s->maps.src4, { 4, 16 } },
		{ s->maps.src6, { 4, 16 } },
		{ s->maps.vlans, { 0, 16 } },
		{ s->maps.dst4, { 4, 16 } },
		{ s->maps.dst6, { 4, 16 } },
		{ s->maps.ports, { 4, 31 } },
	};
	size_t i;
	int ret;

	if (c->slot != slot)
		return -ESTALE;
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		ret = clear_slot(tables[i].map, tables[i].f, slot);
		if (ret)
			goto out;
	}
	PUT_ALL(s->maps.ifaces, c->ifaces);
	PUT_ALL(s->maps.macs, c->macs);
	PUT_ALL(s->maps.src4, c->src4);
	PUT_ALL(s->maps.src6, c->src6);
	PUT_ALL(s->maps.vlans, c->vlans);
	PUT_ALL(s->maps.dst4, c->dst4);
	PUT_ALL(s->maps.dst6, c->dst6);
	PUT_ALL(s->maps.ports, c->ports);
	PUT_ALL(s->maps.policies, c->policies);
	ret = clear_rule_counters(l, slot, c->rules.n);
	if (ret)
		goto out;
	/* the one write that makes the new policy live */
	ret = put(s->maps.config, &zero, &cfg);
	if (!ret)
		l->generation = cfg.generation;
out:
	return ret;
}

int camfence_loader_attach(struct camfence_loader *l, int ifindex, enum camfence_attach_mode *mode)
{
	int fd = bpf_program__fd(l->skel->progs.camfence_xdp);

	if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL) == 0) {
		*mode = CAMFENCE_ATTACH_NATIVE;
		return 0;
	}
	if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_SKB_MODE, NULL) == 0) {
		*mode = CAMFENCE_ATTACH_GENERIC;
		return 0;
	}
	return -errno;
}

int camfence_loader_detach(struct camfence_loader *l, int ifindex, enum camfence_attach_mode mode)
{
	__u32 flags = mode == CAMFENCE_ATTACH_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;

	return bpf_xdp_detach(ifindex, flags, NULL) ? -errno : 0;
}

/* Calls fn for every slot of every CPU's microflow cache that holds counts. */
static void micro_each(struct camfence_loader *l,
		       void (*fn)(const struct camfence_micro *m, void *ctx), void *ctx)
{
	int fd = bpf_map__fd(l->skel->maps.micro);
	struct camfence_micro *percpu = calloc(l->ncpus, sizeof(*percpu));
	__u32 slot;
	int c;

	for (slot = 0; percpu && slot < CAMFENCE_MICRO_SLOTS; slot++) {
		if (bpf_map_lookup_elem(fd, &slot, percpu))
			continue;
		for (c = 0; c < l->ncpus; c++)
			if ((percpu[c].flags & CAMFENCE_MICRO_VALID) && percpu[c].packets)
				fn(&percpu[c], ctx);
	}
	free(percpu);
}

static void add_micro_stats(const struct camfence_micro *m, void *ctx)
{
	__u64 *out = ctx;
	int drop = m->verdict == CAMFENCE_DROP;

	if (m->flags & CAMFENCE_MICRO_UNMANAGED) {
		out[CAMFENCE_STAT_UNMANAGED] += m->packets;
		return;
	}
	out[drop ? CAMFENCE_STAT_DROP_PKTS : CAMFENCE_STAT_PASS_PKTS] += m->packets;
	out[drop ? CAMFENCE_STAT_DROP_BYTES : CAMFENCE_STAT_PASS_BYTES] += m->bytes;
	out[CAMFENCE_STAT_FLOW_CACHE_HITS] += m->packets;
}

struct device_sum {
	__u32 id;
	struct camfence_counters *sum;
};

static void add_micro_device(const struct camfence_micro *m, void *ctx)
{
	struct device_sum *ds = ctx;

	if ((m->flags & CAMFENCE_MICRO_UNMANAGED) || m->device_id != ds->id)
		return;
	if (m->verdict == CAMFENCE_DROP) {
		ds->sum->drop_pkts += m->packets;
		ds->sum->drop_bytes += m->bytes;
	} else {
		ds->sum->pass_pkts += m->packets;
		ds->sum->pass_bytes += m->bytes;
	}
}

int camfence_loader_stats(struct camfence_loader *l, __u64 out[__CAMFENCE_STAT_MAX])
{
	int fd = bpf_map__fd(l->skel->maps.stats);
	struct camfence_stats *percpu = calloc(l->ncpus, sizeof(*percpu));
	__u32 zero = 0, i;
	int c, ret = 0;

	if (!percpu)
		return -ENOMEM;
	memset(out, 0, sizeof(__u64) * __CAMFENCE_STAT_MAX);
	if (bpf_map_lookup_elem(fd, &zero, percpu))
		ret = -errno;
	for (c = 0; !ret && c < l->ncpus; c++)
		for (i = 0; i < __CAMFENCE_STAT_MAX; i++)
			out[i] += percpu[c].v[i];
	free(percpu);
	if (!ret)
		micro_each(l, add_micro_stats, out);
	return ret;
}

int camfence_loader_device_counters(struct camfence_loader *l, __u32 device_id,
				    struct camfence_counters *sum)
{
	int fd = bpf_map__fd(l->skel->maps.device_counters);
	struct camfence_counters *percpu = calloc(l->ncpus, sizeof(*percpu));
	int c, ret = 0;

	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &device_id, percpu)) {
		ret = -errno;
	} else {
		for (c = 0; c < l->ncpus; c++) {
			sum->pass_pkts += percpu[c].pass_pkts;
			sum->pass_bytes += percpu[c].pass_bytes;
			sum->drop_pkts += percpu[c].drop_pkts;
			sum->drop_bytes += percpu[c].drop_bytes;
		}
		struct device_sum ds = { device_id, sum };

		micro_each(l, add_micro_device, &ds);
	}
	free(percpu);
	return ret;
}

/* Counts still held in the per-CPU microflow cache, not yet in the flow table. */
struct micro_delta {
	struct camfence_flow_key key;
	__u64 packets, bytes, last_ns;
};

struct delta_list {
	struct micro_delta *v;
	size_t n;
};

static void add_delta(const struct camfence_micro *m, void *ctx)
{
	struct delta_list *dl = ctx;
	struct micro_delta *d = &dl->v[dl->n++];

	d->key = m->key;
	d->packets = m->packets;
	d->bytes = m->bytes;
	d->last_ns = m->last_ns;
}

static size_t micro_deltas(struct camfence_loader *l, struct micro_delta **out)
{
	struct delta_list dl = { calloc((size_t)CAMFENCE_MICRO_SLOTS * l->ncpus, sizeof(*dl.v)) };

	*out = dl.v;
	if (dl.v)
		micro_each(l, add_delta, &dl);
	return dl.n;
}

int camfence_loader_flows(struct camfence_loader *l,
			  int (*fn)(const struct camfence_flow_key *k, const struct camfence_flow *f,
				    void *ctx),
			  void *ctx)
{
	int fd = bpf_map__fd(l->skel->maps.flows), have_prev = 0, ret = 0;
	struct camfence_flow_key prev, key;
	struct camfence_flow flow;
	struct micro_delta *deltas;
	size_t nd = micro_deltas(l, &deltas), i;

	while (bpf_map_get_next_key(fd, have_prev ? &prev : NULL, &key) == 0) {
		/* an LRU entry may be evicted between the two calls: skip it */
		if (bpf_map_lookup_elem(fd, &key, &flow) == 0) {
			for (i = 0; i < nd; i++) {
				if (memcmp(&deltas[i].key, &key, sizeof(key)))
					continue;
				flow.packets += deltas[i].packets;
				flow.bytes += deltas[i].bytes;
				if (deltas[i].last_ns > flow.last_ns)
					flow.last_ns = deltas[i].last_ns;
			}
			ret = fn(&key, &flow, ctx);
			if (ret)
				break;
		}
		prev = key;
		have_prev = 1;
	}
	free(deltas);
	return ret;
}

int camfence_loader_micro_reset(struct camfence_loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.micro);
	struct camfence_micro *zero = calloc(l->ncpus, sizeof(*zero));
	__u32 slot;
	int ret = 0;

	if (!zero)
		return -ENOMEM;
	for (slot = 0; slot < CAMFENCE_MICRO_SLOTS && !ret; slot++)
		if (bpf_map_update_elem(fd, &slot, zero, BPF_ANY))
			ret = -errno;
	free(zero);
	return ret;
}

struct rule_sum {
	__u32 rule_id;
	__u64 generation;
	struct camfence_rule_counters *sum;
};

static void add_micro_rule(const struct camfence_micro *m, void *ctx)
{
	struct rule_sum *rs = ctx;

	if (m->rule_id != rs->rule_id || m->generation != rs->generation ||
	    (m->flags & CAMFENCE_MICRO_UNMANAGED))
		return;
	rs->sum->packets += m->packets;
	rs->sum->bytes += m->bytes;
}

int camfence_loader_rule_counters(struct camfence_loader *l, __u32 rule_id,
				  struct camfence_rule_counters *sum)
{
	int fd = bpf_map__fd(l->skel->maps.rule_counters);
	struct camfence_rule_counters *percpu;
	struct rule_sum rs = { rule_id, l->generation, sum };
	__u32 idx = (l->generation & 1) * CAMFENCE_MAX_RULE_COUNTERS + rule_id;
	int c, ret = 0;

	memset(sum, 0, sizeof(*sum));
	if (rule_id >= CAMFENCE_MAX_RULE_COUNTERS)
		return -ERANGE;
	percpu = calloc(l->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &idx, percpu)) {
		ret = -errno;
	} else {
		for (c = 0; c < l->ncpus; c++) {
			sum->packets += percpu[c].packets;
			sum->bytes += percpu[c].bytes;
		}
		micro_each(l, add_micro_rule, &rs);
	}
	free(percpu);
	return ret;
}
