// SPDX-License-Identifier: GPL-2.0
#include "ratelimit.h"
#include "unit.h"

#define SEC 1000000000ULL

START_TEST(burst_then_rate)
{
	struct cf_bucket b = { 0 };
	int i, sent = 0;

	/* 10/minute: ten at once, then one every six seconds */
	for (i = 0; i < 25; i++)
		sent += camfence_ratelimit_allow(&b, 100 * SEC, 10, 60);
	ck_assert_int_eq(sent, 10);
	ck_assert_int_eq(camfence_ratelimit_allow(&b, 105 * SEC, 10, 60), 0);
	ck_assert_int_eq(camfence_ratelimit_allow(&b, 106 * SEC, 10, 60), 1);
	ck_assert_int_eq(camfence_ratelimit_allow(&b, 107 * SEC, 10, 60), 0);
	/* a long quiet time refills to the burst, no more */
	for (sent = 0, i = 0; i < 25; i++)
		sent += camfence_ratelimit_allow(&b, 10000 * SEC, 10, 60);
	ck_assert_int_eq(sent, 10);
}
END_TEST

START_TEST(no_limit)
{
	struct cf_bucket b = { 0 };
	int i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(camfence_ratelimit_allow(&b, i, 0, 0), 1);
}
END_TEST

Suite *ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("bucket");

	tcase_add_test(tc, burst_then_rate);
	tcase_add_test(tc, no_limit);
	suite_add_tcase(s, tc);
	return s;
}
