// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Open-addressing counter table keyed by flow or MAC. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowtab.h"

_Static_assert(sizeof(struct camgen_flow_key) == 20, "flow key has no padding");

#define INITIAL_SIZE 256

static size_t hash(const struct camgen_flow_key *key)
{
	const uint8_t *p = (const uint8_t *)key;
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*key); i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

static struct camgen_flow *lookup(struct camgen_flow *slots, size_t size,
				  const struct camgen_flow_key *key)
{
	size_t i = hash(key) & (size - 1);

	while (slots[i].count && memcmp(&slots[i].key, key, sizeof(*key)))
		i = (i + 1) & (size - 1);
	return &slots[i];
}

static int grow(struct camgen_flowtab *t)
{
	size_t size = t->size * 2, i;
	struct camgen_flow *slots;

	slots = calloc(size, sizeof(*slots));
	if (!slots)
		return -1;
	for (i = 0; i < t->size; i++) {
		if (t->slots[i].count)
			*lookup(slots, size, &t->slots[i].key) = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->size = size;
	return 0;
}

int camgen_flowtab_init(struct camgen_flowtab *t)
{
	t->slots = calloc(INITIAL_SIZE, sizeof(*t->slots));
	if (!t->slots)
		return -1;
	t->size = INITIAL_SIZE;
	t->used = 0;
	return 0;
}

void camgen_flowtab_uninit(struct camgen_flowtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->size = t->used = 0;
}

int camgen_flowtab_add(struct camgen_flowtab *t, const struct camgen_flow_key *key)
{
	struct camgen_flow *f;

	if (t->used * 2 >= t->size && grow(t)) {
		errno = ENOMEM;
		return -1;
	}
	f = lookup(t->slots, t->size, key);
	if (!f->count) {
		f->key = *key;
		f->seq = t->used++;
	}
	f->count++;
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct camgen_flow *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct camgen_flow *camgen_flowtab_sorted(const struct camgen_flowtab *t, size_t *n)
{
	struct camgen_flow *out;
	size_t i, k = 0;

	out = malloc((t->used ? t->used : 1) * sizeof(*out));
	if (!out)
		return NULL;
	for (i = 0; i < t->size; i++) {
		if (t->slots[i].count)
			out[k++] = t->slots[i];
	}
	qsort(out, k, sizeof(*out), by_count);
	*n = k;
	return out;
}
