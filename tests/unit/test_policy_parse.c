// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns_answer.h"
#include "camfence.h"
#include "policy.h"
#include "policy_match.h"
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

/* Each file under tests/policies/bad (warn) names its error (warning) on
 * its first line: "# expect: LINE:COL: message". The parser must report
 * exactly that; a warning file must have no error. */
static int check_corpus(const char *dir, int warnings)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d, "cannot open %s", dir);
	while ((de = readdir(d))) {
		char path[512], want[1200], line[600];
		struct cf_config *cfg;
		char *const *msgs;
		size_t i, plen, nmsgs;
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
		msgs = warnings ? cfg->warnings : cfg->errors;
		nmsgs = warnings ? cfg->nwarnings : cfg->nerrors;
		if (warnings)
			ck_assert_msg(cfg->nerrors == 0, "%s: %s", path, cfg->nerrors ? cfg->errors[0] : "");
		ck_assert_msg(nmsgs > 0, "%s: nothing reported", path);
		for (i = 0; i < nmsgs; i++)
			if (!strncmp(msgs[i], want, plen))
				found = 1;
		ck_assert_msg(found, "%s: wanted '%s', got '%s'", path, want, msgs[0]);
		camfence_policy_free(cfg);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(bad_corpus_errors)
{
	ck_assert_int_ge(check_corpus(CAMFENCE_SRCDIR "/tests/policies/bad", 0), 50);
}
END_TEST

START_TEST(warning_corpus)
{
	ck_assert_int_ge(check_corpus(CAMFENCE_SRCDIR "/tests/policies/warn", 1), 5);
}
END_TEST

static char *write_temp(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_int_gt(asprintf(&path, "%s/%s", dir, name), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(include_reads_relative_and_names_the_file)
{
	char dir[] = "/tmp/camfence-inc-XXXXXX";
	char *top, *sub, *cmd;
	struct cf_config *cfg;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_gt(asprintf(&cmd, "mkdir -p %s/sites", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	top = write_temp(dir, "camfence.conf",
			 "zone z {\n\tinterface lan0\n}\ninclude sites/shop.conf\npolicy p {\n}\n");
	sub = write_temp(dir, "sites/shop.conf",
			 "group shop {\n\tmac 44:19:b6:00:00:01\n\tpolicy p\n}\n");
	cfg = camfence_policy_parse_file(top);
	ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
	ck_assert_uint_eq(cfg->files.n, 2);
	ck_assert_str_eq(camfence_policy_file(cfg, cfg->groups.v[0].loc), sub);
	camfence_policy_free(cfg);

	/* an error in the included file names that file, line and column */
	free(write_temp(dir, "sites/shop.conf", "group shop {\n\tmac 44:19:b6:00:00:zz\n\tpolicy p\n}\n"));
	cfg = camfence_policy_parse_file(top);
	ck_assert_uint_ge(cfg->nerrors, 1);
	ck_assert_msg(!strncmp(cfg->errors[0], sub, strlen(sub)) && strstr(cfg->errors[0], ":2:6: "),
		      "%s", cfg->errors[0]);
	camfence_policy_free(cfg);

	/* a file that includes the file including it */
	free(write_temp(dir, "sites/shop.conf", "include ../camfence.conf\n"));
	cfg = camfence_policy_parse_file(top);
	ck_assert_uint_ge(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], "shop.conf:1:9: ../camfence.conf: included again while it is being read"),
		      "%s", cfg->errors[0]);
	camfence_policy_free(cfg);

	free(cmd);
	ck_assert_int_gt(asprintf(&cmd, "rm -rf %s", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(top);
	free(sub);
}
END_TEST

START_TEST(language_constructs)
{
	struct cf_config *cfg =
		camfence_policy_parse_file(CAMFENCE_SRCDIR "/tests/policies/good/language.conf");
	const struct cf_policy *p;
	const struct cf_group *g;
	int hik = 0, yi = 0;
	size_t i;

	ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
	ck_assert_uint_eq(cfg->files.n, 2);
	ck_assert_uint_eq(cfg->zones.v[1].vlans.n, 2);
	ck_assert_int_ge(cfg->zones.v[1].unknown_policy_idx, 0);
	ck_assert_str_eq(cfg->policies.v[cfg->zones.v[1].unknown_policy_idx].name, "quarantine");
	for (i = 0; i < cfg->groups.n; i++) {
		g = &cfg->groups.v[i];
		if (!strcmp(g->name, "hikvision")) {
			hik = g->members.v[0].vendor_macs.n;
			ck_assert_uint_eq(g->members.v[2].mac.len, 36);
		}
		if (!strcmp(g->name, "yi")) {
			const uint8_t zowee[3] = { 0xb0, 0xd5, 0x9d };
			size_t j;

			for (j = 0; j < g->members.v[0].vendor_macs.n; j++)
				yi |= !memcmp(g->members.v[0].vendor_macs.v[j].mac, zowee, 3);
			ck_assert_int_eq(g->members.v[2].prefix.family, AF_INET6);
		}
		if (!strcmp(g->name, "all-dahua"))
			ck_assert_int_eq(g->members.v[0].kind, CF_MEMBER_GROUP);
	}
	ck_assert_int_ge(hik, 40);
	ck_assert_int_eq(yi, 1);

	p = &cfg->policies.v[0];
	ck_assert_int_eq(p->rules.v[0].dst_kind, CF_DST_LOCAL);
	ck_assert_uint_eq(p->rules.v[1].dsts.n, 2);		/* nvr1's two addresses */
	ck_assert_uint_eq(p->rules.v[1].ports.n, 2);
	ck_assert_uint_eq(p->rules.v[1].ports.v[1].hi, 8010);
	ck_assert_int_eq(p->rules.v[2].log, 0);
	ck_assert_uint_eq(p->rules.v[5].dsts.n, 3);		/* the included set */
	ck_assert_uint_eq(p->rules.v[5].log_rate, 10);
	ck_assert_uint_eq(p->rules.v[5].log_period, 60);
	ck_assert_int_eq(p->rules.v[6].log, 1);
	ck_assert_uint_eq(p->default_log_rate, 60);
	ck_assert_uint_eq(p->default_log_period, 3600);
	ck_assert_int_eq(cfg->policies.v[1].allow_replies, 1);
	ck_assert_int_eq(cfg->policies.v[1].default_log, 0);

	/* local and router come from the zone interfaces' addresses */
	{
		struct cf_iface_addr addrs[] = {
			{ "lan0", { AF_INET, { 192, 168, 10, 1 }, 24 } },
			{ "wan0", { AF_INET, { 198, 51, 100, 1 }, 24 } },
		};

		camfence_policy_bind(cfg, addrs, 2);
		ck_assert_uint_eq(p->rules.v[0].dsts.n, 1);
		ck_assert_uint_eq(p->rules.v[0].dsts.v[0].len, 24);
		ck_assert_uint_eq(p->rules.v[0].dsts.v[0].addr[3], 0);
		ck_assert_uint_eq(p->rules.v[4].dsts.n, 1);
		ck_assert_uint_eq(p->rules.v[4].dsts.v[0].len, 32);
		ck_assert_uint_eq(p->rules.v[4].dsts.v[0].addr[3], 1);
	}
	camfence_policy_free(cfg);
}
END_TEST

/* A fake resolver: answers[i] is what host i resolves to now. */
struct fake_dns {
	const char *host[2];
	struct cf_prefix answer[2][3];
	size_t n[2];
	unsigned int asked;
};

static size_t fake_lookup(const char *host, struct cf_prefix *out, size_t max, void *ctx)
{
	struct fake_dns *f = ctx;
	size_t i, j;

	f->asked++;
	for (i = 0; i < 2; i++) {
		if (strcmp(host, f->host[i]))
			continue;
		for (j = 0; j < f->n[i] && j < max; j++)
			out[j] = f->answer[i][j];
		return j;
	}
	return 0;
}

START_TEST(set_names_bind_in_place)
{
	struct cf_config *cfg =
		camfence_policy_parse_file(CAMFENCE_SRCDIR "/tests/policies/good/language.conf");
	struct fake_dns f = {
		.host = { "ntp.example.org", "time.example.net" },
		.answer = { { { AF_INET, { 192, 0, 2, 123 }, 32 }, { AF_INET, { 192, 0, 2, 124 }, 32 } },
			    { { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x7b }, 128 } } },
		.n = { 2, 1 },
	};
	const struct cf_rule *r;
	const struct cf_set *set = NULL;
	size_t i;

	ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
	for (i = 0; i < cfg->sets.n; i++)
		if (!strcmp(cfg->sets.v[i].name, "time-servers"))
			set = &cfg->sets.v[i];
	ck_assert_ptr_nonnull(set);
	/* lower case, the root's dot dropped: as DNS compares names */
	ck_assert_uint_eq(set->names.n, 2);
	ck_assert_str_eq(set->names.v[1].host, "time.example.net");
	ck_assert_int_eq(camfence_policy_uses_names(cfg), 1);
	/* a set of names only holds nothing until camfenced resolves it: no warning */
	for (i = 0; i < cfg->nwarnings; i++)
		ck_assert_msg(!strstr(cfg->warnings[i], "time-servers"), "%s", cfg->warnings[i]);

	r = &cfg->policies.v[0].rules.v[7];
	ck_assert_str_eq(r->dst_name, "time-servers");
	ck_assert_uint_eq(r->dsts.n, 0);
	ck_assert_uint_eq(camfence_policy_bind_names(cfg, fake_lookup, &f), 1);
	ck_assert_uint_eq(r->dsts.n, 3);
	ck_assert_uint_eq(r->dsts.v[1].addr[3], 124);
	ck_assert_int_eq(r->dsts.v[2].family, AF_INET6);
	/* the same answers again change nothing */
	ck_assert_uint_eq(camfence_policy_bind_names(cfg, fake_lookup, &f), 0);
	ck_assert_uint_eq(r->dsts.n, 3);
	/* new answers replace the old ones; they do not pile up */
	f.n[0] = 1;
	f.answer[0][0].addr[3] = 99;
	ck_assert_uint_eq(camfence_policy_bind_names(cfg, fake_lookup, &f), 1);
	ck_assert_uint_eq(r->dsts.n, 2);
	ck_assert_uint_eq(r->dsts.v[0].addr[3], 99);
	/* a set with addresses and names keeps its addresses */
	{
		struct cf_config *mixed = camfence_policy_parse_text("m.conf",
			"zone z {\n\tinterface lo\n}\nset s {\n\t203.0.113.0/24\n\tresolve ntp.example.org\n}\n"
			"policy p {\n\tallow to s udp 123\n\tallow to s udp 123\n}\n");

		ck_assert_msg(mixed->nerrors == 0, "%s", mixed->nerrors ? mixed->errors[0] : "");
		/* the second rule is no duplicate: the first may resolve otherwise by then */
		for (i = 0; i < mixed->nwarnings; i++)
			ck_assert_msg(!strstr(mixed->warnings[i], "never matches"), "%s", mixed->warnings[i]);
		f.n[0] = 0;
		ck_assert_uint_eq(camfence_policy_bind_names(mixed, fake_lookup, &f), 0);
		ck_assert_uint_eq(mixed->policies.v[0].rules.v[0].dsts.n, 1);
		f.n[0] = 1;
		ck_assert_uint_eq(camfence_policy_bind_names(mixed, fake_lookup, &f), 2);
		ck_assert_uint_eq(mixed->policies.v[0].rules.v[0].dsts.n, 2);
		ck_assert_uint_eq(mixed->policies.v[0].rules.v[0].dsts.v[0].addr[0], 203);
		camfence_policy_free(mixed);
	}
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(name_rules_read_and_match)
{
	struct cf_config *cfg =
		camfence_policy_parse_file(CAMFENCE_SRCDIR "/tests/policies/good/language.conf");
	static const struct { const char *pattern, *host; int match; } table[] = {
		{ "pool.ntp.org", "pool.ntp.org", 1 },
		{ "pool.ntp.org", "0.pool.ntp.org", 0 },
		{ "pool.ntp.org", "pool.ntp.org.evil.example", 0 },
		{ "*.example.com", "a.example.com", 1 },
		{ "*.example.com", "a.b.example.com", 1 },
		{ "*.example.com", "example.com", 0 },
		{ "*.example.com", "badexample.com", 0 },
		{ "*.example.com", ".example.com", 0 },
		{ "*.example.com", "example.com.evil.example", 0 },
	};
	struct cf_packet pkt = { .ifname = "lan0", .family = AF_INET, .proto = IPPROTO_TCP,
				 .dport = 443, .icmp6_type = -1,
				 .mac = { 0x44, 0x19, 0xb6, 0x10, 0x20, 0x30 },
				 .saddr = { 192, 168, 10, 20 }, .daddr = { 203, 0, 113, 9 } };
	const char *told[] = { "cdn.example-vendor.com" }, *other[] = { "cdn.example.org" };
	const struct cf_rule *r;
	struct cf_decision d;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		ck_assert_msg(camfence_dns_name_match(table[i].pattern, table[i].host) == table[i].match,
			      "%s %s", table[i].pattern, table[i].host);

	ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
	ck_assert_int_eq(camfence_policy_uses_learned(cfg), 1);
	r = &cfg->policies.v[0].rules.v[9];
	ck_assert_int_eq(r->dst_kind, CF_DST_LEARNED);
	/* lower case, the root's dot dropped */
	ck_assert_str_eq(r->dst_host, "*.example-vendor.com");
	ck_assert_uint_eq(r->dsts.n, 0);

	/* a device told the name reaches it on the rule's port; not told, or
	 * told another name, it gets the policy's default */
	camfence_policy_match(cfg, &pkt, &d);
	ck_assert_int_eq(d.policy, 0);
	ck_assert_int_eq(d.verdict, CAMFENCE_DROP);
	pkt.learned = told;
	pkt.nlearned = 1;
	camfence_policy_match(cfg, &pkt, &d);
	ck_assert_int_eq(d.verdict, CAMFENCE_PASS);
	ck_assert_int_eq(d.rule, 9);
	pkt.dport = 80;
	camfence_policy_match(cfg, &pkt, &d);
	ck_assert_int_eq(d.verdict, CAMFENCE_DROP);
	pkt.dport = 443;
	pkt.learned = other;
	camfence_policy_match(cfg, &pkt, &d);
	ck_assert_int_eq(d.verdict, CAMFENCE_DROP);
	/* an unknown device learns nothing */
	pkt.learned = told;
	pkt.mac[0] = 0x02;
	pkt.saddr[3] = 99;
	camfence_policy_match(cfg, &pkt, &d);
	ck_assert_int_eq(d.group, -1);
	ck_assert_int_ne(d.rule, 9);
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(error_shows_line_and_caret)
{
	struct cf_config *cfg = camfence_policy_parse_text("t.conf",
		"zone z {\n\tinterface lan0\n}\ngroup g {\n\tmac 44:19:b6:zz:00:01\n\tpolicy p\n}\npolicy p {\n}\n");

	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert_str_eq(cfg->errors[0],
			 "t.conf:5:6: '44:19:b6:zz:00:01': not a MAC address or prefix (44:19:b6:0a:0b:0c, 44:19:b6/24)\n"
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
		"policy p {\n\tallow to 10.1.2.3/99\n\tallow tcp 0\n}\n");

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
	ck_assert_uint_eq(cfg->zones.n, 2);
	ck_assert_uint_eq(cfg->zones.v[0].ifaces.n, 2);
	ck_assert_str_eq(cfg->zones.v[0].ifaces.v[1], "lan1");
	ck_assert_uint_eq(cfg->zones.v[0].unknown_verdict, CAMFENCE_DROP);
	ck_assert_uint_eq(cfg->zones.v[1].unknown_verdict, CAMFENCE_PASS);

	g = &cfg->groups.v[0];
	ck_assert_uint_eq(g->members.n, 4);
	ck_assert_uint_eq(g->members.v[1].mac.mac[5], 0x31);
	ck_assert_uint_eq(g->members.v[1].mac.len, 48);
	ck_assert_uint_eq(g->members.v[2].prefix.len, 28);
	ck_assert_uint_eq(g->members.v[3].prefix.len, 32);
	ck_assert_int_eq(g->policy_idx, 0);
	/* the policy name was continued onto the next line */
	ck_assert_int_eq(cfg->groups.v[1].policy_idx, 1);

	p = &cfg->policies.v[0];
	ck_assert_uint_eq(p->rules.n, 11);
	ck_assert_uint_eq(p->rules.v[1].proto, IPPROTO_UDP);
	ck_assert_uint_eq(p->rules.v[1].ports.n, 1);
	ck_assert_uint_eq(p->rules.v[1].ports.v[0].lo, 123);
	ck_assert_uint_eq(p->rules.v[1].ports.v[0].hi, 123);
	ck_assert_int_eq(p->rules.v[2].dst_kind, CF_DST_LEARNED);
	ck_assert_str_eq(p->rules.v[2].dst_host, "pool.ntp.org");
	ck_assert_uint_eq(p->rules.v[3].verdict, CAMFENCE_DROP);
	ck_assert_uint_eq(p->rules.v[3].proto, CAMFENCE_PROTO_ANY);
	ck_assert_int_eq(p->rules.v[5].dst.family, AF_INET6);
	ck_assert_uint_eq(p->rules.v[8].ports.v[0].lo, 8000);
	ck_assert_uint_eq(p->rules.v[8].ports.v[0].hi, 8010);
	ck_assert_uint_eq(p->rules.v[9].proto, 47);
	ck_assert_uint_eq(p->rules.v[9].loc.line, 36);

	p = &cfg->policies.v[1];
	ck_assert_int_eq(p->rules.v[0].dst_kind, CF_DST_LEARNED);
	ck_assert_int_eq(p->rules.v[1].dst_kind, CF_DST_ANY);
	ck_assert_int_eq(p->rules.v[2].dst_kind, CF_DST_ANY);
	ck_assert_int_eq(p->rules.v[3].dst_kind, CF_DST_PREFIX);
	ck_assert_uint_eq(p->rules.v[3].dst.len, 0);
	/* modes: the zone's, and a group's own */
	ck_assert_int_eq(cfg->zones.v[0].mode, CF_MODE_MONITOR);
	ck_assert_int_eq(cfg->groups.v[0].mode, CF_MODE_ENFORCE);
	ck_assert_int_eq(cfg->groups.v[1].mode, CF_MODE_UNSET);
	ck_assert_uint_eq(p->default_verdict, CAMFENCE_PASS);
	camfence_policy_free(cfg);
}
END_TEST

START_TEST(no_rule_limit)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct cf_config *cfg;
	int i;

	fprintf(f, "zone z {\n\tinterface lan0\n}\ngroup g {\n\tmac 44:19:b6:00:00:01\n\tpolicy p\n}\npolicy p {\n");
	for (i = 0; i < 1000; i++)
		fprintf(f, "\tallow to 10.%d.%d.0/24 tcp %d\n", i / 256, i % 256, 1000 + i);
	fprintf(f, "}\n");
	fclose(f);
	cfg = camfence_policy_parse_text("t.conf", text);
	ck_assert_uint_eq(cfg->nerrors, 0);
	ck_assert_uint_eq(cfg->policies.v[0].rules.n, 1000);
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

START_TEST(fifo_refused_without_waiting)
{
	char dir[] = "/tmp/camfence-fifo-XXXXXX", *fifo, *top;
	struct cf_config *cfg;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_gt(asprintf(&fifo, "%s/pipe.conf", dir), 0);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	cfg = camfence_policy_parse_file(fifo);
	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], ":1:1: not a regular file"), "%s", cfg->errors[0]);
	camfence_policy_free(cfg);
	top = write_temp(dir, "camfence.conf", "include pipe.conf\n");
	cfg = camfence_policy_parse_file(top);
	ck_assert_uint_ge(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], ":1:9: pipe.conf: not a regular file"), "%s", cfg->errors[0]);
	camfence_policy_free(cfg);
	unlink(top);
	unlink(fifo);
	rmdir(dir);
	free(top);
	free(fifo);
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
	tcase_add_test(bad, warning_corpus);
	tcase_add_test(good, include_reads_relative_and_names_the_file);
	tcase_add_test(good, language_constructs);
	tcase_add_test(good, set_names_bind_in_place);
	tcase_add_test(good, name_rules_read_and_match);
	tcase_add_test(bad, error_shows_line_and_caret);
	tcase_add_test(bad, every_error_is_reported);
	tcase_add_test(good, no_rule_limit);
	tcase_add_test(bad, unreadable_file);
	tcase_add_test(bad, nul_byte_refused);
	tcase_add_test(bad, fifo_refused_without_waiting);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}
