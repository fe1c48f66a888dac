/* SPDX-License-Identifier: GPL-2.0 */
/* Links and neighbours from rtnetlink (libmnl): the daemon follows its zone
 * interfaces, so that one that appears later, goes down and up or is renamed
 * is enforced again, and the neighbour tables, so that an alert names both
 * the MAC and the address it holds. */
#ifndef CAMFENCE_RTNL_H
#define CAMFENCE_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct camfence_rtnl;

struct camfence_link_event {
	const char *ifname;	/* the name now: a rename keeps the ifindex */
	int ifindex;
	bool gone;		/* RTM_DELLINK */
	bool up;		/* IFF_UP */
};

typedef void (*camfence_link_fn)(const struct camfence_link_event *ev, void *ctx);

struct camfence_neigh_event {
	int ifindex;
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* 4 bytes for AF_INET */
	uint8_t mac[6];		/* zero when gone and not told */
	bool gone;		/* RTM_DELNEIGH, or a state that no longer holds the address
				 * (NUD_FAILED, NUD_INCOMPLETE, NUD_NONE) */
};

typedef void (*camfence_neigh_fn)(const struct camfence_neigh_event *ev, void *ctx);

/* Subscribes to link notifications; -errno on failure. */
int camfence_rtnl_open(struct camfence_rtnl **out);
int camfence_rtnl_fd(const struct camfence_rtnl *r);
/* Neighbour notifications go to fn from camfence_rtnl_read on: subscribes
 * to RTNLGRP_NEIGH and asks for a dump of the current tables, answered
 * through the same reads. Only IPv4 and IPv6 neighbours with an Ethernet
 * address are told, and only unicast ones. -errno on failure. */
int camfence_rtnl_follow_neighbours(struct camfence_rtnl *r, camfence_neigh_fn fn, void *ctx);
/* Asks for a dump of all links, answered as link events through
 * camfence_rtnl_read: to catch up after lost notifications (-ENOBUFS). Dumps
 * asked while one runs wait their turn. -errno on failure. */
int camfence_rtnl_request_links(struct camfence_rtnl *r);
/* Reads what is waiting and calls fn for each link message, the neighbour
 * function for each neighbour message. 0 once nothing is left; -ENOBUFS
 * (errno too) when notifications were lost: the neighbours followed are
 * dumped again by themselves, links when camfence_rtnl_request_links asks. */
int camfence_rtnl_read(struct camfence_rtnl *r, camfence_link_fn fn, void *ctx);
/* Parses one buffer of netlink messages as if received (for tests with
 * crafted messages); malformed messages and attributes are skipped. */
int camfence_rtnl_parse(struct camfence_rtnl *r, const void *buf, size_t len, camfence_link_fn fn,
			void *ctx);
void camfence_rtnl_close(struct camfence_rtnl *r);

#endif
