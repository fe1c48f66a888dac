// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of policy files. Each statement is read as a list of words up to
 * the end of its line, then checked as a whole, so that an error names the
 * exact word and the parser can go on with the next line: an admin sees
 * every mistake of a file at once, not one per attempt. Names are checked
 * afterwards, in policy_resolve.c, when every file has been read.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "camfence.h"
#include "policy_internal.h"
#include "policy_lex.h"

#define MAX_WORDS		128
#define MAX_FILE_BYTES		(16 << 20)

enum block_kind { BLOCK_ZONE, BLOCK_GROUP, BLOCK_POLICY, BLOCK_SET };

static const char *const block_name[] = { "zone", "group", "policy", "set" };

struct parser {
	struct cf_parse_ctx *ctx;
	unsigned int file;
	struct cf_lexer lx;
	struct cf_tok tok;
	struct cf_tok words[MAX_WORDS];
	size_t nwords;
};

void *camfence_policy_vec_grow(void **v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *p = realloc(*v, ncap * size);

		if (!p) {
			perror("camfence: out of memory");
			exit(1);
		}
		*v = p;
		*cap = ncap;
	}
	memset((char *)*v + *n * size, 0, size);
	return (char *)*v + (*n)++ * size;
}

static char *format_message(struct cf_parse_ctx *ctx, struct cf_loc loc, const char *kind,
			    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static char *format_message(struct cf_parse_ctx *ctx, struct cf_loc loc, const char *kind,
			    const char *fmt, va_list ap)
{
	const char *src = loc.file < ctx->texts.n ? ctx->texts.v[loc.file] : NULL;
	char msg[1024], caret[512];
	const char *line = "";
	size_t len = 0, i;
	char *out;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (src && loc.line)
		len = camfence_policy_lex_line(src, loc.line, &line);
	if (len > 400)
		len = 400;
	/* keep the line's tabs under the caret so it points at the column */
	for (i = 0; i + 1 < loc.col && i < len && i < sizeof(caret) - 2; i++)
		caret[i] = line[i] == '\t' ? '\t' : ' ';
	caret[i] = '\0';
	/* about a file that could not be read, or not trusted: no line to show */
	if (!src && asprintf(&out, "%s:%u:%u: %s%s", camfence_policy_file(ctx->cfg, loc), loc.line,
			     loc.col, kind, msg) < 0)
		return NULL;
	if (!src)
		return out;
	if (asprintf(&out, "%s:%u:%u: %s%s\n%.*s\n%s^", camfence_policy_file(ctx->cfg, loc),
		     loc.line, loc.col, kind, msg, (int)len, line, caret) < 0)
		return NULL;
	return out;
}

void camfence_policy_error(struct cf_parse_ctx *ctx, struct cf_loc loc, const char *fmt, ...)
{
	struct cf_config *cfg = ctx->cfg;
	va_list ap;
	char *m;

	if (cfg->nerrors == CF_MAX_ERRORS) {
		cfg->nerrors_dropped++;
		return;
	}
	va_start(ap, fmt);
	m = format_message(ctx, loc, "", fmt, ap);
	va_end(ap);
	if (m)
		cfg->errors[cfg->nerrors++] = m;
}

void camfence_policy_warning(struct cf_parse_ctx *ctx, struct cf_loc loc, const char *fmt, ...)
{
	struct cf_config *cfg = ctx->cfg;
	va_list ap;
	char *m;

	if (cfg->nwarnings == CF_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	m = format_message(ctx, loc, "warning: ", fmt, ap);
	va_end(ap);
	if (m)
		cfg->warnings[cfg->nwarnings++] = m;
}

#define error_at(ps, loc, ...) camfence_policy_error((ps)->ctx, loc, __VA_ARGS__)

static void next(struct parser *ps)
{
	camfence_policy_lex_next(&ps->lx, &ps->tok);
	ps->tok.loc.file = ps->file;
}

/* Collect the words of one statement, up to the end of line or a '}'. */
static void read_statement(struct parser *ps)
{
	ps->nwords = 0;
	while (ps->tok.kind == CF_TOK_WORD) {
		if (ps->tok.too_long)
			error_at(ps, ps->tok.loc, "word is longer than 255 characters");
		if (ps->tok.unterminated)
			error_at(ps, ps->tok.loc, "quote not closed on this line");
		if (ps->nwords == MAX_WORDS)
			error_at(ps, ps->tok.loc, "more than %d words in one statement; split it",
				 MAX_WORDS);
		else if (ps->nwords < MAX_WORDS)
			ps->words[ps->nwords] = ps->tok;
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

/* The place just after the last word, for "needs more" errors. */
static struct cf_loc after_last(const struct parser *ps)
{
	const struct cf_tok *last = &ps->words[ps->nwords - 1];
	struct cf_loc at = last->loc;

	at.col += strlen(last->text) + (last->quoted ? (last->unterminated ? 1 : 2) : 0);
	return at;
}

static int want_words(struct parser *ps, size_t min, size_t max, const char *usage)
{
	if (ps->nwords < min) {
		error_at(ps, after_last(ps), "'%s' needs more: %s", ps->words[0].text, usage);
		return -1;
	}
	if (ps->nwords > max) {
		error_at(ps, ps->words[max].loc, "unexpected '%s': %s", ps->words[max].text, usage);
		return -1;
	}
	return 0;
}

static int parse_vlan(struct parser *ps, const struct cf_tok *t, uint16_t *vlan)
{
	char *end;
	unsigned long n;

	n = strtoul(t->text, &end, 10);
	if (!isdigit((unsigned char)t->text[0]) || *end || n < 1 || n > 4094) {
		error_at(ps, t->loc, "'%s' is not a VLAN id (1-4094)", t->text);
		return -1;
	}
	*vlan = n;
	return 0;
}

/* `mode monitor|enforce`, once per block. */
static void parse_mode(struct parser *ps, enum cf_mode *mode, const char *what)
{
	if (want_words(ps, 2, 2, "mode monitor|enforce"))
		return;
	if (*mode) {
		error_at(ps, ps->words[0].loc, "this %s already has a mode", what);
		return;
	}
	if (!strcmp(ps->words[1].text, "monitor"))
		*mode = CF_MODE_MONITOR;
	else if (!strcmp(ps->words[1].text, "enforce"))
		*mode = CF_MODE_ENFORCE;
	else
		error_at(ps, ps->words[1].loc, "mode '%s': expected 'monitor' or 'enforce'",
			 ps->words[1].text);
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

			if (strlen(t->text) >= IF_NAMESIZE || strchr(t->text, '/') || t->quoted) {
				error_at(ps, t->loc, "'%s' is not a valid interface name", t->text);
				continue;
			}
			*CF_VEC_PUSH(z->ifaces) = strdup(t->text);
			*CF_VEC_PUSH(z->iface_locs) = t->loc;
		}
	} else if (!strcmp(kw, "vlan")) {
		if (want_words(ps, 2, MAX_WORDS, "vlan ID [ID...]"))
			return;
		for (i = 1; i < ps->nwords; i++) {
			uint16_t v;

			if (!parse_vlan(ps, &ps->words[i], &v))
				*CF_VEC_PUSH(z->vlans) = v;
		}
	} else if (!strcmp(kw, "unknown")) {
		if (ps->nwords == 3 && !strcmp(ps->words[1].text, "policy")) {
			if (valid_name(ps, &ps->words[2], "policy")) {
				strcpy(z->unknown_policy, ps->words[2].text);
				z->unknown_loc = ps->words[2].loc;
			}
			return;
		}
		if (want_words(ps, 2, 2, "unknown allow|deny|policy NAME"))
			return;
		parse_verdict(ps, &ps->words[1], &z->unknown_verdict);
	} else if (!strcmp(kw, "mode")) {
		parse_mode(ps, &z->mode, "zone");
	} else {
		error_at(ps, ps->words[0].loc,
			 "unknown zone setting '%s': expected 'interface', 'vlan', 'unknown' or 'mode'", kw);
	}
}

static struct cf_member *new_member(struct cf_group *g, enum cf_member_kind kind,
				    const struct cf_tok *t)
{
	struct cf_member *m = CF_VEC_PUSH(g->members);

	m->kind = kind;
	m->loc = t->loc;
	m->ref = -1;
	return m;
}

static void group_statement(struct parser *ps, struct cf_group *g)
{
	const char *kw = ps->words[0].text;
	const char *why;
	size_t i;

	if (!strcmp(kw, "mode")) {
		parse_mode(ps, &g->mode, "group");
		return;
	}
	if (!strcmp(kw, "zone") || !strcmp(kw, "policy")) {
		char *dst = kw[0] == 'z' ? g->zone : g->policy;
		struct cf_loc *loc = kw[0] == 'z' ? &g->zone_loc : &g->policy_loc;

		if (want_words(ps, 2, 2, kw[0] == 'z' ? "zone NAME" : "policy NAME"))
			return;
		if (dst[0]) {
			error_at(ps, ps->words[0].loc, "group '%s' already has %s '%s'", g->name, kw, dst);
			return;
		}
		if (!valid_name(ps, &ps->words[1], kw))
			return;
		strcpy(dst, ps->words[1].text);
		*loc = ps->words[1].loc;
		return;
	}
	if (!strcmp(kw, "mac")) {
		if (want_words(ps, 2, MAX_WORDS, "mac ADDRESS[/LEN] [...]"))
			return;
		for (i = 1; i < ps->nwords; i++) {
			struct cf_mac_prefix mp;

			if (camfence_addr_parse_mac_prefix(ps->words[i].text, mp.mac, &mp.len, &why)) {
				error_at(ps, ps->words[i].loc, "'%s': %s", ps->words[i].text, why);
				continue;
			}
			new_member(g, CF_MEMBER_MAC, &ps->words[i])->mac = mp;
		}
	} else if (!strcmp(kw, "ip")) {
		if (want_words(ps, 2, MAX_WORDS, "ip ADDRESS[/LEN] [...]"))
			return;
		for (i = 1; i < ps->nwords; i++) {
			struct cf_prefix p;

			if (camfence_addr_parse_prefix(ps->words[i].text, &p, &why)) {
				error_at(ps, ps->words[i].loc, "'%s': %s", ps->words[i].text, why);
				continue;
			}
			new_member(g, CF_MEMBER_PREFIX, &ps->words[i])->prefix = p;
		}
	} else if (!strcmp(kw, "vlan")) {
		if (want_words(ps, 2, MAX_WORDS, "vlan ID [ID...]"))
			return;
		for (i = 1; i < ps->nwords; i++) {
			uint16_t v;

			if (!parse_vlan(ps, &ps->words[i], &v))
				new_member(g, CF_MEMBER_VLAN, &ps->words[i])->vlan = v;
		}
	} else if (!strcmp(kw, "vendor") || !strcmp(kw, "device") || !strcmp(kw, "group")) {
		enum cf_member_kind kind = kw[0] == 'v' ? CF_MEMBER_VENDOR :
					   kw[0] == 'd' ? CF_MEMBER_DEVICE : CF_MEMBER_GROUP;

		if (want_words(ps, 2, MAX_WORDS, kind == CF_MEMBER_VENDOR ? "vendor NAME [NAME...]" :
						 kind == CF_MEMBER_DEVICE ? "device NAME [NAME...]" :
									    "group NAME [NAME...]"))
			return;
		for (i = 1; i < ps->nwords; i++) {
			if (kind != CF_MEMBER_VENDOR && !valid_name(ps, &ps->words[i], kw))
				continue;
			strcpy(new_member(g, kind, &ps->words[i])->name, ps->words[i].text);
		}
	} else {
		error_at(ps, ps->words[0].loc,
			 "unknown group setting '%s': expected mac, vendor, ip, vlan, device, group, zone, policy or mode",
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

/* "80", "8000-8100", "80,443,8000-8100" */
static int parse_ports(struct parser *ps, const struct cf_tok *t, struct cf_rule *r)
{
	const char *s = t->text;

	while (*s) {
		const char *comma = strchr(s, ','), *end = comma ? comma : s + strlen(s);
		const char *dash = memchr(s, '-', end - s);
		struct cf_port_range pr;

		if (parse_port(s, dash ? (size_t)(dash - s) : (size_t)(end - s), &pr.lo) ||
		    (dash && parse_port(dash + 1, end - dash - 1, &pr.hi))) {
			error_at(ps, t->loc, "'%s' is not a port (1-65535), a range LOW-HIGH or a list of them",
				 t->text);
			return -1;
		}
		if (!dash)
			pr.hi = pr.lo;
		if (pr.hi < pr.lo) {
			error_at(ps, t->loc, "port range '%.*s' runs backwards", (int)(end - s), s);
			return -1;
		}
		*CF_VEC_PUSH(r->ports) = pr;
		s = comma ? comma + 1 : end;
		if (comma && !*s) {
			error_at(ps, t->loc, "'%s' ends with a comma", t->text);
			return -1;
		}
	}
	return 0;
}

/* "log", "log 10/minute", "nolog" from word i on; returns the next word. */
static size_t parse_log(struct parser *ps, size_t i, int *log, unsigned int *rate,
			unsigned int *period)
{
	static const struct { const char *unit; unsigned int seconds; } units[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 },
	};
	const struct cf_tok *t = &ps->words[i];
	const char *slash;
	char *end;
	unsigned long n;
	size_t u;

	*log = !strcmp(t->text, "log");
	if (!*log || ++i == ps->nwords)
		return *log ? i : i + 1;
	t = &ps->words[i];
	slash = strchr(t->text, '/');
	if (!slash || !isdigit((unsigned char)t->text[0]))
		return i;	/* not a rate: the caller reports the word */
	n = strtoul(t->text, &end, 10);
	for (u = 0; u < 3; u++)
		if (end == slash && !strcmp(slash + 1, units[u].unit))
			break;
	if (u == 3 || n < 1 || n > 1000000) {
		error_at(ps, t->loc, "'%s' is not a log rate: COUNT/second, COUNT/minute or COUNT/hour",
			 t->text);
		return ps->nwords;
	}
	*rate = n;
	*period = units[u].seconds;
	return i + 1;
}

static int is_log_word(const char *s)
{
	return !strcmp(s, "log") || !strcmp(s, "nolog");
}

#define RULE_USAGE "allow|deny [to DESTINATION] [PROTOCOL [PORTS]] [log [RATE]|nolog]"

/* `tunnel`: the encapsulations a device could hide traffic in, judged by
 * their outer header: one rule per protocol and per UDP port, all at the
 * place of the rule written. */
static const uint8_t tunnel_protos[] = {
	4,	/* IP in IP */
	41,	/* IPv6 in IPv4 */
	47,	/* GRE */
	50,	/* ESP */
	97,	/* EtherIP */
	115,	/* L2TPv3 */
};
static const uint16_t tunnel_udp_ports[] = {
	1701,	/* L2TP */
	4500,	/* IPsec NAT traversal */
	4789,	/* VXLAN */
	6081,	/* Geneve */
	8472,	/* VXLAN, Linux's old port */
	51820,	/* WireGuard */
};

static size_t parse_log(struct parser *ps, size_t i, int *log, unsigned int *rate,
			unsigned int *period);
static int is_log_word(const char *s);

static void tunnel_rules(struct parser *ps, struct cf_policy *p, const struct cf_rule *proto,
			 size_t i)
{
	struct cf_rule r = *proto;
	size_t k;

	if (i < ps->nwords && !is_log_word(ps->words[i].text)) {
		error_at(ps, ps->words[i].loc, "'tunnel' is a class of protocols and takes no port");
		return;
	}
	if (i < ps->nwords)
		i = parse_log(ps, i, &r.log, &r.log_rate, &r.log_period);
	if (i < ps->nwords) {
		error_at(ps, ps->words[i].loc, "unexpected '%s': " RULE_USAGE, ps->words[i].text);
		return;
	}
	for (k = 0; k < sizeof(tunnel_protos); k++) {
		struct cf_rule *n = CF_VEC_PUSH(p->rules);

		*n = r;
		n->proto = tunnel_protos[k];
	}
	for (k = 0; k < sizeof(tunnel_udp_ports) / sizeof(tunnel_udp_ports[0]); k++) {
		struct cf_rule *n = CF_VEC_PUSH(p->rules);

		*n = r;
		n->proto = IPPROTO_UDP;
		memset(&n->ports, 0, sizeof(n->ports));
		*CF_VEC_PUSH(n->ports) = (struct cf_port_range){ tunnel_udp_ports[k], tunnel_udp_ports[k] };
	}
}


/* `to name HOST` or `to name *.SUFFIX`: the answers DNS gives the device. */
static int name_pattern(struct parser *ps, const struct cf_tok *t, struct cf_rule *r)
{
	const char *host = t->text, *why;
	size_t len, i;

	if (!strncmp(host, "*.", 2))
		host += 2;
	why = strchr(host, '*') ? "a wildcard is '*.' before a suffix: *.example.com" :
	      camfence_policy_host_error(host);
	if (why) {
		error_at(ps, t->loc, "'%s' is no host name or *.suffix: %s", t->text, why);
		return -1;
	}
	len = strlen(t->text);
	if (t->text[len - 1] == '.')
		len--;
	r->dst_host = calloc(1, len + 1);
	if (!r->dst_host) {
		error_at(ps, t->loc, "out of memory");
		return -1;
	}
	for (i = 0; i < len; i++)
		r->dst_host[i] = tolower((unsigned char)t->text[i]);
	r->dst_kind = CF_DST_LEARNED;
	return 0;
}

static void rule_statement(struct parser *ps, struct cf_policy *p, uint8_t verdict)
{
	struct cf_rule r = { .loc = ps->words[0].loc, .verdict = verdict, .log = CF_LOG_DEFAULT,
			     .shadowed_by = -1, .dst_set = -1 };
	const struct cf_tok *t;
	const char *why;
	size_t i = 1;

	if (i < ps->nwords && !strcmp(ps->words[i].text, "to")) {
		if (++i == ps->nwords) {
			error_at(ps, after_last(ps), "'to' needs a destination: an address, a prefix, a set, a device, local, router or any");
			return;
		}
		t = &ps->words[i++];
		r.dst_loc = t->loc;
		if (!strcmp(t->text, "any")) {
			r.dst_kind = CF_DST_ANY;
		} else if (!strcmp(t->text, "local")) {
			r.dst_kind = CF_DST_LOCAL;
		} else if (!strcmp(t->text, "router")) {
			r.dst_kind = CF_DST_ROUTER;
		} else if (!strcmp(t->text, "name")) {
			if (i == ps->nwords) {
				error_at(ps, after_last(ps), "'to name' needs a host name or *.suffix");
				return;
			}
			t = &ps->words[i++];
			if (name_pattern(ps, t, &r))
				return;
		} else if (camfence_addr_parse_prefix(t->text, &r.dst, &why) == 0) {
			r.dst_kind = CF_DST_PREFIX;
		} else if (isalpha((unsigned char)t->text[0]) && !strpbrk(t->text, ":/")) {
			if (!valid_name(ps, t, "set or device"))
				return;
			r.dst_kind = CF_DST_NAME;
			strcpy(r.dst_name, t->text);
		} else {
			error_at(ps, t->loc, "destination '%s': %s", t->text, why);
			return;
		}
	}
	if (i < ps->nwords && !strcmp(ps->words[i].text, "tunnel")) {
		if (r.dst_kind == CF_DST_LEARNED) {
			error_at(ps, ps->words[i].loc, "'tunnel' takes no 'to name': an encapsulation hides where it goes");
			goto err;
		}
		tunnel_rules(ps, p, &r, i + 1);
		return;
	}
	if (i < ps->nwords && !is_log_word(ps->words[i].text)) {
		t = &ps->words[i++];
		if (parse_proto(t->text, &r.proto)) {
			error_at(ps, t->loc, "'%s' is not a protocol: expected tcp, udp, icmp, icmpv6, any or a number 1-255",
				 t->text);
			return;
		}
		if (r.dst_kind == CF_DST_PREFIX && r.proto == IPPROTO_ICMP && r.dst.family == AF_INET6) {
			error_at(ps, t->loc, "icmp is IPv4 and the destination is IPv6: use icmpv6");
			return;
		}
		if (r.dst_kind == CF_DST_PREFIX && r.proto == IPPROTO_ICMPV6 && r.dst.family == AF_INET) {
			error_at(ps, t->loc, "icmpv6 is IPv6 and the destination is IPv4: use icmp");
			return;
		}
	}
	if (i < ps->nwords && !is_log_word(ps->words[i].text)) {
		t = &ps->words[i++];
		if (r.proto != IPPROTO_TCP && r.proto != IPPROTO_UDP) {
			error_at(ps, t->loc, "a port needs protocol tcp or udp before it");
			return;
		}
		if (parse_ports(ps, t, &r))
			goto err;
	}
	if (i < ps->nwords && is_log_word(ps->words[i].text))
		i = parse_log(ps, i, &r.log, &r.log_rate, &r.log_period);
	if (i < ps->nwords) {
		error_at(ps, ps->words[i].loc, "unexpected '%s': " RULE_USAGE, ps->words[i].text);
		goto err;
	}
	*CF_VEC_PUSH(p->rules) = r;
	return;
err:
	free(r.ports.v);
	free(r.dst_host);
}

static void policy_statement(struct parser *ps, struct cf_policy *p, int *has_default)
{
	const char *kw = ps->words[0].text;
	uint8_t v;
	size_t i;

	if (!strcmp(kw, "allow") && ps->nwords >= 2 && !strcmp(ps->words[1].text, "replies")) {
		if (want_words(ps, 2, 2, "allow replies"))
			return;
		p->allow_replies = 1;
	} else if (!strcmp(kw, "allow") || !strcmp(kw, "deny")) {
		parse_verdict(ps, &ps->words[0], &v);
		rule_statement(ps, p, v);
	} else if (!strcmp(kw, "default")) {
		if (want_words(ps, 2, 4, "default allow|deny [log [RATE]|nolog]"))
			return;
		if (*has_default) {
			error_at(ps, ps->words[0].loc, "policy '%s' already has a default", p->name);
			return;
		}
		if (parse_verdict(ps, &ps->words[1], &p->default_verdict))
			return;
		p->default_loc = ps->words[0].loc;
		*has_default = 1;
		i = 2;
		if (i < ps->nwords && is_log_word(ps->words[i].text))
			i = parse_log(ps, i, &p->default_log, &p->default_log_rate,
				      &p->default_log_period);
		if (i < ps->nwords)
			error_at(ps, ps->words[i].loc, "unexpected '%s': default allow|deny [log [RATE]|nolog]",
				 ps->words[i].text);
	} else {
		error_at(ps, ps->words[0].loc,
			 "unknown policy statement '%s': expected 'allow', 'deny' or 'default'", kw);
	}
}

/* A host name as DNS carries it (RFC 1123): labels of letters, digits and
 * hyphens, 1 to 63 characters, not starting or ending with a hyphen; 253 in
 * all. Returns why it is not one, or NULL. */
const char *camfence_policy_host_error(const char *h)
{
	size_t len = strlen(h), label = 0, i;

	if (len && h[len - 1] == '.')
		len--;		/* the root's dot is implied */
	if (!len)
		return "an empty name";
	if (len > CF_HOST_MAX - 1)
		return "longer than 253 characters";
	for (i = 0; i <= len; i++) {
		char c = i < len ? h[i] : '.';

		if (c == '.') {
			if (!label)
				return "an empty label (two dots, or a leading dot)";
			if (h[i - 1] == '-')
				return "a label ends with '-'";
			label = 0;
			continue;
		}
		if (c == '*')
			return "a wildcard cannot be resolved: name each host";
		if (!isalnum((unsigned char)c) && c != '-')
			return "only letters, digits, '-' and '.' make a host name";
		if (c == '-' && !label)
			return "a label starts with '-'";
		if (++label > 63)
			return "a label is longer than 63 characters";
	}
	return NULL;
}

static void set_name(struct parser *ps, struct cf_set *s, const struct cf_tok *t)
{
	const char *why = camfence_policy_host_error(t->text);
	struct cf_set_name *n;
	size_t i, len;

	if (why) {
		error_at(ps, t->loc, "'%s' is no host name to resolve: %s", t->text, why);
		return;
	}
	n = CF_VEC_PUSH(s->names);
	len = strlen(t->text);
	if (t->text[len - 1] == '.')
		len--;
	for (i = 0; i < len; i++)
		n->host[i] = tolower((unsigned char)t->text[i]);
	n->loc = t->loc;
}

/* A set's line: addresses and prefixes, or `resolve HOST...`. */
static void set_statement(struct parser *ps, struct cf_set *s)
{
	const char *why;
	size_t i;

	if (!strcmp(ps->words[0].text, "resolve")) {
		if (ps->nwords < 2)
			error_at(ps, after_last(ps), "'resolve' needs one or more host names");
		for (i = 1; i < ps->nwords; i++)
			set_name(ps, s, &ps->words[i]);
		return;
	}
	for (i = 0; i < ps->nwords; i++) {
		struct cf_prefix p;

		if (camfence_addr_parse_prefix(ps->words[i].text, &p, &why)) {
			error_at(ps, ps->words[i].loc, "'%s': %s", ps->words[i].text, why);
			continue;
		}
		*CF_VEC_PUSH(s->prefixes) = p;
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

static void *new_block(struct cf_config *cfg, enum block_kind kind, const char *name,
		       struct cf_loc loc)
{
	switch (kind) {
	case BLOCK_ZONE: {
		struct cf_zone *z = CF_VEC_PUSH(cfg->zones);

		strcpy(z->name, name);
		z->loc = loc;
		z->unknown_verdict = CAMFENCE_DROP;
		z->unknown_policy_idx = -1;
		return z;
	}
	case BLOCK_GROUP: {
		struct cf_group *g = CF_VEC_PUSH(cfg->groups);

		strcpy(g->name, name);
		g->loc = loc;
		g->zone_idx = -1;
		g->policy_idx = -1;
		return g;
	}
	case BLOCK_POLICY: {
		struct cf_policy *p = CF_VEC_PUSH(cfg->policies);

		strcpy(p->name, name);
		p->loc = loc;
		p->default_verdict = CAMFENCE_DROP;
		p->default_log = CF_LOG_DEFAULT;
		return p;
	}
	default: {
		struct cf_set *s = CF_VEC_PUSH(cfg->sets);

		strcpy(s->name, name);
		s->loc = loc;
		return s;
	}
	}
}

static void parse_block(struct parser *ps, enum block_kind kind)
{
	struct cf_loc open_loc = ps->tok.loc;
	const char *what = block_name[kind];
	char name[CF_NAME_MAX];
	int has_default = 0;
	void *item;

	next(ps);
	if (ps->tok.kind != CF_TOK_WORD) {
		error_at(ps, ps->tok.loc, "expected a name after '%s'", what);
		skip_statement(ps);
		return;
	}
	if (!valid_name(ps, &ps->tok, what)) {
		skip_statement(ps);
		return;
	}
	strcpy(name, ps->tok.text);
	next(ps);
	if (ps->tok.kind != CF_TOK_LBRACE) {
		error_at(ps, ps->tok.loc, "expected '{' after %s %s", what, name);
		skip_statement(ps);
		return;
	}
	next(ps);
	item = new_block(ps->ctx->cfg, kind, name, open_loc);

	for (;;) {
		while (ps->tok.kind == CF_TOK_EOL)
			next(ps);
		if (ps->tok.kind == CF_TOK_RBRACE) {
			next(ps);
			break;
		}
		if (ps->tok.kind == CF_TOK_EOF) {
			error_at(ps, open_loc, "%s %s: missing '}' before the end of the file", what,
				 name);
			return;
		}
		if (ps->tok.kind == CF_TOK_LBRACE) {
			error_at(ps, ps->tok.loc, "unexpected '{' inside %s %s", what, name);
			skip_statement(ps);
			continue;
		}
		read_statement(ps);
		/* item may move as blocks are added: only this block is added to here */
		if (kind == BLOCK_ZONE)
			zone_statement(ps, item);
		else if (kind == BLOCK_GROUP)
			group_statement(ps, item);
		else if (kind == BLOCK_POLICY)
			policy_statement(ps, item, &has_default);
		else
			set_statement(ps, item);
	}
	if (ps->tok.kind == CF_TOK_WORD || ps->tok.kind == CF_TOK_LBRACE) {
		error_at(ps, ps->tok.loc, "unexpected '%s' after the '}' of %s %s", ps->tok.text,
			 what, name);
		skip_statement(ps);
	}
}

/* device NAME mac MAC [MAC...] [ip ADDRESS...]: one line */
static void device_statement(struct parser *ps)
{
	struct cf_config *cfg = ps->ctx->cfg;
	struct cf_device *d;
	const char *why;
	int section = 0;	/* 1 mac, 2 ip */
	size_t i;

	if (want_words(ps, 4, MAX_WORDS, "device NAME mac ADDRESS [ip ADDRESS...] [mode monitor|enforce]") ||
	    !valid_name(ps, &ps->words[1], "device"))
		return;
	d = CF_VEC_PUSH(cfg->devices);
	strcpy(d->name, ps->words[1].text);
	d->loc = ps->words[0].loc;
	for (i = 2; i < ps->nwords; i++) {
		const struct cf_tok *t = &ps->words[i];

		if (!strcmp(t->text, "mac")) {
			section = 1;
		} else if (!strcmp(t->text, "ip")) {
			section = 2;
		} else if (!strcmp(t->text, "mode")) {
			/* the device's own mode: last on its line */
			if (i + 2 != ps->nwords || d->mode) {
				error_at(ps, t->loc, "'mode' ends a device line, once: mode monitor|enforce");
				return;
			}
			t = &ps->words[++i];
			if (!strcmp(t->text, "monitor"))
				d->mode = CF_MODE_MONITOR;
			else if (!strcmp(t->text, "enforce"))
				d->mode = CF_MODE_ENFORCE;
			else
				error_at(ps, t->loc, "mode '%s': expected 'monitor' or 'enforce'", t->text);
		} else if (section == 1) {
			struct cf_mac_prefix *m = CF_VEC_PUSH(d->macs);

			if (camfence_addr_parse_mac(t->text, m->mac)) {
				error_at(ps, t->loc, "'%s' is not a MAC address (six hex pairs: 44:19:b6:0a:0b:0c)",
					 t->text);
				d->macs.n--;
			}
			m->len = 48;
		} else if (section == 2) {
			struct cf_prefix p;

			if (camfence_addr_parse_prefix(t->text, &p, &why))
				error_at(ps, t->loc, "'%s': %s", t->text, why);
			else
				*CF_VEC_PUSH(d->addrs) = p;
		} else {
			error_at(ps, t->loc, "unexpected '%s': device NAME mac ADDRESS [ip ADDRESS...]",
				 t->text);
			return;
		}
	}
	if (!d->macs.n && !d->addrs.n)
		error_at(ps, d->loc, "device '%s' has no 'mac' or 'ip' address", d->name);
}

static void parse_file_text(struct cf_parse_ctx *ctx, unsigned int file, const char *text);
static int read_file(struct cf_parse_ctx *ctx, const char *path, const char *shown,
		     struct cf_loc from);

static void include_statement(struct parser *ps)
{
	const char *arg = ps->words[1].text;
	char *base, *dir, *path;

	if (want_words(ps, 2, 2, "include PATH"))
		return;
	if (arg[0] == '/') {
		path = strdup(arg);
	} else {
		base = strdup(ps->ctx->cfg->files.v[ps->file]);
		dir = dirname(base);
		if (asprintf(&path, "%s/%s", dir, arg) < 0)
			path = NULL;
		free(base);
	}
	if (!path)
		return;
	read_file(ps->ctx, path, arg, ps->words[1].loc);
	free(path);
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
		else if (ps->tok.kind == CF_TOK_WORD && !strcmp(ps->tok.text, "set"))
			parse_block(ps, BLOCK_SET);
		else if (ps->tok.kind == CF_TOK_WORD && (!strcmp(ps->tok.text, "device") ||
							 !strcmp(ps->tok.text, "include"))) {
			int dev = ps->tok.text[0] == 'd';

			read_statement(ps);
			if (dev)
				device_statement(ps);
			else
				include_statement(ps);
			if (ps->tok.kind != CF_TOK_EOL && ps->tok.kind != CF_TOK_EOF) {
				error_at(ps, ps->tok.loc, "unexpected '%s'", ps->tok.text);
				skip_statement(ps);
			}
		} else {
			error_at(ps, ps->tok.loc,
				 "unexpected '%s': expected zone, group, policy, set, device or include",
				 ps->tok.text);
			skip_statement(ps);
		}
	}
}

static void parse_file_text(struct cf_parse_ctx *ctx, unsigned int file, const char *text)
{
	struct parser *ps = calloc(1, sizeof(*ps));

	if (!ps) {
		perror("camfence: out of memory");
		exit(1);
	}
	ps->ctx = ctx;
	ps->file = file;
	camfence_policy_lex_init(&ps->lx, text);
	parse_top(ps);
	free(ps);
}

static unsigned int add_file(struct cf_parse_ctx *ctx, const char *path, char *text)
{
	*CF_VEC_PUSH(ctx->cfg->files) = strdup(path);
	*CF_VEC_PUSH(ctx->texts) = text;
	return ctx->cfg->files.n - 1;
}

/* Reads and parses path; from is the include statement naming it (as
 * shown), if any. */
static int read_file(struct cf_parse_ctx *ctx, const char *path, const char *shown,
		     struct cf_loc from)
{
	const char *name = ctx->cfg->files.n == 0 ? "" : shown;
	const char *colon = ctx->cfg->files.n == 0 ? "" : ": ";
	int top = ctx->cfg->files.n == 0;
	char real[PATH_MAX], why[PATH_MAX + 200], *text;
	struct stat st;
	unsigned int file;
	size_t n, i;
	FILE *f;
	int fd;


	/* errors about the file itself point at its include, or at 1:1 of it */
	if (top) {
		from.file = add_file(ctx, path, NULL);
		from.line = from.col = 1;
	}
	/* non-blocking: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		camfence_policy_error(ctx, from, "%s%scannot open: %s", name, colon, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE_BYTES) {
		int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);

		camfence_policy_error(ctx, from, "%s%s%s", name, colon, regular ?
				      "larger than 16 MiB" : "not a regular file");
		close(fd);
		return -1;
	}
	/* a warning says what camfenced, as root, will think; the daemon itself
	 * may run as a uid of its own */
	if (ctx->trust != CF_TRUST_IGNORE &&
	    camfence_policy_trust_fd(path, fd, ctx->trust == CF_TRUST_WARN ? 0 : geteuid(), why,
				     sizeof(why))) {
		if (ctx->trust == CF_TRUST_WARN) {
			camfence_policy_warning(ctx, from, "%s%s%s; camfenced refuses the file until then",
						name, colon, why);
		} else {
			camfence_policy_error(ctx, from, "%s%s%s; camfenced reads no policy file that anyone but root could change",
					      name, colon, why);
			close(fd);
			return -1;
		}
	}
	f = fdopen(fd, "r");
	if (!f) {
		camfence_policy_error(ctx, from, "%s%scannot open: %s", name, colon, strerror(errno));
		close(fd);
		return -1;
	}
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (i = 0; i < ctx->stack.n; i++) {
		if (!strcmp(ctx->stack.v[i], real)) {
			camfence_policy_error(ctx, from, "%s: included again while it is being read: an include cycle",
					      shown);
			fclose(f);
			return -1;
		}
	}
	if (ctx->stack.n == CF_MAX_INCLUDE_DEPTH) {
		camfence_policy_error(ctx, from, "%s: includes nest deeper than %d files", shown,
				      CF_MAX_INCLUDE_DEPTH);
		fclose(f);
		return -1;
	}
	text = malloc(st.st_size + 1);
	if (!text) {
		fclose(f);
		return -1;
	}
	n = fread(text, 1, st.st_size, f);
	fclose(f);
	text[n] = '\0';
	if (strlen(text) != n) {
		camfence_policy_error(ctx, from, "%s%sholds a NUL byte: not a text file", name, colon);
		free(text);
		return -1;
	}
	if (top) {
		file = 0;
		ctx->texts.v[0] = text;
	} else {
		file = add_file(ctx, path, text);
	}
	*CF_VEC_PUSH(ctx->stack) = strdup(real);
	parse_file_text(ctx, file, text);
	free(ctx->stack.v[--ctx->stack.n]);
	return 0;
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

static void finish(struct cf_parse_ctx *ctx)
{
	size_t i;

	if (!ctx->cfg->nerrors)
		camfence_policy_resolve(ctx);
	for (i = 0; i < ctx->texts.n; i++)
		free(ctx->texts.v[i]);
	free(ctx->texts.v);
	free(ctx->stack.v);
}

struct cf_config *camfence_policy_parse_text(const char *path, const char *text)
{
	struct cf_parse_ctx ctx = { .cfg = new_config(path) };
	char *copy = strdup(text);
	char *dir = strdup(path), *real = NULL;

	add_file(&ctx, path, copy);
	/* includes of a text are read relative to where it claims to be */
	real = realpath(path, NULL);
	*CF_VEC_PUSH(ctx.stack) = real ? real : strdup(path);
	parse_file_text(&ctx, 0, copy);
	free(ctx.stack.v[--ctx.stack.n]);
	free(dir);
	finish(&ctx);
	return ctx.cfg;
}

struct cf_config *camfence_policy_parse_file(const char *path)
{
	return camfence_policy_parse_file_trust(path, CF_TRUST_IGNORE);
}

struct cf_config *camfence_policy_parse_file_trust(const char *path, enum cf_trust trust)
{
	struct cf_parse_ctx ctx = { .cfg = new_config(path), .trust = trust };
	struct cf_loc top = { 0, 0, 0 };

	read_file(&ctx, path, path, top);
	finish(&ctx);
	return ctx.cfg;
}

void camfence_policy_free(struct cf_config *cfg)
{
	size_t i, j;

	if (!cfg)
		return;
	for (i = 0; i < cfg->zones.n; i++) {
		for (j = 0; j < cfg->zones.v[i].ifaces.n; j++)
			free(cfg->zones.v[i].ifaces.v[j]);
		free(cfg->zones.v[i].ifaces.v);
		free(cfg->zones.v[i].iface_locs.v);
		free(cfg->zones.v[i].vlans.v);
	}
	for (i = 0; i < cfg->devices.n; i++) {
		free(cfg->devices.v[i].macs.v);
		free(cfg->devices.v[i].addrs.v);
	}
	for (i = 0; i < cfg->sets.n; i++) {
		free(cfg->sets.v[i].prefixes.v);
		free(cfg->sets.v[i].names.v);
	}
	for (i = 0; i < cfg->groups.n; i++) {
		for (j = 0; j < cfg->groups.v[i].members.n; j++)
			free(cfg->groups.v[i].members.v[j].vendor_macs.v);
		free(cfg->groups.v[i].members.v);
	}
	for (i = 0; i < cfg->policies.n; i++) {
		for (j = 0; j < cfg->policies.v[i].rules.n; j++) {
			free(cfg->policies.v[i].rules.v[j].ports.v);
			free(cfg->policies.v[i].rules.v[j].dsts.v);
			free(cfg->policies.v[i].rules.v[j].dst_host);
		}
		free(cfg->policies.v[i].rules.v);
	}
	for (i = 0; i < cfg->files.n; i++)
		free(cfg->files.v[i]);
	for (i = 0; i < cfg->nerrors; i++)
		free(cfg->errors[i]);
	for (i = 0; i < cfg->nwarnings; i++)
		free(cfg->warnings[i]);
	free(cfg->zones.v);
	free(cfg->devices.v);
	free(cfg->sets.v);
	free(cfg->groups.v);
	free(cfg->policies.v);
	free(cfg->local.v);
	free(cfg->router.v);
	free(cfg->files.v);
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

void camfence_policy_print_warnings(const struct cf_config *cfg, FILE *out)
{
	size_t i;

	for (i = 0; i < cfg->nwarnings; i++)
		fprintf(out, "%s\n", cfg->warnings[i]);
}

const char *camfence_policy_file(const struct cf_config *cfg, struct cf_loc loc)
{
	return loc.file < cfg->files.n ? cfg->files.v[loc.file] : cfg->path;
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

int camfence_policy_rule_logs(const struct cf_rule *r)
{
	return r->log == CF_LOG_DEFAULT ? r->verdict == CAMFENCE_DROP : r->log;
}
