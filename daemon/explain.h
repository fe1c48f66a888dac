/* SPDX-License-Identifier: GPL-2.0 */
/* `camfencectl explain`: which zone, device, group, policy and rule decide
 * a packet, by the reference matcher over the policy file. */
#ifndef CAMFENCE_EXPLAIN_H
#define CAMFENCE_EXPLAIN_H

#include <stdio.h>

struct camfence_explain_args {
	const char *policy;	/* policy file */
	const char *src;	/* a MAC, an address or a named device */
	const char *dst;	/* an address */
	const char *proto;	/* NULL: none given */
	const char *port;	/* NULL: none given */
	const char *iface;	/* NULL: the device's zone's first interface */
	const char *vlan;	/* NULL: untagged */
	/* names DNS told the device dst is, for `to name` rules, and for each
	 * where that comes from ("--told", "DNS answered it, 27 s left") */
	const char *const *told;
	const char *const *told_why;
	size_t ntold;
};

/* Returns 0 when explained (allow or deny), 1 on a bad argument or policy, 2 on usage. */
int camfence_explain(const struct camfence_explain_args *a, FILE *out, FILE *err);

#endif
