/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_EVENTS_H
#define _CAMFENCE_EVENTS_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct net;
struct camfence_net;
struct camfence_gen;
struct camfence_packet;
struct camfence_result;

/* Token bucket of a namespace's events: CAMFENCE_GENL_EVENT_RATE a second. */
struct camfence_events {
	spinlock_t lock;
	u64 stamp_ns;
	u32 tokens;
};

void camfence_events_init(struct camfence_events *ev);

/*
 * A packet dropped in net: send its event to the multicast group "events"
 * if anyone listens. What the rate limit, an allocation or a full socket
 * loses is counted in CAMFENCE_STAT_EVENTS_LOST. Atomic context.
 */
void camfence_events_report(struct net *net, struct camfence_net *pn,
			    const struct camfence_gen *gen, u32 ifindex,
			    const struct camfence_packet *p, const struct camfence_result *r);

#endif /* _CAMFENCE_EVENTS_H */
