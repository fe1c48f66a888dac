/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_TABLES_H
#define _CAMFENCE_TABLES_H

#include <linux/types.h>

/* The largest key and value of any policy table (include/camfence.h). */
#define CAMFENCE_TABLE_KEY_MAX	32
#define CAMFENCE_TABLE_VALUE_MAX 20

struct camfence_table_len;

/*
 * Records of one size, a key then a value, appended in any order and built
 * once into a sorted array. Exact tables are searched by key. LPM tables
 * have keys laid out as the XDP program's LPM tries: a __u32 prefix length
 * counting the bits of the data that follows; they are grouped by prefix
 * length, longest first, and a lookup masks the key to each length in turn
 * and searches that group. Its cost depends on the number of lengths
 * present (at most the key's bits), never on the number of records.
 */
struct camfence_tbl {
	u8 *recs;
	u32 n, cap, max;
	u16 ksize, vsize, stride;
	bool lpm;
	u16 nlens;
	struct camfence_table_len *lens;
};

void camfence_table_init(struct camfence_tbl *t, u16 ksize, u16 vsize, u32 max, bool lpm);
void camfence_table_uninit(struct camfence_tbl *t);
/* Room for more records: -E2BIG past the table's max, or -ENOMEM. */
int camfence_table_reserve(struct camfence_tbl *t, u32 more);
/* After a reserve: cannot fail. LPM keys are masked to their length. */
void camfence_table_append(struct camfence_tbl *t, const void *key, const void *value);
/* Sort, keep the last record added of equal keys, group by length. */
int camfence_table_build(struct camfence_tbl *t);

/* On a built table: the value of key, or NULL. LPM: the longest match,
 * key's prefix length ignored. */
const void *camfence_table_find(const struct camfence_tbl *t, const void *key);

static inline const void *camfence_table_key(const struct camfence_tbl *t, u32 i)
{
	return t->recs + (size_t)i * t->stride + sizeof(u32);
}

static inline const void *camfence_table_value(const struct camfence_tbl *t, u32 i)
{
	return t->recs + (size_t)i * t->stride + sizeof(u32) + t->ksize;
}

#endif /* _CAMFENCE_TABLES_H */
