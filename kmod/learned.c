// SPDX-License-Identifier: GPL-2.0
/*
 * Learned destinations: a fixed array of hash chains, allocated with the
 * first record. Readers walk a chain under RCU; a writer (holding the
 * namespace's lock) publishes a new record at a chain's head, replaces a
 * record by a copy holding the new value, or unlinks it, and frees what it
 * took out after a grace period. So a packet sees a record's old value or
 * its new one, never a torn one, and no update copies the table.
 */

#include "learned.h"

#include <linux/errno.h>
#include <linux/jhash.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

/*
 * A power of two: CAMFENCE_MAX_LEARNED records make chains of 4 on average,
 * and the array (128 KiB on 64-bit hosts) is only there for generations
 * that learn.
 */
#define LEARNED_BUCKETS (CAMFENCE_MAX_LEARNED / 4)

struct learned_node {
	struct hlist_node hnode;
	struct rcu_head rcu;
	struct camfence_learned_key key;
	struct camfence_learned val;
};

/* The key has no padding: all of it is hashed and compared. */
static_assert(sizeof(struct camfence_learned_key) % sizeof(u32) == 0);

static struct hlist_head *bucket(const struct camfence_learned_table *t,
				 const struct camfence_learned_key *k)
{
	u32 h = jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), t->seed);

	return &t->buckets[h & (LEARNED_BUCKETS - 1)];
}

static struct learned_node *find_locked(struct hlist_head *head,
					const struct camfence_learned_key *k)
{
	struct learned_node *node;

	hlist_for_each_entry(node, head, hnode)
		if (!memcmp(&node->key, k, sizeof(*k)))
			return node;
	return NULL;
}

int camfence_learned_set(struct camfence_learned_table *t, const struct camfence_learned_key *k,
			 const struct camfence_learned *v)
{
	struct learned_node *old, *node;
	struct hlist_head *head;

	if (!t->buckets) {
		struct hlist_head *buckets;

		/* charged to the sender's memory cgroup, as the policy is */
		buckets = kvcalloc(LEARNED_BUCKETS, sizeof(*buckets), GFP_KERNEL_ACCOUNT);
		if (!buckets)
			return -ENOMEM;
		t->seed = get_random_u32();
		/* the heads are empty: readers find nothing until a record is
		 * published on one of them */
		smp_store_release(&t->buckets, buckets);
	}
	head = bucket(t, k);
	old = find_locked(head, k);
	if (!old && t->count >= CAMFENCE_MAX_LEARNED)
		return -E2BIG;
	node = kmalloc(sizeof(*node), GFP_KERNEL_ACCOUNT);
	if (!node)
		return -ENOMEM;
	node->key = *k;
	node->val = *v;
	if (old) {
		hlist_replace_rcu(&old->hnode, &node->hnode);
		kfree_rcu(old, rcu);
	} else {
		hlist_add_head_rcu(&node->hnode, head);
		t->count++;
	}
	t->changes++;
	return 0;
}

int camfence_learned_del(struct camfence_learned_table *t, const struct camfence_learned_key *k)
{
	struct learned_node *node = t->buckets ? find_locked(bucket(t, k), k) : NULL;

	if (!node)
		return -ENOENT;
	hlist_del_rcu(&node->hnode);
	kfree_rcu(node, rcu);
	t->count--;
	t->changes++;
	return 0;
}

void camfence_learned_uninit(struct camfence_learned_table *t)
{
	struct learned_node *node;
	struct hlist_node *tmp;
	u32 i;

	for (i = 0; t->buckets && i < LEARNED_BUCKETS; i++)
		hlist_for_each_entry_safe(node, tmp, &t->buckets[i], hnode)
			kfree(node);
	kvfree(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

const struct camfence_learned *camfence_learned_find(const struct camfence_learned_table *t,
						     const struct camfence_learned_key *k)
{
	struct hlist_head *buckets = smp_load_acquire(&t->buckets);
	struct learned_node *node;
	u32 h;

	if (!buckets)
		return NULL;
	h = jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), t->seed);
	hlist_for_each_entry_rcu(node, &buckets[h & (LEARNED_BUCKETS - 1)], hnode)
		if (!memcmp(&node->key, k, sizeof(*k)))
			return &node->val;
	return NULL;
}

bool camfence_learned_at(const struct camfence_learned_table *t, struct camfence_learned_pos *pos,
			 const struct camfence_learned_key **k, const struct camfence_learned **v)
{
	struct learned_node *node;

	for (; t->buckets && pos->bucket < LEARNED_BUCKETS; pos->bucket++, pos->index = 0) {
		u32 i = 0;

		hlist_for_each_entry(node, &t->buckets[pos->bucket], hnode) {
			if (i++ == pos->index) {
				*k = &node->key;
				*v = &node->val;
				return true;
			}
		}
	}
	return false;
}
