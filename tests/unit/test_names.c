// SPDX-License-Identifier: GPL-2.0
/* The resolved names' cache: TTLs, the floor and grace, retries, expiry. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "names.h"
#include "unit.h"

static struct cf_prefix v4(const char *s)
{
	struct cf_prefix p = { .family = AF_INET, .len = 32 };

	ck_assert_int_eq(inet_pton(AF_INET, s, p.addr), 1);
	return p;
}

START_TEST(new_names_are_asked_once)
{
	struct cf_names *n = camfence_names_new(30);
	const char *hosts[] = { "ntp.example.org", "update.example.com", "ntp.example.org" };

	ck_assert_uint_eq(camfence_names_want(n, hosts, 3, 100), 2);
	ck_assert_uint_eq(camfence_names_count(n), 2);
	ck_assert_str_eq(camfence_names_next_due(n, 100), "ntp.example.org");
	ck_assert_str_eq(camfence_names_next_due(n, 100), "update.example.com");
	/* in flight: not asked twice */
	ck_assert_ptr_null(camfence_names_next_due(n, 100));
	camfence_names_free(n);
}
END_TEST

START_TEST(addresses_live_their_ttl_plus_grace)
{
	struct cf_names *n = camfence_names_new(30);
	const char *hosts[] = { "ntp.example.org" };
	struct cf_prefix a[] = { v4("192.0.2.20"), v4("192.0.2.10") }, out[4];
	uint32_t ttls[] = { 300, 120 };

	camfence_names_want(n, hosts, 1, 1000);
	ck_assert_ptr_nonnull(camfence_names_next_due(n, 1000));
	ck_assert_int_eq(camfence_names_answer(n, "ntp.example.org", a, ttls, 2, 1000), 1);
	/* sorted, whatever the answer's order */
	ck_assert_uint_eq(camfence_names_lookup("ntp.example.org", out, 4, n), 2);
	ck_assert_uint_eq(out[0].addr[3], 10);
	/* asked again when the shortest TTL runs out, not before */
	ck_assert_ptr_null(camfence_names_next_due(n, 1119));
	ck_assert_uint_eq(camfence_names_next_event(n), 1120);
	ck_assert_ptr_nonnull(camfence_names_next_due(n, 1120));
	/* the same answer again changes nothing */
	ck_assert_int_eq(camfence_names_answer(n, "ntp.example.org", a, ttls, 2, 1120), 0);
	/* .10 was renewed at 1120: 1120 + 120 + grace */
	ck_assert_uint_eq(camfence_names_expire(n, 1120 + 120 + CF_NAMES_GRACE - 1), 0);
	ck_assert_uint_eq(camfence_names_expire(n, 1120 + 120 + CF_NAMES_GRACE), 1);
	ck_assert_uint_eq(camfence_names_lookup("ntp.example.org", out, 4, n), 1);
	ck_assert_uint_eq(out[0].addr[3], 20);
	camfence_names_free(n);
}
END_TEST

START_TEST(a_new_answer_adds_and_the_old_address_stays_until_it_expires)
{
	struct cf_names *n = camfence_names_new(30);
	const char *hosts[] = { "pool.example.org" };
	struct cf_prefix first = v4("198.51.100.1"), second = v4("198.51.100.2"), out[4];
	uint32_t ttl = 60;

	camfence_names_want(n, hosts, 1, 0);
	camfence_names_next_due(n, 0);
	ck_assert_int_eq(camfence_names_answer(n, "pool.example.org", &first, &ttl, 1, 0), 1);
	camfence_names_next_due(n, 60);
	ck_assert_int_eq(camfence_names_answer(n, "pool.example.org", &second, &ttl, 1, 60), 1);
	ck_assert_uint_eq(camfence_names_lookup("pool.example.org", out, 4, n), 2);
	/* a device may still use the first answer until its TTL ran out */
	ck_assert_uint_eq(camfence_names_expire(n, 60 + CF_NAMES_GRACE - 1), 0);
	ck_assert_uint_eq(camfence_names_expire(n, 60 + CF_NAMES_GRACE), 1);
	ck_assert_uint_eq(camfence_names_lookup("pool.example.org", out, 4, n), 1);
	ck_assert_uint_eq(out[0].addr[3], 2);
	camfence_names_free(n);
}
END_TEST

START_TEST(ttl_below_the_floor_is_raised)
{
	struct cf_names *n = camfence_names_new(30);
	const char *hosts[] = { "fast.example.org" };
	struct cf_prefix a = v4("203.0.113.5");
	uint32_t ttl = 0;
	struct cf_names_entry e;

	camfence_names_want(n, hosts, 1, 10);
	camfence_names_next_due(n, 10);
	camfence_names_answer(n, "fast.example.org", &a, &ttl, 1, 10);
	ck_assert_int_eq(camfence_names_entry(n, 0, &e), 0);
	ck_assert_uint_eq(e.next_query, 40);
	ck_assert_uint_eq(e.addrs[0].expires, 40 + CF_NAMES_GRACE);
	ck_assert_uint_eq(e.addrs[0].ttl, 0);	/* shown as answered */
	camfence_names_free(n);
}
END_TEST

START_TEST(failures_back_off_and_keep_what_is_known)
{
	struct cf_names *n = camfence_names_new(5);
	const char *hosts[] = { "cloud.example.com" };
	struct cf_prefix a = v4("192.0.2.7"), out[2];
	uint32_t ttl = 100;
	struct cf_names_entry e;
	unsigned int i;
	uint64_t t = 0;

	camfence_names_want(n, hosts, 1, 0);
	camfence_names_next_due(n, 0);
	camfence_names_answer(n, "cloud.example.com", &a, &ttl, 1, 0);
	t = 100;
	camfence_names_next_due(n, t);
	ck_assert_uint_eq(camfence_names_failed(n, "cloud.example.com", "timeout", t), 1);
	camfence_names_entry(n, 0, &e);
	ck_assert_uint_eq(e.next_query, t + 5);
	ck_assert_str_eq(e.error, "timeout");
	/* the address answered before lives out its TTL */
	ck_assert_uint_eq(camfence_names_lookup("cloud.example.com", out, 2, n), 1);
	for (i = 2; i <= 9; i++) {
		t = e.next_query;
		ck_assert_ptr_nonnull(camfence_names_next_due(n, t));
		ck_assert_uint_eq(camfence_names_failed(n, "cloud.example.com", "timeout", t), i);
		camfence_names_entry(n, 0, &e);
		ck_assert_uint_eq(e.next_query - t, (5u << (i - 1)) < CF_NAMES_RETRY_MAX ?
						    (5u << (i - 1)) : CF_NAMES_RETRY_MAX);
	}
	/* then it expires: the name holds nothing, rules naming it match nothing */
	ck_assert_uint_eq(camfence_names_expire(n, t), 1);
	ck_assert_uint_eq(camfence_names_lookup("cloud.example.com", out, 2, n), 0);
	/* an answer without an address is a failure, not an empty success */
	camfence_names_next_due(n, e.next_query);
	ck_assert_int_eq(camfence_names_answer(n, "cloud.example.com", NULL, NULL, 0, e.next_query), 0);
	camfence_names_entry(n, 0, &e);
	ck_assert_uint_eq(e.failures, 10);
	ck_assert_str_eq(e.error, "no address");
	camfence_names_free(n);
}
END_TEST

START_TEST(a_reload_keeps_known_names_and_forgets_the_others)
{
	struct cf_names *n = camfence_names_new(30);
	const char *before[] = { "a.example.org", "b.example.org" }, *after[] = { "b.example.org", "c.example.org" };
	struct cf_prefix a = v4("192.0.2.1"), out[2];
	uint32_t ttl = 600;

	camfence_names_want(n, before, 2, 0);
	camfence_names_next_due(n, 0);
	camfence_names_next_due(n, 0);
	camfence_names_answer(n, "a.example.org", &a, &ttl, 1, 0);
	camfence_names_answer(n, "b.example.org", &a, &ttl, 1, 0);
	ck_assert_uint_eq(camfence_names_want(n, after, 2, 50), 1);
	ck_assert_uint_eq(camfence_names_lookup("a.example.org", out, 2, n), 0);
	ck_assert_uint_eq(camfence_names_lookup("b.example.org", out, 2, n), 1);
	/* only the new name is asked now; b is asked when its TTL runs out */
	ck_assert_str_eq(camfence_names_next_due(n, 50), "c.example.org");
	ck_assert_ptr_null(camfence_names_next_due(n, 50));
	/* an answer for a name a reload forgot is dropped */
	ck_assert_int_eq(camfence_names_answer(n, "a.example.org", &a, &ttl, 1, 51), 0);
	camfence_names_free(n);
}
END_TEST

START_TEST(addresses_per_name_are_bounded)
{
	struct cf_names *n = camfence_names_new(30);
	const char *hosts[] = { "cdn.example.net" };
	struct cf_prefix a[CF_NAMES_MAX_ADDRS + 6];
	uint32_t ttls[CF_NAMES_MAX_ADDRS + 6];
	struct cf_names_entry e;
	size_t i;

	for (i = 0; i < CF_NAMES_MAX_ADDRS + 6; i++) {
		a[i] = v4("198.51.100.0");
		a[i].addr[2] = i / 250;
		a[i].addr[3] = i % 250;
		ttls[i] = 60;
	}
	camfence_names_want(n, hosts, 1, 0);
	camfence_names_next_due(n, 0);
	camfence_names_answer(n, "cdn.example.net", a, ttls, CF_NAMES_MAX_ADDRS + 6, 0);
	camfence_names_entry(n, 0, &e);
	ck_assert_uint_eq(e.naddrs, CF_NAMES_MAX_ADDRS);
	ck_assert_uint_eq(e.ignored, 6);
	camfence_names_free(n);
}
END_TEST

Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("cache");

	tcase_add_test(tc, new_names_are_asked_once);
	tcase_add_test(tc, addresses_live_their_ttl_plus_grace);
	tcase_add_test(tc, a_new_answer_adds_and_the_old_address_stays_until_it_expires);
	tcase_add_test(tc, ttl_below_the_floor_is_raised);
	tcase_add_test(tc, failures_back_off_and_keep_what_is_known);
	tcase_add_test(tc, a_reload_keeps_known_names_and_forgets_the_others);
	tcase_add_test(tc, addresses_per_name_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}
