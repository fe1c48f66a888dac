/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `camfencectl mud-import`: the from-device ACLs of an RFC 8520
 * Manufacturer Usage Description (MUD) file as a camfence policy, with a
 * `set` that resolves each DNS name the ACLs allow. What camfence cannot
 * express is refused, every instance of it, naming the ACL, the entry and
 * the field. docs/mud.md.
 */
#ifndef CAMFENCE_MUD_IMPORT_H
#define CAMFENCE_MUD_IMPORT_H

#include <stdio.h>

/* Translates the MUD file at path. name is the policy's name, or NULL to
 * derive it from the file's mud-url (or systeminfo). On success prints the
 * policy text to out and returns 0; otherwise prints every problem to err,
 * "PATH: acl "ACL", ace "ACE": FIELD: reason", prints nothing to out and
 * returns 1. */
int camfence_mud_import(const char *path, const char *name, FILE *out, FILE *err);

/* The command line: argv[0] is "mud-import", then [--name POLICY] FILE.
 * Returns the exit status: 0, 1 on a refused or unreadable file, 2 on a
 * usage error. */
int camfence_mud_import_main(int argc, char **argv, FILE *out, FILE *err);

#endif
