// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of policy files. Each statement is read as a list of words up to
 * the end of its line, then checked as a whole, so that an error names the
 * exact word and the parser can go on with the next line: an admin sees
 * every mistake of a file at once, not one per attempt.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "camfence.h"
#include "policy_lex.h"

#define MAX_WORDS		128
#define MAX_FILE_BYTES		(16 << 20)

enum block_kind { BLOCK_ZONE, BLOCK_GROUP, BLOCK_POLICY };

struct parser {
	struct cf_lexer lx;
	struct cf_tok tok;
	struct cf_config *cfg;
	const char *src;
	struct cf_tok words[MAX_WORDS];
	size_t nwords;
};

static void add_error(struct cf_config *cfg, const char *src, struct cf_loc loc,
		      const char *fmt, va_list ap)
{
	char msg[512], caret[512];
	const char *line = "";
	size_t len = 0, i;
	char *out;

	if (cfg->nerrors == CF_MAX_ERRORS) {
		cfg->nerrors_dropped++;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (src)
		len = camfence_policy_lex_line(src, loc.line, &line);
	if (len > 400)
		len = 400;
	/* keep the line's tabs under the caret so it points at the column */
	for (i = 0; i + 1 < loc.col && i < len && i < sizeof(caret) - 2; i++)
		caret[i] = line[i] == '\t' ? '\t' : ' ';
	caret[i] = '\0';
	if (asprintf(&out, "%s:%u:%u: %s\n%.*s\n%s^", cfg->path, loc.line, loc.col, msg,
		     (int)len, line, caret) < 0)
		return;
	cfg->errors[cfg->nerrors++] = out;
}

static void __attribute__((format(printf, 3, 4)))
error_at(struct parser *ps, struct cf_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(ps->cfg, ps->src, loc, fmt, ap);
	va_end(ap);
}

static void next(struct parser *ps)
{
	camfence_policy_lex_next(&ps->lx, &ps->tok);
}

static void *grow(void *arr, size_t n, size_t size)
{
	void *p = realloc(arr, (n + 1) * size);

	if (!p) {
		perror("camfence: out of memory");
		exit(1);
	}
	memset((char *)p + n * size, 0, size);
	return p;
}

/* Collect the words of one statement, up to the end of line or a '}'. */
static void read_statement(struct parser *ps)
{
	ps->nwords = 0;
	while (ps->tok.kind == CF_TOK_WORD) {
		if (ps->tok.too_long)
			error_at(ps, ps->tok.loc, "word is longer than 255 characters");
		if (ps->nwords == MAX_WORDS) {
			error_at(ps, ps->tok.loc, "more than %d words in one statement; split it",
				 MAX_WORDS);
		} else if (ps->nwords < MAX_WORDS) {
			ps->words[ps->nwords] = ps->tok;
		}
		ps->nwords++;
		next(ps);
	}
	if (ps->nwords > MAX_WORDS)
		ps->nwords = MAX_WORDS;
}

static int valid_name(struct parser *ps, const struct cf_tok *t, const char *what)
{
	const char *s = t->text;

	if (strlen(s) >= CF_NAME_MAX) {
		error_at(ps, t->loc, "%s name '%s' is longer than %d characters", what, s,
			 CF_NAME_MAX - 1);
		return 0;
	}
	if (!isalpha((unsigned char)*s)) {
		error_at(ps, t->loc, "%s name '%s' must start with a letter", what, s);
		return 0;
	}
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.') {
			error_at(ps, t->loc, "%s name '%s' may hold only letters, digits, '-', '_' and '.'",
				 what, t->text);
			return 0;
		}
	}
	return 1;
}

static int parse_verdict(struct parser *ps, const struct cf_tok *t, uint8_t *v)
{
	if (!strcmp(t->text, "allow"))
		*v = CAMFENCE_PASS;
	else if (!strcmp(t->text, "deny"))
		*v = CAMFENCE_DROP;
	else {
		error_at(ps, t->loc, "expected 'allow' or 'deny', not '%s'", t->text);
		return -1;
	}
	return 0;
}

static int want_words(struct parser *ps, size_t min, size_t max, const char *usage)
{
	if (ps->nwords < min) {
		struct cf_tok *last = &ps->words[ps->nwords - 1];
		struct cf_loc after = last->loc;

		after.col += strlen(last->text);
		error_at(ps, after, "'%s' needs more: %s", ps->words[0].text, usage);
		return -1;
	}
	if (ps->nwords > max) {
		error_at(ps, ps->words[max].loc, "unexpected '%s': %s", ps->words[max].text, usage);
		return -1;
	}
	return 0;
}

static void zone_statement(struct parser *ps, struct cf_zone *z)
{
	const char *kw = ps->words[0].text;
	size_t i;

	if (!strcmp(kw, "interface")) {
		if (want_words(ps, 2, MAX_WORDS, "interface NAME [NAME...]"))
			return;
		for (i = 1; i < ps->nwords; i++) {
			const struct cf_tok *t = &ps->words[i];

			if (strlen(t->text) >= IF_NAMESIZE || strchr(t->text, '/')) {
				error_at(ps, t->loc, "'%s' is not a valid interface name", t->text);
				continue;
			}
			z->ifaces = grow(z->ifaces, z->nifaces, sizeof(*z->ifaces));
			z->iface_locs = grow(z->iface_locs, z->nifaces, sizeof(*z->iface_locs));
			strcpy(z->ifaces[z->nifaces], t->text);
			z->iface_locs[z->nifaces++] = t->loc;
		}
	} else if (!strcmp(kw, "unknown")) {
		if (want_words(ps, 2, 2, "unknown allow|deny"))
			return;
		parse_verdict(ps, &ps->words[1], &z->unknown_verdict);
	} else {
		error_at(ps, ps->words[0].loc, "unknown zone setting '%s': expected 'interface' or 'unknown'",
			 kw);
	}
}

static void group_statement(struct parser *ps, struct cf_group *g)
{
	const char *kw = ps->words[0].text;
	struct cf_member m;
	const char *why;
	size_t i;

	if (!strcmp(kw, "mac") || !strcmp(kw, "ip")) {
		int is_mac = kw[0] == 'm';

		if (want_words(ps, 2, MAX_WORDS, is_mac ? "mac ADDRESS [ADDRESS...]" :
							 "ip ADDRESS[/LEN] [...]"))
			return;
		for (i = 1; i < ps->nwords; i++) {
			const struct cf_tok *t = &ps->words[i];

			memset(&m, 0, sizeof(m));
			m.loc = t->loc;
			if (is_mac) {
				m.kind = CF_MEMBER_MAC;
				if (camfence_addr_parse_mac(t->text, m.mac)) {
					error_at(ps, t->loc, "'%s' is not a MAC address (six hex pairs: 44:19:b6:0a:0b:0c)",
						 t->text);
					continue;
				}
			} else {
				m.kind = CF_MEMBER_PREFIX;
				if (camfence_addr_parse_prefix(t->text, &m.prefix, &why)) {
					error_at(ps, t->loc, "'%s': %s", t->text, why);
					continue;
				}
				if (m.prefix.family != AF_INET) {
					error_at(ps, t->loc, "'%s': devices are matched by IPv4 prefix only in this version; use 'mac'",
						 t->text);
					continue;
				}
			}
			g->members = grow(g->members, g->nmembers, sizeof(*g->members));
			g->members[g->nmembers++] = m;
		}
	} else if (!strcmp(kw, "policy")) {
		if (want_words(ps, 2, 2, "policy NAME"))
			return;
		if (g->policy[0]) {
			error_at(ps, ps->words[0].loc, "group '%s' already has policy '%s'", g->name,
				 g->policy);
			return;
		}
		if (!valid_name(ps, &ps->words[1], "policy"))
			return;
		strcpy(g->policy, ps->words[1].text);
		g->policy_loc = ps->words[1].loc;
	} else {
		error_at(ps, ps->words[0].loc, "unknown group setting '%s': expected 'mac', 'ip' or 'policy'",
			 kw);
	}
}

static int parse_proto(const char *s, uint8_t *proto)
{
	static const struct { const char *name; uint8_t proto; } names[] = {
		{ "any", CAMFENCE_PROTO_ANY }, { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
		{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	};
	char *end;
	unsigned long n;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*proto = names[i].proto;
			return 0;
		}
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	n = strtoul(s, &end, 10);
	if (*end || n < 1 || n > 255)
		return -ERANGE;
	*proto = n;
	return 0;
}

/* Exactly len decimal digits naming a port 1-65535. */
static int parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long n = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		n = n * 10 + (s[i] - '0');
	}
	if (n < 1 || n > 65535)
		return -EINVAL;
	*port = n;
	return 0;
}

#define RULE_USAGE "allow|deny [to DESTINATION] [PROTOCOL [PORT|LOW-HIGH]]"

static void rule_statement(struct parser *ps, struct cf_policy *p, uint8_t verdict)
{
	struct cf_rule r = { .loc = ps->words[0].loc, .verdict = verdict };
	const struct cf_tok *t;
	const char *why;
	size_t i = 1;

	if (i < ps->nwords && !strcmp(ps->words[i].text, "to")) {
		if (++i == ps->nwords) {
			want_words(ps, i + 1, i + 1, RULE_USAGE);
			return;
		}
		t = &ps->words[i++];
		if (strcmp(t->text, "any")) {
			if (camfence_addr_parse_prefix(t->text, &r.dst, &why)) {
				error_at(ps, t->loc, "destination '%s': %s", t->text, why);
				return;
			}
			r.has_dst = 1;
		}
	}
	if (i < ps->nwords) {
		t = &ps->words[i++];
		if (parse_proto(t->text, &r.proto)) {
			error_at(ps, t->loc, "'%s' is not a protocol: expected tcp, udp, icmp, icmpv6, any or a number 1-255",
				 t->text);
			return;
		}
		if (r.has_dst && r.proto == IPPROTO_ICMP && r.dst.family == AF_INET6) {
			error_at(ps, t->loc, "icmp is IPv4 and the destination is IPv6: use icmpv6");
			return;
		}
		if (r.has_dst && r.proto == IPPROTO_ICMPV6 && r.dst.family == AF_INET) {
			error_at(ps, t->loc, "icmpv6 is IPv6 and the destination is IPv4: use icmp");
			return;
		}
	}
	if (i < ps->nwords) {
		const char *dash;

		t = &ps->words[i++];
		if (r.proto != IPPROTO_TCP && r.proto != IPPROTO_UDP) {
			error_at(ps, t->loc, "a port needs protocol tcp or udp before it");
			return;
		}
		dash = strchr(t->text, '-');
		if (parse_port(t->text, dash ? (size_t)(dash - t->text) : strlen(t->text), &r.port_lo) ||
		    (dash && parse_port(dash + 1, strlen(dash + 1), &r.port_hi))) {
			error_at(ps, t->loc, "'%s' is not a port (1-65535) or a range LOW-HIGH", t->text);
			return;
		}
		if (!dash)
			r.port_hi = r.port_lo;
		if (r.port_hi < r.port_lo) {
			error_at(ps, t->loc, "port range '%s' runs backwards", t->text);
			return;
		}
	}
	if (i < ps->nwords) {
		error_at(ps, ps->words[i].loc, "unexpected '%s': " RULE_USAGE, ps->words[i].text);
		return;
	}
	if (p->nrules == CAMFENCE_MAX_RULES) {
		error_at(ps, r.loc, "policy '%s' has more than %d rules, the most one policy may hold",
			 p->name, CAMFENCE_MAX_RULES);
		return;
	}
	p->rules = grow(p->rules, p->nrules, sizeof(*p->rules));
	p->rules[p->nrules++] = r;
}

static void policy_statement(struct parser *ps, struct cf_policy *p, int *has_default)
{
	const char *kw = ps->words[0].text;
	uint8_t v;

	if (!strcmp(kw, "allow") || !strcmp(kw, "deny")) {
		parse_verdict(ps, &ps->words[0], &v);
		rule_statement(ps, p, v);
	} else if (!strcmp(kw, "default")) {
		if (want_words(ps, 2, 2, "default allow|deny"))
			return;
		if (*has_default) {
			error_at(ps, ps->words[0].loc, "policy '%s' already has a default", p->name);
			return;
		}
		if (!parse_verdict(ps, &ps->words[1], &p->default_verdict))
			*has_default = 1;
	} else {
		error_at(ps, ps->words[0].loc, "unknown policy statement '%s': expected 'allow', 'deny' or 'default'",
			 kw);
	}
}

/* Skip the rest of a broken statement; a block opened on it is skipped whole. */
static void skip_statement(struct parser *ps)
{
	int depth = 0;

	while (ps->tok.kind != CF_TOK_EOF) {
		if (ps->tok.kind == CF_TOK_LBRACE)
			depth++;
		else if (ps->tok.kind == CF_TOK_RBRACE && --depth <= 0) {
			next(ps);
			return;
		} else if (ps->tok.kind == CF_TOK_EOL && depth == 0)
			return;
		next(ps);
	}
}

static void parse_block(struct parser *ps, enum block_kind kind)
{
	static const char *const what[] = { "zone", "group", "policy" };
	struct cf_config *cfg = ps->cfg;
	struct cf_loc open_loc = ps->tok.loc;
	char name[CF_NAME_MAX];
	int has_default = 0;
	void *item;

	next(ps);
	if (ps->tok.kind != CF_TOK_WORD) {
		error_at(ps, ps->tok.loc, "expected a name after '%s'", what[kind]);
		skip_statement(ps);
		return;
	}
	if (!valid_name(ps, &ps->tok, what[kind])) {
		skip_statement(ps);
		return;
	}
	strcpy(name, ps->tok.text);
	next(ps);
	if (ps->tok.kind != CF_TOK_LBRACE) {
		error_at(ps, ps->tok.loc, "expected '{' after %s %s", what[kind], name);
		skip_statement(ps);
		return;
	}
	next(ps);

	switch (kind) {
	case BLOCK_ZONE:
		cfg->zones = grow(cfg->zones, cfg->nzones, sizeof(*cfg->zones));
		item = &cfg->zones[cfg->nzones++];
		strcpy(((struct cf_zone *)item)->name, name);
		((struct cf_zone *)item)->loc = open_loc;
		((struct cf_zone *)item)->unknown_verdict = CAMFENCE_DROP;
		break;
	case BLOCK_GROUP:
		cfg->groups = grow(cfg->groups, cfg->ngroups, sizeof(*cfg->groups));
		item = &cfg->groups[cfg->ngroups++];
		strcpy(((struct cf_group *)item)->name, name);
		((struct cf_group *)item)->loc = open_loc;
		((struct cf_group *)item)->policy_idx = -1;
		break;
	default:
		cfg->policies = grow(cfg->policies, cfg->npolicies, sizeof(*cfg->policies));
		item = &cfg->policies[cfg->npolicies++];
		strcpy(((struct cf_policy *)item)->name, name);
		((struct cf_policy *)item)->loc = open_loc;
		((struct cf_policy *)item)->default_verdict = CAMFENCE_DROP;
		break;
	}

	for (;;) {
		while (ps->tok.kind == CF_TOK_EOL)
			next(ps);
		if (ps->tok.kind == CF_TOK_RBRACE) {
			next(ps);
			break;
		}
		if (ps->tok.kind == CF_TOK_EOF) {
			error_at(ps, open_loc, "%s %s: missing '}' before the end of the file",
				 what[kind], name);
			return;
		}
		if (ps->tok.kind == CF_TOK_LBRACE) {
			error_at(ps, ps->tok.loc, "unexpected '{' inside %s %s", what[kind], name);
			skip_statement(ps);
			continue;
		}
		read_statement(ps);
		if (kind == BLOCK_ZONE)
			zone_statement(ps, item);
		else if (kind == BLOCK_GROUP)
			group_statement(ps, item);
		else
			policy_statement(ps, item, &has_default);
	}
	if (ps->tok.kind == CF_TOK_WORD || ps->tok.kind == CF_TOK_LBRACE) {
		error_at(ps, ps->tok.loc, "unexpected '%s' after the '}' of %s %s", ps->tok.text,
			 what[kind], name);
		skip_statement(ps);
	}
}

static void parse_top(struct parser *ps)
{
	next(ps);
	for (;;) {
		while (ps->tok.kind == CF_TOK_EOL)
			next(ps);
		if (ps->tok.kind == CF_TOK_EOF)
			return;
		if (ps->tok.kind == CF_TOK_WORD && !strcmp(ps->tok.text, "zone"))
			parse_block(ps, BLOCK_ZONE);
		else if (ps->tok.kind == CF_TOK_WORD && !strcmp(ps->tok.text, "group"))
			parse_block(ps, BLOCK_GROUP);
		else if (ps->tok.kind == CF_TOK_WORD && !strcmp(ps->tok.text, "policy"))
			parse_block(ps, BLOCK_POLICY);
		else {
			error_at(ps, ps->tok.loc, "unexpected '%s': expected 'zone', 'group' or 'policy'",
				 ps->tok.text);
			skip_statement(ps);
		}
	}
}

/* Checks that need the whole file: names, references, overlaps. */
static void resolve(struct parser *ps)
{
	struct cf_config *cfg = ps->cfg;
	struct cf_loc top = { 1, 1 };
	size_t i, j, k, l, nif = 0;

	if (!cfg->nzones)
		error_at(ps, top, "no zone: camfence would filter nothing; add 'zone NAME { interface IFNAME }'");
	for (i = 0; i < cfg->nzones; i++) {
		struct cf_zone *z = &cfg->zones[i];

		for (j = 0; j < i; j++)
			if (!strcmp(cfg->zones[j].name, z->name))
				error_at(ps, z->loc, "zone '%s' is defined twice (first at line %u)",
					 z->name, cfg->zones[j].loc.line);
		if (!z->nifaces)
			error_at(ps, z->loc, "zone '%s' has no interface", z->name);
		for (k = 0; k < z->nifaces; k++, nif++) {
			for (j = 0; j <= i; j++)
				for (l = 0; l < (j == i ? k : cfg->zones[j].nifaces); l++)
					if (!strcmp(cfg->zones[j].ifaces[l], z->ifaces[k]))
						error_at(ps, z->iface_locs[k],
							 "interface '%s' is already in zone '%s' (line %u)",
							 z->ifaces[k], cfg->zones[j].name,
							 cfg->zones[j].iface_locs[l].line);
		}
	}
	if (nif > CAMFENCE_MAX_IFACES)
		error_at(ps, top, "%zu zone interfaces; at most %d are supported", nif,
			 CAMFENCE_MAX_IFACES);

	for (i = 0; i < cfg->npolicies; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->policies[j].name, cfg->policies[i].name))
				error_at(ps, cfg->policies[i].loc, "policy '%s' is defined twice (first at line %u)",
					 cfg->policies[i].name, cfg->policies[j].loc.line);
	if (cfg->npolicies > CAMFENCE_MAX_POLICIES)
		error_at(ps, cfg->policies[CAMFENCE_MAX_POLICIES].loc, "more than %d policies",
			 CAMFENCE_MAX_POLICIES);

	for (i = 0; i < cfg->ngroups; i++) {
		struct cf_group *g = &cfg->groups[i];

		for (j = 0; j < i; j++)
			if (!strcmp(cfg->groups[j].name, g->name))
				error_at(ps, g->loc, "group '%s' is defined twice (first at line %u)",
					 g->name, cfg->groups[j].loc.line);
		if (!g->nmembers)
			error_at(ps, g->loc, "group '%s' has no 'mac' or 'ip' members", g->name);
		if (!g->policy[0]) {
			error_at(ps, g->loc, "group '%s' has no policy: add 'policy NAME'", g->name);
		} else {
			for (j = 0; j < cfg->npolicies; j++)
				if (!strcmp(cfg->policies[j].name, g->policy))
					g->policy_idx = j;
			if (g->policy_idx < 0)
				error_at(ps, g->policy_loc, "no policy named '%s'", g->policy);
		}
		/* a device in two groups would have two policies: refuse */
		for (k = 0; k < g->nmembers; k++) {
			const struct cf_member *m = &g->members[k];

			for (j = 0; j <= i; j++) {
				const struct cf_group *o = &cfg->groups[j];

				for (l = 0; l < (j == i ? k : o->nmembers); l++) {
					const struct cf_member *n = &o->members[l];

					if (m->kind != n->kind)
						continue;
					if (m->kind == CF_MEMBER_MAC ? memcmp(m->mac, n->mac, 6) :
					    (m->prefix.len != n->prefix.len ||
					     memcmp(m->prefix.addr, n->prefix.addr, 16)))
						continue;
					error_at(ps, m->loc, "this device is already in group '%s' (line %u)",
						 o->name, n->loc.line);
				}
			}
		}
	}
}

static struct cf_config *new_config(const char *path)
{
	struct cf_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg || !(cfg->path = strdup(path))) {
		perror("camfence: out of memory");
		exit(1);
	}
	return cfg;
}

struct cf_config *camfence_policy_parse_text(const char *path, const char *text)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	struct cf_config *cfg = new_config(path);

	if (!ps) {
		perror("camfence: out of memory");
		exit(1);
	}
	ps->cfg = cfg;
	ps->src = text;
	camfence_policy_lex_init(&ps->lx, text);
	parse_top(ps);
	if (!cfg->nerrors)
		resolve(ps);
	free(ps);
	return cfg;
}

static struct cf_config *file_error(const char *path, const char *fmt, ...)
{
	struct cf_config *cfg = new_config(path);
	struct cf_loc loc = { 1, 1 };
	va_list ap;

	va_start(ap, fmt);
	add_error(cfg, NULL, loc, fmt, ap);
	va_end(ap);
	return cfg;
}

struct cf_config *camfence_policy_parse_file(const char *path)
{
	struct cf_config *cfg;
	struct stat st;
	char *text;
	size_t n;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return file_error(path, "cannot open: %s", strerror(errno));
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return file_error(path, "not a regular file");
	}
	if (st.st_size > MAX_FILE_BYTES) {
		fclose(f);
		return file_error(path, "larger than %d MiB", MAX_FILE_BYTES >> 20);
	}
	text = malloc(st.st_size + 1);
	if (!text) {
		fclose(f);
		return file_error(path, "out of memory");
	}
	n = fread(text, 1, st.st_size, f);
	fclose(f);
	text[n] = '\0';
	if (strlen(text) != n) {
		free(text);
		return file_error(path, "holds a NUL byte: not a text file");
	}
	cfg = camfence_policy_parse_text(path, text);
	free(text);
	return cfg;
}

void camfence_policy_free(struct cf_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nzones; i++) {
		free(cfg->zones[i].ifaces);
		free(cfg->zones[i].iface_locs);
	}
	for (i = 0; i < cfg->ngroups; i++)
		free(cfg->groups[i].members);
	for (i = 0; i < cfg->npolicies; i++)
		free(cfg->policies[i].rules);
	for (i = 0; i < cfg->nerrors; i++)
		free(cfg->errors[i]);
	free(cfg->zones);
	free(cfg->groups);
	free(cfg->policies);
	free(cfg->path);
	free(cfg);
}

void camfence_policy_print_errors(const struct cf_config *cfg, FILE *out)
{
	size_t i;

	for (i = 0; i < cfg->nerrors; i++)
		fprintf(out, "%s\n", cfg->errors[i]);
	if (cfg->nerrors_dropped)
		fprintf(out, "%s: %zu more errors not shown\n", cfg->path, cfg->nerrors_dropped);
}

const char *camfence_policy_proto_name(uint8_t proto, char buf[8])
{
	switch (proto) {
	case CAMFENCE_PROTO_ANY: return "any";
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	}
	snprintf(buf, 8, "%u", proto);
	return buf;
}
