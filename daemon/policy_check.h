/* SPDX-License-Identifier: GPL-2.0 */
/* `camfencectl check` and `camfenced --check`: parse and compile a policy
 * file and say what it holds, or every error in it. */
#ifndef CAMFENCE_POLICY_CHECK_H
#define CAMFENCE_POLICY_CHECK_H

#include <stdio.h>

#include "policy_trust.h"

/* Returns 0 when the file is good, 1 when it has errors. trust: how the
 * owner and mode of the file and its includes count (policy_trust.h):
 * camfencectl warns, camfenced --check judges as the daemon will. */
int camfence_check_file(const char *path, enum cf_trust trust, FILE *out, FILE *err);

#endif
