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
	camfence_events_format(&ev, cfg, c, NULL, line, sizeof(line));
	ck_assert_str_eq(line,
			 "blocked udp 192.168.10.204:40000 -> 47.88.59.209:32100 iface lo mac b0:d5:9d:b9:f0:b4 "
			 "group yi policy lan by rule site.conf:10 generation 4 device - vendor - addresses -");

	ev.reason = CAMFENCE_REASON_DEFAULT;
	ev.rule_id = CAMFENCE_RULE_DEFAULT;
	ev.proto = IPPROTO_ICMP;
	camfence_events_format(&ev, cfg, c, NULL, line, sizeof(line));
	ck_assert_str_eq(line,
			 "blocked icmp 192.168.10.204 -> 47.88.59.209 iface lo mac b0:d5:9d:b9:f0:b4 "
			 "group yi policy lan by default deny site.conf:11 generation 4 device - vendor - addresses -");

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
	camfence_events_format(&ev, NULL, NULL, NULL, line, sizeof(line));
	ck_assert_str_eq(line,
			 "blocked tcp [2001:db8::2]:40000 -> [2001:db8::1]:443 iface lo mac b0:d5:9d:b9:f0:b4 "
			 "group - policy - by unknown device (zone default deny) generation 4 "
			 "device - vendor - addresses -");
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

static const char *policy_text =
	"zone z {\n\tinterface lo\n}\ngroup yi {\n\tmac b0:d5:9d:b9:f0:b4\n\tpolicy lan\n}\n"
	"policy lan {\n\tallow to 192.168.10.0/24\n\tdeny to 47.88.0.0/16 udp\n\tdefault deny\n}\n";

static const struct camfence_event yi_event = {
	.generation = 4, .ifindex = 1, .device_id = 1, .policy_id = 0, .rule_id = 1,
	.mac = { 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 }, .family = AF_INET,
	.proto = IPPROTO_UDP, .verdict = CAMFENCE_DROP, .reason = CAMFENCE_REASON_RULE,
	.sport = 40000, .dport = 32100,
	.saddr = { 192, 168, 10, 204 }, .daddr = { 47, 88, 59, 209 },
};

START_TEST(alert_names_device_vendor_addresses)
{
	struct cf_config *cfg = camfence_policy_parse_text("site.conf", policy_text);
	struct cf_alert_names names = {
		.device = "yi-cam1", .vendor = "Shenzhen \"Yi\" Technology",
		.addrs = "192.168.10.204 fe80::1",
	};
	struct camfence_event ev = yi_event;
	struct cf_compiled *c;
	char why[256], line[512];
	int n;

	ck_assert_int_eq(camfence_policy_compile(cfg, 0, test_ifindex, NULL, &c, why, sizeof(why)), 0);
	n = camfence_events_format(&ev, cfg, c, &names, line, sizeof(line));
	/* the start stays as it always was: scripts grep it */
	ck_assert_str_eq(line,
			 "blocked udp 192.168.10.204:40000 -> 47.88.59.209:32100 iface lo mac b0:d5:9d:b9:f0:b4 "
			 "group yi policy lan by rule site.conf:10 generation 4 device yi-cam1 "
			 "vendor \"Shenzhen 'Yi' Technology\" addresses 192.168.10.204 fe80::1");
	ck_assert_int_eq(n, strlen(line));

	/* some known, some not; empty is unknown */
	names.vendor = "";
	names.addrs = NULL;
	camfence_events_format(&ev, cfg, c, &names, line, sizeof(line));
	ck_assert_str_eq(strstr(line, " generation"),
			 " generation 4 device yi-cam1 vendor - addresses -");

	/* a short buffer: cut, terminated, and the length says so */
	n = camfence_events_format(&ev, cfg, c, &names, line, 20);
	ck_assert_str_eq(line, "blocked udp 192.168");
	ck_assert_int_gt(n, 20);
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

static const char *sd_value(const struct cf_sd_param *sd, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(sd[i].name, name))
			return sd[i].value;
	return NULL;
}

static void sd_join(const struct cf_sd_param *sd, size_t n, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++)
		at += snprintf(buf + at, len - at, "%s%s=%s", i ? " " : "", sd[i].name, sd[i].value);
}

START_TEST(structured_data_every_field)
{
	struct cf_config *cfg = camfence_policy_parse_text("site.conf", policy_text);
	struct cf_alert_names names = {
		.device = "yi-cam1", .vendor = "Shenzhen Yi", .addrs = "192.168.10.204 fe80::1",
	};
	struct cf_sd_param sd[CAMFENCE_EVENTS_SD_MAX];
	struct camfence_event ev = yi_event;
	struct cf_compiled *c;
	char why[256], all[2048];
	size_t n;

	ck_assert_int_eq(camfence_policy_compile(cfg, 0, test_ifindex, NULL, &c, why, sizeof(why)), 0);
	ev.vlan = 20;
	n = camfence_events_sd(&ev, cfg, c, &names, sd, CAMFENCE_EVENTS_SD_MAX);
	ck_assert_uint_eq(n, CAMFENCE_EVENTS_SD_MAX);
	sd_join(sd, n, all, sizeof(all));
	ck_assert_str_eq(all,
			 "event=blocked device=yi-cam1 group=yi vendor=Shenzhen Yi mac=b0:d5:9d:b9:f0:b4 "
			 "vlan=20 iface=lo src=192.168.10.204 sport=40000 dst=47.88.59.209 dport=32100 "
			 "proto=udp policy=lan rule=rule site.conf:10 generation=4 "
			 "addresses=192.168.10.204 fe80::1");

	/* no room: the first ones, never past max */
	ck_assert_uint_eq(camfence_events_sd(&ev, cfg, c, &names, sd, 3), 3);
	ck_assert_str_eq(sd[2].name, "group");

	/* ICMP from an unknown device, its generation gone: no ports, no names */
	ev.vlan = 0;
	ev.proto = IPPROTO_ICMP;
	ev.device_id = 0;
	ev.rule_id = CAMFENCE_RULE_DEFAULT;
	ev.policy_id = CAMFENCE_POLICY_NONE;
	ev.reason = CAMFENCE_REASON_UNKNOWN_DEVICE;
	n = camfence_events_sd(&ev, NULL, NULL, NULL, sd, CAMFENCE_EVENTS_SD_MAX);
	sd_join(sd, n, all, sizeof(all));
	ck_assert_str_eq(all,
			 "event=blocked mac=b0:d5:9d:b9:f0:b4 iface=lo src=192.168.10.204 "
			 "dst=47.88.59.209 proto=icmp rule=unknown device (zone default deny) generation=4");
	ck_assert_ptr_null(sd_value(sd, n, "device"));

	/* allow ... log */
	ev.verdict = CAMFENCE_PASS;
	n = camfence_events_sd(&ev, NULL, NULL, NULL, sd, CAMFENCE_EVENTS_SD_MAX);
	ck_assert_str_eq(sd_value(sd, n, "event"), "allowed");
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}
END_TEST

Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, alert_names_everything);
	tcase_add_test(tc, alert_names_device_vendor_addresses);
	suite_add_tcase(s, tc);
	tc = tcase_create("structured_data");
	tcase_add_test(tc, structured_data_every_field);
	suite_add_tcase(s, tc);
	return s;
}
