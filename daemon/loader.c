// SPDX-License-Identifier: GPL-2.0
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "camfence.skel.h"
#include "loader.h"
#include "log.h"

struct camfence_loader {
	struct camfence_bpf *skel;
	__u64 generation;
	int ncpus;
	char *pin_dir;		/* NULL when nothing is pinned */
	bool took_over;
};

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

static int loader_alloc(struct camfence_loader **out)
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
static int read_generation(struct camfence_loader *l)
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

	ret = loader_alloc(&l);
	if (ret)
		return ret;
	l->skel = camfence_bpf__open_and_load();
	if (!l->skel) {
		ret = -errno;
		goto err;
	}
	ret = read_generation(l);
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

/*
 * Pinning. Every map of the object is pinned by name under pin_dir, and
 * all of them are reused by the next camfenced: the policy slots and the
 * config (the old program goes on reading its live slot while the new
 * daemon fills the other one), the flow table and microflow cache (the old
 * program's cached verdicts and counts are not lost), the counters and the
 * ring buffer (events the old program raised while no daemon read them are
 * read by the next). The object has no global data (.data, .bss, .rodata),
 * whose maps libbpf fills from the object at load: if it grows one, leave
 * it unpinned.
 */
#define BPFFS_ROOT	"/sys/fs/bpf"
#define PROG_PIN	"camfence_xdp"

static bool on_bpffs(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

/* Mounts a bpffs on /sys/fs/bpf when the pins belong there and none is
 * mounted, then makes pin_dir (*made) if it does not exist yet. */
static int prepare_dir(const char *dir, bool *made, char *err, size_t errlen)
{
	size_t rootlen = strlen(BPFFS_ROOT);
	char parent[PATH_MAX];
	struct stat st;
	char *slash;
	bool exists;
	int ret;

	if (!strncmp(dir, BPFFS_ROOT, rootlen) && (!dir[rootlen] || dir[rootlen] == '/') &&
	    !on_bpffs(BPFFS_ROOT)) {
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
			ret = -errno;
			snprintf(err, errlen,
				 "%s: cannot mount a BPF filesystem: %s (mount -t bpf bpf %s)",
				 BPFFS_ROOT, strerror(-ret), BPFFS_ROOT);
			return ret;
		}
		camfence_log(LOG_NOTICE, "mounted a BPF filesystem on %s", BPFFS_ROOT);
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(parent, ".");
	exists = stat(dir, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if (!on_bpffs(exists ? dir : parent)) {
		if (stat(parent, &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", parent, strerror(-ret));
			return ret;
		}
		snprintf(err, errlen, "%s: not on a BPF filesystem (mount -t bpf bpf %s)", dir, parent);
		return -EINVAL;
	}
	if (!exists) {
		if (mkdir(dir, 0700)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
			return ret;
		}
		*made = true;
	}
	return 0;
}

static bool is_map_fd(int fd)
{
	char path[64], line[128];
	bool map = true;	/* without /proc, leave it to the map info */
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return map;
	map = false;
	while (!map && fgets(line, sizeof(line), f))
		map = !strncmp(line, "map_type:", 9);
	fclose(f);
	return map;
}

/* What of info does not match map, or NULL. */
static const char *differs(const struct bpf_map *map, const struct bpf_map_info *info,
			   unsigned long long *have, unsigned long long *want)
{
	const struct { const char *what; __u64 have, want; } f[] = {
		{ "map type", info->type, bpf_map__type(map) },
		{ "key size", info->key_size, bpf_map__key_size(map) },
		{ "value size", info->value_size, bpf_map__value_size(map) },
		{ "max entries", info->max_entries, bpf_map__max_entries(map) },
		{ "map flags", info->map_flags, bpf_map__map_flags(map) },
		{ "map extra", info->map_extra, bpf_map__map_extra(map) },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].have != f[i].want) {
			*have = f[i].have;
			*want = f[i].want;
			return f[i].what;
		}
	}
	return NULL;
}

/* 1 when a map that can stand for map is pinned at its path, 0 when none
 * is, -errno (err says which map and why) when the one pinned cannot. libbpf
 * would refuse it too, with "parameter mismatch" and no more. */
static int check_pinned(const struct bpf_map *map, const char *pin_dir, char *err, size_t errlen)
{
	const char *path = bpf_map__pin_path(map), *what;
	unsigned long long have = 0, want = 0;
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	size_t n;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = -errno;
		if (fd != -ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(-fd));
		return fd == -ENOENT ? 0 : fd;
	}
	if (!is_map_fd(fd) || bpf_obj_get_info_by_fd(fd, &info, &len))
		what = "not a map";
	else
		what = differs(map, &info, &have, &want);
	close(fd);
	if (!what)
		return 1;
	n = snprintf(err, errlen, "%s: pinned by an incompatible camfence build (%s", path, what);
	if (have != want && n < errlen)
		n += snprintf(err + n, errlen - n, " %llu, this build needs %llu", have, want);
	if (n < errlen)
		snprintf(err + n, errlen - n,
			 "): stop it with \"camfencectl stop --detach\", or remove %s, then start again",
			 pin_dir);
	return -EINVAL;
}

/* Every map takes its pin path; all are pinned already (a takeover) or none
 * is: a partial set is from another build or an interrupted start, and
 * mixing it with new maps would let two programs disagree on the live slot. */
static int set_pins(struct camfence_loader *l, char *err, size_t errlen)
{
	const char *missing = NULL, *found = NULL;
	char path[PATH_MAX];
	struct bpf_map *map;
	int ret;

	bpf_object__for_each_map(map, l->skel->obj) {
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, bpf_map__name(map));
		ret = bpf_map__set_pin_path(map, path);
		if (ret) {
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			return ret;
		}
		ret = check_pinned(map, l->pin_dir, err, errlen);
		if (ret < 0)
			return ret;
		if (ret && !found)
			found = bpf_map__name(map);
		else if (!ret && !missing)
			missing = bpf_map__name(map);
	}
	if (found && missing) {
		snprintf(err, errlen,
			 "%s: holds camfence's map %s but not %s (another build, or an interrupted start): "
			 "stop it with \"camfencectl stop --detach\", or remove %s, then start again",
			 l->pin_dir, found, missing, l->pin_dir);
		return -ENOENT;
	}
	l->took_over = found != NULL;
	return 0;
}

static void unpin_maps(struct camfence_loader *l)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, l->skel->obj)
		bpf_map__unpin(map, NULL);
}

/* Pinned beside and renamed over the old program's pin: the name is never
 * missing, and a failure leaves the old pin. bpffs refuses names with dots. */
static int pin_prog(struct camfence_loader *l, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd = bpf_program__fd(l->skel->progs.camfence_xdp);

	snprintf(path, sizeof(path), "%s/" PROG_PIN, l->pin_dir);
	snprintf(tmp, sizeof(tmp), "%s/" PROG_PIN "_new", l->pin_dir);
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp) || rename(tmp, path)) {
		fd = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-fd));
		unlink(tmp);
		return fd;
	}
	return 0;
}

int camfence_loader_open_pinned(const char *pin_dir, struct camfence_loader **out, char *err,
				size_t errlen)
{
	struct camfence_loader *l;
	bool made = false;
	size_t n;
	int ret;

	if (errlen)
		err[0] = '\0';
	ret = loader_alloc(&l);
	if (ret)
		return ret;
	l->pin_dir = strdup(pin_dir);
	if (!l->pin_dir) {
		ret = -ENOMEM;
		goto err;
	}
	for (n = strlen(l->pin_dir); n > 1 && l->pin_dir[n - 1] == '/'; n--)
		l->pin_dir[n - 1] = '\0';
	ret = prepare_dir(l->pin_dir, &made, err, errlen);
	if (ret)
		goto err;
	l->skel = camfence_bpf__open();
	if (!l->skel) {
		ret = -errno;
		snprintf(err, errlen, "the XDP program: cannot open its object: %s", strerror(-ret));
		goto err_dir;
	}
	ret = set_pins(l, err, errlen);
	if (ret)
		goto err_dir;
	/* on failure, libbpf unpins the maps it pinned and keeps those it reused */
	ret = camfence_bpf__load(l->skel);
	if (ret) {
		snprintf(err, errlen, "the XDP program: cannot load it: %s", strerror(-ret));
		goto err_dir;
	}
	ret = read_generation(l);
	if (ret) {
		snprintf(err, errlen, "%s/config: %s", l->pin_dir, strerror(-ret));
		goto err_unpin;
	}
	ret = pin_prog(l, err, errlen);
	if (ret)
		goto err_unpin;
	*out = l;
	return 0;
err_unpin:
	if (!l->took_over)
		unpin_maps(l);
err_dir:
	if (made)
		rmdir(l->pin_dir);
err:
	if (errlen && !err[0])
		snprintf(err, errlen, "%s: %s", pin_dir, strerror(-ret));
	camfence_loader_close(l);
	return ret;
}

int camfence_loader_took_over(const struct camfence_loader *l)
{
	return l->took_over;
}

/* Only the names camfence pins are removed: a directory that holds more is
 * not all camfence's, and is left with what is not. */
int camfence_loader_unpin(struct camfence_loader *l)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int ret = 0, r;

	if (!l->pin_dir)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/" PROG_PIN, l->pin_dir);
	if (unlink(path) && errno != ENOENT)
		ret = -errno;
	bpf_object__for_each_map(map, l->skel->obj) {
		r = bpf_map__unpin(map, NULL);
		if (r && r != -ENOENT && !ret)
			ret = r;
	}
	if (rmdir(l->pin_dir) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

static bool prog_is_camfence(__u32 id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	bool ret;
	int fd;

	if (!id)
		return false;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;	/* replaced or detached since the query */
	ret = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_PROG_TYPE_XDP &&
	      !strcmp(info.name, PROG_PIN);
	close(fd);
	return ret;
}

int camfence_loader_find_attached(struct camfence_xdp_attached *out, int max)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		const struct camfence_xdp_attached found[] = {
			{ i->if_index, CAMFENCE_ATTACH_NATIVE, 0 },
			{ i->if_index, CAMFENCE_ATTACH_GENERIC, 0 },
		};
		__u32 ids[2];
		int m;

		if (bpf_xdp_query(i->if_index, 0, &q))
			continue;	/* gone since the list was made */
		ids[0] = q.drv_prog_id;
		ids[1] = q.skb_prog_id;
		for (m = 0; m < 2; m++) {
			if (!prog_is_camfence(ids[m]))
				continue;
			if (n < max) {
				out[n] = found[m];
				out[n].prog_id = ids[m];
			}
			n++;
		}
	}
	if_freenameindex(ifs);
	return n;
}
