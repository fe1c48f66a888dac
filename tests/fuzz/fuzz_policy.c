// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the policy parser (docs/fuzzing.md).
 *
 * The input is a policy file. It is parsed as text, every field of the
 * result is read (so ASan and UBSan see any value the parser left wrong), a
 * clean result is bound to made-up interface addresses, errors and warnings
 * are printed as camfencectl check prints them, and the config is freed (so
 * LeakSanitizer sees what it kept). Only the public API of daemon/policy.h
 * is used: the parser's internals may change freely.
 *
 * The text is named FUZZ_DATA/include/fuzz.conf, so `include` reaches the
 * small files there, and vendors are looked up in the small registry under
 * FUZZ_DATA/ieee-data: the run does not depend on the machine it runs on,
 * and the 3 MB registry is not read thousands of times a second.
 *
 * Besides crashes, leaks and hangs, the target aborts when the result
 * breaks a promise the rest of camfence relies on: strings end inside their
 * arrays, every location points into the file it names, messages read
 * "FILE:LINE:COL: ...", a clean config's references are in range.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "camfence.h"
#include "policy.h"

#ifndef FUZZ_DATA
#define FUZZ_DATA "tests/fuzz"
#endif
#define FUZZ_PATH FUZZ_DATA "/include/fuzz.conf"

#define ensure(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_policy: %s:%d: broken promise: %s\n", \
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* What every read value is folded into, so the reads are not optimised out. */
static volatile unsigned long sink;

/* FUZZ_POLICY_PRINT=1: also print what the parser said, to see what an
 * input does when replaying it */
static int print_to_stderr;

/* The lines of one file of the config: the input, or a file it included. */
struct lines {
	size_t *len;		/* without the '\n' */
	unsigned int n;		/* the last one may be empty: the end of the file */
};

struct walk {
	const struct cf_config *cfg;
	const char *input;
	struct lines *files;	/* by cf_loc.file, read on first use */
	int clean;
};

static void lines_init(struct lines *ls, const char *text)
{
	const char *p = text, *nl;
	unsigned int n = 1;

	for (nl = text; (nl = strchr(nl, '\n')); nl++)
		n++;
	ls->len = malloc(n * sizeof(*ls->len));
	ensure(ls->len);
	ls->n = 0;
	while ((nl = strchr(p, '\n'))) {
		ls->len[ls->n++] = nl - p;
		p = nl + 1;
	}
	ls->len[ls->n++] = strlen(p);
}

/* An included file, read again to check the locations in it. */
static char *read_text(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *out;
	char buf[4096];
	size_t n;

	ensure(f);
	out = open_memstream(&text, &len);
	ensure(out);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, out);
	fclose(f);
	ensure(!fclose(out));
	return text;
}

static const struct lines *file_lines(struct walk *w, unsigned int file)
{
	struct lines *ls = &w->files[file];

	if (!ls->len) {
		char *text = file ? read_text(w->cfg->files.v[file]) : NULL;

		lines_init(ls, file ? text : w->input);
		free(text);
	}
	return ls;
}

/*
 * A location names a file of the config, a line of it (the end of the file
 * is on the last, possibly empty, line) and a column at most one past that
 * line's last character. what says whose location it is, for the report.
 */
static void touch_loc_of(struct walk *w, struct cf_loc loc, const char *what)
{
	const struct lines *ls = NULL;

	if (loc.file < w->cfg->files.n)
		ls = file_lines(w, loc.file);
	if (!ls || loc.line < 1 || loc.line > ls->n || loc.col < 1 ||
	    loc.col > ls->len[loc.line - 1] + 1) {
		fprintf(stderr, "fuzz_policy: broken promise: %s is at file %u line %u column %u, ",
			what, loc.file, loc.line, loc.col);
		if (!ls)
			fprintf(stderr, "but the config has %zu files\n", w->cfg->files.n);
		else if (loc.line < 1 || loc.line > ls->n)
			fprintf(stderr, "but %s has %u lines\n", w->cfg->files.v[loc.file], ls->n);
		else
			fprintf(stderr, "but line %u of %s has %zu characters\n", loc.line,
				w->cfg->files.v[loc.file], ls->len[loc.line - 1]);
		abort();
	}
	sink += strlen(camfence_policy_file(w->cfg, loc)) + loc.line + loc.col;
}

#define touch_loc(w, loc) touch_loc_of(w, loc, #loc)

/* A location that is set only with what it locates: zero when unset. */
#define touch_opt_loc(w, loc)					\
	do {							\
		if ((loc).line)					\
			touch_loc_of(w, loc, #loc);		\
		else						\
			ensure(!(loc).col);			\
	} while (0)

static void touch_name(const char *name, size_t size)
{
	size_t n = strnlen(name, size);

	ensure(n < size);
	sink += n;
}

static void touch_prefix(const struct cf_prefix *p)
{
	unsigned int max, b;
	char buf[64];

	ensure(p->family == AF_INET || p->family == AF_INET6);
	max = p->family == AF_INET ? 32 : 128;
	ensure(p->len <= max);
	for (b = p->len; b < max; b++)
		ensure(!(p->addr[b / 8] & (0x80 >> (b % 8))));
	sink += strlen(camfence_addr_prefix_str(p, buf, sizeof(buf)));
}

static void touch_mac_prefix(const struct cf_mac_prefix *m)
{
	unsigned int b;
	char buf[18];

	ensure(m->len >= 1 && m->len <= 48);
	for (b = m->len; b < 48; b++)
		ensure(!(m->mac[b / 8] & (0x80 >> (b % 8))));
	sink += strlen(camfence_addr_mac_str(m->mac, buf)) + m->len;
}

/* A resolved index: in range and naming what the name says once clean. */
#define touch_ref(w, idx, vec, want)						\
	do {									\
		if ((w)->clean && (want)[0]) {					\
			ensure((idx) >= 0 && (size_t)(idx) < (vec).n);		\
			ensure(!strcmp((vec).v[(idx)].name, (want)));		\
		}								\
		sink += (unsigned long)(idx);					\
	} while (0)

static void touch_zone(struct walk *w, const struct cf_zone *z)
{
	size_t i;

	touch_name(z->name, sizeof(z->name));
	touch_loc(w, z->loc);
	ensure(z->ifaces.n == z->iface_locs.n);
	for (i = 0; i < z->ifaces.n; i++) {
		ensure(z->ifaces.v[i] && strlen(z->ifaces.v[i]) < IF_NAMESIZE);
		touch_loc(w, z->iface_locs.v[i]);
	}
	for (i = 0; i < z->vlans.n; i++)
		ensure(z->vlans.v[i] >= 1 && z->vlans.v[i] <= 4094);
	ensure(z->unknown_verdict == CAMFENCE_PASS || z->unknown_verdict == CAMFENCE_DROP);
	touch_name(z->unknown_policy, sizeof(z->unknown_policy));
	touch_opt_loc(w, z->unknown_loc);
	touch_ref(w, z->unknown_policy_idx, w->cfg->policies, z->unknown_policy);
	ensure(z->mode <= CF_MODE_MONITOR);
}

static void touch_device(struct walk *w, const struct cf_device *d)
{
	size_t i;

	touch_name(d->name, sizeof(d->name));
	touch_loc(w, d->loc);
	for (i = 0; i < d->macs.n; i++)
		touch_mac_prefix(&d->macs.v[i]);
	for (i = 0; i < d->addrs.n; i++)
		touch_prefix(&d->addrs.v[i]);
	ensure(d->mode <= CF_MODE_MONITOR);
}

static void touch_set(struct walk *w, const struct cf_set *s)
{
	size_t i;

	touch_name(s->name, sizeof(s->name));
	touch_loc(w, s->loc);
	for (i = 0; i < s->prefixes.n; i++)
		touch_prefix(&s->prefixes.v[i]);
	/* host names as DNS has them: lower case, no dot at either end */
	for (i = 0; i < s->names.n; i++) {
		size_t len = strnlen(s->names.v[i].host, CF_HOST_MAX);

		ensure(len > 0 && len < CF_HOST_MAX);
		ensure(s->names.v[i].host[0] != '.' && s->names.v[i].host[len - 1] != '.');
		ensure(!strpbrk(s->names.v[i].host, "ABCDEFGHIJKLMNOPQRSTUVWXYZ* "));
		touch_loc(w, s->names.v[i].loc);
	}
}

static void touch_member(struct walk *w, const struct cf_member *m)
{
	const struct cf_config *cfg = w->cfg;
	size_t i;

	touch_loc(w, m->loc);
	touch_name(m->name, sizeof(m->name));
	switch (m->kind) {
	case CF_MEMBER_MAC:
		touch_mac_prefix(&m->mac);
		break;
	case CF_MEMBER_VENDOR:
		for (i = 0; i < m->vendor_macs.n; i++)
			touch_mac_prefix(&m->vendor_macs.v[i]);
		ensure(!w->clean || m->vendor_macs.n);
		break;
	case CF_MEMBER_PREFIX:
		touch_prefix(&m->prefix);
		break;
	case CF_MEMBER_VLAN:
		ensure(m->vlan >= 1 && m->vlan <= 4094);
		break;
	case CF_MEMBER_DEVICE:
		touch_ref(w, m->ref, cfg->devices, m->name);
		break;
	case CF_MEMBER_GROUP:
		touch_ref(w, m->ref, cfg->groups, m->name);
		break;
	default:
		ensure(!"a member of no known kind");
	}
}

static void touch_group(struct walk *w, const struct cf_group *g)
{
	const struct cf_config *cfg = w->cfg;
	size_t i;

	touch_name(g->name, sizeof(g->name));
	touch_loc(w, g->loc);
	ensure(g->mode <= CF_MODE_MONITOR);
	for (i = 0; i < g->members.n; i++)
		touch_member(w, &g->members.v[i]);
	touch_name(g->zone, sizeof(g->zone));
	touch_opt_loc(w, g->zone_loc);
	touch_ref(w, g->zone_idx, cfg->zones, g->zone);
	touch_name(g->policy, sizeof(g->policy));
	touch_opt_loc(w, g->policy_loc);
	touch_ref(w, g->policy_idx, cfg->policies, g->policy);
	sink += g->used;
}

static void touch_log(int log, unsigned int rate, unsigned int period)
{
	ensure(log == CF_LOG_DEFAULT || log == 0 || log == 1);
	ensure(period == 0 || period == 1 || period == 60 || period == 3600);
	ensure(!period == !rate);
	sink += rate + period;
}

static void touch_rule(struct walk *w, const struct cf_rule *r, size_t idx)
{
	char proto[8];
	size_t i;

	touch_loc(w, r->loc);
	ensure(r->verdict == CAMFENCE_PASS || r->verdict == CAMFENCE_DROP);
	switch (r->dst_kind) {
	case CF_DST_PREFIX:
		touch_prefix(&r->dst);
		break;
	case CF_DST_NAME:
		ensure(r->dst_name[0]);
		break;
	case CF_DST_LEARNED:
		/* a host or *.suffix, lower case */
		ensure(r->dst_host && r->dst_host[0] && strlen(r->dst_host) < CF_HOST_MAX + 2);
		ensure(!strchr(r->dst_host + (r->dst_host[0] == '*' ? 1 : 0), '*'));
		ensure(!r->dsts.n);
		break;
	case CF_DST_ANY:
	case CF_DST_LOCAL:
	case CF_DST_ROUTER:
		break;
	default:
		ensure(!"a destination of no known kind");
	}
	touch_name(r->dst_name, sizeof(r->dst_name));
	touch_opt_loc(w, r->dst_loc);
	for (i = 0; i < r->dsts.n; i++)
		touch_prefix(&r->dsts.v[i]);
	sink += strlen(camfence_policy_proto_name(r->proto, proto));
	for (i = 0; i < r->ports.n; i++)
		ensure(r->ports.v[i].lo >= 1 && r->ports.v[i].lo <= r->ports.v[i].hi);
	ensure(!r->ports.n || r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP);
	touch_log(r->log, r->log_rate, r->log_period);
	sink += camfence_policy_rule_logs(r);
	ensure(r->shadowed_by >= -1 && r->shadowed_by < (long)idx);
}

static void touch_policy(struct walk *w, const struct cf_policy *p)
{
	size_t i;

	touch_name(p->name, sizeof(p->name));
	touch_loc(w, p->loc);
	for (i = 0; i < p->rules.n; i++)
		touch_rule(w, &p->rules.v[i], i);
	ensure(p->default_verdict == CAMFENCE_PASS || p->default_verdict == CAMFENCE_DROP);
	touch_log(p->default_log, p->default_log_rate, p->default_log_period);
	touch_opt_loc(w, p->default_loc);
	sink += p->allow_replies;
}

/* "FILE:LINE:COL: [warning: ]message", then the source line and a caret. */
static void touch_message(struct walk *w, const char *e, int warning)
{
	const struct cf_config *cfg = w->cfg;
	struct cf_loc loc = { 0 };
	char what[1024];
	unsigned long n;
	const char *p;
	char *end;
	size_t len;

	ensure(e);
	for (loc.file = 0; loc.file < cfg->files.n; loc.file++) {
		len = strlen(cfg->files.v[loc.file]);
		if (!strncmp(e, cfg->files.v[loc.file], len) && e[len] == ':' &&
		    e[len + 1] >= '0' && e[len + 1] <= '9')
			break;
	}
	ensure(loc.file < cfg->files.n);
	p = e + len + 1;
	n = strtoul(p, &end, 10);
	ensure(end != p && *end == ':' && n <= UINT32_MAX);
	loc.line = n;
	p = end + 1;
	n = strtoul(p, &end, 10);
	ensure(end != p && *end == ':' && end[1] == ' ' && n <= UINT32_MAX);
	loc.col = n;
	snprintf(what, sizeof(what), "the %s '%.*s'", warning ? "warning" : "error",
		 (int)strcspn(e, "\n"), e);
	touch_loc_of(w, loc, what);
	ensure(!warning || !strncmp(end + 2, "warning: ", 9));
	ensure((p = strchr(end, '\n')) && strchr(p + 1, '\n'));
}

static void print_messages(const struct cf_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	out = open_memstream(&buf, &len);
	ensure(out);
	camfence_policy_print_errors(cfg, out);
	camfence_policy_print_warnings(cfg, out);
	ensure(!fclose(out));
	ensure(!len == !(cfg->nerrors || cfg->nerrors_dropped || cfg->nwarnings));
	if (print_to_stderr)
		fprintf(stderr, "%s-- %zu errors, %zu warnings\n", buf, cfg->nerrors, cfg->nwarnings);
	sink += len;
	free(buf);
}

static void touch_config(struct walk *w)
{
	const struct cf_config *cfg = w->cfg;
	size_t i;

	ensure(cfg->path && !strcmp(cfg->path, FUZZ_PATH));
	ensure(cfg->files.n >= 1 && !strcmp(cfg->files.v[0], FUZZ_PATH));
	for (i = 0; i < cfg->files.n; i++)
		ensure(cfg->files.v[i]);
	ensure(cfg->nerrors <= CF_MAX_ERRORS);
	ensure(!cfg->nerrors_dropped || cfg->nerrors == CF_MAX_ERRORS);
	ensure(cfg->nwarnings <= CF_MAX_WARNINGS);
	w->clean = !cfg->nerrors;
	for (i = 0; i < cfg->zones.n; i++)
		touch_zone(w, &cfg->zones.v[i]);
	for (i = 0; i < cfg->devices.n; i++)
		touch_device(w, &cfg->devices.v[i]);
	for (i = 0; i < cfg->sets.n; i++)
		touch_set(w, &cfg->sets.v[i]);
	for (i = 0; i < cfg->groups.n; i++)
		touch_group(w, &cfg->groups.v[i]);
	for (i = 0; i < cfg->policies.n; i++)
		touch_policy(w, &cfg->policies.v[i]);
	for (i = 0; i < cfg->local.n; i++)
		touch_prefix(&cfg->local.v[i]);
	for (i = 0; i < cfg->router.n; i++)
		touch_prefix(&cfg->router.v[i]);
	for (i = 0; i < cfg->nerrors; i++)
		touch_message(w, cfg->errors[i], 0);
	for (i = 0; i < cfg->nwarnings; i++)
		touch_message(w, cfg->warnings[i], 1);
	print_messages(cfg);
}

/* As camfenced does once a policy is clean: give the zone interfaces (and
 * one interface in no zone) an IPv4 and an IPv6 subnet each. */
static void bind_config(struct cf_config *cfg)
{
	struct cf_iface_addr addrs[2 * 9];
	size_t i, j, n = 0;

	memset(addrs, 0, sizeof(addrs));
	for (i = 0; i < cfg->zones.n && n < 2 * 8; i++) {
		for (j = 0; j < cfg->zones.v[i].ifaces.n && n < 2 * 8; j++, n += 2) {
			snprintf(addrs[n].ifname, IF_NAMESIZE, "%s", cfg->zones.v[i].ifaces.v[j]);
			addrs[n + 1] = addrs[n];
			addrs[n].addr.family = AF_INET;
			memcpy(addrs[n].addr.addr, (uint8_t[]){ 10, (uint8_t)i, (uint8_t)j, 1 }, 4);
			addrs[n].addr.len = 24;
			addrs[n + 1].addr.family = AF_INET6;
			memcpy(addrs[n + 1].addr.addr, (uint8_t[]){ 0xfd, 0, (uint8_t)i, (uint8_t)j }, 4);
			addrs[n + 1].addr.addr[15] = 1;
			addrs[n + 1].addr.len = 64;
		}
	}
	snprintf(addrs[n].ifname, IF_NAMESIZE, "wan0");
	addrs[n].addr.family = AF_INET;
	memcpy(addrs[n].addr.addr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	addrs[n++].addr.len = 24;
	camfence_policy_bind(cfg, addrs, n);
	ensure(cfg->bound);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("CAMFENCE_OUI_DIR", FUZZ_DATA "/ieee-data", 1);
	print_to_stderr = getenv("FUZZ_POLICY_PRINT") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_config *cfg;
	struct walk w;
	size_t i;
	char *text;

	/* a file with a NUL byte is refused before it is parsed, so the
	 * parser never sees one; keep such inputs out of the corpus */
	if (memchr(data, '\0', size))
		return -1;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	cfg = camfence_policy_parse_text(FUZZ_PATH, text);
	ensure(cfg);
	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.input = text;
	w.files = calloc(cfg->files.n, sizeof(*w.files));
	ensure(w.files);
	touch_config(&w);
	if (!cfg->nerrors) {
		bind_config(cfg);
		touch_config(&w);
	}
	for (i = 0; i < cfg->files.n; i++)
		free(w.files[i].len);
	free(w.files);
	camfence_policy_free(cfg);
	free(text);
	return 0;
}
