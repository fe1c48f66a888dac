// SPDX-License-Identifier: GPL-2.0
/*
 * A policy file is a sequence of statements, one per line; a backslash at
 * the end of a line continues it, '#' starts a comment, and braces open and
 * close blocks. Everything else is words separated by blanks, or a quoted
 * word that may hold blanks.
 */
#include <string.h>

#include "policy_lex.h"

void camfence_policy_lex_init(struct cf_lexer *lx, const char *src)
{
	lx->src = src;
	lx->pos = 0;
	lx->at.line = 1;
	lx->at.col = 1;
}

static char peek(const struct cf_lexer *lx, size_t ahead)
{
	size_t i;

	for (i = 0; i < ahead; i++)
		if (!lx->src[lx->pos + i])
			return '\0';
	return lx->src[lx->pos + ahead];
}

static void advance(struct cf_lexer *lx)
{
	if (lx->src[lx->pos] == '\n') {
		lx->at.line++;
		lx->at.col = 1;
	} else {
		lx->at.col++;
	}
	lx->pos++;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int ends_word(char c)
{
	return !c || is_blank(c) || c == '\n' || c == '#' || c == '{' || c == '}';
}

void camfence_policy_lex_next(struct cf_lexer *lx, struct cf_tok *tok)
{
	size_t n = 0;
	char c;

	memset(tok, 0, sizeof(*tok));
	for (;;) {
		c = peek(lx, 0);
		if (is_blank(c)) {
			advance(lx);
		} else if (c == '#') {
			while (peek(lx, 0) && peek(lx, 0) != '\n')
				advance(lx);
		} else if (c == '\\' && (peek(lx, 1) == '\n' ||
					 (peek(lx, 1) == '\r' && peek(lx, 2) == '\n'))) {
			while (peek(lx, 0) != '\n')
				advance(lx);
			advance(lx);
		} else {
			break;
		}
	}

	tok->loc = lx->at;
	switch (c) {
	case '\0':
		tok->kind = CF_TOK_EOF;
		return;
	case '\n':
		tok->kind = CF_TOK_EOL;
		advance(lx);
		return;
	case '{':
		tok->kind = CF_TOK_LBRACE;
		tok->text[0] = c;
		advance(lx);
		return;
	case '}':
		tok->kind = CF_TOK_RBRACE;
		tok->text[0] = c;
		advance(lx);
		return;
	}

	tok->kind = CF_TOK_WORD;
	if (c == '"') {
		/* a quoted word keeps its blanks: vendor "Axis Communications AB" */
		tok->quoted = 1;
		advance(lx);
		while (peek(lx, 0) && peek(lx, 0) != '"' && peek(lx, 0) != '\n') {
			if (n < sizeof(tok->text) - 1)
				tok->text[n++] = peek(lx, 0);
			else
				tok->too_long = 1;
			advance(lx);
		}
		if (peek(lx, 0) == '"')
			advance(lx);
		else
			tok->unterminated = 1;
		tok->text[n] = '\0';
		return;
	}
	while (!ends_word(peek(lx, 0))) {
		if (n < sizeof(tok->text) - 1)
			tok->text[n++] = peek(lx, 0);
		else
			tok->too_long = 1;
		advance(lx);
	}
	tok->text[n] = '\0';
}

size_t camfence_policy_lex_line(const char *src, unsigned int n, const char **start)
{
	const char *p = src, *nl;

	while (--n > 0) {
		nl = strchr(p, '\n');
		if (!nl) {
			*start = p + strlen(p);
			return 0;
		}
		p = nl + 1;
	}
	*start = p;
	nl = strchr(p, '\n');
	return nl ? (size_t)(nl - p) : strlen(p);
}
