/* SPDX-License-Identifier: GPL-2.0 */
/* Blocked-flow events from the XDP ring buffer, turned into alert lines
 * and the structured data that goes with them to a remote collector. */
#ifndef CAMFENCE_EVENTS_H
#define CAMFENCE_EVENTS_H

#include <stddef.h>

#include "policy_compile.h"
#include "syslog_remote.h"

/* What the daemon knows of the device beyond the policy; any may be NULL. */
struct cf_alert_names {
	const char *device;	/* the device's name in the policy */
	const char *vendor;	/* organisation from the IEEE OUI registry */
	const char *addrs;	/* the device's known addresses, "192.168.10.204 fe80::1" */
	const char *ifname;	/* the event's interface, when the caller knows it: else
				 * it is asked of the kernel, a socket and an ioctl */
};

/*
 * The policy an event was decided by: cfg and c of its generation, or NULL
 * when that generation is no longer known. names may be NULL. The line:
 *
 *   blocked udp 192.168.10.204:25508 -> 47.88.59.209:32100 iface lan0
 *   mac b0:d5:9d:b9:f0:b4 group cams policy lan-only by default deny
 *   FILE:11 generation 1 device yi-cam1 vendor "Shenzhen Yi" addresses
 *   192.168.10.204 fe80::1
 *
 * (one line). "allowed" for `allow ... log`; ports only for TCP and UDP,
 * IPv6 endpoints in brackets; "-" for what is not known, the vendor
 * unquoted then. The vendor's own '"' become '\''. Returns what snprintf
 * returns; 1024 bytes are plenty.
 */
int camfence_events_format(const struct camfence_event *ev, const struct cf_config *cfg,
			   const struct cf_compiled *c, const struct cf_alert_names *names,
			   char *buf, size_t len);

/*
 * The same as RFC 5424 SD-PARAMs, in this order, the ones not known left
 * out: event ("blocked" or "allowed": the first, always), device, group,
 * vendor, mac, vlan (when tagged), iface, src, sport, dst, dport (sport and
 * dport for TCP and UDP), proto, policy, rule (the decided-by text of the
 * line: "rule FILE:LINE", "default deny FILE:LINE", ...), generation,
 * addresses. Returns how many were written to out, at most max.
 */
#define CAMFENCE_EVENTS_SD_MAX	16
size_t camfence_events_sd(const struct camfence_event *ev, const struct cf_config *cfg,
			  const struct cf_compiled *c, const struct cf_alert_names *names,
			  struct cf_sd_param *out, size_t max);

#endif
