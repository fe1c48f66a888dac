/* SPDX-License-Identifier: GPL-2.0 */
/* Blocked-flow events from the XDP ring buffer, turned into alert lines. */
#ifndef CAMFENCE_EVENTS_H
#define CAMFENCE_EVENTS_H

#include <stddef.h>

#include "policy_compile.h"

/* The policy an event was decided by: cfg and c of its generation, or
 * NULL when that generation is no longer known. */
int camfence_events_format(const struct camfence_event *ev, const struct cf_config *cfg,
			   const struct cf_compiled *c, char *buf, size_t len);

#endif
