// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "events.h"
#include "unit.h"

static int test_ifindex(const char *name, void *ctx)
{
	return 1;	/* "lo" in every network namespace */
}

START_TEST(alert_names_everything)
{
	struct cf_config *cfg = camfence_policy_parse_text("site.conf",
		"zone z {\n\tinterface lo\n}\ngroup yi {\n\tmac b0:d5:9d:b9:f0:b4\n\tpolicy lan\n}\n"
		"policy lan {\n\tallow to 192.168.10.0/24\n\tdeny to 47.88.0.0/16 udp\n\tdefault deny\n}\n");
	struct camfence_event ev = {
		.generation = 4, .ifindex = 1, .device_id = 1, .policy_id = 0, .rule_id = 1,
		.mac = { 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 }, .family = AF_INET,
		.proto = IPPROTO_UDP, .verdict = CAMFENCE_DROP, .reason = CAMFENCE_REASON_RULE,
		.sport = 40000, .dport = 32100,
		.saddr = { 192, 168, 10, 204 }, .daddr = { 47, 88, 59, 209 },
	};
	struct cf_compiled *c;
	char why[256], line[512];

	ck_assert_int_eq(camfence_policy_compile(cfg, 0, test_ifindex, NULL, &c, why, sizeof(why)), 0);
	camfence_events_format(&ev, cfg, c, line, sizeof(line));
	ck_assert_str_eq(line,
			 "blocked udp 192.168.10.204:40000 -> 47.88.59.209:32100 iface lo mac b0:d5:9d:b9:f0:b4 "
			 "group yi policy lan by rule site.conf:10 generation 4");

	ev.reason = CAMFENCE_REASON_DEFAULT;
	ev.rule_id = CAMFENCE_RULE_DEFAULT;
	ev.proto = IPPROTO_ICMP;
	camfence_events_format(&ev, cfg, c, line, sizeof(line));
	ck_assert_str_eq(line,
			 "blocked icmp 192.168.10.204 -> 47.88.59.209 iface lo mac b0:d5:9d:b9:f0:b4 "
			 "group yi policy lan by default deny site.conf:11 generation 4");

	/* an event of a generation the daemon no longer holds */
	ev.family = AF_INET6;
	ev.proto = IPPROTO_TCP;
	ev.dport = 443;
	memset(ev.daddr, 0, 16);
	ev.daddr[0] = 0x20, ev.daddr[1] = 0x01, ev.daddr[2] = 0x0d, ev.daddr[3] = 0xb8, ev.daddr[15] = 1;
	memcpy(ev.saddr, ev.daddr, 16);
	ev.saddr[15] = 2;
	ev.reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
	ev.device_id = 0;
	ev.policy_id = CAMFENCE_POLICY_NONE;
	camfence_events_format(&ev, NULL, NULL, line, sizeof(line));
	ck_assert_str_eq(line,
			 "blocked tcp [2001:db8::2]:40000 -> [2001:db8::1]:443 iface lo mac b0:d5:9d:b9:f0:b4 "
			 "group - policy - by unknown device (zone default deny) generation 4");
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, alert_names_everything);
	suite_add_tcase(s, tc);
	return s;
}
