/* SPDX-License-Identifier: GPL-2.0 */
/* The per-device view of the XDP flow table, as `camfencectl flows` shows it. */
#ifndef CAMFENCE_FLOWS_H
#define CAMFENCE_FLOWS_H

#include <stdio.h>

#include "loader.h"

/* Writes one line per flow, grouped by device, busiest first; a device
 * filter (MAC) of NULL shows all. Returns the number of flows shown. */
int camfence_flows_print(struct camfence_loader *l, const struct cf_config *cfg,
			 const struct cf_compiled *c, const char *device, FILE *out);

#endif
