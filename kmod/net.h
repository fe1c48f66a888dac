/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_NET_H
#define _CAMFENCE_NET_H

#include "counters.h"
#include "events.h"

#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

struct camfence_gen;

/*
 * What camfence keeps per network namespace. Packets read live under RCU
 * and count without locks; everything else happens under lock, in process
 * context (netlink requests and dumps).
 */
struct camfence_net {
	struct mutex lock;
	struct camfence_gen __rcu *live;	/* NULL: no policy, accept all */
	struct camfence_gen *staged;		/* between POLICY_BEGIN and COMMIT */
	bool tracking;				/* conntrack enabled for us */
	struct camfence_events events;
	struct camfence_net_counters counters;
};

extern unsigned int camfence_net_id;

static inline struct camfence_net *camfence_net(const struct net *net)
{
	return net_generic(net, camfence_net_id);
}

static inline struct camfence_gen *camfence_net_live(struct camfence_net *pn)
{
	return rcu_dereference_protected(pn->live, lockdep_is_held(&pn->lock));
}

int camfence_net_init(void);
void camfence_net_uninit(void);

#endif /* _CAMFENCE_NET_H */
