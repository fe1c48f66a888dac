// SPDX-License-Identifier: GPL-2.0
/*
 * Sorted tables of fixed-size records: the lookup structures of a policy.
 *
 * A record is a __u32 sequence number (the order records were added in),
 * the key, then the value. The sequence number breaks ties when sorting,
 * so of two records with equal keys the one added last is kept, as a BPF
 * map update would keep it.
 */

#include "tables.h"

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

struct camfence_table_len {
	u32 prefixlen;
	u32 start, count;
};

#define MIN_CAP 64

void camfence_table_init(struct camfence_tbl *t, u16 ksize, u16 vsize, u32 max, bool lpm)
{
	memset(t, 0, sizeof(*t));
	t->ksize = ksize;
	t->vsize = vsize;
	t->stride = sizeof(u32) + ksize + vsize;
	t->max = max;
	t->lpm = lpm;
}

void camfence_table_uninit(struct camfence_tbl *t)
{
	kvfree(t->recs);
	kfree(t->lens);
	t->recs = NULL;
	t->lens = NULL;
	t->n = t->cap = t->nlens = 0;
}

int camfence_table_reserve(struct camfence_tbl *t, u32 more)
{
	u32 need, cap;
	u8 *recs;

	if (more > t->max - t->n)
		return -E2BIG;
	need = t->n + more;
	if (need <= t->cap)
		return 0;
	cap = max_t(u32, t->cap, MIN_CAP);
	while (cap < need)
		cap = cap > t->max / 2 ? t->max : cap * 2;
	cap = min(cap, t->max);

	/* charged to the sender's memory cgroup: a namespace's admin stages it */
	recs = kvmalloc_array(cap, t->stride, GFP_KERNEL_ACCOUNT);
	if (!recs)
		return -ENOMEM;
	if (t->n)
		memcpy(recs, t->recs, (size_t)t->n * t->stride);
	kvfree(t->recs);
	t->recs = recs;
	t->cap = cap;
	return 0;
}

/* Clear the bits of data past the first bits, as an LPM trie ignores them. */
static void mask_bits(u8 *data, u32 len, u32 bits)
{
	u32 i;

	for (i = 0; i < len; i++) {
		if (bits >= 8 * (i + 1))
			continue;
		if (bits > 8 * i)
			data[i] &= 0xff << (8 - (bits - 8 * i));
		else
			data[i] = 0;
	}
}

static u32 prefixlen(const u8 *key)
{
	u32 len;

	memcpy(&len, key, sizeof(len));
	return len;
}

void camfence_table_append(struct camfence_tbl *t, const void *key, const void *value)
{
	u8 *rec = t->recs + (size_t)t->n * t->stride;
	u8 *k = rec + sizeof(u32);

	memcpy(rec, &t->n, sizeof(u32));
	memcpy(k, key, t->ksize);
	memcpy(k + t->ksize, value, t->vsize);
	if (t->lpm)
		mask_bits(k + sizeof(u32), t->ksize - sizeof(u32), prefixlen(k));
	t->n++;
}

/*
 * sort() takes no context, so there is one comparison per key layout; the
 * layouts are those of include/camfence.h. Longest prefix first, then key
 * bytes, then the order of addition.
 */
static __always_inline int compare(const void *a, const void *b, size_t ksize, bool lpm)
{
	const u8 *x = a, *y = b;
	u32 sx, sy;
	int d;

	if (lpm) {
		u32 px = prefixlen(x + sizeof(u32)), py = prefixlen(y + sizeof(u32));

		if (px != py)
			return px > py ? -1 : 1;
	}
	d = memcmp(x + sizeof(u32), y + sizeof(u32), ksize);
	if (d)
		return d;
	memcpy(&sx, x, sizeof(sx));
	memcpy(&sy, y, sizeof(sy));
	return sx < sy ? -1 : sx > sy;
}

#define COMPARE(name, ksize, lpm)					\
static int name(const void *a, const void *b)				\
{									\
	return compare(a, b, ksize, lpm);				\
}
COMPARE(exact4, 4, false)
COMPARE(exact8, 8, false)
COMPARE(exact12, 12, false)
COMPARE(lpm12, 12, true)
COMPARE(lpm16, 16, true)
COMPARE(lpm24, 24, true)

/* what sort() takes */
typedef int (*compare_fn)(const void *a, const void *b);

static compare_fn comparison(const struct camfence_tbl *t)
{
	switch (t->ksize) {
	case 4:
		return t->lpm ? NULL : exact4;
	case 8:
		return t->lpm ? NULL : exact8;
	case 12:
		return t->lpm ? lpm12 : exact12;
	case 16:
		return t->lpm ? lpm16 : NULL;
	case 24:
		return t->lpm ? lpm24 : NULL;
	}
	return NULL;
}

static int group_lengths(struct camfence_tbl *t)
{
	u32 i, n = 0, last = U32_MAX;

	for (i = 0; i < t->n; i++) {
		u32 len = prefixlen(camfence_table_key(t, i));

		if (len != last)
			n++;
		last = len;
	}
	t->lens = kcalloc(n, sizeof(*t->lens), GFP_KERNEL_ACCOUNT);
	if (n && !t->lens)
		return -ENOMEM;
	t->nlens = 0;
	for (i = 0, last = U32_MAX; i < t->n; i++) {
		u32 len = prefixlen(camfence_table_key(t, i));

		if (len != last) {
			t->lens[t->nlens].prefixlen = len;
			t->lens[t->nlens].start = i;
			t->nlens++;
		}
		t->lens[t->nlens - 1].count++;
		last = len;
	}
	return 0;
}

int camfence_table_build(struct camfence_tbl *t)
{
	compare_fn cmp = comparison(t);
	u32 i, out = 0;

	if (WARN_ON_ONCE(!cmp))
		return -EINVAL;
	sort(t->recs, t->n, t->stride, cmp, NULL);

	/* of a run of equal keys, the last one sorted is the last one added */
	for (i = 0; i < t->n; i++) {
		if (i + 1 < t->n &&
		    !memcmp(camfence_table_key(t, i), camfence_table_key(t, i + 1), t->ksize))
			continue;
		if (out != i)
			memcpy(t->recs + (size_t)out * t->stride,
			       t->recs + (size_t)i * t->stride, t->stride);
		out++;
	}
	t->n = out;
	return t->lpm ? group_lengths(t) : 0;
}

/* Binary search of records [lo, hi) for key, compared over ksize bytes. */
static const void *search(const struct camfence_tbl *t, u32 lo, u32 hi, const void *key)
{
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		int d = memcmp(key, camfence_table_key(t, mid), t->ksize);

		if (!d)
			return camfence_table_value(t, mid);
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const void *camfence_table_find(const struct camfence_tbl *t, const void *key)
{
	u8 k[CAMFENCE_TABLE_KEY_MAX];
	const void *v;
	u16 i;

	if (!t->lpm)
		return search(t, 0, t->n, key);

	/* lengths go down: masking the same copy further each time is enough */
	memcpy(k, key, t->ksize);
	for (i = 0; i < t->nlens; i++) {
		const struct camfence_table_len *l = &t->lens[i];

		memcpy(k, &l->prefixlen, sizeof(u32));
		mask_bits(k + sizeof(u32), t->ksize - sizeof(u32), l->prefixlen);
		v = search(t, l->start, l->start + l->count, k);
		if (v)
			return v;
	}
	return NULL;
}
