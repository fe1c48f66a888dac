/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What DNS told each device: for every (device, destination address) the
 * names the device was told that address has, each until its TTL plus a
 * grace runs out. camfenced fills it from the responses the DNS snooper
 * copies and turns each entry into the learned map's value for the policy
 * of the day (camfenced_learned.c); here is only the bookkeeping, with
 * times given by the caller (monotonic seconds), so it is tested alone.
 *
 * A device is kept as the snooper saw it (interface, VLAN, MAC, address),
 * not by device id: ids change with every policy, the device does not.
 */
#ifndef CAMFENCE_LEARNED_H
#define CAMFENCE_LEARNED_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define CF_LEARNED_NAMES	8	/* names one destination is kept under */

/* A device as a response to it was seen. */
struct cf_learned_device {
	int ifindex;
	uint16_t vlan;
	uint8_t mac[6];
	int family;
	uint8_t addr[16];
};

struct cf_learned_name {
	char *name;
	uint32_t ttl;			/* as answered */
	uint64_t expires;
};

struct cf_learned_dest {
	struct cf_learned_device dev;
	struct cf_prefix dst;		/* a host: /32 or /128 */
	struct cf_learned_name names[CF_LEARNED_NAMES];
	size_t nnames;
};

struct cf_learned;

/* At most max destinations in all (the learned map's size). */
struct cf_learned *camfence_learned_new(size_t max, unsigned int grace);
void camfence_learned_free(struct cf_learned *l);

/* dev was told that dst is name, for ttl seconds. Returns the entry, its
 * name added or its expiry extended (*added: the name is new to it), or
 * NULL when the store is full (counted). */
struct cf_learned_dest *camfence_learned_add(struct cf_learned *l,
					     const struct cf_learned_device *dev,
					     const struct cf_prefix *dst, const char *name,
					     uint32_t ttl, uint64_t now, int *added);
/* Drops names past their expiry; fn sees each entry that lost one, before
 * it is freed when it has none left (d->nnames == 0). Returns how many
 * entries changed. */
size_t camfence_learned_expire(struct cf_learned *l, uint64_t now,
			       void (*fn)(const struct cf_learned_dest *d, void *ctx), void *ctx);
void camfence_learned_foreach(struct cf_learned *l,
			      void (*fn)(const struct cf_learned_dest *d, void *ctx), void *ctx);
/* The entry's names, for camfence_policy_learned_value(). */
size_t camfence_learned_names(const struct cf_learned_dest *d, const char **out, size_t max);
size_t camfence_learned_count(const struct cf_learned *l);
uint64_t camfence_learned_refused(const struct cf_learned *l);	/* store full */

#endif
