// SPDX-License-Identifier: GPL-2.0
/*
 * camfencectl mud-import: RFC 8520 MUD files (tests/mud) to camfence
 * policies. The expected outputs and messages beside the fixtures were
 * written by hand from the MUD files; every accepted output must be a
 * policy the project's own parser and `camfencectl check` take.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mud_import.h"
#include "policy.h"
#include "policy_check.h"
#include "unit.h"

#define MUD_DIR CAMFENCE_SRCDIR "/tests/mud"

static void run_import(const char *path, const char *name, struct unit_run *r)
{
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *err = open_memstream(&r->err, &r->err_len);

	ck_assert(out && err);
	r->rc = camfence_mud_import(path, name, out, err);
	fclose(out);
	fclose(err);
}

static char *write_temp_json(const char *text)
{
	char *path = strdup("/tmp/camfence-mud-XXXXXX.json");
	int fd = mkstemps(path, 5);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
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

/* The output as a file that a camfence.conf with a zone includes, as it is
 * meant to be used (a file without a zone is refused by itself): it must
 * parse without an error and pass `camfencectl check`. */
static void assert_policy_is_good(const char *text, const char *what)
{
	char dir[] = "/tmp/camfence-mud-XXXXXX", top[64], inc[64], *cmd;
	struct cf_config *cfg;
	FILE *f, *out, *err;
	char *o = NULL, *e = NULL;
	size_t ol, el;
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(top, sizeof(top), "%s/camfence.conf", dir);
	snprintf(inc, sizeof(inc), "%s/mud.conf", dir);
	f = fopen(top, "w");
	fputs("zone cameras {\n\tinterface lan0\n}\ninclude mud.conf\n", f);
	fclose(f);
	f = fopen(inc, "w");
	fputs(text, f);
	fclose(f);

	cfg = camfence_policy_parse_file(top);
	ck_assert_msg(cfg->nerrors == 0, "%s: %s", what, cfg->nerrors ? cfg->errors[0] : "");
	ck_assert_uint_eq(cfg->policies.n, 1);
	camfence_policy_free(cfg);

	out = open_memstream(&o, &ol);
	err = open_memstream(&e, &el);
	rc = camfence_check_file(top, CF_TRUST_WARN, out, err);
	fclose(out);
	fclose(err);
	ck_assert_msg(rc == 0, "%s: check failed: %s", what, e);
	free(o);
	free(e);
	ck_assert_int_gt(asprintf(&cmd, "rm -rf %s", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static void assert_exact(const char *json, const char *expected)
{
	struct unit_run r;
	char *want = unit_slurp(expected);

	run_import(json, NULL, &r);
	ck_assert_msg(r.rc == 0, "%s: %s", json, r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_str_eq(r.out, want);
	assert_policy_is_good(r.out, json);
	free(want);
	unit_run_free(&r);
}

START_TEST(rfc8520_example_exact)
{
	assert_exact(MUD_DIR "/rfc8520-lightbulb2000.json", MUD_DIR "/rfc8520-lightbulb2000.conf");
}
END_TEST

START_TEST(draft_era_file_exact)
{
	assert_exact(MUD_DIR "/draft-thermostat.json", MUD_DIR "/draft-thermostat.conf");
}
END_TEST

/* Each entry of constructs.json and the line it must become, "RULE\t#
 * ACL ENTRY", as fnmatch(3) patterns: a long host's set name ends in a hash
 * (sets_resolve_their_hosts_under_legal_names). */
static const char *const construct_rules[] = {
	"allow to 198.51.100.0/24 tcp 443\t# v4-fr net-eq",
	"allow to 198.51.100.7 tcp 1-1023\t# v4-fr host-lte",
	"allow to 0.0.0.0/0 udp 49152-65535\t# v4-fr any-gte",
	"allow to 203.0.113.0/24 tcp 1-1024\t# v4-fr range-from-0",
	"allow to 203.0.113.9 tcp 8443\t# v4-fr string-numbers",
	"allow to 203.0.113.10 tcp 8080\t# v4-fr no-operator",
	"allow to 0.0.0.0/0 icmp\t# v4-fr icmp",
	"allow to 203.0.113.7 47\t# v4-fr gre",
	"deny to 0.0.0.0/0 tcp 23\t# v4-fr drop-telnet",
	"deny to 0.0.0.0/0 udp 1900 nolog\t# v4-fr reject-nolog",
	"allow to 192.0.2.10 tcp 554 log\t# v4-fr accept-log",
	"allow to 192.0.2.11 tcp 80\t# v4-fr prefixed",
	"allow to local udp 53\t# v4-fr local",
	"allow to ntp.example.com udp 123\t# v4-fr dns-case",
	"allow to api.example.com tcp 443\t# v4-fr from-device",
	"deny to 192.0.2.12 tcp 21\t# v4-fr #16",
	"allow to dns-1cloud.example.com tcp 443\t# v4-fr digit-host",
	"allow to firmware-updates.eu-we-* tcp 443\t# v4-fr long-host-a",
	"allow to firmware-updates.eu-we-* tcp 443\t# v4-fr long-host-b",
	"allow to dns-router tcp 8080\t# v4-fr reserved-host",
	"allow to dns-name tcp 8081\t# v4-fr reserved-name",
	"allow to 192.0.2.13 tcp 8000-8100\t# v4-fr draft-permit",
	"deny to 192.0.2.14 udp\t# v4-fr draft-deny",
	"allow to 0.0.0.0/0\t# v4-fr empty",
	"allow to 2001:db8:1::/48 udp 5000-5100\t# v6-fr net-range",
	"allow to 2001:db8::/32 icmpv6\t# v6-fr icmp-container",
	"allow to ::/0 icmpv6\t# v6-fr icmpv6",
	"# v6-fr dns-dup: the same as v4-fr dns-case above",
	"allow tcp 80\t# mixed-fr tcp-only",
	"allow to ::/0 tcp 22\t# untyped-fr v6-container",
	"default deny",
	NULL,
};

START_TEST(every_construct_translates)
{
	struct unit_run r;
	const char *p;
	size_t i;

	run_import(MUD_DIR "/constructs.json", NULL, &r);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_ptr_nonnull(strstr(r.out, "\npolicy cam-9000 {\n"));	/* from the mud-url */
	/* the rules, in the file's order, and nothing else in the policy */
	p = strstr(r.out, "\npolicy cam-9000 {\n") + strlen("\npolicy cam-9000 {\n");
	for (i = 0; construct_rules[i]; i++) {
		size_t n = strcspn(p, "\n");
		char line[200];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		ck_assert_msg(line[0] == '\t' && !fnmatch(construct_rules[i], line + 1, 0),
			      "wanted '%s', got '%s'", construct_rules[i], line);
		p += n + 1;
	}
	ck_assert_msg(!strncmp(p, "}\n", 2), "more in the policy: %.*s", (int)strcspn(p, "\n"), p);
	ck_assert_ptr_nonnull(strstr(r.out, "# to-device ACL \"v4-to\" (1 entry): not translated\n"));
	assert_policy_is_good(r.out, "constructs.json");
	unit_run_free(&r);
}
END_TEST

/* Each set resolves its host, under a legal name of its own, whatever the
 * host: long ones cut and told apart, one starting with a digit or a
 * reserved word prefixed, upper case and the root's dot dropped. */
START_TEST(sets_resolve_their_hosts_under_legal_names)
{
	static const struct {
		const char *set, *host;
	} want[] = {
		{ "ntp.example.com", "ntp.example.com" },
		{ "api.example.com", "api.example.com" },
		{ "dns-1cloud.example.com", "1cloud.example.com" },
		{ NULL, "firmware-updates.eu-west.cams.example.com" },
		{ NULL, "firmware-updates.eu-west.cams.example.net" },
		{ "dns-router", "router" },
		{ "dns-name", "name" },
	};
	char dir[] = "/tmp/camfence-mud-XXXXXX", top[64], *cmd;
	struct cf_config *cfg;
	struct unit_run r;
	size_t i, j;
	FILE *f;

	run_import(MUD_DIR "/constructs.json", NULL, &r);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(top, sizeof(top), "%s/camfence.conf", dir);
	f = fopen(top, "w");
	fprintf(f, "zone cameras {\n\tinterface lan0\n}\n%s", r.out);
	fclose(f);
	cfg = camfence_policy_parse_file(top);
	ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
	ck_assert_uint_eq(cfg->sets.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < cfg->sets.n; i++) {
		const struct cf_set *s = &cfg->sets.v[i];

		ck_assert_uint_eq(s->names.n, 1);
		ck_assert_str_eq(s->names.v[0].host, want[i].host);
		if (want[i].set)
			ck_assert_str_eq(s->name, want[i].set);
		else	/* cut to the longest legal name, its host's start first */
			ck_assert_msg(strlen(s->name) == CF_NAME_MAX - 1 &&
				      !strncmp(s->name, want[i].host, 16), "%s", s->name);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(s->name, cfg->sets.v[j].name);
	}
	camfence_policy_free(cfg);
	ck_assert_int_gt(asprintf(&cmd, "rm -rf %s", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	unit_run_free(&r);
}
END_TEST

/* A host whose own name is the name another host's set was given: the
 * second gets another. */
START_TEST(set_name_clash_gets_another_name)
{
	const char *json =
		"{\"ietf-mud:mud\": {\"mud-url\": \"https://example.com/clash\",\n"
		" \"from-device-policy\": {\"access-lists\": {\"access-list\": [{\"name\": \"fr\"}]}}},\n"
		" \"ietf-access-control-list:acls\": {\"acl\": [{\"name\": \"fr\", \"type\": \"ipv4-acl-type\",\n"
		"  \"aces\": {\"ace\": [\n"
		"   {\"name\": \"a\", \"matches\": {\"ipv4\": {\"ietf-acldns:dst-dnsname\": \"1x.example.com\"}},\n"
		"    \"actions\": {\"forwarding\": \"accept\"}},\n"
		"   {\"name\": \"b\", \"matches\": {\"ipv4\": {\"ietf-acldns:dst-dnsname\": \"dns-1x.example.com\"}},\n"
		"    \"actions\": {\"forwarding\": \"accept\"}}]}}]}}\n";
	char *path = write_temp_json(json);
	struct unit_run r;

	run_import(path, NULL, &r);
	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "\nset dns-1x.example.com {\n\tresolve 1x.example.com\n}\n"));
	ck_assert_ptr_null(strstr(r.out, "\nset dns-1x.example.com {\n\tresolve dns-1x.example.com\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "\tresolve dns-1x.example.com\n"));
	assert_policy_is_good(r.out, "clash");
	unit_run_free(&r);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(policy_name_from_url_systeminfo_or_option)
{
	static const struct {
		const char *mud, *name, *want;
	} cases[] = {
		{ "\"mud-url\": \"https://example.com/mud/door-bell_2/\"", NULL, "door-bell_2" },
		{ "\"mud-url\": \"https://example.com/2000.json#x\"", NULL, "mud-2000" },
		{ "\"mud-url\": \"https://example.com/a/b%20c?q=1\"", NULL, "b-20c" },
		{ "\"systeminfo\": \"Garden camera (outdoor)\"", NULL, "Garden-camera--outdoor-" },
		{ "\"systeminfo\": \"An example IP camera with a very long description\"", NULL,
		  "An-example-IP-camera-with-a-ver" },
		{ "\"cache-validity\": 48", NULL, "mud-device" },
		{ "\"mud-url\": \"https://example.com/cam\"", "lobby-cam", "lobby-cam" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json, *path, *want;
		struct unit_run r;

		ck_assert_int_gt(asprintf(&json, "{\"ietf-mud:mud\": {%s}}\n", cases[i].mud), 0);
		path = write_temp_json(json);
		run_import(path, cases[i].name, &r);
		ck_assert_msg(r.rc == 0, "%s", r.err);
		ck_assert_int_gt(asprintf(&want, "\npolicy %s {\n", cases[i].want), 0);
		ck_assert_msg(strstr(r.out, want), "wanted %s in %s", cases[i].want, r.out);
		/* no from-device-policy: nothing may leave the device */
		ck_assert_ptr_nonnull(strstr(r.out, "\t# the MUD file has no from-device-policy: the device may send nothing\n\tdefault deny\n}\n"));
		assert_policy_is_good(r.out, cases[i].want);
		unit_run_free(&r);
		unlink(path);
		free(path);
		free(json);
		free(want);
	}
}
END_TEST

START_TEST(bad_policy_name_refused)
{
	struct unit_run r;

	run_import(MUD_DIR "/rfc8520-lightbulb2000.json", "9lives", &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, MUD_DIR "/rfc8520-lightbulb2000.json: --name '9lives': a policy name starts with a letter and holds letters, digits, '-', '_' and '.', at most 31 characters\n");
	unit_run_free(&r);
}
END_TEST

/* Every fixture that is no refuse-*.json imports into a good policy. */
START_TEST(accepted_fixtures_pass_check)
{
	DIR *d = opendir(MUD_DIR);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char json[PATH_MAX];
		struct unit_run r;

		if (!strncmp(de->d_name, "refuse-", 7) || len < 5 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(json, sizeof(json), "%s/%s", MUD_DIR, de->d_name);
		run_import(json, NULL, &r);
		ck_assert_msg(r.rc == 0, "%s: %s", json, r.err);
		assert_policy_is_good(r.out, json);
		unit_run_free(&r);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 3);
}
END_TEST

/* Each refuse-NAME.json beside its refuse-NAME.err: every problem, in the
 * file's order, and nothing on the output. */
START_TEST(refusals_name_acl_entry_and_field)
{
	DIR *d = opendir(MUD_DIR);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char json[PATH_MAX], errp[PATH_MAX], *want, *text;
		size_t len = strlen(de->d_name);
		struct unit_run r;

		if (strncmp(de->d_name, "refuse-", 7) || len < 5 || strcmp(de->d_name + len - 5, ".json"))
			continue;
		snprintf(json, sizeof(json), "%s/%s", MUD_DIR, de->d_name);
		snprintf(errp, sizeof(errp), "%s/%.*s.err", MUD_DIR, (int)(len - 5), de->d_name);
		text = unit_slurp(errp);
		want = with_path(text, json);
		run_import(json, NULL, &r);
		ck_assert_msg(r.rc == 1, "%s: accepted", json);
		ck_assert_msg(r.out_len == 0, "%s: wrote %s", json, r.out);
		ck_assert_str_eq(r.err, want);
		unit_run_free(&r);
		free(text);
		free(want);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 8);
}
END_TEST

START_TEST(unreadable_file)
{
	struct unit_run r;

	run_import("/nonexistent/lightbulb.json", NULL, &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "/nonexistent/lightbulb.json: No such file or directory\n");
	unit_run_free(&r);
}
END_TEST

START_TEST(trailing_text_after_the_json)
{
	char *path = write_temp_json("{\"ietf-mud:mud\": {}}\n}\n");
	char *want;
	struct unit_run r;

	run_import(path, NULL, &r);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_int_gt(asprintf(&want, "%s:2:1: not valid JSON: unexpected character\n", path), 0);
	ck_assert_str_eq(r.err, want);
	unit_run_free(&r);
	unlink(path);
	free(path);
	free(want);
}
END_TEST

/* The command line: exit statuses, the policy on stdout and the problems
 * on stderr, each alone. */
static int run_main(const char *const args[], struct unit_run *r)
{
	char *argv[8];
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *err = open_memstream(&r->err, &r->err_len);
	int argc;

	for (argc = 0; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	r->rc = camfence_mud_import_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r->rc;
}

START_TEST(command_line)
{
	struct unit_run r;

	ck_assert_int_eq(run_main((const char *const[]){ "mud-import", NULL }, &r), 2);
	ck_assert_str_eq(r.err, "camfencectl: mud-import: the MUD file is missing\nusage: camfencectl mud-import [--name POLICY] FILE.json\n");
	unit_run_free(&r);
	ck_assert_int_eq(run_main((const char *const[]){ "mud-import", "a.json", "b.json", NULL }, &r), 2);
	ck_assert_ptr_nonnull(strstr(r.err, "one MUD file at a time"));
	unit_run_free(&r);
	ck_assert_int_eq(run_main((const char *const[]){ "mud-import", "--zone", "x", "a.json", NULL }, &r), 2);
	ck_assert_str_eq(r.err, "camfencectl: mud-import: unknown option '--zone'\nusage: camfencectl mud-import [--name POLICY] FILE.json\n");
	unit_run_free(&r);
	ck_assert_int_eq(run_main((const char *const[]){ "mud-import", "a.json", "--name", NULL }, &r), 2);
	ck_assert_str_eq(r.err, "camfencectl: mud-import: --name needs a POLICY name\nusage: camfencectl mud-import [--name POLICY] FILE.json\n");
	unit_run_free(&r);
	ck_assert_int_eq(run_main((const char *const[]){ "mud-import", "--name", "bulb",
				       MUD_DIR "/rfc8520-lightbulb2000.json", NULL }, &r), 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_ptr_nonnull(strstr(r.out, "\npolicy bulb {\n\tallow to test.example.com tcp 443\t"));
	unit_run_free(&r);
}
END_TEST

/* The installed command itself, beside this test binary in the build tree:
 * camfencectl dispatches mud-import. */
START_TEST(camfencectl_binary)
{
	char exe[PATH_MAX], ctl[PATH_MAX + 32], *cmd, *want;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct unit_run r = { 0 };
	int status;

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	/* BUILD/tests/unit_tests -> BUILD/camfencectl */
	snprintf(ctl, sizeof(ctl), "%s/camfencectl", dirname(dirname(exe)));
	ck_assert_msg(access(ctl, X_OK) == 0, "%s is missing: run make first", ctl);

	/* good: the policy on stdout alone, exit 0 */
	ck_assert_int_gt(asprintf(&cmd, "%s mud-import %s 2>/dev/null", ctl,
				  MUD_DIR "/rfc8520-lightbulb2000.json"), 0);
	{
		FILE *p = popen(cmd, "r");
		FILE *m = open_memstream(&r.out, &r.out_len);
		int c;

		while ((c = fgetc(p)) != EOF)
			fputc(c, m);
		fclose(m);
		status = pclose(p);
	}
	want = unit_slurp(MUD_DIR "/rfc8520-lightbulb2000.conf");
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_str_eq(r.out, want);
	free(want);
	free(r.out);
	free(cmd);
	ck_assert_int_gt(asprintf(&cmd, "%s mud-import %s 2>&1 >/dev/null", ctl,
				  MUD_DIR "/rfc8520-lightbulb2000.json"), 0);
	{
		FILE *p = popen(cmd, "r");

		ck_assert_int_eq(fgetc(p), EOF);	/* nothing on stderr */
		ck_assert_int_eq(WEXITSTATUS(pclose(p)), 0);
	}
	free(cmd);

	/* refused: the messages on stderr alone, exit 1 */
	ck_assert_int_gt(asprintf(&cmd, "%s mud-import %s 2>/dev/null", ctl,
				  MUD_DIR "/refuse-sources.json"), 0);
	{
		FILE *p = popen(cmd, "r");

		ck_assert_int_eq(fgetc(p), EOF);
		ck_assert_int_eq(WEXITSTATUS(pclose(p)), 1);
	}
	free(cmd);
	ck_assert_int_gt(asprintf(&cmd, "%s mud-import %s 2>&1 >/dev/null", ctl,
				  MUD_DIR "/refuse-sources.json"), 0);
	{
		FILE *p = popen(cmd, "r");
		char line[512];

		ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
		ck_assert_str_eq(line, MUD_DIR "/refuse-sources.json: acl \"src-v6fr\", ace \"src-net\": matches.ipv6.source-ipv6-network: the source of what a device sends is the device: camfence finds it by its group (MAC, address or VLAN), not by a rule; leave the field out\n");
		while (fgets(line, sizeof(line), p))
			;
		ck_assert_int_eq(WEXITSTATUS(pclose(p)), 1);
	}
	free(cmd);

	/* a usage error: exit 2 */
	ck_assert_int_gt(asprintf(&cmd, "%s mud-import >/dev/null 2>&1", ctl), 0);
	status = system(cmd);
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	free(cmd);
}
END_TEST

Suite *mud_import_suite(void)
{
	Suite *s = suite_create("mud_import");
	TCase *good = tcase_create("good"), *bad = tcase_create("bad"), *cli = tcase_create("cli");

	tcase_add_test(good, rfc8520_example_exact);
	tcase_add_test(good, draft_era_file_exact);
	tcase_add_test(good, every_construct_translates);
	tcase_add_test(good, sets_resolve_their_hosts_under_legal_names);
	tcase_add_test(good, set_name_clash_gets_another_name);
	tcase_add_test(good, policy_name_from_url_systeminfo_or_option);
	tcase_add_test(good, accepted_fixtures_pass_check);
	tcase_add_test(bad, bad_policy_name_refused);
	tcase_add_test(bad, refusals_name_acl_entry_and_field);
	tcase_add_test(bad, unreadable_file);
	tcase_add_test(bad, trailing_text_after_the_json);
	tcase_add_test(cli, command_line);
	tcase_add_test(cli, camfencectl_binary);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, cli);
	return s;
}
