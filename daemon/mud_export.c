// SPDX-License-Identifier: GPL-2.0
/*
 * A group's policy as an RFC 8520 MUD file, read back by mud-import
 * (mud_import.c, mud_ace.c) into the same rules.
 *
 * A MUD entry (ace) names one destination and one port range, so each rule
 * becomes one entry per destination it names (a set's prefixes and host
 * names, a device's addresses) and per port range. An entry sits in an
 * ACL of one family: a prefix goes to its family's ACL; `any` becomes an
 * IPv4 and an IPv6 entry; a host name and `local` stand for both families
 * and go to both, one after the other, which mud-import reads as one rule
 * (it writes the second as "the same as" the first). For each family the
 * entries keep the rules' order (build_acls()): the first match decides.
 *
 * What MUD cannot say (the router's addresses, a *.suffix, `default
 * allow`, `allow replies`) is refused; what only changes logging (a rate,
 * the default's logging) is left out with a note.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "camfence.h"
#include "mud_export.h"
#include "policy.h"

#define URL_MAX 1024

enum atom_dst {
	ATOM_ANY,			/* every address of the ACL's family */
	ATOM_PREFIX,
	ATOM_HOST,			/* ietf-acldns:dst-dnsname */
	ATOM_LOCAL,			/* ietf-mud:mud local-networks */
};

/* One entry: one destination, one port range, of one rule. */
struct atom {
	const struct cf_rule *rule;
	enum atom_dst dst;
	int family;			/* 4 or 6; 0: both (a host, local) */
	struct cf_prefix prefix;	/* ATOM_PREFIX */
	const char *host;		/* ATOM_HOST */
	uint16_t lo, hi;		/* 0: every port */
	unsigned int seq;		/* of the rule's entries, from 1 */
};

typedef CF_VEC(struct atom) atom_vec;

struct acl {
	int family;
	CF_VEC(const struct atom *) entries;
};

typedef CF_VEC(struct acl) acl_vec;

struct export_ctx {
	const struct cf_config *cfg;
	FILE *err;
	unsigned int nerrors;
	int quiet;			/* the rest of a `tunnel` line: said once */
	atom_vec atoms;
};

static void rule_msg(struct export_ctx *x, struct cf_loc loc, int refuse, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "FILE:LINE: why" for a refusal, "FILE:LINE: note: what" for what is
 * left out of an export that goes on. */
static void rule_msg(struct export_ctx *x, struct cf_loc loc, int refuse, const char *fmt, ...)
{
	va_list ap;

	if (refuse)
		x->nerrors++;
	if (x->quiet)
		return;
	fprintf(x->err, "%s:%u: %s", camfence_policy_file(x->cfg, loc), loc.line,
		refuse ? "" : "note: ");
	va_start(ap, fmt);
	vfprintf(x->err, fmt, ap);
	va_end(ap);
	fputc('\n', x->err);
}

static int proto_fits(uint8_t proto, int family)
{
	/* ICMP is IPv4's and ICMPv6 IPv6's: MUD refuses the other pairing */
	return !((proto == IPPROTO_ICMP && family == 6) || (proto == IPPROTO_ICMPV6 && family == 4));
}

static void push_atom(struct export_ctx *x, const struct cf_rule *r, enum atom_dst dst,
		      int family, const struct cf_prefix *p, const char *host, unsigned int *seq)
{
	size_t i, nports = r->ports.n ? r->ports.n : 1;

	if (family && !proto_fits(r->proto, family))
		return;
	/* a host or local for a protocol of one family is of that family */
	if (!family && r->proto == IPPROTO_ICMP)
		family = 4;
	else if (!family && r->proto == IPPROTO_ICMPV6)
		family = 6;
	for (i = 0; i < nports; i++) {
		struct atom *a = CF_VEC_PUSH(x->atoms);

		a->rule = r;
		a->dst = dst;
		a->family = family;
		if (p)
			a->prefix = *p;
		a->host = host;
		if (r->ports.n) {
			a->lo = r->ports.v[i].lo;
			a->hi = r->ports.v[i].hi;
		}
		a->seq = ++*seq;
	}
}

static const struct cf_set *find_set(const struct cf_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->sets.n; i++)
		if (!strcmp(cfg->sets.v[i].name, name))
			return &cfg->sets.v[i];
	return NULL;
}

static const struct cf_device *find_device(const struct cf_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->devices.n; i++)
		if (!strcmp(cfg->devices.v[i].name, name))
			return &cfg->devices.v[i];
	return NULL;
}

/* The rule's entries, in order, or a refusal. seq numbers the entries of
 * one line (a `tunnel` rule is several rules on one line). */
static void expand_rule(struct export_ctx *x, const struct cf_rule *r, unsigned int *seq)
{
	const struct cf_set *set;
	const struct cf_device *dev;
	size_t before = x->atoms.n, i;

	switch (r->dst_kind) {
	case CF_DST_ANY:
		push_atom(x, r, ATOM_ANY, 4, NULL, NULL, seq);
		push_atom(x, r, ATOM_ANY, 6, NULL, NULL, seq);
		break;
	case CF_DST_PREFIX:
		push_atom(x, r, ATOM_PREFIX, r->dst.family == AF_INET ? 4 : 6, &r->dst, NULL, seq);
		break;
	case CF_DST_LOCAL:
		push_atom(x, r, ATOM_LOCAL, 0, NULL, NULL, seq);
		break;
	case CF_DST_LEARNED:
		if (!strncmp(r->dst_host, "*.", 2)) {
			rule_msg(x, r->loc, 1, "'to name %s': a MUD dst-dnsname names one host, not every name under a suffix; name each host the device uses (to name HOST)",
				 r->dst_host);
			return;
		}
		push_atom(x, r, ATOM_HOST, 0, NULL, r->dst_host, seq);
		break;
	case CF_DST_ROUTER:
		rule_msg(x, r->loc, 1, "'to router': the router's own addresses have no name in MUD, whose files are written for any network; write the router's addresses in the rule (or as a device) to export it");
		return;
	case CF_DST_NAME:
		set = find_set(x->cfg, r->dst_name);
		dev = set ? NULL : find_device(x->cfg, r->dst_name);
		if (set) {
			for (i = 0; i < set->prefixes.n; i++)
				push_atom(x, r, ATOM_PREFIX, set->prefixes.v[i].family == AF_INET ? 4 : 6,
					  &set->prefixes.v[i], NULL, seq);
			for (i = 0; i < set->names.n; i++)
				push_atom(x, r, ATOM_HOST, 0, NULL, set->names.v[i].host, seq);
		} else if (dev) {
			for (i = 0; i < dev->addrs.n; i++)
				push_atom(x, r, ATOM_PREFIX, dev->addrs.v[i].family == AF_INET ? 4 : 6,
					  &dev->addrs.v[i], NULL, seq);
		}
		if (x->atoms.n == before)
			rule_msg(x, r->loc, 0, "'to %s' names no address %s: the rule matches nothing and is left out",
				 r->dst_name, set ? "the rule's protocol can reach" : "(a device known by its MAC only)");
		break;
	}
	if (r->log_period && x->atoms.n > before)
		rule_msg(x, r->loc, 0, "log %u per %u s: MUD has no rate; the entry logs every flow (log-syslog)",
			 r->log_rate, r->log_period);
}

static struct acl *acl_for(acl_vec *acls, int family)
{
	struct acl *a;

	if (acls->n && acls->v[acls->n - 1].family == family)
		return &acls->v[acls->n - 1];
	a = CF_VEC_PUSH(*acls);
	a->family = family;
	return a;
}

/* The entries into ACLs of one family each. An IPv4 and an IPv6 entry never
 * match the same packet, so between the entries for both families (hosts,
 * local) each family's entries share one ACL. Those for both go into the
 * ACL at hand and again into a new one of the other family, which the next
 * family's entries go on in: read in order, as mud-import reads them, each
 * family's entries keep the policy's order, and so do a MUD manager's,
 * which reads each family's ACLs. */
static void build_acls(const atom_vec *atoms, acl_vec *acls)
{
	size_t i = 0, j, k;

	while (i < atoms->n) {
		int first = acls->n ? acls->v[acls->n - 1].family : 4, second = first == 4 ? 6 : 4;

		for (j = i; j < atoms->n && atoms->v[j].family; j++)
			;
		for (k = i; k < j; k++)
			if (atoms->v[k].family == first)
				*CF_VEC_PUSH(acl_for(acls, first)->entries) = &atoms->v[k];
		for (k = i; k < j; k++)
			if (atoms->v[k].family == second)
				*CF_VEC_PUSH(acl_for(acls, second)->entries) = &atoms->v[k];
		i = j;
		for (; j < atoms->n && !atoms->v[j].family; j++)
			;
		if (i == j)
			continue;
		first = acls->n ? acls->v[acls->n - 1].family : 4;
		second = first == 4 ? 6 : 4;
		for (k = i; k < j; k++)
			*CF_VEC_PUSH(acl_for(acls, first)->entries) = &atoms->v[k];
		for (k = i; k < j; k++)
			*CF_VEC_PUSH(acl_for(acls, second)->entries) = &atoms->v[k];
		i = j;
	}
}

static struct json_object *port_object(uint16_t lo, uint16_t hi)
{
	struct json_object *p = json_object_new_object();

	if (lo == hi) {
		json_object_object_add(p, "operator", json_object_new_string("eq"));
		json_object_object_add(p, "port", json_object_new_int(lo));
	} else {
		json_object_object_add(p, "lower-port", json_object_new_int(lo));
		json_object_object_add(p, "upper-port", json_object_new_int(hi));
	}
	return p;
}

/* RFC 8519's ipv4-prefix and ipv6-prefix: the length always written. */
static struct json_object *prefix_string(const struct cf_prefix *p)
{
	char addr[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 5];

	inet_ntop(p->family, p->addr, addr, sizeof(addr));
	snprintf(buf, sizeof(buf), "%s/%u", addr, p->len);
	return json_object_new_string(buf);
}

static struct json_object *ace_object(const struct atom *a, int family)
{
	const struct cf_rule *r = a->rule;
	struct json_object *ace = json_object_new_object(), *m = json_object_new_object(),
			   *l3 = json_object_new_object(), *act = json_object_new_object();
	char name[40];

	if (a->seq > 1)
		snprintf(name, sizeof(name), "line%u-%u", r->loc.line, a->seq);
	else
		snprintf(name, sizeof(name), "line%u", r->loc.line);
	json_object_object_add(ace, "name", json_object_new_string(name));

	if (r->proto)
		json_object_object_add(l3, "protocol", json_object_new_int(r->proto));
	if (a->dst == ATOM_PREFIX)
		json_object_object_add(l3, family == 4 ? "destination-ipv4-network" :
					   "destination-ipv6-network", prefix_string(&a->prefix));
	else if (a->dst == ATOM_HOST)
		json_object_object_add(l3, "ietf-acldns:dst-dnsname", json_object_new_string(a->host));
	if (json_object_object_length(l3))
		json_object_object_add(m, family == 4 ? "ipv4" : "ipv6", l3);
	else
		json_object_put(l3);
	if (a->lo) {
		struct json_object *l4 = json_object_new_object();

		json_object_object_add(l4, "destination-port", port_object(a->lo, a->hi));
		json_object_object_add(m, r->proto == IPPROTO_TCP ? "tcp" : "udp", l4);
	}
	if (a->dst == ATOM_LOCAL) {
		struct json_object *mud = json_object_new_object(), *empty = json_object_new_array();

		/* YANG's type empty in JSON (RFC 7951): [null] */
		json_object_array_add(empty, NULL);
		json_object_object_add(mud, "local-networks", empty);
		json_object_object_add(m, "ietf-mud:mud", mud);
	}
	json_object_object_add(ace, "matches", m);

	json_object_object_add(act, "forwarding", json_object_new_string(
				       r->verdict == CAMFENCE_PASS ? "accept" : "drop"));
	/* only where it differs from what mud-import takes by default */
	if (r->verdict == CAMFENCE_PASS && camfence_policy_rule_logs(r))
		json_object_object_add(act, "logging", json_object_new_string("log-syslog"));
	else if (r->verdict == CAMFENCE_DROP && !camfence_policy_rule_logs(r))
		json_object_object_add(act, "logging", json_object_new_string("log-none"));
	json_object_object_add(ace, "actions", act);
	return ace;
}

static void acl_names(const acl_vec *acls, const char *group, char (*names)[64])
{
	size_t i, j, count[2] = { 0 }, nth[2] = { 0 };

	for (i = 0; i < acls->n; i++)
		count[acls->v[i].family == 6]++;
	for (i = 0; i < acls->n; i++) {
		int f = acls->v[i].family;

		j = ++nth[f == 6];
		if (count[f == 6] > 1)
			snprintf(names[i], 64, "%s-v%dfr-%zu", group, f, j);
		else
			snprintf(names[i], 64, "%s-v%dfr", group, f);
	}
}

static struct json_object *mud_document(const acl_vec *acls, const char *group,
					const char *url, time_t now)
{
	struct json_object *root = json_object_new_object(), *mud = json_object_new_object(),
			   *from = json_object_new_object(), *lists = json_object_new_object(),
			   *list = json_object_new_array(), *acl_root = json_object_new_object(),
			   *acl_list = json_object_new_array();
	char (*names)[64] = calloc(acls->n + 1, 64), stamp[40], info[64];
	struct tm tm;
	size_t i, j;

	if (!names)
		abort();
	acl_names(acls, group, names);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	snprintf(info, sizeof(info), "camfence group %s", group);

	json_object_object_add(mud, "mud-version", json_object_new_int(1));
	json_object_object_add(mud, "mud-url", json_object_new_string(url));
	json_object_object_add(mud, "last-update", json_object_new_string(stamp));
	json_object_object_add(mud, "cache-validity", json_object_new_int(48));
	json_object_object_add(mud, "is-supported", json_object_new_boolean(1));
	json_object_object_add(mud, "systeminfo", json_object_new_string(info));
	for (i = 0; i < acls->n; i++) {
		struct json_object *ref = json_object_new_object(), *acl = json_object_new_object(),
				   *aces = json_object_new_object(), *ace = json_object_new_array();

		json_object_object_add(ref, "name", json_object_new_string(names[i]));
		json_object_array_add(list, ref);

		json_object_object_add(acl, "name", json_object_new_string(names[i]));
		json_object_object_add(acl, "type", json_object_new_string(
					       acls->v[i].family == 4 ? "ipv4-acl-type" : "ipv6-acl-type"));
		for (j = 0; j < acls->v[i].entries.n; j++)
			json_object_array_add(ace, ace_object(acls->v[i].entries.v[j], acls->v[i].family));
		json_object_object_add(aces, "ace", ace);
		json_object_object_add(acl, "aces", aces);
		json_object_array_add(acl_list, acl);
	}
	json_object_object_add(lists, "access-list", list);
	json_object_object_add(from, "access-lists", lists);
	/* camfence judges what the device sends: it has no to-device policy */
	json_object_object_add(mud, "from-device-policy", from);
	json_object_object_add(root, "ietf-mud:mud", mud);
	json_object_object_add(acl_root, "acl", acl_list);
	json_object_object_add(root, "ietf-access-control-list:acls", acl_root);
	free(names);
	return root;
}

static const struct cf_group *find_group(const struct cf_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->groups.n; i++)
		if (!strcmp(cfg->groups.v[i].name, name))
			return &cfg->groups.v[i];
	return NULL;
}

static const struct cf_policy *find_policy(const struct cf_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->policies.n; i++)
		if (!strcmp(cfg->policies.v[i].name, name))
			return &cfg->policies.v[i];
	return NULL;
}

/* The mud-url is an https URL (RFC 8520, section 3.3) and goes into JSON
 * and HTTP as it is: no blanks or control characters. */
static int valid_url(const char *url)
{
	const char *s;

	if (strncmp(url, "https://", 8) || !url[8] || strlen(url) >= URL_MAX)
		return 0;
	for (s = url; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static void export_policy(struct export_ctx *x, const struct cf_policy *p)
{
	struct cf_loc last = { 0 };
	unsigned int seq = 0;
	size_t i;

	if (p->allow_replies)
		rule_msg(x, p->loc, 1, "policy '%s': 'allow replies': a MUD file says this with from-device entries of direction-initiated to-device, which mud-import refuses, so the file would not read back as this policy; export a copy without it",
			 p->name);
	for (i = 0; i < p->rules.n; i++) {
		const struct cf_rule *r = &p->rules.v[i];

		x->quiet = r->loc.file == last.file && r->loc.line == last.line;
		if (!x->quiet)
			seq = 0;
		last = r->loc;
		expand_rule(x, r, &seq);
	}
	x->quiet = 0;
	if (p->default_verdict == CAMFENCE_PASS)
		rule_msg(x, p->default_loc.line ? p->default_loc : p->loc, 1,
			 "'default allow': a MUD file lists what the device may do and anything else is dropped; end the policy in 'default deny' (with 'allow' rules for what the device needs)");
	else if (p->default_log != CF_LOG_DEFAULT || p->default_log_period)
		rule_msg(x, p->default_loc, 0, "the default's logging: MUD has no default entry; mud-import ends the policy in 'default deny', which logs every flow");
}

int camfence_mud_export(const char *config, const char *group, const char *url, time_t now,
			FILE *out, FILE *err)
{
	struct export_ctx x = { .err = err };
	const struct cf_policy *p;
	const struct cf_group *g;
	struct json_object *doc;
	struct cf_config *cfg;
	acl_vec acls = { 0 };
	char def_url[URL_MAX];
	size_t i;

	if (url && !valid_url(url)) {
		fprintf(err, "camfencectl: mud-export: --url '%.200s': a MUD URL is an https:// URL without blanks, quotes or control characters, shorter than %d characters\n",
			url, URL_MAX);
		return 1;
	}
	cfg = camfence_policy_parse_file(config);
	if (cfg->nerrors) {
		camfence_policy_print_errors(cfg, err);
		fprintf(err, "%s: has errors (camfencectl check %s): nothing exported\n", config, config);
		camfence_policy_free(cfg);
		return 1;
	}
	x.cfg = cfg;
	g = find_group(cfg, group);
	if (!g) {
		fprintf(err, "%s: no group '%.64s'\n", config, group);
		x.nerrors++;
		goto out;
	}
	if (!g->policy[0]) {
		rule_msg(&x, g->loc, 1, "group '%s' has no policy: nothing to export", g->name);
		goto out;
	}
	p = find_policy(cfg, g->policy);
	if (!p) {
		rule_msg(&x, g->policy_loc, 1, "group '%s': no policy '%s'", g->name, g->policy);
		goto out;
	}
	export_policy(&x, p);
	if (x.nerrors)
		goto out;
	if (!url) {
		snprintf(def_url, sizeof(def_url), CAMFENCE_MUD_EXPORT_URL, g->name);
		url = def_url;
	}
	build_acls(&x.atoms, &acls);
	doc = mud_document(&acls, g->name, url, now);
	fprintf(out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
out:
	for (i = 0; i < acls.n; i++)
		free(acls.v[i].entries.v);
	free(acls.v);
	free(x.atoms.v);
	camfence_policy_free(cfg);
	return x.nerrors ? 1 : 0;
}

int camfence_mud_export_main(int argc, char **argv, const char *config, FILE *out, FILE *err)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char usage[] = "usage: camfencectl [-c FILE] mud-export [--url URL] GROUP\n";
	const char *url = NULL;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 'h': fputs(usage, out); return 0;
		case ':':
			fprintf(err, "camfencectl: mud-export: --url needs a URL\n%s", usage);
			return 2;
		default:
			fprintf(err, "camfencectl: mud-export: unknown option '%s'\n%s", argv[optind - 1],
				usage);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(err, "camfencectl: mud-export: %s\n%s",
			optind == argc ? "the GROUP is missing" : "one GROUP at a time", usage);
		return 2;
	}
	return camfence_mud_export(config, argv[optind], url, time(NULL), out, err);
}
