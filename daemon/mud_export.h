/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `camfencectl mud-export`: a group's policy as an RFC 8520 Manufacturer
 * Usage Description (MUD) file, the inverse of `camfencectl mud-import`:
 * importing the file gives back the same rules. What MUD cannot say is
 * refused, every instance of it, naming the rule's FILE:LINE. docs/mud.md.
 */
#ifndef CAMFENCE_MUD_EXPORT_H
#define CAMFENCE_MUD_EXPORT_H

#include <stdio.h>
#include <time.h>

/* The mud-url written when none is given: GROUP in place of %s. */
#define CAMFENCE_MUD_EXPORT_URL	"https://mud.example.invalid/camfence/%s.json"

/* Exports the policy of group in the policy file config. url is the
 * mud-url, or NULL for CAMFENCE_MUD_EXPORT_URL; now is the last-update.
 * On success writes the MUD file (JSON) to out, notes on what it leaves
 * out to err, and returns 0; otherwise writes every problem to err,
 * nothing to out, and returns 1. */
int camfence_mud_export(const char *config, const char *group, const char *url, time_t now,
			FILE *out, FILE *err);

/* The command line: argv[0] is "mud-export", then [--url URL] GROUP.
 * Returns the exit status: 0, 1 on a refused policy or a bad file, 2 on a
 * usage error. */
int camfence_mud_export_main(int argc, char **argv, const char *config, FILE *out, FILE *err);

#endif
