// SPDX-License-Identifier: GPL-2.0
/*
 * An RFC 8520 MUD file as a camfence policy: the ACLs of its
 * from-device-policy, in order, one rule per entry (mud_ace.c), a set per
 * DNS name they allow, and `default deny`, which is what MUD means by
 * anything not listed. The to-device ACLs are named in a comment:
 * camfence judges what a device sends.
 *
 * The output is written only when the whole file translates; otherwise
 * every problem is reported and nothing is written, as `camfencectl check`
 * does for a policy.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mud_import.h"
#include "mud_import_priv.h"

#define MUD_FILE_MAX	(16 << 20)	/* MUD files are a few KiB; refuse what cannot be one */

void camfence_mud_error(struct mud_ctx *m, const char *acl, const char *ace, const char *field,
			const char *fmt, ...)
{
	char a[100], e[100];
	va_list ap;

	fprintf(m->err, "%s: ", m->path);
	if (acl && ace)
		fprintf(m->err, "acl \"%s\", ace \"%s\": ", camfence_mud_clean(acl, a, sizeof(a)),
			camfence_mud_clean(ace, e, sizeof(e)));
	else if (acl)
		fprintf(m->err, "acl \"%s\": ", camfence_mud_clean(acl, a, sizeof(a)));
	if (field)
		fprintf(m->err, "%s: ", field);
	va_start(ap, fmt);
	vfprintf(m->err, fmt, ap);
	va_end(ap);
	fputc('\n', m->err);
	m->nerrors++;
}

const char *camfence_mud_clean(const char *s, char *buf, size_t len)
{
	size_t i;

	if (!s)
		s = "";
	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

const char *camfence_mud_identity(const char *s)
{
	const char *colon = strrchr(s, ':');

	return colon ? colon + 1 : s;
}

int camfence_mud_uint(struct json_object *v, unsigned long max, unsigned long *out)
{
	const char *s;
	char *end;
	int64_t n;

	if (json_object_is_type(v, json_type_int)) {
		n = json_object_get_int64(v);
		if (n < 0 || (uint64_t)n > max)
			return -1;
		*out = n;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return (*end || errno || *out > max) ? -1 : 0;
}

/* The file as JSON, or NULL after saying why, with the line and column of
 * a syntax error. */
static struct json_object *read_json(struct mud_ctx *m)
{
	struct json_object *root = NULL;
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	size_t len = 0, end, i, line = 1, col = 1;
	char *text = NULL;
	FILE *f;

	f = fopen(m->path, "r");
	if (!f) {
		fprintf(m->err, "%s: %s\n", m->path, strerror(errno));
		m->nerrors++;
		return NULL;
	}
	text = malloc(MUD_FILE_MAX + 1);
	if (text)
		len = fread(text, 1, MUD_FILE_MAX + 1, f);
	if (!text || ferror(f)) {
		fprintf(m->err, "%s: %s\n", m->path, text ? strerror(errno ? errno : EIO) : "out of memory");
		goto out;
	}
	if (len > MUD_FILE_MAX) {
		fprintf(m->err, "%s: larger than %d MiB: not a MUD file\n", m->path, MUD_FILE_MAX >> 20);
		goto out;
	}
	tok = json_tokener_new();
	if (!tok)
		goto out;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue)
		jerr = json_tokener_error_parse_eof;
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* strict: one JSON text, nothing but blanks after it */
	if (jerr == json_tokener_success)
		goto out;
	for (i = 0; i < end && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	fprintf(m->err, "%s:%zu:%zu: not valid JSON: %s\n", m->path, line, col,
		json_tokener_error_desc(jerr));
out:
	if (!root)
		m->nerrors++;
	free(text);
	fclose(f);
	return root;
}

/* The member of o named by any of the names (the RFC's, then the drafts'). */
static struct json_object *member(struct json_object *o, const char *const names[])
{
	struct json_object *v;
	size_t i;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	for (i = 0; names[i]; i++)
		if (json_object_object_get_ex(o, names[i], &v))
			return v;
	return NULL;
}

static const char *const acls_names[] = {
	"ietf-access-control-list:acls", "ietf-access-control-list:access-lists", NULL,
};
static const char *const acl_list_names[] = { "acl", "access-list", NULL };
static const char *const acl_name_names[] = { "name", "acl-name", NULL };
static const char *const acl_type_names[] = { "type", "acl-type", NULL };
static const char *const aces_names[] = { "aces", "access-list-entries", NULL };

static const char *string_of(struct json_object *o, const char *const names[])
{
	struct json_object *v = member(o, names);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static struct json_object *find_acl(struct json_object *acls, const char *name)
{
	size_t i, n = json_object_is_type(acls, json_type_array) ? json_object_array_length(acls) : 0;

	for (i = 0; i < n; i++) {
		const char *s = string_of(json_object_array_get_idx(acls, i), acl_name_names);

		if (s && !strcmp(s, name))
			return json_object_array_get_idx(acls, i);
	}
	return NULL;
}

/* 4 or 6 for an IPv4 or IPv6 ACL, 0 for a mixed one or none said; -1 for
 * one camfence has no use for. */
static int acl_family(const char *type)
{
	if (!type)
		return 0;
	type = camfence_mud_identity(type);
	if (!strcmp(type, "ipv4-acl-type") || !strcmp(type, "ipv4-acl"))
		return 4;
	if (!strcmp(type, "ipv6-acl-type") || !strcmp(type, "ipv6-acl"))
		return 6;
	if (!strcmp(type, "mixed-eth-ipv4-ipv6-acl-type") || !strcmp(type, "mixed-eth-ipv4-acl-type") ||
	    !strcmp(type, "mixed-eth-ipv6-acl-type"))
		return 0;
	return -1;
}

/* The "ace" array of an ACL, or NULL after saying why. */
static struct json_object *acl_entries(struct mud_ctx *m, const char *name, struct json_object *acl)
{
	struct json_object *aces = member(acl, aces_names), *list = NULL;

	if (!aces) {
		camfence_mud_error(m, name, NULL, "aces", "missing");
		return NULL;
	}
	if (json_object_is_type(aces, json_type_object))
		json_object_object_get_ex(aces, "ace", &list);
	else if (json_object_is_type(aces, json_type_array))
		list = aces;	/* some drafts listed the entries directly */
	if (!list || !json_object_is_type(list, json_type_array)) {
		camfence_mud_error(m, name, NULL, "aces.ace", "must be a list of entries");
		return NULL;
	}
	return list;
}

/* The names a policy lists: access-lists.access-list[].name. NULL, after
 * saying why, when it is malformed; an empty array when it is absent. */
static struct json_object *policy_acls(struct mud_ctx *m, struct json_object *mud, const char *which,
				       struct json_object **list)
{
	struct json_object *p, *al, *l;
	char f[80];

	*list = NULL;
	if (!json_object_object_get_ex(mud, which, &p))
		return NULL;
	snprintf(f, sizeof(f), "ietf-mud:mud.%s.access-lists.access-list", which);
	if (!json_object_object_get_ex(p, "access-lists", &al) ||
	    !json_object_object_get_ex(al, "access-list", &l) || !json_object_is_type(l, json_type_array)) {
		camfence_mud_error(m, NULL, NULL, f, "must be a list of {\"name\": ACL}");
		return NULL;
	}
	*list = l;
	return l;
}

/* The destinations a rule names by keyword, which no set may be named. */
static int reserved(const char *s)
{
	return !strcmp(s, "any") || !strcmp(s, "local") || !strcmp(s, "router") || !strcmp(s, "name");
}

static uint32_t fnv1a(const char *s, unsigned int salt)
{
	uint32_t h = 2166136261u ^ salt;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A set's name for a host: the host itself when it is a legal name (host
 * names hold only letters, digits, '-' and '.'); else "dns-" before one
 * that starts with a digit, and one too long cut with a hash of the whole
 * host after it, so that two long names stay two. try > 0: the next
 * candidate after a clash. */
static void host_set_name(const char *host, unsigned int try, char out[CF_NAME_MAX])
{
	const char *prefix = isalpha((unsigned char)host[0]) && !reserved(host) ? "" : "dns-";
	size_t keep;

	if (!try && strlen(prefix) + strlen(host) < CF_NAME_MAX) {
		strcpy(out, prefix);
		strcat(out, host);
		return;
	}
	/* room for the prefix, the cut host and "-" with eight hex digits */
	keep = strlen(prefix);
	memcpy(out, prefix, keep);
	strncpy(out + keep, host, CF_NAME_MAX - 1 - 9 - keep);
	out[CF_NAME_MAX - 1 - 9] = '\0';
	keep = strlen(out);
	while (keep > 1 && (out[keep - 1] == '.' || out[keep - 1] == '-'))
		out[--keep] = '\0';
	snprintf(out + keep, CF_NAME_MAX - keep, "-%08x", fnv1a(host, try));
}

static void name_sets(const struct mud_ctx *m, char (*names)[CF_NAME_MAX])
{
	size_t i, j;
	unsigned int try;

	for (i = 0; i < m->hosts.n; i++) {
		for (try = 0;; try++) {
			host_set_name(m->hosts.v[i], try, names[i]);
			for (j = 0; j < i; j++)
				if (!strcmp(names[j], names[i]))
					break;
			if (j == i)
				break;
		}
	}
}

static int valid_policy_name(const char *s)
{
	if (!isalpha((unsigned char)*s) || strlen(s) >= CF_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* text made a legal name: what is not a letter, digit, '-', '_' or '.'
 * becomes '-'; "mud-" before one that does not start with a letter. */
static void sanitise_name(const char *text, size_t len, char out[CF_NAME_MAX])
{
	size_t n = 0, i;

	if (!len)
		return;
	if (!isalpha((unsigned char)text[0]))
		n = snprintf(out, CF_NAME_MAX, "mud-");
	for (i = 0; i < len && n < CF_NAME_MAX - 1; i++)
		out[n++] = (isalnum((unsigned char)text[i]) || strchr("-_.", text[i])) ? text[i] : '-';
	out[n] = '\0';
}

/* The last segment of the mud-url's path ("lightbulb2000"), without a
 * ".json"; else systeminfo; else "mud-device". */
static void derive_policy_name(const char *url, const char *sysinfo, char out[CF_NAME_MAX])
{
	const char *p, *seg = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (url) {
		p = strstr(url, "://");
		p = p ? p + 3 : url;
		len = strcspn(p, "?#");
		while (len && p[len - 1] == '/')
			len--;
		seg = p;
		for (size_t i = 0; i < len; i++)
			if (p[i] == '/')
				seg = p + i + 1;
		len -= seg - p;
		if (len > 5 && !strncmp(seg + len - 5, ".json", 5))
			len -= 5;
		sanitise_name(seg, len, out);
	}
	if (!out[0] && sysinfo)
		sanitise_name(sysinfo, strlen(sysinfo), out);
	if (!out[0])
		snprintf(out, CF_NAME_MAX, "mud-device");
}

static const char *proto_name(int proto, char buf[12])
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	}
	snprintf(buf, 12, "%d", proto);
	return buf;
}

static void rule_text(const struct mud_rule *r, char (*set_names)[CF_NAME_MAX], char *buf,
		      size_t len)
{
	size_t n;
	char pb[12];

	n = snprintf(buf, len, "%s", r->allow ? "allow" : "deny");
	if (r->dst == MUD_DST_PREFIX)
		n += snprintf(buf + n, len - n, " to %s", r->prefix);
	else if (r->dst == MUD_DST_HOST)
		n += snprintf(buf + n, len - n, " to %s", set_names[r->host]);
	else if (r->dst == MUD_DST_LOCAL)
		n += snprintf(buf + n, len - n, " to local");
	/* an ACL of one family allows only that family's packets */
	else if (r->family == 4)
		n += snprintf(buf + n, len - n, " to 0.0.0.0/0");
	else if (r->family == 6)
		n += snprintf(buf + n, len - n, " to ::/0");
	if (r->proto >= 0)
		n += snprintf(buf + n, len - n, " %s", proto_name(r->proto, pb));
	if (r->lo && r->lo == r->hi)
		n += snprintf(buf + n, len - n, " %u", r->lo);
	else if (r->lo)
		n += snprintf(buf + n, len - n, " %u-%u", r->lo, r->hi);
	if (r->log == 1 && r->allow)
		n += snprintf(buf + n, len - n, " log");
	else if (r->log == 0 && !r->allow)
		n += snprintf(buf + n, len - n, " nolog");
}

struct translated {
	struct mud_rule rule;
	char acl[100], ace[100];
};

typedef CF_VEC(struct translated) translated_vec;

/* Every entry of every from-device ACL, in order, into out. */
static void translate_from_device(struct mud_ctx *m, struct json_object *acls,
				  struct json_object *names, translated_vec *out)
{
	size_t i, j, n = names ? json_object_array_length(names) : 0;

	for (i = 0; i < n; i++) {
		const char *name = string_of(json_object_array_get_idx(names, i), acl_name_names);
		struct json_object *acl, *entries;
		int family;
		char f[100];

		if (!name) {
			snprintf(f, sizeof(f), "ietf-mud:mud.from-device-policy.access-lists.access-list[%zu]", i);
			camfence_mud_error(m, NULL, NULL, f, "has no name");
			continue;
		}
		acl = find_acl(acls, name);
		if (!acl) {
			camfence_mud_error(m, NULL, NULL, "ietf-mud:mud.from-device-policy",
					   "names ACL \"%s\", which ietf-access-control-list:acls does not hold",
					   camfence_mud_clean(name, f, sizeof(f)));
			continue;
		}
		family = acl_family(string_of(acl, acl_type_names));
		if (family < 0) {
			camfence_mud_error(m, name, NULL, "type", "'%s': camfence translates IPv4 and IPv6 ACLs",
					   camfence_mud_clean(string_of(acl, acl_type_names), f, sizeof(f)));
			continue;
		}
		entries = acl_entries(m, name, acl);
		for (j = 0; entries && j < json_object_array_length(entries); j++) {
			struct translated t;
			const char *ace;

			if (camfence_mud_ace_translate(m, name, family,
						       json_object_array_get_idx(entries, j), j,
						       &t.rule, &ace, t.ace, sizeof(t.ace)))
				continue;
			camfence_mud_clean(name, t.acl, sizeof(t.acl));
			*CF_VEC_PUSH(*out) = t;
		}
	}
}

/* Lists of ACL names may name a missing ACL; the to-device ones are only
 * named in the output, but a file that names what it lacks is broken. */
static void check_to_device(struct mud_ctx *m, struct json_object *acls, struct json_object *names)
{
	size_t i, n = names ? json_object_array_length(names) : 0;
	char buf[100];

	for (i = 0; i < n; i++) {
		const char *name = string_of(json_object_array_get_idx(names, i), acl_name_names);

		if (!name)
			camfence_mud_error(m, NULL, NULL, "ietf-mud:mud.to-device-policy.access-lists.access-list",
					   "entry %zu has no name", i + 1);
		else if (!find_acl(acls, name))
			camfence_mud_error(m, NULL, NULL, "ietf-mud:mud.to-device-policy",
					   "names ACL \"%s\", which ietf-access-control-list:acls does not hold",
					   camfence_mud_clean(name, buf, sizeof(buf)));
	}
}

static void header_line(FILE *out, const char *key, struct json_object *mud)
{
	struct json_object *v;
	char buf[300];

	if (json_object_object_get_ex(mud, key, &v) && !json_object_is_type(v, json_type_null))
		fprintf(out, "# %s: %s\n", key, camfence_mud_clean(json_object_get_string(v), buf, sizeof(buf)));
}

static void print_policy(struct mud_ctx *m, FILE *out, struct json_object *mud,
			 struct json_object *acls, struct json_object *to_names,
			 const translated_vec *rules, const char *policy, int has_from)
{
	char (*set_names)[CF_NAME_MAX] = calloc(m->hosts.n + 1, CF_NAME_MAX);
	char text[400], other[400], base[PATH_MAX], buf[100];
	const char *slash = strrchr(m->path, '/');
	size_t i, j, n = to_names ? json_object_array_length(to_names) : 0;

	if (!set_names)
		abort();
	name_sets(m, set_names);
	fprintf(out, "# camfence policy from %s, an RFC 8520 MUD file (camfencectl mud-import)\n",
		camfence_mud_clean(slash ? slash + 1 : m->path, base, sizeof(base)));
	header_line(out, "mud-url", mud);
	header_line(out, "systeminfo", mud);
	header_line(out, "last-update", mud);
	for (i = 0; i < n; i++) {
		const char *name = string_of(json_object_array_get_idx(to_names, i), acl_name_names);
		struct json_object *entries = member(find_acl(acls, name), aces_names);
		size_t k = 0;

		if (json_object_is_type(entries, json_type_object))
			json_object_object_get_ex(entries, "ace", &entries);
		if (json_object_is_type(entries, json_type_array))
			k = json_object_array_length(entries);
		fprintf(out, "# to-device ACL \"%s\" (%zu entr%s): not translated\n",
			camfence_mud_clean(name, buf, sizeof(buf)), k, k == 1 ? "y" : "ies");
	}
	if (n)
		fprintf(out, "#   camfence judges what the device sends; for its answers to connections\n"
			     "#   opened towards it, add 'allow replies' to the policy (camfence.ko)\n");
	if (m->hosts.n)
		fprintf(out, "# a set holds every IPv4 and IPv6 address its name resolves to, whatever\n"
			     "# the family of the ACL that names it; camfenced resolves them. The device\n"
			     "# must reach its own resolver as well: unless a rule below allows it, add\n"
			     "# 'allow to router udp 53' when the router is its resolver\n");
	for (i = 0; i < m->hosts.n; i++)
		fprintf(out, "\nset %s {\n\tresolve %s\n}\n", set_names[i], m->hosts.v[i]);

	fprintf(out, "\npolicy %s {\n", policy);
	if (!has_from)
		fprintf(out, "\t# the MUD file has no from-device-policy: the device may send nothing\n");
	for (i = 0; i < rules->n; i++) {
		const struct translated *t = &rules->v[i];

		rule_text(&t->rule, set_names, text, sizeof(text));
		for (j = 0; j < i; j++) {
			rule_text(&rules->v[j].rule, set_names, other, sizeof(other));
			if (!strcmp(text, other))
				break;
		}
		if (j < i)
			fprintf(out, "\t# %s %s: the same as %s %s above\n", t->acl, t->ace,
				rules->v[j].acl, rules->v[j].ace);
		else
			fprintf(out, "\t%s\t# %s %s\n", text, t->acl, t->ace);
	}
	fprintf(out, "\tdefault deny\n}\n\n"
		     "# Give it to the device's group, in camfence.conf or a file it includes:\n"
		     "#\tgroup %s {\n"
		     "#\t\tmac 02:00:00:00:00:01\t# the device's MAC address\n"
		     "#\t\tpolicy %s\n"
		     "#\t}\n", policy, policy);
	free(set_names);
}

int camfence_mud_import(const char *path, const char *name, FILE *out, FILE *err)
{
	struct mud_ctx m = { .path = path, .err = err };
	struct json_object *root, *mud, *acls, *from = NULL, *to = NULL, *v;
	translated_vec rules = { 0 };
	char policy[CF_NAME_MAX], buf[100];
	char *text = NULL;
	size_t len = 0, i;
	FILE *mem;

	if (name && !valid_policy_name(name)) {
		fprintf(err, "%s: --name '%s': a policy name starts with a letter and holds letters, digits, '-', '_' and '.', at most %d characters\n",
			path, camfence_mud_clean(name, buf, sizeof(buf)), CF_NAME_MAX - 1);
		return 1;
	}
	root = read_json(&m);
	if (!root)
		return 1;
	if (!json_object_object_get_ex(root, "ietf-mud:mud", &mud) ||
	    !json_object_is_type(mud, json_type_object)) {
		camfence_mud_error(&m, NULL, NULL, NULL, "no \"ietf-mud:mud\" object: not an RFC 8520 MUD file");
		goto out;
	}
	if (json_object_object_get_ex(mud, "mud-version", &v) && json_object_get_int(v) != 1)
		camfence_mud_error(&m, NULL, NULL, "ietf-mud:mud.mud-version", "'%s': camfence knows version 1 (RFC 8520)",
				   camfence_mud_clean(json_object_get_string(v), buf, sizeof(buf)));
	if (json_object_object_get_ex(mud, "is-supported", &v) &&
	    json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v))
		camfence_mud_error(&m, NULL, NULL, "ietf-mud:mud.is-supported",
				   "false: the manufacturer will update neither the device nor this file; write the policy by hand from what the device is seen to do (camfencectl flows)");
	acls = member(root, acls_names);
	acls = member(acls, acl_list_names);
	policy_acls(&m, mud, "from-device-policy", &from);
	policy_acls(&m, mud, "to-device-policy", &to);
	if ((from || to) && !json_object_is_type(acls, json_type_array)) {
		camfence_mud_error(&m, NULL, NULL, "ietf-access-control-list:acls.acl", "missing: the policies name ACLs it must hold");
		goto out;
	}
	translate_from_device(&m, acls, from, &rules);
	check_to_device(&m, acls, to);
	if (m.nerrors)
		goto out;

	if (name)
		snprintf(policy, sizeof(policy), "%s", name);
	else
		derive_policy_name(string_of(mud, (const char *const[]){ "mud-url", NULL }),
				   string_of(mud, (const char *const[]){ "systeminfo", NULL }), policy);
	/* the whole text first: a refused file writes nothing */
	mem = open_memstream(&text, &len);
	if (!mem)
		abort();
	print_policy(&m, mem, mud, acls, to, &rules, policy, from != NULL);
	fclose(mem);
	fwrite(text, 1, len, out);
	free(text);
out:
	for (i = 0; i < m.hosts.n; i++)
		free(m.hosts.v[i]);
	free(m.hosts.v);
	free(rules.v);
	json_object_put(root);
	return m.nerrors ? 1 : 0;
}

int camfence_mud_import_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char usage[] = "usage: camfencectl mud-import [--name POLICY] FILE.json\n";
	const char *name = NULL;
	int c;

	optind = 0;
	opterr = 0;	/* the messages go to err, as every other */
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'h': fputs(usage, out); return 0;
		case ':':
			fprintf(err, "camfencectl: mud-import: --name needs a POLICY name\n%s", usage);
			return 2;
		default:
			fprintf(err, "camfencectl: mud-import: unknown option '%s'\n%s", argv[optind - 1],
				usage);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(err, "camfencectl: mud-import: %s\n%s",
			optind == argc ? "the MUD file is missing" : "one MUD file at a time", usage);
		return 2;
	}
	return camfence_mud_import(argv[optind], name, out, err);
}
