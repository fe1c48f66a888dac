/* SPDX-License-Identifier: GPL-2.0 */
/* Links coming and going, from rtnetlink (libmnl): the daemon follows its
 * zone interfaces so that one deleted and created again is enforced again. */
#ifndef CAMFENCE_RTNL_H
#define CAMFENCE_RTNL_H

#include <stdbool.h>

struct camfence_rtnl;

struct camfence_link_event {
	const char *ifname;
	int ifindex;
	bool gone;		/* RTM_DELLINK */
};

typedef void (*camfence_link_fn)(const struct camfence_link_event *ev, void *ctx);

/* Subscribes to link notifications; -errno on failure. */
int camfence_rtnl_open(struct camfence_rtnl **out);
int camfence_rtnl_fd(const struct camfence_rtnl *r);
/* Reads what is waiting and calls fn for each link message. */
int camfence_rtnl_read(struct camfence_rtnl *r, camfence_link_fn fn, void *ctx);
void camfence_rtnl_close(struct camfence_rtnl *r);

#endif
