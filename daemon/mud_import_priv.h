/* SPDX-License-Identifier: GPL-2.0 */
/* What mud_import.c (the document, the names, the output) and mud_ace.c
 * (one access control entry as one rule) share. */
#ifndef CAMFENCE_MUD_IMPORT_PRIV_H
#define CAMFENCE_MUD_IMPORT_PRIV_H

#include <json-c/json.h>
#include <stdio.h>

#include "policy.h"

struct mud_ctx {
	const char *path;		/* as given: every message starts with it */
	FILE *err;
	unsigned int nerrors;
	CF_VEC(char *) hosts;		/* dst-dnsnames, lower case, in order of first use */
};

enum mud_dst {
	MUD_DST_NONE,
	MUD_DST_PREFIX,
	MUD_DST_HOST,
	MUD_DST_LOCAL,
};

struct mud_rule {
	int allow;
	int family;			/* 4 or 6 when the ACL or its matches are of one; else 0 */
	enum mud_dst dst;
	char prefix[64];		/* MUD_DST_PREFIX, as camfence prints it */
	size_t host;			/* MUD_DST_HOST: index into mud_ctx.hosts */
	int proto;			/* -1: any */
	unsigned int lo, hi;		/* destination ports; 0: any */
	int log;			/* -1: the verdict's default, 0 nolog, 1 log */
};

/* "PATH: acl "ACL", ace "ACE": FIELD: reason"; acl, ace or field may be
 * NULL when the problem is above them. */
void camfence_mud_error(struct mud_ctx *m, const char *acl, const char *ace, const char *field,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* s with every control character as '?', cut to fit buf: the file's text
 * goes into comments and messages, never a line break or an escape. */
const char *camfence_mud_clean(const char *s, char *buf, size_t len);

/* The part of a YANG identity after its module prefix:
 * "ietf-access-control-list:accept" is "accept". */
const char *camfence_mud_identity(const char *s);

/* Ports and protocols as JSON numbers or, as some generators write them,
 * strings of digits. Returns 0 and the value, or -1. */
int camfence_mud_uint(struct json_object *v, unsigned long max, unsigned long *out);

/* Translates the entry number idx (from 0) of an ACL whose type gives
 * family (4, 6 or 0) into r. *ace_name is its name, or "#N" in name_buf.
 * Returns 0, or -1 after reporting every problem with it. */
int camfence_mud_ace_translate(struct mud_ctx *m, const char *acl, int family,
			       struct json_object *ace, size_t idx, struct mud_rule *r,
			       const char **ace_name, char *name_buf, size_t name_len);

#endif
