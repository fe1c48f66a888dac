// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-filter's own program (xdp-tools; Debian ships it in libxdp1) loaded
 * with plain libbpf and the site's rules, for xdp.xdpfilter_denied_ns.
 *
 * Its maps, as xdp-filter/xdpfilt_prog.h and common_kern_user.h of
 * xdp-tools 1.3.1 lay them out: per-CPU hashes of Ethernet, IPv4 and IPv6
 * addresses and a per-CPU array of ports (network order), each value a
 * rule's flags in its low bits and the rule's hits above COUNTER_SHIFT;
 * xdp_stats_map counts packets and bytes per verdict. The program looks up
 * the destination MAC, the source MAC, the destination and source address,
 * then the destination and source port, and stops at the first match.
 * xdpfilt_dny_* is xdp-filter's "deny" policy: a packet that matches a rule
 * passes, every other packet is dropped, as with the site's "default deny".
 *
 * The maps are pinned by name in the object; the pins are dropped before
 * load so that a running xdp-filter's maps are neither reused nor touched.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/ether.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* common_kern_user.h */
#define MAP_FLAG_SRC	(1 << 0)
#define MAP_FLAG_DST	(1 << 1)
#define MAP_FLAG_TCP	(1 << 2)
#define MAP_FLAG_UDP	(1 << 3)
#define COUNTER_SHIFT	6

enum { STATS, PORTS, IPV4, IPV6, ETHERNET, NMAPS };
_Static_assert(NMAPS == BENCH_XDPFILTER_MAPS, "bench.h");

static const struct {
	const char *name;
	enum bpf_map_type type;
	__u32 key_size, value_size;
} maps[NMAPS] = {
	[STATS] = { "xdp_stats_map", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16 },
	[PORTS] = { "filter_ports", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8 },
	[IPV4] = { "filter_ipv4", BPF_MAP_TYPE_PERCPU_HASH, 4, 8 },
	[IPV6] = { "filter_ipv6", BPF_MAP_TYPE_PERCPU_HASH, 16, 8 },
	[ETHERNET] = { "filter_ethernet", BPF_MAP_TYPE_PERCPU_HASH, 6, 8 },
};

/*
 * The site policy of xdp_bench.c as far as xdp-filter can say it: a rule
 * names one address, not a prefix, and a port rule holds for every address.
 * Every map holds a rule, and none matches the known denied packet (UDP
 * 192.168.10.204:40000 to 47.88.255.254:32100, router's MAC): it misses all
 * six lookups and is dropped by default, as the site drops it by its
 * default. The allowed packet (to the NVR, UDP 5004) passes by the NVR's
 * rule, the first one.
 */
static const struct {
	int map;
	const char *what;
	__u64 flags;
} rules[] = {
	{ IPV4, "192.168.10.248", MAP_FLAG_DST },	/* allow to 192.168.10.0/24: the NVR */
	{ IPV4, "192.0.2.123", MAP_FLAG_DST },		/* allow to 192.0.2.123 udp 123 */
	{ PORTS, "123", MAP_FLAG_DST | MAP_FLAG_UDP },
	{ IPV6, "2001:db8:20::10", MAP_FLAG_DST },	/* allow to 2001:db8:20::/48 tcp 554 */
	{ PORTS, "554", MAP_FLAG_DST | MAP_FLAG_TCP },
	{ ETHERNET, "02:cf:00:00:00:f8", MAP_FLAG_DST },	/* the NVR's MAC */
};
#define NVR_RULE	0

union key {
	__u8 b[16];
	__u32 u32;
};

static int rule_key(int i, union key *key)
{
	const struct ether_addr *mac;

	memset(key, 0, sizeof(*key));
	switch (rules[i].map) {
	case IPV4:
		return inet_pton(AF_INET, rules[i].what, key->b) == 1 ? 0 : -EINVAL;
	case IPV6:
		return inet_pton(AF_INET6, rules[i].what, key->b) == 1 ? 0 : -EINVAL;
	case PORTS:
		key->u32 = htons(atoi(rules[i].what));
		return 0;
	default:
		mac = ether_aton(rules[i].what);
		if (!mac)
			return -EINVAL;
		memcpy(key->b, mac, 6);
		return 0;
	}
}

/* libbpf's warnings, but not those about the sections it skips because they
 * are libxdp's business ("features", ".xdp_run_config"). */
static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || strstr(fmt, "skipping unrecognized data section"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Opens path, checks its maps against xdp-tools 1.3.1, drops their pins
 * and loads it. */
static int load(struct bench_xdpfilter *xf, const char *path)
{
	struct bpf_program *prog;
	struct bpf_map *m;
	unsigned int i;
	int ret;

	xf->obj = bpf_object__open_file(path, NULL);
	if (!xf->obj) {
		ret = -errno;
		fprintf(stderr, "xdp_bench: %s: cannot open: %s\n", path, strerror(-ret));
		return ret;
	}
	for (i = 0; i < NMAPS; i++) {
		m = bpf_object__find_map_by_name(xf->obj, maps[i].name);
		if (!m || bpf_map__type(m) != maps[i].type ||
		    bpf_map__key_size(m) != maps[i].key_size ||
		    bpf_map__value_size(m) != maps[i].value_size) {
			fprintf(stderr, "xdp_bench: %s: map %s %s; want the xdpfilt_dny_all.o of libxdp1 (xdp-tools 1.3.1)\n",
				path, maps[i].name, m ? "is not as in xdp-tools 1.3.1" : "is missing");
			return -ENOENT;
		}
		ret = bpf_map__set_pin_path(m, NULL);
		if (ret)
			return ret;
	}
	prog = bpf_object__next_program(xf->obj, NULL);
	if (!prog || bpf_object__next_program(xf->obj, prog)) {
		fprintf(stderr, "xdp_bench: %s: want exactly one program\n", path);
		return -ENOENT;
	}
	ret = bpf_object__load(xf->obj);
	if (ret) {
		fprintf(stderr, "xdp_bench: %s: cannot load: %s\n", path, strerror(-ret));
		return ret;
	}
	xf->prog_fd = bpf_program__fd(prog);
	for (i = 0; i < NMAPS; i++)
		xf->map_fd[i] = bpf_map__fd(bpf_object__find_map_by_name(xf->obj, maps[i].name));
	return 0;
}

static int add_rules(struct bench_xdpfilter *xf)
{
	int ncpus = libbpf_num_possible_cpus(), c, ret = 0;
	__u64 *values;
	union key key;
	unsigned int i;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]) && !ret; i++) {
		/* the same flags on every CPU, as xdp-filter's map_set_flags */
		for (c = 0; c < ncpus; c++)
			values[c] = rules[i].flags;
		ret = rule_key(i, &key);
		if (!ret && bpf_map_update_elem(xf->map_fd[rules[i].map], &key, values, BPF_ANY))
			ret = -errno;
		if (ret)
			fprintf(stderr, "xdp_bench: xdp-filter: rule %s: %s\n", rules[i].what,
				strerror(-ret));
	}
	free(values);
	return ret;
}

int bench_xdpfilter_open(struct bench_xdpfilter *xf, const char *path)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_print);
	int ret;

	memset(xf, 0, sizeof(*xf));
	ret = load(xf, path);
	libbpf_set_print(old);
	return ret ? ret : add_rules(xf);
}

/* Each verdict's packets, summed over the CPUs. */
static int verdict_packets(struct bench_xdpfilter *xf, __u64 packets[XDP_REDIRECT + 1])
{
	int ncpus = libbpf_num_possible_cpus(), c, ret = 0;
	__u64 *rec = calloc(ncpus, 2 * sizeof(*rec));	/* rx_packets, rx_bytes */
	__u32 k;

	if (!rec)
		return -ENOMEM;
	for (k = 0; k <= XDP_REDIRECT && !ret; k++) {
		packets[k] = 0;
		if (bpf_map_lookup_elem(xf->map_fd[STATS], &k, rec))
			ret = -errno;
		for (c = 0; c < ncpus && !ret; c++)
			packets[k] += rec[2 * c];
	}
	free(rec);
	return ret;
}

/* A rule's hits, summed over the CPUs. */
static int rule_hits(struct bench_xdpfilter *xf, int i, __u64 *hits)
{
	union key key;
	int ncpus = libbpf_num_possible_cpus(), c, ret;
	__u64 *values = calloc(ncpus, sizeof(*values));

	if (!values)
		return -ENOMEM;
	ret = rule_key(i, &key);
	if (!ret && bpf_map_lookup_elem(xf->map_fd[rules[i].map], &key, values))
		ret = -errno;
	*hits = 0;
	for (c = 0; c < ncpus && !ret; c++)
		*hits += values[c] >> COUNTER_SHIFT;
	free(values);
	return ret;
}

int bench_xdpfilter_check(struct bench_xdpfilter *xf, uint64_t drops, uint64_t passes)
{
	static const char *const verdict[] = { "aborted", "dropped", "passed", "tx", "redirected" };
	__u64 packets[XDP_REDIRECT + 1], hits;
	unsigned int i;
	int ret;

	ret = verdict_packets(xf, packets);
	if (ret)
		return ret;
	for (i = 0; i <= XDP_REDIRECT; i++) {
		__u64 want = i == XDP_DROP ? drops : i == XDP_PASS ? passes : 0;

		if (packets[i] != want) {
			fprintf(stderr, "xdp_bench: xdp-filter: %llu packets %s, want %llu\n",
				(unsigned long long)packets[i], verdict[i],
				(unsigned long long)want);
			return -EPROTO;
		}
	}
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		ret = rule_hits(xf, i, &hits);
		if (ret)
			return ret;
		if (hits != (i == NVR_RULE ? passes : 0)) {
			fprintf(stderr, "xdp_bench: xdp-filter: rule %s hit %llu times, want %llu\n",
				rules[i].what, (unsigned long long)hits,
				(unsigned long long)(i == NVR_RULE ? passes : 0));
			return -EPROTO;
		}
	}
	return 0;
}

void bench_xdpfilter_close(struct bench_xdpfilter *xf)
{
	bpf_object__close(xf->obj);
}
