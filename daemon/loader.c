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

/* Entries camfence_loader_flows asks for in one batch lookup: 448 KiB of
 * keys and values, 16 calls for a full table. */
#define FLOW_BATCH	4096

/* fmt is libbpf's own, never from a packet or a file */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

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
	l->flow_batch = FLOW_BATCH;
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

int camfence_loader_push(struct camfence_loader *l, struct cf_compiled *c)
{
	return camfence_loader_push_learned(l, c, NULL, NULL);
}

int camfence_loader_push_learned(struct camfence_loader *l, struct cf_compiled *c,
				 int (*learned)(struct cf_compiled *c, void *ctx), void *ctx)
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
		{ s->maps.learned, { 0, 0 } },
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
	/* what devices were told, found again in the staged slot's devices */
	if (learned) {
		ret = learned(c, ctx);
		if (ret)
			goto out;
	}
	PUT_ALL(s->maps.learned, c->learned);
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

/* Counts still held in the per-CPU microflow cache, not yet in the flow
 * table: one entry a key (a flow may hold a slot on several CPUs), and an
 * open-addressed index over them, so that adding them to a walk of the
 * whole table costs one probe a flow. */
struct micro_delta {
	struct camfence_flow_key key;
	__u64 packets, bytes, last_ns;
};

struct micro_deltas {
	struct micro_delta *v;
	size_t n;
	__u32 *index;		/* 1 + the delta's place in v, or 0: free */
	size_t mask;
};

_Static_assert(sizeof(struct camfence_flow_key) == 6 * sizeof(__u64),
	       "key_hash reads the key as six words");

static size_t key_hash(const struct camfence_flow_key *k)
{
	__u64 w[6], h = 0;
	int i;

	memcpy(w, k, sizeof(w));
	for (i = 0; i < 6; i++) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

/* The index slot that holds k, or the free one where it would go. */
static __u32 *delta_slot(const struct micro_deltas *d, const struct camfence_flow_key *k)
{
	size_t i = key_hash(k) & d->mask;

	while (d->index[i] && memcmp(&d->v[d->index[i] - 1].key, k, sizeof(*k)))
		i = (i + 1) & d->mask;
	return &d->index[i];
}

static void add_delta(const struct camfence_micro *m, void *ctx)
{
	struct micro_deltas *d = ctx;
	struct micro_delta *x = &d->v[d->n++];

	x->key = m->key;
	x->packets = m->packets;
	x->bytes = m->bytes;
	x->last_ns = m->last_ns;
}

static int micro_deltas(struct camfence_loader *l, struct micro_deltas *d)
{
	size_t i, n, size = 16;

	memset(d, 0, sizeof(*d));
	d->v = calloc((size_t)CAMFENCE_MICRO_SLOTS * l->ncpus, sizeof(*d->v));
	if (!d->v)
		return -ENOMEM;
	micro_each(l, add_delta, d);
	while (size < 2 * d->n)
		size *= 2;
	d->index = calloc(size, sizeof(*d->index));
	if (!d->index) {
		free(d->v);
		return -ENOMEM;
	}
	d->mask = size - 1;
	for (n = d->n, d->n = 0, i = 0; i < n; i++) {
		struct micro_delta x = d->v[i];
		__u32 *at = delta_slot(d, &x.key);
		struct micro_delta *y;

		if (!*at) {
			d->v[d->n++] = x;
			*at = d->n;
			continue;
		}
		y = &d->v[*at - 1];
		y->packets += x.packets;
		y->bytes += x.bytes;
		if (x.last_ns > y->last_ns)
			y->last_ns = x.last_ns;
	}
	return 0;
}

static void add_micro(const struct micro_deltas *d, const struct camfence_flow_key *k,
		      struct camfence_flow *f)
{
	const struct micro_delta *x;
	__u32 at;

	if (!d->n)
		return;
	at = *delta_slot(d, k);
	if (!at)
		return;
	x = &d->v[at - 1];
	f->packets += x->packets;
	f->bytes += x->bytes;
	if (x->last_ns > f->last_ns)
		f->last_ns = x->last_ns;
}

struct flow_walk {
	int (*fn)(const struct camfence_flow_key *k, const struct camfence_flow *f, void *ctx);
	void *ctx;
	struct micro_deltas deltas;
	int no_batch;		/* -errno: the kernel has no batch lookups for the table */
};

#ifndef ENOTSUPP
#define ENOTSUPP	524	/* the kernel's, for an operation a map type lacks */
#endif

/* Whole buckets of the hash at a time, as many as fit in l->flow_batch
 * entries: an entry evicted or added during the walk cannot make another
 * be seen twice. */
static int flows_batched(struct camfence_loader *l, struct flow_walk *w)
{
	int fd = bpf_map__fd(l->skel->maps.flows), ret = 0;
	struct camfence_flow_key *keys = NULL;
	struct camfence_flow *vals = NULL;
	__u32 pos = 0, next = 0, count, cap = 0, i;	/* a position is a bucket index */
	bool first = true, last = false;

	while (!last) {
		if (cap != l->flow_batch) {
			free(keys);
			free(vals);
			cap = l->flow_batch;
			keys = calloc(cap, sizeof(*keys));
			vals = calloc(cap, sizeof(*vals));
			if (!keys || !vals) {
				ret = -ENOMEM;
				break;
			}
		}
		count = cap;
		if (bpf_map_lookup_batch(fd, first ? NULL : &pos, &next, keys, vals, &count, NULL)) {
			ret = -errno;
			/* the next bucket holds more than cap: read it again with room */
			if (ret == -ENOSPC && cap <= CAMFENCE_MAX_FLOWS) {
				l->flow_batch = cap * 2;
				ret = 0;
				continue;
			}
			if (first && (ret == -EINVAL || ret == -ENOTSUPP || ret == -EOPNOTSUPP)) {
				w->no_batch = ret;
				ret = 0;
				break;
			}
			if (ret != -ENOENT)
				break;
			/* past the last bucket, with what it found before */
			ret = 0;
			last = true;
		}
		for (i = 0; i < count; i++) {
			add_micro(&w->deltas, &keys[i], &vals[i]);
			ret = w->fn(&keys[i], &vals[i], w->ctx);
			if (ret)
				goto out;
		}
		pos = next;
		first = false;
	}
out:
	free(keys);
	free(vals);
	return ret;
}

/* Two syscalls an entry; and when the entry a walk stands on is evicted,
 * the next bpf_map_get_next_key starts again from the first key. */
static int flows_key_by_key(struct camfence_loader *l, struct flow_walk *w)
{
	int fd = bpf_map__fd(l->skel->maps.flows), have_prev = 0, ret;
	struct camfence_flow_key prev, key;
	struct camfence_flow flow;

	while (bpf_map_get_next_key(fd, have_prev ? &prev : NULL, &key) == 0) {
		/* an LRU entry may be evicted between the two calls: skip it */
		if (bpf_map_lookup_elem(fd, &key, &flow) == 0) {
			add_micro(&w->deltas, &key, &flow);
			ret = w->fn(&key, &flow, w->ctx);
			if (ret)
				return ret;
		}
		prev = key;
		have_prev = 1;
	}
	return 0;
}

int camfence_loader_flows(struct camfence_loader *l,
			  int (*fn)(const struct camfence_flow_key *k, const struct camfence_flow *f,
				    void *ctx),
			  void *ctx)
{
	struct flow_walk w = { .fn = fn, .ctx = ctx };
	int ret;

	ret = micro_deltas(l, &w.deltas);
	if (ret)
		return ret;
	/* Batch lookups read a full table in 16 calls. Kernels before 5.6
	 * have none (EINVAL), nor does a map type without them (ENOTSUPP):
	 * there the walk goes key by key, two calls an entry. */
	if (!l->flows_per_key) {
		ret = flows_batched(l, &w);
		if (w.no_batch) {
			camfence_log(LOG_NOTICE, "flow table: this kernel has no batch lookups (%s): "
				     "reading it key by key, two system calls a flow",
				     w.no_batch == -ENOTSUPP ? "not for this map type" :
				     strerror(-w.no_batch));
			l->flows_per_key = true;
		}
	}
	if (l->flows_per_key)
		ret = flows_key_by_key(l, &w);
	free(w.deltas.v);
	free(w.deltas.index);
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
