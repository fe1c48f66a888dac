// SPDX-License-Identifier: GPL-2.0
/*
 * camfencectl mud-export: a group's policy as an RFC 8520 MUD file that
 * mud-import reads back into the same policy. "The same" is judged on the
 * parsed policies, not on text: for each family, the entries that can
 * match its packets (one per destination and port range: a set's
 * prefixes and names, a device's addresses), in order, each once, since a
 * later copy of an entry never decides a packet. Fixtures in tests/mud.
 */
#include <dirent.h>
#include <libgen.h>
#include <json-c/json.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "camfence.h"
#include "mud_export.h"
#include "mud_import.h"
#include "policy.h"
#include "unit.h"

#define MUD_DIR CAMFENCE_SRCDIR "/tests/mud"
#define NOW 1764547200		/* 2025-12-01T00:00:00Z */

static void run_export(const char *config, const char *group, const char *url, struct unit_run *r)
{
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *err = open_memstream(&r->err, &r->err_len);

	ck_assert(out && err);
	r->rc = camfence_mud_export(config, group, url, NOW, out, err);
	fclose(out);
	fclose(err);
}

static void run_main(const char *const *argv, struct unit_run *r)
{
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *err = open_memstream(&r->err, &r->err_len);
	int argc = 0;

	while (argv[argc])
		argc++;
	r->rc = camfence_mud_export_main(argc, (char **)argv, MUD_DIR "/export-everything.conf", out,
					 err);
	fclose(out);
	fclose(err);
}

/* Every '@FILE@' in text replaced by path. */
static char *with_path(const char *text, const char *path)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	const char *p;

	while ((p = strstr(text, "@FILE@"))) {
		fwrite(text, 1, p - text, m);
		fputs(path, m);
		text = p + 6;
	}
	fputs(text, m);
	fclose(m);
	return out;
}

struct scratch {
	char dir[32];
};

static void scratch_init(struct scratch *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/camfence-mudx-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
}

static char *scratch_write(struct scratch *s, const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_int_gt(asprintf(&path, "%s/%s", s->dir, name), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void scratch_free(struct scratch *s)
{
	char *cmd;

	ck_assert_int_gt(asprintf(&cmd, "rm -rf %s", s->dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

typedef CF_VEC(char *) str_vec;

static void str_vec_free(str_vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static void add_entry(str_vec *out, const struct cf_rule *r, const char *dst, int family)
{
	size_t i, j, nports = r->ports.n ? r->ports.n : 1;

	/* ICMP does not travel in IPv6, nor ICMPv6 in IPv4 */
	if ((r->proto == IPPROTO_ICMP && family == 6) || (r->proto == IPPROTO_ICMPV6 && family == 4))
		return;
	for (i = 0; i < nports; i++) {
		char *e;

		ck_assert_int_gt(asprintf(&e, "%s to %s proto %u ports %u-%u %s",
					  r->verdict == CAMFENCE_PASS ? "allow" : "deny", dst, r->proto,
					  r->ports.n ? r->ports.v[i].lo : 0, r->ports.n ? r->ports.v[i].hi : 0,
					  camfence_policy_rule_logs(r) ? "log" : "nolog"), 0);
		for (j = 0; j < out->n; j++)
			if (!strcmp(out->v[j], e))
				break;
		if (j < out->n)
			free(e);	/* an earlier copy decides every packet this would */
		else
			*CF_VEC_PUSH(*out) = e;
	}
}

static void add_prefix(str_vec *out, const struct cf_rule *r, const struct cf_prefix *p, int family)
{
	char buf[64], dst[80];

	if ((p->family == AF_INET ? 4 : 6) != family)
		return;
	camfence_addr_prefix_str(p, buf, sizeof(buf));
	snprintf(dst, sizeof(dst), "net %s", buf);
	add_entry(out, r, dst, family);
}

/* The entries of policy p that can match a packet of family, in order. */
static void project(const struct cf_config *cfg, const struct cf_policy *p, int family,
		    str_vec *out)
{
	size_t i, j, k;

	for (i = 0; i < p->rules.n; i++) {
		const struct cf_rule *r = &p->rules.v[i];
		struct cf_prefix all;
		const char *why;
		char dst[300];

		switch (r->dst_kind) {
		case CF_DST_ANY:
			ck_assert_int_eq(camfence_addr_parse_prefix(family == 4 ? "0.0.0.0/0" : "::/0",
								    &all, &why), 0);
			add_prefix(out, r, &all, family);
			break;
		case CF_DST_PREFIX:
			add_prefix(out, r, &r->dst, family);
			break;
		case CF_DST_LOCAL:
			add_entry(out, r, "local", family);
			break;
		case CF_DST_ROUTER:
			add_entry(out, r, "router", family);
			break;
		case CF_DST_LEARNED:
			snprintf(dst, sizeof(dst), "host %s", r->dst_host);
			add_entry(out, r, dst, family);
			break;
		case CF_DST_NAME:
			for (j = 0; j < cfg->sets.n; j++) {
				const struct cf_set *s = &cfg->sets.v[j];

				if (strcmp(s->name, r->dst_name))
					continue;
				for (k = 0; k < s->prefixes.n; k++)
					add_prefix(out, r, &s->prefixes.v[k], family);
				for (k = 0; k < s->names.n; k++) {
					snprintf(dst, sizeof(dst), "host %s", s->names.v[k].host);
					add_entry(out, r, dst, family);
				}
			}
			for (j = 0; j < cfg->devices.n; j++)
				if (!strcmp(cfg->devices.v[j].name, r->dst_name))
					for (k = 0; k < cfg->devices.v[j].addrs.n; k++)
						add_prefix(out, r, &cfg->devices.v[j].addrs.v[k], family);
			break;
		}
	}
}

static const struct cf_policy *policy_of(const struct cf_config *cfg, const char *group)
{
	size_t i, j;

	for (i = 0; i < cfg->groups.n; i++)
		if (!strcmp(cfg->groups.v[i].name, group))
			for (j = 0; j < cfg->policies.n; j++)
				if (!strcmp(cfg->policies.v[j].name, cfg->groups.v[i].policy))
					return &cfg->policies.v[j];
	ck_abort_msg("no group %s with a policy", group);
	return NULL;
}

/* Both policies hold the same entries for each family, in the same order;
 * returns how many in all, so that a caller can tell a policy was there. */
static size_t assert_same_policy(const struct cf_config *a, const struct cf_policy *pa,
				 const struct cf_config *b, const struct cf_policy *pb,
				 const char *what)
{
	size_t total = 0, i;
	int family;

	for (family = 4; family <= 6; family += 2) {
		str_vec va = { 0 }, vb = { 0 };

		project(a, pa, family, &va);
		project(b, pb, family, &vb);
		for (i = 0; i < va.n || i < vb.n; i++)
			ck_assert_msg(i < va.n && i < vb.n && !strcmp(va.v[i], vb.v[i]),
				      "%s: IPv%d entry %zu: exported '%s', imported back '%s'", what, family,
				      i + 1, i < va.n ? va.v[i] : "(none)", i < vb.n ? vb.v[i] : "(none)");
		ck_assert_int_eq(pa->default_verdict, pb->default_verdict);
		total += va.n;
		str_vec_free(&va);
		str_vec_free(&vb);
	}
	return total;
}

/* mud-import of json, as a file a camfence.conf with a zone includes, and
 * a group that follows the imported policy; its parsed form. */
static struct cf_config *import_back(struct scratch *s, const char *json, const char *group)
{
	char *path = scratch_write(s, "back.json", json), *conf, *top, *text = NULL;
	struct cf_config *cfg;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	FILE *err = open_memstream(&conf, &len);
	int rc;

	rc = camfence_mud_import(path, "imported", out, err);
	fclose(out);
	fclose(err);
	ck_assert_msg(rc == 0, "mud-import refused the export: %s\n%s", conf, json);
	free(conf);
	free(scratch_write(s, "back.conf", text));
	ck_assert_int_gt(asprintf(&conf, "zone cameras {\n\tinterface lan0\n}\ninclude back.conf\n"
				  "group %s {\n\tmac 02:00:00:00:00:01\n\tpolicy imported\n}\n", group), 0);
	top = scratch_write(s, "back-top.conf", conf);
	cfg = camfence_policy_parse_file(top);
	ck_assert_msg(cfg->nerrors == 0, "%s\n%s", cfg->nerrors ? cfg->errors[0] : "", text);
	free(conf);
	free(top);
	free(path);
	free(text);
	return cfg;
}

/* Exports group of config, imports it back, and compares. */
static size_t assert_round_trip(const char *config, const char *group)
{
	struct cf_config *orig = camfence_policy_parse_file(config), *back;
	struct scratch s;
	struct unit_run r;
	size_t n;

	ck_assert_msg(orig->nerrors == 0, "%s", orig->nerrors ? orig->errors[0] : "");
	run_export(config, group, NULL, &r);
	ck_assert_msg(r.rc == 0, "%s: %s", config, r.err);
	scratch_init(&s);
	back = import_back(&s, r.out, group);
	n = assert_same_policy(orig, policy_of(orig, group), back, policy_of(back, group), config);
	camfence_policy_free(back);
	camfence_policy_free(orig);
	scratch_free(&s);
	unit_run_free(&r);
	return n;
}

START_TEST(round_trip_every_construct)
{
	struct unit_run r;

	/* sets of prefixes and names, devices, local, to name HOST, any,
	 * ports and ranges, protocol numbers, icmp, icmpv6, tunnel, log,
	 * nolog: 36 IPv4 and 29 IPv6 entries */
	ck_assert_uint_eq(assert_round_trip(MUD_DIR "/export-everything.conf", "cams"), 65);
	run_export(MUD_DIR "/export-everything.conf", "cams", NULL, &r);
	ck_assert_str_eq(r.err, "");
	/* an ACL of each family between the runs of hosts and local (four
	 * runs), and those after a run go on in the ACL it ends in */
	ck_assert_ptr_nonnull(strstr(r.out, "\"name\": \"cams-v4fr-5\""));
	ck_assert_ptr_null(strstr(r.out, "\"name\": \"cams-v4fr-6\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"name\": \"cams-v6fr-4\""));
	ck_assert_ptr_null(strstr(r.out, "\"name\": \"cams-v6fr-5\""));
	unit_run_free(&r);
}
END_TEST

/* A policy of prefixes alone is one IPv4 and one IPv6 ACL, as MUD files
 * are written, each entry in RFC 8519's form. */
START_TEST(prefixes_make_one_acl_per_family)
{
	struct scratch s;
	struct json_object *doc, *acls, *acl, *ace, *v;
	char *conf;
	struct unit_run r;

	scratch_init(&s);
	conf = scratch_write(&s, "camfence.conf",
			     "zone cameras {\n\tinterface lan0\n}\n"
			     "group g {\n\tmac 02:00:00:00:00:01\n\tpolicy p\n}\n"
			     "policy p {\n"
			     "\tallow to 198.51.100.7 tcp 8000-8010\n"
			     "\tallow to 2001:db8::/32 udp 53\n"
			     "\tdeny to 198.51.100.0/24 nolog\n"
			     "\tallow to 2001:db8:1::1 icmpv6 log\n"
			     "}\n");
	run_export(conf, "g", NULL, &r);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	doc = json_tokener_parse(r.out);
	ck_assert_ptr_nonnull(doc);
	ck_assert(json_object_object_get_ex(doc, "ietf-access-control-list:acls", &acls));
	ck_assert(json_object_object_get_ex(acls, "acl", &acls));
	ck_assert_uint_eq(json_object_array_length(acls), 2);

	acl = json_object_array_get_idx(acls, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(acl, "name")), "g-v4fr");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(acl, "type")), "ipv4-acl-type");
	ace = json_object_object_get(json_object_object_get(acl, "aces"), "ace");
	ck_assert_uint_eq(json_object_array_length(ace), 2);
	ck_assert_str_eq(json_object_to_json_string_ext(json_object_array_get_idx(ace, 0),
							 JSON_C_TO_STRING_PLAIN),
			 "{\"name\":\"line9\",\"matches\":{\"ipv4\":{\"protocol\":6,"
			 "\"destination-ipv4-network\":\"198.51.100.7\\/32\"},\"tcp\":{"
			 "\"destination-port\":{\"lower-port\":8000,\"upper-port\":8010}}},"
			 "\"actions\":{\"forwarding\":\"accept\"}}");
	ck_assert_str_eq(json_object_to_json_string_ext(json_object_array_get_idx(ace, 1),
							 JSON_C_TO_STRING_PLAIN),
			 "{\"name\":\"line11\",\"matches\":{\"ipv4\":{"
			 "\"destination-ipv4-network\":\"198.51.100.0\\/24\"}},"
			 "\"actions\":{\"forwarding\":\"drop\",\"logging\":\"log-none\"}}");

	acl = json_object_array_get_idx(acls, 1);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(acl, "name")), "g-v6fr");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(acl, "type")), "ipv6-acl-type");
	ace = json_object_object_get(json_object_object_get(acl, "aces"), "ace");
	ck_assert_uint_eq(json_object_array_length(ace), 2);
	ck_assert_str_eq(json_object_to_json_string_ext(json_object_array_get_idx(ace, 0),
							 JSON_C_TO_STRING_PLAIN),
			 "{\"name\":\"line10\",\"matches\":{\"ipv6\":{\"protocol\":17,"
			 "\"destination-ipv6-network\":\"2001:db8::\\/32\"},\"udp\":{"
			 "\"destination-port\":{\"operator\":\"eq\",\"port\":53}}},"
			 "\"actions\":{\"forwarding\":\"accept\"}}");
	v = json_object_array_get_idx(ace, 1);
	ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
			 "{\"name\":\"line12\",\"matches\":{\"ipv6\":{\"protocol\":58,"
			 "\"destination-ipv6-network\":\"2001:db8:1::1\\/128\"}},"
			 "\"actions\":{\"forwarding\":\"accept\",\"logging\":\"log-syslog\"}}");
	json_object_put(doc);
	ck_assert_uint_eq(assert_round_trip(conf, "g"), 4);
	free(conf);
	unit_run_free(&r);
	scratch_free(&s);
}
END_TEST

/* The names of the entries of every ACL of type, in the file's order,
 * blank-separated, as a MUD manager applies them to that family. */
static void assert_family_entries(const char *json, const char *type, const char *want)
{
	struct json_object *doc = json_tokener_parse(json), *acls, *aces;
	char got[1000] = "";
	size_t i, j;

	ck_assert_ptr_nonnull(doc);
	ck_assert(json_object_object_get_ex(doc, "ietf-access-control-list:acls", &acls));
	ck_assert(json_object_object_get_ex(acls, "acl", &acls));
	for (i = 0; i < json_object_array_length(acls); i++) {
		struct json_object *acl = json_object_array_get_idx(acls, i);

		if (strcmp(json_object_get_string(json_object_object_get(acl, "type")), type))
			continue;
		aces = json_object_object_get(json_object_object_get(acl, "aces"), "ace");
		for (j = 0; j < json_object_array_length(aces); j++) {
			const char *name = json_object_get_string(
				json_object_object_get(json_object_array_get_idx(aces, j), "name"));

			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", got[0] ? " " : "",
				 name);
		}
	}
	ck_assert_str_eq(got, want);
	json_object_put(doc);
}

/* A host or local stands for both families: between the rules of one
 * family and of the other, the order must hold for each. A host denied
 * before an IPv6 prefix is allowed stays denied first. */
START_TEST(hosts_keep_their_place_among_families)
{
	struct scratch s;
	struct unit_run r;
	char *conf;

	scratch_init(&s);
	conf = scratch_write(&s, "camfence.conf",
			     "zone cameras {\n\tinterface lan0\n}\n"
			     "group g {\n\tmac 02:00:00:00:00:01\n\tpolicy p\n}\n"
			     "set bad {\n\tresolve bad.example.com\n}\n"
			     "policy p {\n"
			     "\tallow to 2001:db8::1 tcp 443\n"
			     "\tallow to 192.0.2.1 tcp 443\n"
			     "\tdeny to bad tcp 443\n"
			     "\tallow to 2001:db8::/32 tcp 443\n"
			     "\tallow to local udp 53\n"
			     "\tallow to 192.0.2.0/24 tcp\n"
			     "\tallow to name ntp.example.org udp 123\n"
			     "}\n");
	ck_assert_uint_eq(assert_round_trip(conf, "g"), 10);
	/* as a MUD manager reads it: each family's ACLs in order */
	run_export(conf, "g", NULL, &r);
	ck_assert_int_eq(r.rc, 0);
	assert_family_entries(r.out, "ipv4-acl-type", "line13 line14 line16 line17 line18");
	assert_family_entries(r.out, "ipv6-acl-type", "line12 line14 line15 line16 line18");
	unit_run_free(&r);
	free(conf);
	scratch_free(&s);
}
END_TEST

/* Every MUD file mud-import takes (RFC 8520's example, the draft-era
 * file, every construct), imported, exported and imported again, is the
 * policy of the first import. */
START_TEST(round_trip_of_imported_mud_files)
{
	DIR *d = opendir(MUD_DIR);
	struct dirent *de;
	int n = 0, rfc = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char json[PATH_MAX], *conf;
		struct scratch s;
		char *text;

		if (!strncmp(de->d_name, "refuse-", 7) || len < 5 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(json, sizeof(json), "%s/%s", MUD_DIR, de->d_name);
		scratch_init(&s);
		text = unit_slurp(json);
		camfence_policy_free(import_back(&s, text, "dev"));
		/* back-top.conf now gives group dev the imported policy */
		ck_assert_int_gt(asprintf(&conf, "%s/back-top.conf", s.dir), 0);
		ck_assert_msg(assert_round_trip(conf, "dev") > 0, "%s: an empty policy", json);
		rfc += !strcmp(de->d_name, "rfc8520-lightbulb2000.json");
		free(conf);
		free(text);
		scratch_free(&s);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(rfc, 1);
}
END_TEST

/* The RFC 8520 example comes back as the very rule RFC 8520 gives. */
START_TEST(rfc8520_example_exports_its_entry)
{
	struct scratch s;
	struct cf_config *cfg;
	char *conf, *text = unit_slurp(MUD_DIR "/rfc8520-lightbulb2000.json");
	struct unit_run r;

	scratch_init(&s);
	camfence_policy_free(import_back(&s, text, "bulb"));
	ck_assert_int_gt(asprintf(&conf, "%s/back-top.conf", s.dir), 0);
	run_export(conf, "bulb", NULL, &r);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "\"type\": \"ipv4-acl-type\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"type\": \"ipv6-acl-type\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"ietf-acldns:dst-dnsname\": \"test.example.com\""));
	ck_assert_ptr_nonnull(strstr(r.out, "\"destination-port\": {\n"));
	cfg = import_back(&s, r.out, "bulb");
	ck_assert_uint_eq(policy_of(cfg, "bulb")->rules.n, 1);
	ck_assert_str_eq(policy_of(cfg, "bulb")->rules.v[0].dst_name, "test.example.com");
	ck_assert_uint_eq(policy_of(cfg, "bulb")->rules.v[0].proto, IPPROTO_TCP);
	ck_assert_uint_eq(policy_of(cfg, "bulb")->rules.v[0].ports.v[0].lo, 443);
	camfence_policy_free(cfg);
	free(conf);
	free(text);
	unit_run_free(&r);
	scratch_free(&s);
}
END_TEST

static const char *string_at(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	ck_assert_msg(json_object_is_type(v, json_type_string), "%s is no string", key);
	return json_object_get_string(v);
}

/* RFC 8520's mandatory leaves, and every ACL the policy names is there. */
static void assert_required_fields(const char *json, const char *url)
{
	struct json_object *doc = json_tokener_parse(json), *mud, *v, *acls, *list;
	size_t i, j;

	ck_assert_ptr_nonnull(doc);
	ck_assert(json_object_object_get_ex(doc, "ietf-mud:mud", &mud));
	ck_assert(json_object_object_get_ex(mud, "mud-version", &v));
	ck_assert(json_object_is_type(v, json_type_int) && json_object_get_int(v) == 1);
	ck_assert_str_eq(string_at(mud, "mud-url"), url);
	ck_assert_str_eq(string_at(mud, "last-update"), "2025-12-01T00:00:00+00:00");
	ck_assert(json_object_object_get_ex(mud, "cache-validity", &v));
	ck_assert(json_object_is_type(v, json_type_int) && json_object_get_int(v) == 48);
	ck_assert(json_object_object_get_ex(mud, "is-supported", &v));
	ck_assert(json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v));
	ck_assert_str_eq(string_at(mud, "systeminfo"), "camfence group cams");
	ck_assert_uint_le(strlen(string_at(mud, "systeminfo")), 60);	/* the YANG's limit */
	ck_assert(json_object_object_get_ex(doc, "ietf-access-control-list:acls", &acls));
	ck_assert(json_object_object_get_ex(acls, "acl", &acls));
	ck_assert(json_object_object_get_ex(mud, "from-device-policy", &v));
	ck_assert(json_object_object_get_ex(v, "access-lists", &v));
	ck_assert(json_object_object_get_ex(v, "access-list", &list));
	ck_assert_uint_gt(json_object_array_length(list), 1);
	ck_assert_uint_eq(json_object_array_length(list), json_object_array_length(acls));
	for (i = 0; i < json_object_array_length(list); i++) {
		const char *name = string_at(json_object_array_get_idx(list, i), "name");

		for (j = 0; j < json_object_array_length(acls); j++)
			if (!strcmp(string_at(json_object_array_get_idx(acls, j), "name"), name))
				break;
		ck_assert_msg(j < json_object_array_length(acls), "ACL %s is not in acls", name);
	}
	json_object_put(doc);
}

/* As camfencectl writes it: last-update is now, in RFC 3339's form. */
static void assert_required_fields_now(const char *json)
{
	struct json_object *doc = json_tokener_parse(json), *mud;
	const char *stamp;
	struct tm tm = { 0 };
	char *end;

	ck_assert_ptr_nonnull(doc);
	ck_assert(json_object_object_get_ex(doc, "ietf-mud:mud", &mud));
	ck_assert_str_eq(string_at(mud, "mud-url"), "https://mud.example.invalid/camfence/cams.json");
	stamp = string_at(mud, "last-update");
	end = strptime(stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	ck_assert_msg(end && !strcmp(end, "+00:00"), "last-update '%s'", stamp);
	ck_assert_int_lt(labs((long)(timegm(&tm) - time(NULL))), 60);
	json_object_put(doc);
}

START_TEST(required_fields)
{
	struct unit_run r;

	run_export(MUD_DIR "/export-everything.conf", "cams", NULL, &r);
	ck_assert_int_eq(r.rc, 0);
	assert_required_fields(r.out, "https://mud.example.invalid/camfence/cams.json");
	unit_run_free(&r);
	run_export(MUD_DIR "/export-everything.conf", "cams", "https://cams.example.com/mud/cam-9000.json", &r);
	ck_assert_int_eq(r.rc, 0);
	assert_required_fields(r.out, "https://cams.example.com/mud/cam-9000.json");
	unit_run_free(&r);
}
END_TEST

/* Each construct MUD cannot say, every instance, FILE:LINE and why;
 * nothing on the output. */
START_TEST(refusals_name_file_line_and_why)
{
	char *want = unit_slurp(MUD_DIR "/export-refuse.err"), *exp;
	struct unit_run r;

	exp = with_path(want, MUD_DIR "/export-refuse.conf");
	run_export(MUD_DIR "/export-refuse.conf", "cams", NULL, &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, exp);
	ck_assert_str_eq(r.out, "");
	free(exp);
	free(want);
	unit_run_free(&r);
}
END_TEST

/* What changes only logging goes, with a note; the rest is exported and
 * reads back. */
START_TEST(notes_for_what_is_left_out)
{
	struct scratch s;
	char *conf, *want;
	struct unit_run r;

	scratch_init(&s);
	conf = scratch_write(&s, "camfence.conf",
			     "zone cameras {\n\tinterface lan0\n}\n"
			     "device cam2 mac 02:00:00:00:00:02\n"
			     "group g {\n\tmac 02:00:00:00:00:01\n\tpolicy p\n}\n"
			     "policy p {\n"
			     "\tallow to 192.0.2.1 tcp 443 log 10/minute\n"
			     "\tallow to cam2 tcp 80\n"
			     "\tdeny tunnel log 5/minute\n"
			     "\tdefault deny log 60/hour\n"
			     "}\n");
	run_export(conf, "g", NULL, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_gt(asprintf(&want,
				  "%1$s:10: note: log 10 per 60 s: MUD has no rate; the entry logs every flow (log-syslog)\n"
				  "%1$s:11: note: 'to cam2' names no address (a device known by its MAC only): the rule matches nothing and is left out\n"
				  "%1$s:12: note: log 5 per 60 s: MUD has no rate; the entry logs every flow (log-syslog)\n"
				  "%1$s:13: note: the default's logging: MUD has no default entry; mud-import ends the policy in 'default deny', which logs every flow\n",
				  conf), 0);
	ck_assert_str_eq(r.err, want);
	ck_assert_ptr_nonnull(strstr(r.out, "\"logging\": \"log-syslog\""));
	/* 192.0.2.1, and tunnel's 12 protocols and ports in each family */
	ck_assert_uint_eq(assert_round_trip(conf, "g"), 25);
	free(want);
	free(conf);
	unit_run_free(&r);
	scratch_free(&s);
}
END_TEST

START_TEST(bad_group_file_or_url)
{
	struct scratch s;
	char *conf, *want;
	struct unit_run r;

	run_export(MUD_DIR "/export-everything.conf", "nosuch", NULL, &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, MUD_DIR "/export-everything.conf: no group 'nosuch'\n");
	ck_assert_str_eq(r.out, "");
	unit_run_free(&r);

	scratch_init(&s);
	conf = scratch_write(&s, "camfence.conf",
			     "zone cameras {\n\tinterface lan0\n}\n"
			     "group g {\n\tmac 02:00:00:00:00:01\n}\n");
	run_export(conf, "g", NULL, &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_int_gt(asprintf(&want, "%s:4: group 'g' has no policy: nothing to export\n", conf), 0);
	ck_assert_str_eq(r.err, want);
	ck_assert_str_eq(r.out, "");
	free(want);
	free(conf);
	unit_run_free(&r);

	conf = scratch_write(&s, "broken.conf", "zone cameras {\n\tinterface lan0\n}\npolicy p {\n\tallow to\n}\n");
	run_export(conf, "g", NULL, &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_msg(strstr(r.err, ":5:") && strstr(r.err, "'to' needs a destination"), "%s", r.err);
	ck_assert_int_gt(asprintf(&want, "%1$s: has errors (camfencectl check %1$s): nothing exported\n", conf), 0);
	ck_assert_msg(strstr(r.err, want), "%s", r.err);
	ck_assert_str_eq(r.out, "");
	free(want);
	free(conf);
	unit_run_free(&r);
	scratch_free(&s);

	run_export(MUD_DIR "/export-everything.conf", "cams", "http://example.com/a.json", &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.err, "camfencectl: mud-export: --url 'http://example.com/a.json': a MUD URL is an https:// URL without blanks, quotes or control characters, shorter than 1024 characters\n");
	ck_assert_str_eq(r.out, "");
	unit_run_free(&r);
	run_export(MUD_DIR "/export-everything.conf", "cams", "https://example.com/a \"b\".json", &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.out, "");
	unit_run_free(&r);
}
END_TEST

START_TEST(command_line)
{
	struct unit_run r;

	run_main((const char *const[]){ "mud-export", NULL }, &r);
	ck_assert_int_eq(r.rc, 2);
	ck_assert_str_eq(r.err, "camfencectl: mud-export: the GROUP is missing\nusage: camfencectl [-c FILE] mud-export [--url URL] GROUP\n");
	unit_run_free(&r);
	run_main((const char *const[]){ "mud-export", "a", "b", NULL }, &r);
	ck_assert_int_eq(r.rc, 2);
	ck_assert_str_eq(r.err, "camfencectl: mud-export: one GROUP at a time\nusage: camfencectl [-c FILE] mud-export [--url URL] GROUP\n");
	unit_run_free(&r);
	run_main((const char *const[]){ "mud-export", "--nope", "cams", NULL }, &r);
	ck_assert_int_eq(r.rc, 2);
	ck_assert_str_eq(r.err, "camfencectl: mud-export: unknown option '--nope'\nusage: camfencectl [-c FILE] mud-export [--url URL] GROUP\n");
	unit_run_free(&r);
	run_main((const char *const[]){ "mud-export", "cams", "--url", NULL }, &r);
	ck_assert_int_eq(r.rc, 2);
	ck_assert_str_eq(r.err, "camfencectl: mud-export: --url needs a URL\nusage: camfencectl [-c FILE] mud-export [--url URL] GROUP\n");
	unit_run_free(&r);
	run_main((const char *const[]){ "mud-export", "--url", "https://example.com/x.json", "cams", NULL }, &r);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "\"mud-url\": \"https://example.com/x.json\""));
	unit_run_free(&r);
}
END_TEST

/* Output of a shell command, and its exit status. */
static void run_shell(const char *cmd, struct unit_run *r)
{
	FILE *p = popen(cmd, "r");
	FILE *m = open_memstream(&r->out, &r->out_len);
	int c;

	ck_assert_ptr_nonnull(p);
	while ((c = fgetc(p)) != EOF)
		fputc(c, m);
	fclose(m);
	r->rc = WEXITSTATUS(pclose(p));
	r->err = NULL;
}

/* camfencectl -c FILE mud-export GROUP: the MUD file on stdout alone, the
 * refusals on stderr alone. */
START_TEST(camfencectl_binary)
{
	char exe[PATH_MAX], ctl[PATH_MAX + 32], *cmd, *want, *fixture;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct unit_run r;

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	/* BUILD/tests/unit_tests -> BUILD/camfencectl */
	snprintf(ctl, sizeof(ctl), "%s/camfencectl", dirname(dirname(exe)));
	ck_assert_msg(access(ctl, X_OK) == 0, "%s is missing: run make first", ctl);

	ck_assert_int_gt(asprintf(&cmd, "%s -c %s mud-export cams 2>/dev/null", ctl,
				  MUD_DIR "/export-everything.conf"), 0);
	run_shell(cmd, &r);
	ck_assert_int_eq(r.rc, 0);
	assert_required_fields_now(r.out);
	free(r.out);
	free(cmd);

	ck_assert_int_gt(asprintf(&cmd, "%s -c %s mud-export cams 2>&1 >/dev/null", ctl,
				  MUD_DIR "/export-refuse.conf"), 0);
	run_shell(cmd, &r);
	ck_assert_int_eq(r.rc, 1);
	fixture = unit_slurp(MUD_DIR "/export-refuse.err");
	want = with_path(fixture, MUD_DIR "/export-refuse.conf");
	ck_assert_str_eq(r.out, want);
	free(want);
	free(fixture);
	free(r.out);
	free(cmd);

	ck_assert_int_gt(asprintf(&cmd, "%s mud-export 2>&1 >/dev/null", ctl), 0);
	run_shell(cmd, &r);
	ck_assert_int_eq(r.rc, 2);
	ck_assert_str_eq(r.out, "camfencectl: mud-export: the GROUP is missing\nusage: camfencectl [-c FILE] mud-export [--url URL] GROUP\n");
	free(r.out);
	free(cmd);

	ck_assert_int_gt(asprintf(&cmd, "%s --help", ctl), 0);
	run_shell(cmd, &r);
	ck_assert_ptr_nonnull(strstr(r.out, "\n  mud-export [--url URL] GROUP\n"));
	free(r.out);
	free(cmd);
}
END_TEST

Suite *mud_export_suite(void)
{
	Suite *s = suite_create("mud_export");
	TCase *good = tcase_create("good"), *bad = tcase_create("bad");

	tcase_add_test(good, round_trip_every_construct);
	tcase_add_test(good, prefixes_make_one_acl_per_family);
	tcase_add_test(good, hosts_keep_their_place_among_families);
	tcase_add_test(good, round_trip_of_imported_mud_files);
	tcase_add_test(good, rfc8520_example_exports_its_entry);
	tcase_add_test(good, required_fields);
	tcase_add_test(good, notes_for_what_is_left_out);
	tcase_add_test(bad, refusals_name_file_line_and_why);
	tcase_add_test(bad, bad_group_file_or_url);
	tcase_add_test(bad, command_line);
	tcase_add_test(bad, camfencectl_binary);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}
