// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "camfence.h"
#include "policy.h"
#include "unit.h"

static void parse_dir_expect_good(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d, "cannot open %s", dir);
	while ((de = readdir(d))) {
		char path[512];
		struct cf_config *cfg;

		if (!strstr(de->d_name, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		cfg = camfence_policy_parse_file(path);
		ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
		camfence_policy_free(cfg);
		n++;
	}
	closedir(d);
	ck_assert_msg(n > 0, "no .conf files in %s", dir);
}

START_TEST(documented_examples_parse)
{
	parse_dir_expect_good(CAMFENCE_SRCDIR "/docs/examples");
	parse_dir_expect_good(CAMFENCE_SRCDIR "/tests/policies/good");
}
END_TEST

/* Each file under tests/policies/bad names its error on its first line:
 * "# expect: LINE:COL: message". The parser must report exactly that. */
START_TEST(bad_corpus_errors)
{
	const char *dir = CAMFENCE_SRCDIR "/tests/policies/bad";
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert(d);
	while ((de = readdir(d))) {
		char path[512], want[1200], line[600];
		struct cf_config *cfg;
		size_t i, plen;
		FILE *f;
		int found = 0;

		if (!strstr(de->d_name, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		ck_assert(f && fgets(line, sizeof(line), f));
		fclose(f);
		ck_assert_msg(!strncmp(line, "# expect: ", 10), "%s: no expect line", path);
		line[strcspn(line, "\n")] = '\0';
		snprintf(want, sizeof(want), "%s:%s", path, line + 10);
		plen = strlen(want);

		cfg = camfence_policy_parse_file(path);
		ck_assert_msg(cfg->nerrors > 0, "%s: accepted", path);
		for (i = 0; i < cfg->nerrors; i++)
			if (!strncmp(cfg->errors[i], want, plen))
				found = 1;
		ck_assert_msg(found, "%s: wanted '%s', got '%s'", path, want, cfg->errors[0]);
		camfence_policy_free(cfg);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 25);
}
END_TEST

START_TEST(error_shows_line_and_caret)
{
	struct cf_config *cfg = camfence_policy_parse_text("t.conf",
		"zone z {\n\tinterface lan0\n}\ngroup g {\n\tmac 44:19:b6:zz:00:01\n\tpolicy p\n}\npolicy p {\n}\n");

	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert_str_eq(cfg->errors[0],
			 "t.conf:5:6: '44:19:b6:zz:00:01' is not a MAC address (six hex pairs: 44:19:b6:0a:0b:0c)\n"
			 "\tmac 44:19:b6:zz:00:01\n"
			 "\t    ^");
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(every_error_is_reported)
{
	struct cf_config *cfg = camfence_policy_parse_text("t.conf",
		"zone z {\n\tinterface lan0\n\tunknown maybe\n}\n"
		"group g {\n\tmac nope\n\tip 300.1.1.1\n\tpolicy p\n}\n"
		"policy p {\n\tallow to x\n\tallow tcp 0\n}\n");

	ck_assert_uint_eq(cfg->nerrors, 5);
	ck_assert(strstr(cfg->errors[0], "t.conf:3:10:"));
	ck_assert(strstr(cfg->errors[1], "t.conf:6:6:"));
	ck_assert(strstr(cfg->errors[2], "t.conf:7:5:"));
	ck_assert(strstr(cfg->errors[3], "t.conf:11:11:"));
	ck_assert(strstr(cfg->errors[4], "t.conf:12:12:"));
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(rules_are_read_as_written)
{
	struct cf_config *cfg =
		camfence_policy_parse_file(CAMFENCE_SRCDIR "/tests/policies/good/everything.conf");
	const struct cf_policy *p;
	const struct cf_group *g;

	ck_assert_uint_eq(cfg->nerrors, 0);
	ck_assert_uint_eq(cfg->nzones, 2);
	ck_assert_uint_eq(cfg->zones[0].nifaces, 2);
	ck_assert_str_eq(cfg->zones[0].ifaces[1], "lan1");
	ck_assert_uint_eq(cfg->zones[0].unknown_verdict, CAMFENCE_DROP);
	ck_assert_uint_eq(cfg->zones[1].unknown_verdict, CAMFENCE_PASS);

	g = &cfg->groups[0];
	ck_assert_uint_eq(g->nmembers, 4);
	ck_assert_uint_eq(g->members[1].mac[5], 0x31);
	ck_assert_uint_eq(g->members[2].prefix.len, 28);
	ck_assert_uint_eq(g->members[3].prefix.len, 32);
	ck_assert_int_eq(g->policy_idx, 0);
	/* the policy name was continued onto the next line */
	ck_assert_int_eq(cfg->groups[1].policy_idx, 1);

	p = &cfg->policies[0];
	ck_assert_uint_eq(p->nrules, 8);
	ck_assert_uint_eq(p->rules[1].proto, IPPROTO_UDP);
	ck_assert_uint_eq(p->rules[1].port_lo, 123);
	ck_assert_uint_eq(p->rules[1].port_hi, 123);
	ck_assert_uint_eq(p->rules[2].verdict, CAMFENCE_DROP);
	ck_assert_uint_eq(p->rules[2].proto, CAMFENCE_PROTO_ANY);
	ck_assert_int_eq(p->rules[3].dst.family, AF_INET6);
	ck_assert_uint_eq(p->rules[6].port_lo, 8000);
	ck_assert_uint_eq(p->rules[6].port_hi, 8010);
	ck_assert_uint_eq(p->rules[7].proto, 47);
	ck_assert_uint_eq(p->rules[7].loc.line, 32);

	p = &cfg->policies[1];
	ck_assert_int_eq(p->rules[0].has_dst, 0);
	ck_assert_int_eq(p->rules[1].has_dst, 0);
	ck_assert_int_eq(p->rules[2].has_dst, 1);
	ck_assert_uint_eq(p->rules[2].dst.len, 0);
	ck_assert_uint_eq(p->default_verdict, CAMFENCE_PASS);
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(rule_limit)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct cf_config *cfg;
	int i;

	fprintf(f, "zone z {\n\tinterface lan0\n}\ngroup g {\n\tmac 44:19:b6:00:00:01\n\tpolicy p\n}\npolicy p {\n");
	for (i = 0; i < CAMFENCE_MAX_RULES + 1; i++)
		fprintf(f, "\tallow to 192.0.2.%d\n", i);
	fprintf(f, "}\n");
	fclose(f);
	cfg = camfence_policy_parse_text("t.conf", text);
	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], "t.conf:73:2: policy 'p' has more than 64 rules"), "%s",
		      cfg->errors[0]);
	camfence_policy_free(cfg);
	free(text);
}
END_TEST

START_TEST(unreadable_file)
{
	struct cf_config *cfg = camfence_policy_parse_file("/nonexistent/camfence.conf");

	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], "/nonexistent/camfence.conf:1:1: cannot open: No such file"),
		      "%s", cfg->errors[0]);
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(nul_byte_refused)
{
	char path[] = "/tmp/camfence-nul-XXXXXX";
	int fd = mkstemp(path);
	struct cf_config *cfg;

	ck_assert(fd >= 0);
	ck_assert_int_eq(write(fd, "zone z {\0}\n", 11), 11);
	close(fd);
	cfg = camfence_policy_parse_file(path);
	unlink(path);
	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert(strstr(cfg->errors[0], "NUL byte"));
	camfence_policy_free(cfg);
}
END_TEST

Suite *policy_parse_suite(void)
{
	Suite *s = suite_create("policy_parse");
	TCase *good = tcase_create("good"), *bad = tcase_create("bad");

	tcase_add_test(good, documented_examples_parse);
	tcase_add_test(good, rules_are_read_as_written);
	tcase_add_test(bad, bad_corpus_errors);
	tcase_add_test(bad, error_shows_line_and_caret);
	tcase_add_test(bad, every_error_is_reported);
	tcase_add_test(bad, rule_limit);
	tcase_add_test(bad, unreadable_file);
	tcase_add_test(bad, nul_byte_refused);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}
