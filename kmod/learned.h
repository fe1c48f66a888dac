/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_LEARNED_H
#define _CAMFENCE_LEARNED_H

#include "camfence.h"

#include <linux/types.h>

struct hlist_head;

/*
 * The destinations one generation's devices have learned from DNS answers
 * (include/camfence.h, struct camfence_learned_key -> camfence_learned).
 * Unlike the policy's other tables they change while the generation is
 * live, one record at a time: a hash table of chains under RCU, so packets
 * look up without locks and a change costs one allocation. Changes are
 * serialised by the namespace's lock.
 */
struct camfence_learned_table {
	struct hlist_head *buckets;	/* NULL until the first record */
	u32 seed;
	u32 count;
	u32 changes;			/* each set or del: a dump notices */
};

/* Cursor of a dump: the bucket, and the record within its chain. */
struct camfence_learned_pos {
	u32 bucket, index;
};

/* Add or replace: -E2BIG when CAMFENCE_MAX_LEARNED are there, -ENOMEM. */
int camfence_learned_set(struct camfence_learned_table *t, const struct camfence_learned_key *k,
			 const struct camfence_learned *v);
/* -ENOENT when the key has no record. */
int camfence_learned_del(struct camfence_learned_table *t, const struct camfence_learned_key *k);
/* Frees every record now: no reader can see the table any more. */
void camfence_learned_uninit(struct camfence_learned_table *t);

/* Packets, under RCU: the value of k, or NULL. */
const struct camfence_learned *camfence_learned_find(const struct camfence_learned_table *t,
						     const struct camfence_learned_key *k);

/* Dumps, under the lock: the record at pos or the first after it (pos is
 * moved there), false past the last. */
bool camfence_learned_at(const struct camfence_learned_table *t, struct camfence_learned_pos *pos,
			 const struct camfence_learned_key **k, const struct camfence_learned **v);

#endif /* _CAMFENCE_LEARNED_H */
