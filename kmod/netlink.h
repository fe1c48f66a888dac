/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_NETLINK_H
#define _CAMFENCE_NETLINK_H

#include <linux/types.h>

struct net;
struct camfence_event;

int camfence_netlink_init(void);
void camfence_netlink_uninit(void);

/* For the hooks, in atomic context: whether the group "events" has a
 * listener in net, and sending it one event (0, -ESRCH when nobody
 * listens, or another -errno: the event is lost). */
bool camfence_netlink_listening(struct net *net);
int camfence_netlink_event(struct net *net, const struct camfence_event *ev);

#endif /* _CAMFENCE_NETLINK_H */
