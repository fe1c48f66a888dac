/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's per-device view of flows: the XDP flow table (walked every
 * second, cumulative counts per entry) and blocked-flow events merged into
 * one record per device and one per flow key. The XDP table is an LRU that
 * forgets; this view is the longer memory, bounded by its own maximums with
 * least-recently-touched eviction, counted.
 *
 * Wall-clock times are seconds since the epoch; counts are since the flow
 * (or device) entered the view.
 */
#ifndef CAMFENCE_FLOWTRACK_H
#define CAMFENCE_FLOWTRACK_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "camfence.h"

struct cf_flowtrack;

/* Labels the daemon resolved from the policy of the entry's generation and
 * the OUI registry; any may be NULL. Copied (truncated to 31/31/47 bytes, on
 * a UTF-8 character boundary) into the device record; a later non-NULL value
 * replaces an earlier one. */
struct cf_flow_names {
	const char *device;	/* the device's name in the policy, if it is a named device */
	const char *group;
	const char *vendor;
};

struct cf_flowtrack_stats {
	uint64_t devices, flows;			/* held now */
	uint64_t devices_evicted, flows_evicted;	/* dropped to stay within the maximum, since start */
	uint64_t max_devices, max_flows;
};

/* NULL with errno EINVAL when either maximum is 0. Nothing is allocated
 * ahead: a maximum is a bound, not a reservation. */
struct cf_flowtrack *camfence_flowtrack_new(size_t max_devices, size_t max_flows);
void camfence_flowtrack_free(struct cf_flowtrack *t);

/* One entry of the XDP flow table with its cumulative packets and bytes.
 * mono_to_wall_ns converts the entry's CLOCK_MONOTONIC ns (first_ns,
 * last_ns) to wall-clock ns: wall = mono + mono_to_wall_ns. Counts are taken
 * as deltas against what this entry showed last time; an entry the XDP table
 * evicted and created again (its first_ns changed, or its packets or bytes
 * went down) starts a new base without losing what was counted. Returns the
 * number of packets new since the last call for this entry; packets an event
 * already counted before the entry was first seen are not returned again
 * (the daemon feeds blocked ones to the alert aggregator). 0 for a NULL
 * argument, a family other than AF_INET/AF_INET6, or no memory.
 * A flow this view evicted while the XDP table kept its entry comes back as
 * new, its cumulative counts counted and returned again: max_flows should
 * be at least the XDP table's CAMFENCE_MAX_FLOWS. */
uint64_t camfence_flowtrack_update_xdp(struct cf_flowtrack *t, const struct camfence_flow_key *k,
				       const struct camfence_flow *f, const struct cf_flow_names *n,
				       int64_t mono_to_wall_ns);

/* A blocked (or logged) attempt from an event record: creates the flow if it
 * is new (packets 1, bytes 0 unless known) and the device. Returns 1 when the
 * flow was new to the view, 0 when it was known, -1 with errno EINVAL or
 * ENOMEM. The packet of an event for a flow already seen in the XDP table is
 * not counted again: the next walk of the table counts it. */
int camfence_flowtrack_event(struct cf_flowtrack *t, const struct camfence_event *ev,
			     const struct cf_flow_names *n, int64_t mono_to_wall_ns);

/* rtnetlink neighbour news: which MAC holds which IPv4/IPv6 address (family
 * AF_INET/AF_INET6, addr 4 or 16 bytes). gone removes the address. Only
 * updates devices already known (a neighbour that never sent through a zone
 * interface is not a device); up to 4 IPv4 and 4 IPv6 addresses per device,
 * newest first. Source addresses of new flows are recorded the same way. */
void camfence_flowtrack_neigh(struct cf_flowtrack *t, const uint8_t mac[6], int family,
			      const uint8_t *addr, bool gone);

/* The device's addresses as "192.168.10.204 fe80::1", IPv4 first, or "-"
 * when none or the device is unknown: for alert lines. An address that
 * does not fit in len is left out whole. Returns buf. */
const char *camfence_flowtrack_addrs(const struct cf_flowtrack *t, const uint8_t mac[6], char *buf,
				     size_t len);

void camfence_flowtrack_stats(const struct cf_flowtrack *t, struct cf_flowtrack_stats *out);

/* Listings for camfencectl, devices sorted by MAC. Flows of one device to one
 * destination (family, address, protocol, port, verdict) from different
 * source addresses, interfaces or VLANs are one row, by packets descending.
 * mac NULL: every device. The JSON functions return NULL when out of memory. */
json_object *camfence_flowtrack_devices_json(const struct cf_flowtrack *t);
json_object *camfence_flowtrack_flows_json(const struct cf_flowtrack *t, const uint8_t *mac);
void camfence_flowtrack_print_devices(const struct cf_flowtrack *t, FILE *out);
void camfence_flowtrack_print_flows(const struct cf_flowtrack *t, const uint8_t *mac, FILE *out);

/* ---- the learning state: what camfenced keeps across restarts ---- */

/* A device of the view as it is kept on disk (state_file.c). */
struct cf_flow_device_record {
	uint8_t mac[6];
	char name[32], group[32], vendor[48];
	uint32_t first_seen, last_seen;
	uint64_t pass_pkts, pass_bytes, drop_pkts, drop_bytes;
	uint8_t n4, n6;			/* at most 4 each, newest first */
	uint8_t v4[4][4], v6[4][16];
};

/* A flow of the view. xdp_*: what the XDP table showed of it last, so that
 * a camfenced taking over a pinned table does not count the same packets
 * twice. Restored flows carry no rule: rule ids name the rules of one
 * generation, which is gone after a restart. */
struct cf_flow_record {
	uint8_t mac[6];
	uint16_t vlan;
	uint32_t ifindex;
	uint8_t family, proto, verdict;	/* verdict: enum camfence_verdict */
	uint16_t dport;
	uint8_t saddr[16], daddr[16];
	uint64_t packets, bytes;
	uint32_t first_seen, last_seen;
	uint32_t xdp_first;
	uint64_t xdp_packets, xdp_bytes;
};

/* Every device, then every flow, least recently touched first: restored in
 * this order, the view evicts in the same order as before. A callback's
 * non-zero return stops the walk and is returned. Either callback may be
 * NULL. */
int camfence_flowtrack_walk(const struct cf_flowtrack *t,
			    int (*device_fn)(const struct cf_flow_device_record *r, void *ctx),
			    int (*flow_fn)(const struct cf_flow_record *r, void *ctx), void *ctx);
/* Put a record back into the view, within its maximums (the least recently
 * touched goes, as always). A flow of a device the view does not hold is
 * left out (returns 1). -1 with errno EINVAL (bad family, a device that is
 * already held) or ENOMEM; 0 when added. */
int camfence_flowtrack_restore_device(struct cf_flowtrack *t, const struct cf_flow_device_record *r);
int camfence_flowtrack_restore_flow(struct cf_flowtrack *t, const struct cf_flow_record *r);

#endif
