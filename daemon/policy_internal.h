/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the parser and the resolver: where errors and warnings go, and
 * the source text of every file read, so that a message can quote its line. */
#ifndef CAMFENCE_POLICY_INTERNAL_H
#define CAMFENCE_POLICY_INTERNAL_H

#include "policy.h"

struct cf_parse_ctx {
	struct cf_config *cfg;
	CF_VEC(char *) texts;		/* by file index, as cfg->files */
	CF_VEC(char *) stack;		/* real paths of the files being read */
	enum cf_trust trust;		/* how each file's owner and mode are judged */
};

void camfence_policy_error(struct cf_parse_ctx *ctx, struct cf_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void camfence_policy_warning(struct cf_parse_ctx *ctx, struct cf_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Checks that need the whole configuration: names, references, overlaps. */
void camfence_policy_resolve(struct cf_parse_ctx *ctx);

#endif
