/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `camfencectl audit`: a dry run of a policy on a capture. Every frame goes
 * through the real XDP program (BPF_PROG_TEST_RUN) as if it came in on an
 * interface of one zone; the report says, per device, what would pass and
 * what would be blocked, and by which line of the policy. docs/audit.md.
 */
#ifndef CAMFENCE_AUDIT_H
#define CAMFENCE_AUDIT_H

#include <stdio.h>

/* Runs every frame of capture_path through camfence_xdp under the policy at
 * policy_path, on an interface of the zone named zone (NULL: the first zone
 * of the file), and prints the report to out; errors (the policy's
 * FILE:LINE:COL errors, an unreadable or non-Ethernet capture, a program
 * that cannot be loaded) to err. Returns 0, or 1 on error. Needs root. */
int camfence_audit_run_zone(const char *policy_path, const char *zone,
			    const char *capture_path, FILE *out, FILE *err);
/* The same on the first zone. */
int camfence_audit_run(const char *policy_path, const char *capture_path, FILE *out, FILE *err);
/* The command line: argv[0] is "audit", then --policy FILE [--zone NAME]
 * CAPTURE. Returns the exit status: 0, 1 on error, 2 on a usage error. */
int camfence_audit_main(int argc, char **argv, FILE *out, FILE *err);

#endif
