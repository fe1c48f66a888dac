// SPDX-License-Identifier: GPL-2.0
/* What DNS told devices: names per destination, TTL plus grace, bounds. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "learned.h"
#include "unit.h"

static const struct cf_learned_device cam = {
	.ifindex = 3, .mac = { 0x02, 0, 0, 0, 0x10, 0x01 }, .family = AF_INET,
	.addr = { 192, 168, 10, 20 },
};

static struct cf_prefix v4(const char *s)
{
	struct cf_prefix p = { .family = AF_INET, .len = 32 };

	ck_assert_int_eq(inet_pton(AF_INET, s, p.addr), 1);
	return p;
}

static int seen;
static void count(const struct cf_learned_dest *d, void *ctx)
{
	seen++;
	if (ctx)
		*(size_t *)ctx = d->nnames;
}

START_TEST(a_name_lives_its_ttl_plus_grace)
{
	struct cf_learned *l = camfence_learned_new(16, 10);
	struct cf_prefix dst = v4("203.0.113.50");
	const struct cf_learned_dest *d;
	const char *names[4];
	size_t left = 99;
	int added;

	d = camfence_learned_add(l, &cam, &dst, "cdn.vendor.example", 60, 1000, &added);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(added, 1);
	/* the same answer again: not new, expiry extended */
	d = camfence_learned_add(l, &cam, &dst, "cdn.vendor.example", 60, 1030, &added);
	ck_assert_int_eq(added, 0);
	ck_assert_uint_eq(d->names[0].expires, 1030 + 60 + 10);
	/* a second name for the same address */
	camfence_learned_add(l, &cam, &dst, "img.vendor.example", 5, 1030, &added);
	ck_assert_int_eq(added, 1);
	ck_assert_uint_eq(camfence_learned_names(d, names, 4), 2);
	ck_assert_uint_eq(camfence_learned_count(l), 1);

	seen = 0;
	ck_assert_uint_eq(camfence_learned_expire(l, 1030 + 5 + 10 - 1, count, &left), 0);
	ck_assert_uint_eq(camfence_learned_expire(l, 1030 + 5 + 10, count, &left), 1);
	ck_assert_uint_eq(left, 1);
	ck_assert_uint_eq(camfence_learned_count(l), 1);
	ck_assert_uint_eq(camfence_learned_expire(l, 1030 + 60 + 10, count, &left), 1);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(camfence_learned_count(l), 0);
	camfence_learned_free(l);
}
END_TEST

START_TEST(devices_learn_apart)
{
	struct cf_learned *l = camfence_learned_new(16, 10);
	struct cf_learned_device other = cam;
	struct cf_prefix dst = v4("203.0.113.50");
	int added;

	other.mac[5] = 0x02;
	camfence_learned_add(l, &cam, &dst, "cdn.vendor.example", 60, 0, &added);
	camfence_learned_add(l, &other, &dst, "cdn.vendor.example", 60, 0, &added);
	ck_assert_int_eq(added, 1);
	ck_assert_uint_eq(camfence_learned_count(l), 2);
	camfence_learned_free(l);
}
END_TEST

START_TEST(bounded)
{
	struct cf_learned *l = camfence_learned_new(2, 10);
	struct cf_prefix a = v4("192.0.2.1"), b = v4("192.0.2.2"), c = v4("192.0.2.3");
	const struct cf_learned_dest *d;
	char name[32];
	int added, i;

	ck_assert_ptr_nonnull(camfence_learned_add(l, &cam, &a, "a.example", 60, 0, &added));
	ck_assert_ptr_nonnull(camfence_learned_add(l, &cam, &b, "b.example", 60, 0, &added));
	ck_assert_ptr_null(camfence_learned_add(l, &cam, &c, "c.example", 60, 0, &added));
	ck_assert_uint_eq(camfence_learned_refused(l), 1);
	/* names per destination: the one expiring first makes room */
	for (i = 0; i < CF_LEARNED_NAMES + 2; i++) {
		snprintf(name, sizeof(name), "n%d.example", i);
		d = camfence_learned_add(l, &cam, &a, name, 100 + i, 0, &added);
	}
	ck_assert_uint_eq(d->nnames, CF_LEARNED_NAMES);
	for (i = 0; i < (int)d->nnames; i++)
		ck_assert_str_ne(d->names[i].name, "a.example");
	camfence_learned_free(l);
}
END_TEST

Suite *learned_suite(void)
{
	Suite *s = suite_create("learned");
	TCase *tc = tcase_create("store");

	tcase_add_test(tc, a_name_lives_its_ttl_plus_grace);
	tcase_add_test(tc, devices_learn_apart);
	tcase_add_test(tc, bounded);
	suite_add_tcase(s, tc);
	return s;
}
