// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "unit.h"

START_TEST(mac_good)
{
	uint8_t mac[6];
	char buf[18];

	ck_assert_int_eq(camfence_addr_parse_mac("B0:d5:9d:b9:f0:b4", mac), 0);
	ck_assert_str_eq(camfence_addr_mac_str(mac, buf), "b0:d5:9d:b9:f0:b4");
}
END_TEST

START_TEST(mac_bad)
{
	static const char *const bad[] = {
		"", "b0:d5:9d:b9:f0", "b0:d5:9d:b9:f0:b4:00", "b0-d5-9d-b9-f0-b4",
		"g0:d5:9d:b9:f0:b4", "b0:d5:9d:b9:f0:b", "b0:d5:9d:b9:f0:b44",
	};
	uint8_t mac[6];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(camfence_addr_parse_mac(bad[i], mac) != 0, "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(prefix_good)
{
	struct cf_prefix p;
	const char *why;
	char buf[64];

	ck_assert_int_eq(camfence_addr_parse_prefix("192.0.2.0/24", &p, &why), 0);
	ck_assert_int_eq(p.family, AF_INET);
	ck_assert_uint_eq(p.len, 24);
	ck_assert_str_eq(camfence_addr_prefix_str(&p, buf, sizeof(buf)), "192.0.2.0/24");
	ck_assert_int_eq(camfence_addr_parse_prefix("2001:db8::1", &p, &why), 0);
	ck_assert_int_eq(p.family, AF_INET6);
	ck_assert_uint_eq(p.len, 128);
	ck_assert_int_eq(camfence_addr_parse_prefix("0.0.0.0/0", &p, &why), 0);
	ck_assert_uint_eq(p.len, 0);
}
END_TEST

START_TEST(prefix_bad)
{
	static const struct { const char *s, *why; } bad[] = {
		{ "192.0.2.1/24", "host bits" },
		{ "192.0.2.0/33", "0 to 32" },
		{ "2001:db8::/129", "0 to 128" },
		{ "192.0.2.0/", "not a number" },
		{ "192.0.2.0/2x", "not a number" },
		{ "192.0.2", "not an IPv4 or IPv6" },
		{ "camera.example", "not an IPv4 or IPv6" },
	};
	struct cf_prefix p;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(camfence_addr_parse_prefix(bad[i].s, &p, &why) != 0, "accepted %s", bad[i].s);
		ck_assert_msg(strstr(why, bad[i].why), "%s: '%s'", bad[i].s, why);
	}
}
END_TEST

START_TEST(prefix_contains)
{
	struct cf_prefix a, b;
	const char *why;

	camfence_addr_parse_prefix("192.0.2.0/24", &a, &why);
	camfence_addr_parse_prefix("192.0.2.128/25", &b, &why);
	ck_assert(camfence_addr_prefix_contains(&a, &b));
	ck_assert(!camfence_addr_prefix_contains(&b, &a));
	camfence_addr_parse_prefix("192.0.3.0/25", &b, &why);
	ck_assert(!camfence_addr_prefix_contains(&a, &b));
	camfence_addr_parse_prefix("2001:db8::/32", &b, &why);
	ck_assert(!camfence_addr_prefix_contains(&a, &b));
}
END_TEST

Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, mac_good);
	tcase_add_test(tc, mac_bad);
	tcase_add_test(tc, prefix_good);
	tcase_add_test(tc, prefix_bad);
	tcase_add_test(tc, prefix_contains);
	suite_add_tcase(s, tc);
	return s;
}
