// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "camfence.h"
#include "policy.h"
#include "propose.h"
#include "unit.h"

#define T0	1764570000u	/* 2025-12-01 06:20:00 UTC */

static const struct cf_propose_device devs[] = {
	{ { 0x02, 0, 0, 0, 0x10, 0x01 }, "cam1" },
	{ { 0x02, 0, 0, 0, 0x10, 0x02 }, NULL },
};
static const struct cf_propose_zone zones[] = { { "cameras", "lan0 lan1", "10" } };
static struct cf_prefix local[2], router[1];

static void setup(void)
{
	const char *why;

	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_int_eq(camfence_addr_parse_prefix("192.168.10.0/24", &local[0], &why), 0);
	ck_assert_int_eq(camfence_addr_parse_prefix("2001:db8:10::/64", &local[1], &why), 0);
	ck_assert_int_eq(camfence_addr_parse_prefix("192.168.10.1/32", &router[0], &why), 0);
}

static struct cf_propose_flow fl(const char *dst, uint8_t proto, uint16_t port, uint64_t packets,
				 uint8_t verdict, const char *name)
{
	struct cf_propose_flow f = { .proto = proto, .dport = port, .packets = packets,
				     .bytes = packets * 100, .first_seen = T0,
				     .last_seen = T0 + packets, .verdict = verdict, .name = name,
				     .name_from = name ? "DNS told the device" : NULL };

	f.family = strchr(dst, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(f.family, dst, f.daddr), 1);
	return f;
}

static char *propose(const struct cf_propose_flow *flows, size_t n, time_t since)
{
	struct cf_propose p = { .subject = "group cams", .group = "cams", .policy = "cams-proposed",
				.since = since, .devices = devs, .ndevices = 2, .zones = zones,
				.nzones = 1, .local = local, .nlocal = 2, .router = router,
				.nrouter = 1, .flows = flows, .nflows = n };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(camfence_propose_write(&p, f), 0);
	fclose(f);
	return text;
}

#define HAS(text, s)	ck_assert_msg(strstr(text, s), "no '%s' in:\n%s", s, text)
#define HASNT(text, s)	ck_assert_msg(!strstr(text, s), "'%s' in:\n%s", s, text)

static struct cf_propose_flow sample[7];

static void sample_fill(void)
{
	sample[0] = fl("192.168.10.5", IPPROTO_TCP, 554, 300, CAMFENCE_PASS, NULL);
	sample[1] = fl("192.168.10.5", IPPROTO_TCP, 8000, 20, CAMFENCE_WOULD_DROP, NULL);
	sample[2] = fl("203.0.113.7", IPPROTO_TCP, 443, 40, CAMFENCE_WOULD_DROP, "cloud.example.com");
	sample[3] = fl("192.168.10.1", IPPROTO_UDP, 53, 12, CAMFENCE_PASS, NULL);
	sample[4] = fl("192.168.10.9", IPPROTO_TCP, 23, 3, CAMFENCE_DROP, NULL);
	sample[5] = fl("198.51.100.20", IPPROTO_UDP, 123, 80, CAMFENCE_PASS, NULL);
	sample[6] = fl("2001:db8:10::5", IPPROTO_UDP, 5000, 9, CAMFENCE_PASS, NULL);
}

START_TEST(local_allowed_outside_commented)
{
	char *text;

	sample_fill();
	text = propose(sample, 7, 0);
	/* reached on the LAN: allowed host by host, ports together */
	HAS(text, "\n\tallow to 192.168.10.5 tcp 554,8000\t# 320 packets");
	HAS(text, "\n\tallow to 2001:db8:10::5 udp 5000\t#");
	/* outside: commented out, with its name */
	HAS(text, "\n\t#allow to 203.0.113.7 tcp 443\n");
	HAS(text, "\t# 203.0.113.7 cloud.example.com (DNS told the device): 40 packets 4000 bytes");
	HAS(text, "; would block\n");
	HAS(text, "\n\t#allow to 198.51.100.20 udp 123\n");
	HASNT(text, "\tallow to 203.0.113.7");
	HASNT(text, "\tallow to 198.51.100.20");
	/* blocked on the LAN by the policy in force: for review, not allowed */
	HAS(text, "\n\t#allow to 192.168.10.9 tcp 23\n");
	HASNT(text, "\tallow to 192.168.10.9");
	/* never wider than what was seen */
	HASNT(text, "to any");
	HASNT(text, "to local");
	HASNT(text, "/24");
	free(text);
}
END_TEST

START_TEST(essentials_always)
{
	char *text = propose(NULL, 0, 0);

	HAS(text, "\n\tallow to router udp 53,123\n");
	HAS(text, "(0 packets seen)");
	ck_assert_msg(strstr(text, "\n\tdefault deny\n}\n") &&
		      !strcmp(strstr(text, "\n\tdefault deny\n}\n"), "\n\tdefault deny\n}\n"),
		      "does not end with default deny:\n%s", text);
	free(text);
	sample_fill();
	text = propose(sample, 7, 0);
	/* DNS to the router is the essential rule, not a host rule of its own */
	HAS(text, "(12 packets seen)");
	HASNT(text, "allow to 192.168.10.1 ");
	free(text);
}
END_TEST

START_TEST(counts_and_times)
{
	struct cf_propose_flow f[2] = {
		fl("203.0.113.7", IPPROTO_TCP, 443, 40, CAMFENCE_WOULD_DROP, NULL),
		fl("203.0.113.7", IPPROTO_TCP, 443, 2, CAMFENCE_DROP, NULL),	/* another device */
	};
	char *text;

	f[1].first_seen = T0 - 3600;
	text = propose(f, 2, 0);
	HAS(text, "\t# 203.0.113.7: 42 packets 4200 bytes, first 2025-12-01 05:20:00, last 2025-12-01 06:20:40; blocked, would block\n");
	free(text);
}
END_TEST

START_TEST(busiest_outside_first)
{
	char *text, *a, *b, *c, *d;

	sample_fill();
	text = propose(sample, 7, 0);
	a = strstr(text, "#allow to 198.51.100.20");	/* 80 packets */
	b = strstr(text, "#allow to 203.0.113.7");	/* 40 */
	c = strstr(text, "#allow to 192.168.10.9");	/* 3 */
	ck_assert(a && b && c && a < b && b < c);
	/* the local rules by address, IPv4 first, before anything to review */
	d = strstr(text, "\tallow to 2001:db8:10::5");
	ck_assert(strstr(text, "\tallow to 192.168.10.5") < d && d < a);
	free(text);
}
END_TEST

START_TEST(since_leaves_older_out)
{
	char *text;

	sample_fill();
	text = propose(sample, 7, T0 + 50);	/* only the flows last seen at T0+50 or later */
	HAS(text, "allow to 192.168.10.5 tcp 554\t# 300 packets");
	HASNT(text, "554,8000");
	HAS(text, "#allow to 198.51.100.20 udp 123");
	HASNT(text, "203.0.113.7");
	HAS(text, "since 2025-12-01 06:20:50");
	free(text);
}
END_TEST

START_TEST(consecutive_ports_as_range)
{
	struct cf_propose_flow f[4] = {
		fl("192.168.10.5", IPPROTO_UDP, 5002, 1, CAMFENCE_PASS, NULL),
		fl("192.168.10.5", IPPROTO_UDP, 5000, 1, CAMFENCE_PASS, NULL),
		fl("192.168.10.5", IPPROTO_UDP, 5001, 1, CAMFENCE_PASS, NULL),
		fl("192.168.10.5", IPPROTO_UDP, 5004, 1, CAMFENCE_PASS, NULL),
	};
	char *text = propose(f, 4, 0);

	HAS(text, "\tallow to 192.168.10.5 udp 5000-5002,5004\t");
	free(text);
}
END_TEST

START_TEST(multicast_is_local)
{
	struct cf_propose_flow f[2] = {
		fl("239.255.255.250", IPPROTO_UDP, 1900, 5, CAMFENCE_PASS, NULL),
		fl("ff02::fb", IPPROTO_UDP, 5353, 5, CAMFENCE_PASS, NULL),
	};
	char *text = propose(f, 2, 0);

	HAS(text, "\n\tallow to 239.255.255.250 udp 1900\t");
	HAS(text, "\n\tallow to ff02::fb udp 5353\t");
	free(text);
}
END_TEST

static void parses(const char *text)
{
	struct cf_config *cfg = camfence_policy_parse_text("proposed.conf", text);

	ck_assert_ptr_nonnull(cfg);
	if (cfg->nerrors)
		camfence_policy_print_errors(cfg, stderr);
	ck_assert_msg(cfg->nerrors == 0, "errors in:\n%s", text);
	ck_assert_uint_eq(cfg->zones.n, 1);
	ck_assert_uint_eq(cfg->groups.n, 1);
	ck_assert_str_eq(cfg->groups.v[0].policy, "cams-proposed");
	ck_assert_uint_eq(cfg->policies.n, 1);
	camfence_policy_free(cfg);
}

/* What it writes is a policy file, and so is what the admin gets by
 * uncommenting every rule to review. */
START_TEST(output_parses)
{
	char *text, *p;
	struct cf_config *cfg;

	sample_fill();
	text = propose(sample, 7, 0);
	parses(text);
	cfg = camfence_policy_parse_text("proposed.conf", text);
	/* router, 192.168.10.5, 2001:db8:10::5: the rules left in force */
	ck_assert_uint_eq(cfg->policies.v[0].rules.n, 3);
	ck_assert_int_eq(cfg->policies.v[0].default_verdict, CAMFENCE_DROP);
	camfence_policy_free(cfg);
	while ((p = strstr(text, "\t#allow")))
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
	parses(text);
	cfg = camfence_policy_parse_text("proposed.conf", text);
	ck_assert_uint_eq(cfg->policies.v[0].rules.n, 6);
	camfence_policy_free(cfg);
	free(text);
}
END_TEST

START_TEST(refuses_what_is_no_file)
{
	struct cf_propose p = { .subject = "x", .group = "cams", .policy = "cams-proposed",
				.zones = zones, .nzones = 1 };

	errno = 0;
	ck_assert_int_eq(camfence_propose_write(&p, stdout), -1);	/* no device */
	ck_assert_int_eq(errno, EINVAL);
	p.devices = devs;
	p.ndevices = 1;
	p.policy = "a-policy-name-that-is-longer-than-31";
	ck_assert_int_eq(camfence_propose_write(&p, stdout), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *propose_suite(void)
{
	Suite *s = suite_create("propose");
	TCase *tc = tcase_create("propose");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, local_allowed_outside_commented);
	tcase_add_test(tc, essentials_always);
	tcase_add_test(tc, counts_and_times);
	tcase_add_test(tc, busiest_outside_first);
	tcase_add_test(tc, since_leaves_older_out);
	tcase_add_test(tc, consecutive_ports_as_range);
	tcase_add_test(tc, multicast_is_local);
	tcase_add_test(tc, output_parses);
	tcase_add_test(tc, refuses_what_is_no_file);
	suite_add_tcase(s, tc);
	return s;
}
