// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Out of memory while adding leaves the record out instead of exiting. */
#define HASH_NONFATAL_OOM 1
#include <uthash.h>

#include "addr.h"
#include "flowtrack.h"
#include "policy.h"

#define NSEC		1000000000LL
#define NAME_LEN	32
#define VENDOR_LEN	48
#define ADDRS_MAX	4

/* The XDP flow key with addresses cut to the family's size: 24 bytes for
 * IPv4, 48 for IPv6. No padding: the whole key is hashed. */
struct fkey {
	uint32_t ifindex;
	uint8_t mac[6];
	uint16_t vlan;
	uint8_t family, proto;
	uint16_t dport;
	uint8_t addrs[];	/* saddr, then daddr */
};

union lookup {
	struct fkey k;
	uint8_t room[sizeof(struct fkey) + 32];
};

/*
 * In both tables uthash's app order is the LRU order: the head is the least
 * recently touched record, the tail the most recent. A flow is 152 bytes
 * for IPv4 (160 with malloc's header), 176 for IPv6 (192).
 */
struct flow {
	UT_hash_handle hh;
	struct flow *dnext, *dprev;	/* the device's flows, for evicting a device */
	uint64_t packets, bytes;
	uint64_t xdp_packets, xdp_bytes; /* the XDP entry's counts last time; 0: not seen there */
	uint32_t xdp_first;		/* low 32 bits of its first_ns: tell an entry made again */
	uint32_t first_seen, last_seen;
	uint32_t rule_id, generation;	/* generation: low 32 bits, only compared for "newer" */
	uint16_t policy_id;		/* < CAMFENCE_MAX_POLICIES, 0xffff for none */
	uint8_t verdict;
	uint8_t pending;		/* packets events counted before the XDP table showed the flow */
	struct fkey key;		/* last: allocated to its length */
};

struct device {
	UT_hash_handle hh;
	struct flow *flows;
	uint8_t mac[6];
	uint8_t n4, n6;
	uint32_t nflows;
	uint32_t first_seen, last_seen;
	uint64_t pass_pkts, pass_bytes, drop_pkts, drop_bytes;
	uint8_t v4[ADDRS_MAX][4];	/* newest first */
	uint8_t v6[ADDRS_MAX][16];
	char name[NAME_LEN], group[NAME_LEN], vendor[VENDOR_LEN];
};

struct cf_flowtrack {
	struct device *devices;
	struct flow *flows;
	size_t ndevices, nflows, max_devices, max_flows;
	uint64_t devices_evicted, flows_evicted;
};

/* One line of a listing: a device's flows to one destination, summed. */
struct row {
	uint8_t daddr[16];
	uint8_t family, proto, verdict;
	uint16_t dport;
	uint32_t first_seen, last_seen, rule_id, generation;
	uint64_t packets, bytes;
};

/*
 * Moves elt to the most recent end of the app order. Only the app list is
 * relinked, not the buckets, so unlike HASH_DELETE + HASH_ADD there is
 * nothing to allocate and nothing that can fail.
 */
#define LRU_TOUCH(head, elt)							\
	do {									\
		__typeof__(elt) _prev = (elt)->hh.prev, _next = (elt)->hh.next;	\
		UT_hash_table *_tbl = (elt)->hh.tbl;				\
										\
		if (!_next)							\
			break;							\
		if (_prev)							\
			_prev->hh.next = _next;					\
		else								\
			(head) = _next;						\
		_next->hh.prev = _prev;						\
		(elt)->hh.prev = ELMT_FROM_HH(_tbl, _tbl->tail);		\
		(elt)->hh.next = NULL;						\
		_tbl->tail->next = (elt);					\
		_tbl->tail = &(elt)->hh;					\
	} while (0)

static uint32_t wall_sec(uint64_t mono_ns, int64_t mono_to_wall_ns)
{
	/* in seconds and remainders: mono + offset may not fit in 64 bits */
	int64_t s = (int64_t)(mono_ns / NSEC) + mono_to_wall_ns / NSEC;
	int64_t ns = (int64_t)(mono_ns % NSEC) + mono_to_wall_ns % NSEC;

	if (ns >= NSEC)
		s++;
	else if (ns < 0)
		s--;
	return s < 0 ? 0 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static void seen(uint32_t *first, uint32_t *last, uint32_t from, uint32_t to)
{
	if (!*first || from < *first)
		*first = from;
	if (to > *last)
		*last = to;
}

/* Truncated on a character boundary: the names end up in JSON. */
static void name_set(char *dst, size_t cap, const char *src)
{
	size_t n;

	if (!src)
		return;
	n = strnlen(src, cap);
	if (n == cap)
		for (n = cap - 1; n && ((unsigned char)src[n] & 0xc0) == 0x80; n--)
			;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void names_set(struct device *d, const struct cf_flow_names *n)
{
	if (!n)
		return;
	name_set(d->name, sizeof(d->name), n->device);
	name_set(d->group, sizeof(d->group), n->group);
	name_set(d->vendor, sizeof(d->vendor), n->vendor);
}

/* Newest first; gone takes a out. */
static void list_update(uint8_t *list, uint8_t *n, size_t len, const uint8_t *a, bool gone)
{
	static const uint8_t unspecified[16];
	size_t i;

	for (i = 0; i < *n && memcmp(list + i * len, a, len); i++)
		;
	if (gone) {
		if (i < *n)
			memmove(list + i * len, list + (i + 1) * len, (--*n - i) * len);
		return;
	}
	if (!memcmp(a, unspecified, len))
		return;
	if (i == *n) {
		/* new: the oldest falls off the end when the list is full */
		if (*n < ADDRS_MAX)
			(*n)++;
		i = *n - 1;
	}
	memmove(list + len, list, i * len);
	memcpy(list, a, len);
}

static void device_addr(struct device *d, int family, const uint8_t *a, bool gone)
{
	if (family == AF_INET)
		list_update(d->v4[0], &d->n4, 4, a, gone);
	else if (family == AF_INET6)
		list_update(d->v6[0], &d->n6, 16, a, gone);
}

/* The device's i-th address, IPv4 ones first. */
static const char *addr_str(const struct device *d, int i, char a[INET6_ADDRSTRLEN])
{
	if (i < d->n4)
		return inet_ntop(AF_INET, d->v4[i], a, INET6_ADDRSTRLEN);
	return inet_ntop(AF_INET6, d->v6[i - d->n4], a, INET6_ADDRSTRLEN);
}

static void addrs_format(const struct device *d, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < d->n4 + d->n6; i++) {
		addr_str(d, i, a);
		if (used + !!used + strlen(a) >= len)
			break;
		used += snprintf(buf + used, len - used, "%s%s", used ? " " : "", a);
	}
}

static void device_count(struct device *d, uint8_t verdict, uint64_t packets, uint64_t bytes)
{
	bool drop = verdict == CAMFENCE_DROP;

	*(drop ? &d->drop_pkts : &d->pass_pkts) += packets;
	*(drop ? &d->drop_bytes : &d->pass_bytes) += bytes;
}

static struct device *device_find(const struct cf_flowtrack *t, const uint8_t mac[6])
{
	struct device *d;

	HASH_FIND(hh, t->devices, mac, 6, d);
	return d;
}

static void flow_evict(struct cf_flowtrack *t)
{
	struct flow *f = t->flows;
	struct device *d = device_find(t, f->key.mac);	/* held: devices leave with their flows */

	HASH_DELETE(hh, t->flows, f);
	if (f->dprev)
		f->dprev->dnext = f->dnext;
	else
		d->flows = f->dnext;
	if (f->dnext)
		f->dnext->dprev = f->dprev;
	d->nflows--;
	t->nflows--;
	t->flows_evicted++;
	free(f);
}

static void device_evict(struct cf_flowtrack *t)
{
	struct device *d = t->devices;
	struct flow *f, *next;

	for (f = d->flows; f; f = next) {
		next = f->dnext;
		HASH_DELETE(hh, t->flows, f);
		free(f);
	}
	t->flows_evicted += d->nflows;
	t->nflows -= d->nflows;
	t->devices_evicted++;
	t->ndevices--;
	HASH_DELETE(hh, t->devices, d);
	free(d);
}

static struct device *device_get(struct cf_flowtrack *t, const uint8_t mac[6])
{
	struct device *d = device_find(t, mac);

	if (d)
		return d;
	if (t->ndevices >= t->max_devices)
		device_evict(t);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->mac, mac, 6);
	HASH_ADD(hh, t->devices, mac, 6, d);
	if (!d->hh.tbl) {
		free(d);
		return NULL;
	}
	t->ndevices++;
	return d;
}

static struct flow *flow_new(struct cf_flowtrack *t, struct device *d, const union lookup *l,
			     size_t keylen)
{
	struct flow *f;

	if (t->nflows >= t->max_flows)
		flow_evict(t);
	f = calloc(1, offsetof(struct flow, key) + keylen);
	if (!f)
		return NULL;
	memcpy(&f->key, l, keylen);
	HASH_ADD_KEYPTR(hh, t->flows, &f->key, keylen, f);
	if (!f->hh.tbl) {
		free(f);
		return NULL;
	}
	f->dnext = d->flows;
	if (d->flows)
		d->flows->dprev = f;
	d->flows = f;
	d->nflows++;
	t->nflows++;
	device_addr(d, l->k.family, l->k.addrs, false);
	return f;
}

/* The flow of k, made if new, and its device; NULL when out of memory or k
 * is of a family other than IPv4 and IPv6. */
static struct flow *flow_get(struct cf_flowtrack *t, const struct camfence_flow_key *k,
			     const struct cf_flow_names *n, struct device **d, bool *fresh)
{
	size_t alen = k->family == AF_INET ? 4 : 16, keylen = sizeof(struct fkey) + 2 * alen;
	union lookup l;
	struct flow *f;

	if (k->family != AF_INET && k->family != AF_INET6)
		return NULL;
	l.k = (struct fkey){ .ifindex = k->ifindex, .vlan = k->vlan, .family = k->family,
			     .proto = k->proto, .dport = k->dport };
	memcpy(l.k.mac, k->mac, 6);
	memcpy(l.k.addrs, k->saddr, alen);
	memcpy(l.k.addrs + alen, k->daddr, alen);
	*d = device_get(t, k->mac);
	if (!*d)
		return NULL;
	names_set(*d, n);
	HASH_FIND(hh, t->flows, &l, keylen, f);
	*fresh = !f;
	return f ? f : flow_new(t, *d, &l, keylen);
}

/* The latest verdict wins: one of an older generation does not undo a reload. */
static void flow_verdict(struct flow *f, bool fresh, uint64_t gen, uint8_t verdict,
			 uint32_t rule_id, uint32_t policy_id)
{
	if (!fresh && (int32_t)((uint32_t)gen - f->generation) < 0)
		return;
	f->generation = (uint32_t)gen;
	f->verdict = verdict;
	f->rule_id = rule_id;
	f->policy_id = policy_id > UINT16_MAX ? UINT16_MAX : policy_id;
}

struct cf_flowtrack *camfence_flowtrack_new(size_t max_devices, size_t max_flows)
{
	struct cf_flowtrack *t;

	if (!max_devices || !max_flows) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->max_devices = max_devices;
	t->max_flows = max_flows;
	return t;
}

void camfence_flowtrack_free(struct cf_flowtrack *t)
{
	struct device *d, *dnext;
	struct flow *f, *fnext;

	if (!t)
		return;
	/* HASH_CLEAR frees the tables only: every flow hangs off its device */
	HASH_CLEAR(hh, t->flows);
	d = t->devices;
	HASH_CLEAR(hh, t->devices);
	for (; d; d = dnext) {
		dnext = d->hh.next;
		for (f = d->flows; f; f = fnext) {
			fnext = f->dnext;
			free(f);
		}
		free(d);
	}
	free(t);
}

uint64_t camfence_flowtrack_update_xdp(struct cf_flowtrack *t, const struct camfence_flow_key *k,
				       const struct camfence_flow *e, const struct cf_flow_names *n,
				       int64_t mono_to_wall_ns)
{
	uint64_t packets, bytes;
	struct device *d;
	struct flow *f;
	bool fresh;

	if (!t || !k || !e || !(f = flow_get(t, k, n, &d, &fresh)))
		return 0;
	if (f->xdp_packets && (uint32_t)e->first_ns == f->xdp_first &&
	    e->packets >= f->xdp_packets && e->bytes >= f->xdp_bytes) {
		packets = e->packets - f->xdp_packets;
		bytes = e->bytes - f->xdp_bytes;
	} else {
		/* first sight, or an entry the XDP table evicted and made again */
		packets = e->packets;
		bytes = e->bytes;
		if (!f->xdp_packets) {
			/* the first packet of an XDP entry also raises its event */
			uint64_t counted = f->pending < packets ? f->pending : packets;

			packets -= counted;
			f->pending = 0;
		}
	}
	f->xdp_first = (uint32_t)e->first_ns;
	f->xdp_packets = e->packets;
	f->xdp_bytes = e->bytes;
	flow_verdict(f, fresh, e->generation, e->verdict, e->rule_id, e->policy_id);

	if (fresh || packets || bytes) {
		uint32_t first = wall_sec(e->first_ns, mono_to_wall_ns);
		uint32_t last = wall_sec(e->last_ns, mono_to_wall_ns);

		f->packets += packets;
		f->bytes += bytes;
		device_count(d, e->verdict, packets, bytes);
		seen(&f->first_seen, &f->last_seen, first, last);
		seen(&d->first_seen, &d->last_seen, first, last);
		LRU_TOUCH(t->flows, f);
		LRU_TOUCH(t->devices, d);
	}
	return packets;
}

int camfence_flowtrack_event(struct cf_flowtrack *t, const struct camfence_event *ev,
			     const struct cf_flow_names *n, int64_t mono_to_wall_ns)
{
	struct camfence_flow_key key;
	struct device *d;
	struct flow *f;
	uint32_t now;
	bool fresh;

	if (!t || !ev || (ev->family != AF_INET && ev->family != AF_INET6)) {
		errno = EINVAL;
		return -1;
	}
	key = (struct camfence_flow_key){ .ifindex = ev->ifindex, .vlan = ev->vlan,
		.family = ev->family, .proto = ev->proto, .dport = ev->dport };
	memcpy(key.mac, ev->mac, 6);
	memcpy(key.saddr, ev->saddr, 16);
	memcpy(key.daddr, ev->daddr, 16);
	f = flow_get(t, &key, n, &d, &fresh);
	if (!f) {
		errno = ENOMEM;
		return -1;
	}
	/* once the XDP table shows the flow, its walk counts every packet */
	if (!f->xdp_packets) {
		f->packets++;
		if (f->pending < UINT8_MAX)
			f->pending++;
		device_count(d, ev->verdict, 1, 0);
	}
	flow_verdict(f, fresh, ev->generation, ev->verdict, ev->rule_id, ev->policy_id);
	now = wall_sec(ev->ts_ns, mono_to_wall_ns);
	seen(&f->first_seen, &f->last_seen, now, now);
	seen(&d->first_seen, &d->last_seen, now, now);
	LRU_TOUCH(t->flows, f);
	LRU_TOUCH(t->devices, d);
	return fresh;
}

void camfence_flowtrack_neigh(struct cf_flowtrack *t, const uint8_t mac[6], int family,
			      const uint8_t *addr, bool gone)
{
	struct device *d;

	if (!t || !mac || !addr)
		return;
	d = device_find(t, mac);
	if (d)
		device_addr(d, family, addr, gone);
}

const char *camfence_flowtrack_addrs(const struct cf_flowtrack *t, const uint8_t mac[6], char *buf,
				     size_t len)
{
	const struct device *d;

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	d = t && mac ? device_find(t, mac) : NULL;
	if (d)
		addrs_format(d, buf, len);
	if (!buf[0])
		snprintf(buf, len, "-");
	return buf;
}

void camfence_flowtrack_stats(const struct cf_flowtrack *t, struct cf_flowtrack_stats *out)
{
	if (out && t)
		*out = (struct cf_flowtrack_stats){ t->ndevices, t->nflows, t->devices_evicted,
						    t->flows_evicted, t->max_devices, t->max_flows };
	else if (out)
		memset(out, 0, sizeof(*out));
}

/* ---- listings ---- */

static int by_dest(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int d;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	d = memcmp(a->daddr, b->daddr, 16);
	if (d)
		return d;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->dport != b->dport)
		return a->dport < b->dport ? -1 : 1;
	return (int)a->verdict - (int)b->verdict;
}

static int by_packets(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	return by_dest(x, y);
}

static int by_mac(const void *a, const void *b)
{
	const struct device *const *x = a, *const *y = b;

	return memcmp((*x)->mac, (*y)->mac, 6);
}

static void row_merge(struct row *into, const struct row *r)
{
	int32_t newer = (int32_t)(r->generation - into->generation);

	into->packets += r->packets;
	into->bytes += r->bytes;
	if (newer > 0 || (!newer && r->last_seen > into->last_seen)) {
		into->rule_id = r->rule_id;
		into->generation = r->generation;
	}
	seen(&into->first_seen, &into->last_seen, r->first_seen, r->last_seen);
}

/* The device's flows as rows, one per destination, by packets descending;
 * blocked counts the rows of blocked destinations. */
static int device_rows(const struct device *d, struct row **out, size_t *n, uint64_t *blocked)
{
	const struct flow *f;
	struct row *rows;
	size_t i, m, j;

	*out = NULL;
	*n = 0;
	*blocked = 0;
	if (!d->nflows)
		return 0;
	rows = calloc(d->nflows, sizeof(*rows));
	if (!rows)
		return -1;
	for (f = d->flows, i = 0; f && i < d->nflows; f = f->dnext, i++) {
		rows[i] = (struct row){ .family = f->key.family, .proto = f->key.proto,
			.verdict = f->verdict, .dport = f->key.dport, .first_seen = f->first_seen,
			.last_seen = f->last_seen, .rule_id = f->rule_id, .generation = f->generation,
			.packets = f->packets, .bytes = f->bytes };
		memcpy(rows[i].daddr, f->key.addrs + (f->key.family == AF_INET ? 4 : 16),
		       f->key.family == AF_INET ? 4 : 16);
	}
	m = i;
	qsort(rows, m, sizeof(*rows), by_dest);
	for (j = 0, i = 0; i < m; i++) {
		if (j && !by_dest(&rows[j - 1], &rows[i]))
			row_merge(&rows[j - 1], &rows[i]);
		else
			rows[j++] = rows[i];
	}
	for (i = 0; i < j; i++)
		*blocked += rows[i].verdict == CAMFENCE_DROP;
	qsort(rows, j, sizeof(*rows), by_packets);
	*out = rows;
	*n = j;
	return 0;
}

typedef int (*device_fn)(const struct device *d, const struct row *rows, size_t n,
			 uint64_t blocked, void *ctx);

/* Calls fn for the device of mac, or for every device by MAC, with its rows. */
static int each_device(const struct cf_flowtrack *t, const uint8_t *mac, device_fn fn, void *ctx)
{
	struct device *d = NULL, **v;
	size_t nd = 0, nr, i;
	uint64_t blocked;
	struct row *rows;
	int ret = 0;

	if (!t || (mac && !(d = device_find(t, mac))))
		return 0;
	v = calloc(mac ? 1 : t->ndevices + 1, sizeof(*v));
	if (!v)
		return -1;
	if (mac)
		v[nd++] = d;
	else
		for (d = t->devices; d; d = d->hh.next)
			v[nd++] = d;
	qsort(v, nd, sizeof(*v), by_mac);
	for (i = 0; i < nd && !ret; i++) {
		ret = device_rows(v[i], &rows, &nr, &blocked);
		if (!ret)
			ret = fn(v[i], rows, nr, blocked, ctx);
		free(rows);
	}
	free(v);
	return ret;
}

static const char *time_str(uint32_t s, char buf[32])
{
	time_t when = s;
	struct tm tm;

	if (!s || !localtime_r(&when, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm))
		return "-";
	return buf;
}

static const char *or_dash(const char *s)
{
	return s[0] ? s : "-";
}

static json_object *j64(uint64_t v)
{
	return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

static json_object *jstr(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;	/* NULL: JSON null */
}

static json_object *device_json(const struct device *d, uint64_t allowed, uint64_t blocked)
{
	json_object *o = json_object_new_object(), *addrs = json_object_new_array();
	char mac[18], a[INET6_ADDRSTRLEN];
	int i;

	if (!o || !addrs) {
		json_object_put(o);
		json_object_put(addrs);
		return NULL;
	}
	for (i = 0; i < d->n4 + d->n6; i++)
		json_object_array_add(addrs, json_object_new_string(addr_str(d, i, a)));
	json_object_object_add(o, "mac", json_object_new_string(camfence_addr_mac_str(d->mac, mac)));
	json_object_object_add(o, "name", jstr(d->name));
	json_object_object_add(o, "group", jstr(d->group));
	json_object_object_add(o, "vendor", jstr(d->vendor));
	json_object_object_add(o, "addresses", addrs);
	json_object_object_add(o, "first_seen", j64(d->first_seen));
	json_object_object_add(o, "last_seen", j64(d->last_seen));
	json_object_object_add(o, "passed_packets", j64(d->pass_pkts));
	json_object_object_add(o, "passed_bytes", j64(d->pass_bytes));
	json_object_object_add(o, "blocked_packets", j64(d->drop_pkts));
	json_object_object_add(o, "blocked_bytes", j64(d->drop_bytes));
	json_object_object_add(o, "destinations_allowed", j64(allowed));
	json_object_object_add(o, "destinations_blocked", j64(blocked));
	return o;
}

static json_object *row_json(const struct device *d, const struct row *r)
{
	json_object *o = json_object_new_object();
	char mac[18], dst[INET6_ADDRSTRLEN], proto[8];

	if (!o)
		return NULL;
	inet_ntop(r->family, r->daddr, dst, sizeof(dst));
	json_object_object_add(o, "mac", json_object_new_string(camfence_addr_mac_str(d->mac, mac)));
	json_object_object_add(o, "group", jstr(d->group));
	json_object_object_add(o, "family", json_object_new_string(r->family == AF_INET ? "ipv4" : "ipv6"));
	json_object_object_add(o, "destination", json_object_new_string(dst));
	json_object_object_add(o, "protocol",
			       json_object_new_string(camfence_policy_proto_name(r->proto, proto)));
	json_object_object_add(o, "port", json_object_new_int(r->dport));
	json_object_object_add(o, "verdict",
			       json_object_new_string(r->verdict == CAMFENCE_DROP ? "blocked" :
						      r->verdict == CAMFENCE_WOULD_DROP ? "would block" :
											   "allowed"));
	json_object_object_add(o, "packets", j64(r->packets));
	json_object_object_add(o, "bytes", j64(r->bytes));
	json_object_object_add(o, "first_seen", j64(r->first_seen));
	json_object_object_add(o, "last_seen", j64(r->last_seen));
	if (r->rule_id != CAMFENCE_RULE_DEFAULT)
		json_object_object_add(o, "rule_id", j64(r->rule_id));
	json_object_object_add(o, "generation", j64(r->generation));
	return o;
}

static int device_add(const struct device *d, const struct row *rows, size_t n, uint64_t blocked,
		      void *arr)
{
	return json_object_array_add(arr, device_json(d, n - blocked, blocked));
}

static int rows_add(const struct device *d, const struct row *rows, size_t n, uint64_t blocked,
		    void *arr)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, row_json(d, &rows[i]));
	return 0;
}

/* Either listing, with the evictions beside it. */
static json_object *listing_json(const struct cf_flowtrack *t, const uint8_t *mac, bool flows)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();

	if (!root || !arr || each_device(t, mac, flows ? rows_add : device_add, arr)) {
		json_object_put(arr);
		json_object_put(root);
		return NULL;
	}
	json_object_object_add(root, flows ? "flows" : "devices", arr);
	json_object_object_add(root, "evicted", j64(!t ? 0 : flows ? t->flows_evicted : t->devices_evicted));
	return root;
}

json_object *camfence_flowtrack_devices_json(const struct cf_flowtrack *t)
{
	return listing_json(t, NULL, false);
}

json_object *camfence_flowtrack_flows_json(const struct cf_flowtrack *t, const uint8_t *mac)
{
	return listing_json(t, mac, true);
}

static int device_print(const struct device *d, const struct row *rows, size_t n, uint64_t blocked,
			void *out)
{
	char mac[18], addrs[256], when[32];

	addrs_format(d, addrs, sizeof(addrs));
	fprintf(out, "%-17s  %-16s  %-12s  %-20s  %-32s  %7llu  %7llu  %10llu  %10llu  %s\n",
		camfence_addr_mac_str(d->mac, mac), or_dash(d->name), or_dash(d->group),
		or_dash(d->vendor), or_dash(addrs), (unsigned long long)(n - blocked),
		(unsigned long long)blocked, (unsigned long long)d->pass_pkts,
		(unsigned long long)d->drop_pkts, time_str(d->last_seen, when));
	return 0;
}

static int rows_print(const struct device *d, const struct row *rows, size_t n, uint64_t blocked,
		      void *out)
{
	char mac[18], dst[INET6_ADDRSTRLEN], proto[8], when[32];
	const struct row *r;

	camfence_addr_mac_str(d->mac, mac);
	for (r = rows; r < rows + n; r++) {
		inet_ntop(r->family, r->daddr, dst, sizeof(dst));
		fprintf(out, "%-17s  %-12s  %-25s  %-6s  %5u  %-7s  %8llu  %10llu  %s\n", mac,
			or_dash(d->group), dst, camfence_policy_proto_name(r->proto, proto), r->dport,
			r->verdict == CAMFENCE_DROP ? "blocked" :
			r->verdict == CAMFENCE_WOULD_DROP ? "would block" : "allowed",
			(unsigned long long)r->packets, (unsigned long long)r->bytes,
			time_str(r->last_seen, when));
	}
	return 0;
}

void camfence_flowtrack_print_devices(const struct cf_flowtrack *t, FILE *out)
{
	fprintf(out, "%-17s  %-16s  %-12s  %-20s  %-32s  %7s  %7s  %10s  %10s  %s\n", "DEVICE", "NAME",
		"GROUP", "VENDOR", "ADDRESSES", "ALLOWED", "BLOCKED", "PACKETS", "DROPPED", "LAST SEEN");
	each_device(t, NULL, device_print, out);
}

void camfence_flowtrack_print_flows(const struct cf_flowtrack *t, const uint8_t *mac, FILE *out)
{
	fprintf(out, "%-17s  %-12s  %-25s  %-6s  %5s  %-7s  %8s  %10s  %s\n", "DEVICE", "GROUP",
		"DESTINATION", "PROTO", "PORT", "VERDICT", "PACKETS", "BYTES", "LAST SEEN");
	each_device(t, mac, rows_print, out);
}

/* ---- the learning state ---- */

int camfence_flowtrack_walk(const struct cf_flowtrack *t,
			    int (*device_fn)(const struct cf_flow_device_record *r, void *ctx),
			    int (*flow_fn)(const struct cf_flow_record *r, void *ctx), void *ctx)
{
	const struct device *d;
	const struct flow *f;
	int ret;

	if (!t)
		return 0;
	for (d = t->devices; d && device_fn; d = d->hh.next) {
		struct cf_flow_device_record r = { .first_seen = d->first_seen,
			.last_seen = d->last_seen, .pass_pkts = d->pass_pkts,
			.pass_bytes = d->pass_bytes, .drop_pkts = d->drop_pkts,
			.drop_bytes = d->drop_bytes, .n4 = d->n4, .n6 = d->n6 };

		memcpy(r.mac, d->mac, 6);
		memcpy(r.name, d->name, sizeof(r.name));
		memcpy(r.group, d->group, sizeof(r.group));
		memcpy(r.vendor, d->vendor, sizeof(r.vendor));
		memcpy(r.v4, d->v4, sizeof(r.v4));
		memcpy(r.v6, d->v6, sizeof(r.v6));
		ret = device_fn(&r, ctx);
		if (ret)
			return ret;
	}
	for (f = t->flows; f && flow_fn; f = f->hh.next) {
		size_t alen = f->key.family == AF_INET ? 4 : 16;
		struct cf_flow_record r = { .vlan = f->key.vlan, .ifindex = f->key.ifindex,
			.family = f->key.family, .proto = f->key.proto, .verdict = f->verdict,
			.dport = f->key.dport, .packets = f->packets, .bytes = f->bytes,
			.first_seen = f->first_seen, .last_seen = f->last_seen,
			.xdp_first = f->xdp_first, .xdp_packets = f->xdp_packets,
			.xdp_bytes = f->xdp_bytes };

		memcpy(r.mac, f->key.mac, 6);
		memcpy(r.saddr, f->key.addrs, alen);
		memcpy(r.daddr, f->key.addrs + alen, alen);
		ret = flow_fn(&r, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

int camfence_flowtrack_restore_device(struct cf_flowtrack *t, const struct cf_flow_device_record *r)
{
	struct device *d;

	if (!t || !r || device_find(t, r->mac) || r->n4 > ADDRS_MAX || r->n6 > ADDRS_MAX) {
		errno = EINVAL;
		return -1;
	}
	d = device_get(t, r->mac);
	if (!d) {
		errno = ENOMEM;
		return -1;
	}
	name_set(d->name, sizeof(d->name), r->name);
	name_set(d->group, sizeof(d->group), r->group);
	name_set(d->vendor, sizeof(d->vendor), r->vendor);
	d->first_seen = r->first_seen;
	d->last_seen = r->last_seen;
	d->pass_pkts = r->pass_pkts;
	d->pass_bytes = r->pass_bytes;
	d->drop_pkts = r->drop_pkts;
	d->drop_bytes = r->drop_bytes;
	d->n4 = r->n4;
	d->n6 = r->n6;
	memcpy(d->v4, r->v4, sizeof(d->v4));
	memcpy(d->v6, r->v6, sizeof(d->v6));
	return 0;
}

int camfence_flowtrack_restore_flow(struct cf_flowtrack *t, const struct cf_flow_record *r)
{
	size_t alen, keylen;
	struct device *d;
	union lookup l;
	struct flow *f;
	uint8_t n4, n6, v4[ADDRS_MAX][4], v6[ADDRS_MAX][16];

	if (!t || !r || (r->family != AF_INET && r->family != AF_INET6)) {
		errno = EINVAL;
		return -1;
	}
	d = device_find(t, r->mac);
	if (!d)
		return 1;
	alen = r->family == AF_INET ? 4 : 16;
	keylen = sizeof(struct fkey) + 2 * alen;
	l.k = (struct fkey){ .ifindex = r->ifindex, .vlan = r->vlan, .family = r->family,
			     .proto = r->proto, .dport = r->dport };
	memcpy(l.k.mac, r->mac, 6);
	memcpy(l.k.addrs, r->saddr, alen);
	memcpy(l.k.addrs + alen, r->daddr, alen);
	HASH_FIND(hh, t->flows, &l, keylen, f);
	if (f) {
		errno = EINVAL;
		return -1;
	}
	/* the device's addresses are as saved, not as its flows' sources */
	n4 = d->n4;
	n6 = d->n6;
	memcpy(v4, d->v4, sizeof(v4));
	memcpy(v6, d->v6, sizeof(v6));
	f = flow_new(t, d, &l, keylen);
	/* flow_new put the source first: the saved list wins */
	d->n4 = n4;
	d->n6 = n6;
	memcpy(d->v4, v4, sizeof(v4));
	memcpy(d->v6, v6, sizeof(v6));
	if (!f) {
		errno = ENOMEM;
		return -1;
	}
	f->packets = r->packets;
	f->bytes = r->bytes;
	f->first_seen = r->first_seen;
	f->last_seen = r->last_seen;
	f->verdict = r->verdict;
	f->rule_id = CAMFENCE_RULE_DEFAULT;
	f->generation = 0;	/* older than any generation of this run */
	f->policy_id = UINT16_MAX;
	f->xdp_first = r->xdp_first;
	f->xdp_packets = r->xdp_packets;
	f->xdp_bytes = r->xdp_bytes;
	return 0;
}
