/* SPDX-License-Identifier: GPL-2.0 */
/* `local` and `router` in a policy are the addresses of this router's zone
 * interfaces, read where the policy runs. */
#ifndef CAMFENCE_IFADDRS_BIND_H
#define CAMFENCE_IFADDRS_BIND_H

#include "policy.h"

void camfence_ifaddrs_bind(struct cf_config *cfg);

#endif
