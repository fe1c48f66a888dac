/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `camfencectl propose`: a policy in camfence's own language from what the
 * flow view holds of some devices. Text only, from records the caller
 * gathers (camfenced_propose.c), so that what it proposes is tested alone.
 *
 * What it proposes, and why (docs/monitor.md):
 * - DNS and NTP to the router, always: a camera's clock and its names come
 *   from there, and `to name` rules learn only from a resolver the device
 *   may ask;
 * - each destination on the local network (inside the zone interfaces'
 *   subnets, or link-local, multicast or broadcast) that was reached, host
 *   by host with its protocol and ports: never a prefix, never `to local`,
 *   never `to any`, nothing wider than what was seen;
 * - every other destination as a rule commented out, with its counts, when
 *   it was first and last seen, what it got and the name it is known by, so
 *   that the admin decides; local ones the policy in force blocked likewise;
 * - `default deny`.
 * The text is a whole file: the running policy's zones, one group of the
 * devices it was made from, and the policy, so `camfencectl check` takes it
 * as it is.
 */
#ifndef CAMFENCE_PROPOSE_H
#define CAMFENCE_PROPOSE_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "addr.h"

struct cf_propose_flow {
	uint8_t family, proto, verdict;	/* verdict: enum camfence_verdict */
	uint16_t dport;
	uint8_t daddr[16];
	uint64_t packets, bytes;
	uint32_t first_seen, last_seen;
	const char *name;		/* the name the destination is known by, or NULL */
	const char *name_from;		/* where that name comes from ("DNS told the device") */
};

struct cf_propose_device {
	uint8_t mac[6];
	const char *name;		/* in the policy, or NULL */
};

struct cf_propose_zone {
	const char *name;
	const char *interfaces;		/* "lan0 lan1" */
	const char *vlans;		/* "10 20", or NULL */
};

struct cf_propose {
	const char *subject;		/* "group cams", "device cam1": for the header */
	const char *group;		/* the group block's name */
	const char *policy;		/* the policy block's name */
	time_t since;			/* flows last seen before it are left out; 0: none */
	const struct cf_propose_device *devices;
	size_t ndevices;
	const struct cf_propose_zone *zones;
	size_t nzones;
	const struct cf_prefix *local, *router;	/* the zone interfaces' subnets, addresses */
	size_t nlocal, nrouter;
	const struct cf_propose_flow *flows;	/* of those devices, any order */
	size_t nflows;
};

/* Write the proposal. 0, or -1 with errno ENOMEM or EINVAL (no zone,
 * device, group or policy name). */
int camfence_propose_write(const struct cf_propose *p, FILE *out);

#endif
