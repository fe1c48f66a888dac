// SPDX-License-Identifier: GPL-2.0
/* What DNS told each device, with expiries: see learned.h. */
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "learned.h"

struct entry {
	struct cf_learned_dest d;	/* first: its dev and dst are the hash key */
	UT_hash_handle hh;
};

/* The key: the device and the destination, which lie together at the
 * start of struct cf_learned_dest with nothing between them but padding,
 * zeroed on every entry. */
#define KEY_LEN offsetof(struct cf_learned_dest, names)

struct cf_learned {
	struct entry *entries;
	size_t max;
	unsigned int grace;
	uint64_t refused;
};

struct cf_learned *camfence_learned_new(size_t max, unsigned int grace)
{
	struct cf_learned *l = calloc(1, sizeof(*l));

	if (l) {
		l->max = max;
		l->grace = grace;
	}
	return l;
}

static void entry_free(struct cf_learned *l, struct entry *e)
{
	size_t i;

	HASH_DEL(l->entries, e);
	for (i = 0; i < e->d.nnames; i++)
		free(e->d.names[i].name);
	free(e);
}

void camfence_learned_free(struct cf_learned *l)
{
	struct entry *e, *tmp;

	if (!l)
		return;
	HASH_ITER(hh, l->entries, e, tmp)
		entry_free(l, e);
	free(l);
}

struct cf_learned_dest *camfence_learned_add(struct cf_learned *l,
					     const struct cf_learned_device *dev,
					     const struct cf_prefix *dst, const char *name,
					     uint32_t ttl, uint64_t now, int *added)
{
	struct cf_learned_dest key;
	struct entry *e;
	uint64_t expires = now + ttl + l->grace;
	size_t i, last = 0;

	*added = 0;
	memset(&key, 0, sizeof(key));
	key.dev.ifindex = dev->ifindex;
	key.dev.vlan = dev->vlan;
	memcpy(key.dev.mac, dev->mac, 6);
	key.dev.family = dev->family;
	memcpy(key.dev.addr, dev->addr, 16);
	key.dst.family = dst->family;
	memcpy(key.dst.addr, dst->addr, 16);
	key.dst.len = dst->len;
	HASH_FIND(hh, l->entries, &key, KEY_LEN, e);
	if (!e) {
		if (HASH_COUNT(l->entries) >= l->max) {
			l->refused++;
			return NULL;
		}
		e = calloc(1, sizeof(*e));
		if (!e) {
			l->refused++;
			return NULL;
		}
		memcpy(&e->d, &key, KEY_LEN);
		HASH_ADD(hh, l->entries, d, KEY_LEN, e);
	}
	for (i = 0; i < e->d.nnames; i++) {
		if (!strcmp(e->d.names[i].name, name)) {
			if (expires > e->d.names[i].expires)
				e->d.names[i].expires = expires;
			e->d.names[i].ttl = ttl;
			return &e->d;
		}
		if (e->d.names[i].expires < e->d.names[last].expires)
			last = i;
	}
	if (e->d.nnames == CF_LEARNED_NAMES) {
		/* the name that goes first makes room */
		free(e->d.names[last].name);
		e->d.names[last] = e->d.names[--e->d.nnames];
	}
	e->d.names[e->d.nnames].name = strdup(name);
	if (!e->d.names[e->d.nnames].name)
		return &e->d;
	e->d.names[e->d.nnames].ttl = ttl;
	e->d.names[e->d.nnames].expires = expires;
	e->d.nnames++;
	*added = 1;
	return &e->d;
}

size_t camfence_learned_expire(struct cf_learned *l, uint64_t now,
			       void (*fn)(const struct cf_learned_dest *d, void *ctx), void *ctx)
{
	struct entry *e, *tmp;
	size_t changed = 0, i;

	HASH_ITER(hh, l->entries, e, tmp) {
		int lost = 0;

		for (i = 0; i < e->d.nnames;) {
			if (e->d.names[i].expires <= now) {
				free(e->d.names[i].name);
				e->d.names[i] = e->d.names[--e->d.nnames];
				lost = 1;
			} else {
				i++;
			}
		}
		if (!lost)
			continue;
		changed++;
		if (fn)
			fn(&e->d, ctx);
		if (!e->d.nnames)
			entry_free(l, e);
	}
	return changed;
}

void camfence_learned_foreach(struct cf_learned *l,
			      void (*fn)(const struct cf_learned_dest *d, void *ctx), void *ctx)
{
	struct entry *e, *tmp;

	HASH_ITER(hh, l->entries, e, tmp)
		fn(&e->d, ctx);
}

size_t camfence_learned_names(const struct cf_learned_dest *d, const char **out, size_t max)
{
	size_t i;

	for (i = 0; i < d->nnames && i < max; i++)
		out[i] = d->names[i].name;
	return i;
}

size_t camfence_learned_count(const struct cf_learned *l)
{
	return HASH_COUNT(l->entries);
}

uint64_t camfence_learned_refused(const struct cf_learned *l)
{
	return l->refused;
}
