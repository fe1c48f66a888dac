// SPDX-License-Identifier: GPL-2.0
/*
 * Events: a packet dropped by a rule or default that logs, when it opens a
 * connection (or conntrack does not follow it), goes to the multicast group
 * "events" as the XDP program's ring buffer record, struct camfence_event.
 *
 * A token bucket per namespace bounds them to CAMFENCE_GENL_EVENT_RATE a
 * second, with a burst of as many, so a camera that floods new connections
 * cannot flood the listener. Nothing is built when nobody listens.
 */

#include "events.h"
#include "counters.h"
#include "net.h"
#include "netlink.h"
#include "policy.h"

#include "camfence_genl.h"

#include <linux/ktime.h>
#include <linux/kernel.h>
#include <linux/string.h>

#define BURST		CAMFENCE_GENL_EVENT_RATE
#define NS_PER_TOKEN	(NSEC_PER_SEC / CAMFENCE_GENL_EVENT_RATE)

void camfence_events_init(struct camfence_events *ev)
{
	spin_lock_init(&ev->lock);
	ev->tokens = BURST;
	ev->stamp_ns = ktime_get_ns();
}

static bool take_token(struct camfence_events *ev)
{
	u64 now = ktime_get_ns(), elapsed;
	bool ok;

	spin_lock_bh(&ev->lock);
	elapsed = now > ev->stamp_ns ? now - ev->stamp_ns : 0;
	if (elapsed >= NSEC_PER_SEC) {
		ev->tokens = BURST;
		ev->stamp_ns = now;
	} else if (elapsed >= NS_PER_TOKEN) {
		/* below a second: 32 bits hold it, no 64-bit division */
		u32 add = (u32)elapsed / NS_PER_TOKEN;

		ev->tokens = min_t(u32, ev->tokens + add, BURST);
		ev->stamp_ns += (u64)add * NS_PER_TOKEN;
	}
	ok = ev->tokens > 0;
	if (ok)
		ev->tokens--;
	spin_unlock_bh(&ev->lock);
	return ok;
}

void camfence_events_report(struct net *net, struct camfence_net *pn,
			    const struct camfence_gen *gen, u32 ifindex,
			    const struct camfence_packet *p, const struct camfence_result *r)
{
	struct camfence_event ev;
	int err;

	/* no listener: nothing is lost */
	if (!camfence_netlink_listening(net))
		return;
	if (!take_token(&pn->events)) {
		camfence_counters_stat(&pn->counters, CAMFENCE_STAT_EVENTS_LOST, 1);
		return;
	}

	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ktime_get_ns();
	ev.generation = gen->generation;
	ev.ifindex = ifindex;
	ev.device_id = r->device_id;
	ev.policy_id = r->policy_id;
	ev.rule_id = r->rule_id;
	memcpy(ev.mac, p->mac, ETH_ALEN);
	ev.vlan = p->vlan;
	ev.family = p->family;
	ev.proto = p->proto;
	ev.verdict = r->verdict;
	ev.reason = r->reason;
	ev.sport = p->sport;
	ev.dport = p->dport;
	memcpy(ev.saddr, p->saddr, sizeof(ev.saddr));
	memcpy(ev.daddr, p->daddr, sizeof(ev.daddr));

	err = camfence_netlink_event(net, &ev);
	if (!err)
		camfence_counters_stat(&pn->counters, CAMFENCE_STAT_EVENTS, 1);
	else if (err != -ESRCH)	/* -ESRCH: the last listener just left */
		camfence_counters_stat(&pn->counters, CAMFENCE_STAT_EVENTS_LOST, 1);
}
