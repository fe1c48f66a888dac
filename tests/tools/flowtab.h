/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A counting hash table for pcap-info and sink: (family, protocol, port,
 * address) -> packets. A MAC address is counted with family AF_PACKET and
 * the MAC in the first six bytes of addr.
 */
#ifndef CAMGEN_FLOWTAB_H
#define CAMGEN_FLOWTAB_H

#include <stddef.h>
#include <stdint.h>

struct camgen_flow_key {
	uint8_t family;
	uint8_t proto;
	uint16_t port;		/* host order */
	uint8_t addr[16];
};

struct camgen_flow {
	struct camgen_flow_key key;
	uint64_t count;
	uint64_t seq;		/* insertion order: breaks ties */
};

struct camgen_flowtab {
	struct camgen_flow *slots;	/* count == 0: empty */
	size_t size;			/* power of two */
	size_t used;
};

int camgen_flowtab_init(struct camgen_flowtab *t);
void camgen_flowtab_uninit(struct camgen_flowtab *t);
/* Adds one packet; -1 with errno ENOMEM if the table cannot grow. */
int camgen_flowtab_add(struct camgen_flowtab *t, const struct camgen_flow_key *key);
/*
 * A new array of the used entries, most packets first, ties in insertion
 * order; *n gets its length. The caller frees it. NULL if out of memory.
 */
struct camgen_flow *camgen_flowtab_sorted(const struct camgen_flowtab *t, size_t *n);

#endif
