/* SPDX-License-Identifier: GPL-2.0 */
/* Tokens of a policy file: words, braces and ends of lines, with positions. */
#ifndef CAMFENCE_POLICY_LEX_H
#define CAMFENCE_POLICY_LEX_H

#include "policy.h"

enum cf_tok_kind {
	CF_TOK_WORD,
	CF_TOK_LBRACE,
	CF_TOK_RBRACE,
	CF_TOK_EOL,
	CF_TOK_EOF,
};

struct cf_tok {
	enum cf_tok_kind kind;
	char text[256];
	struct cf_loc loc;
	int too_long;
	int quoted;
	int unterminated;	/* a quote with no closing quote on its line */
};

struct cf_lexer {
	const char *src;
	size_t pos;
	struct cf_loc at;
};

void camfence_policy_lex_init(struct cf_lexer *lx, const char *src);
void camfence_policy_lex_next(struct cf_lexer *lx, struct cf_tok *tok);
/* The text of line n (1-based) without its newline, for error messages. */
size_t camfence_policy_lex_line(const char *src, unsigned int n, const char **start);

#endif
