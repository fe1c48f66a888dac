// SPDX-License-Identifier: GPL-2.0
/*
 * The vendor registry against the installed ieee-data, and against small
 * broken registries written to a temporary directory. Expected counts are
 * taken from the files by a reader of their own, not from the code under
 * test, so a new ieee-data release does not break them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oui.h"
#include "unit.h"

static struct cf_oui_db *db;

static void db_setup(void)
{
	char err[512];
	int ret = camfence_oui_load(CF_OUI_DIR, &db, err, sizeof(err));

	ck_assert_msg(ret == 0, "%s (apt-get install ieee-data)", err);
	ck_assert_str_eq(err, "");
}

static void db_teardown(void)
{
	camfence_oui_free(db);
	db = NULL;
}

struct row {
	uint8_t bytes[6];
	unsigned int len;
};

/*
 * Rows of one registry file whose organisation contains (or, if exact, is)
 * what, case-insensitively. Line-based on purpose: data rows start with
 * "MA-x," and only addresses run over several lines.
 */
static int scan(const char *file, const char *what, bool exact, struct row *rows, int max)
{
	char path[256], *line = NULL, org[512];
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", CF_OUI_DIR, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		char *p = line + 5, *o = org;
		unsigned int digits = 0;
		uint8_t b[6] = { 0 };

		if (strncmp(line, "MA-", 3) || line[4] != ',')
			continue;
		for (; *p != ','; p++, digits++) {
			unsigned int v = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;

			b[digits / 2] |= digits % 2 ? v : v << 4;
		}
		p++;
		if (*p == '"') {
			for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++)
				*o++ = *p == '"' ? *p++ : *p;
		} else {
			while (*p && *p != ',')
				*o++ = *p++;
		}
		while (o > org && o[-1] == ' ')
			o--;
		*o = '\0';
		if (exact ? strcasecmp(org, what) : !strcasestr(org, what))
			continue;
		if (n < max) {
			memcpy(rows[n].bytes, b, 6);
			rows[n].len = digits * 4;
		}
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

static int scan_all(const char *what, bool exact, struct row *rows, int max)
{
	int n = scan("oui.csv", what, exact, rows, max);

	n += scan("mam.csv", what, exact, rows + n, max - n);
	return n + scan("oui36.csv", what, exact, rows + n, max - n);
}

static bool has_prefix(const struct cf_oui_prefix *p, int n, const uint8_t *bytes, unsigned int len)
{
	int i;

	for (i = 0; i < n; i++)
		if (p[i].len == len && !memcmp(p[i].bytes, bytes, 6))
			return true;
	return false;
}

/* Every prefix of name belongs to an organisation whose name holds what. */
static int vendor_of(const char *name, const char *what, struct cf_oui_prefix **p)
{
	char why[1024];
	int n = camfence_oui_vendor(db, name, p, why, sizeof(why)), i;

	ck_assert_msg(n > 0, "vendor %s: %d %s", name, n, why);
	for (i = 0; i < n; i++) {
		const char *org = camfence_oui_org(db, (*p)[i].bytes);

		ck_assert_msg(org && strcasestr(org, what), "vendor %s holds a prefix of %s", name, org);
		ck_assert(i == 0 || memcmp((*p)[i - 1].bytes, (*p)[i].bytes, 6) < 0);
	}
	return n;
}

START_TEST(hikvision_all)
{
	struct row rows[256];
	struct cf_oui_prefix *p;
	int n = scan_all("Hikvision", false, rows, 256), got, i;

	/* 51 in ieee-data 20220827.1: 50 of Hangzhou Hikvision, 1 of Prama Hikvision India */
	ck_assert_int_ge(n, 51);
	got = vendor_of("hikvision", "hikvision", &p);
	ck_assert_int_eq(got, n);
	for (i = 0; i < n; i++)
		ck_assert_msg(has_prefix(p, got, rows[i].bytes, rows[i].len), "row %d missing", i);
	free(p);
	ck_assert_int_eq(vendor_of("HikVision", "hikvision", &p), n);
	free(p);
}
END_TEST

START_TEST(dahua_not_scales)
{
	struct row rows[64], scale;
	struct cf_oui_prefix *p;
	int n = scan_all("Zhejiang Dahua Technology", false, rows, 64), got, i;

	ck_assert_int_ge(n, 24);
	ck_assert_int_eq(scan_all("Shanghai Dahua Scale Factory", true, &scale, 1), 1);
	got = vendor_of("dahua", "Zhejiang Dahua Technology", &p);
	ck_assert_int_eq(got, n);
	for (i = 0; i < n; i++)
		ck_assert(has_prefix(p, got, rows[i].bytes, rows[i].len));
	ck_assert(!has_prefix(p, got, scale.bytes, scale.len));
	free(p);
	/* the scale factory by its full name: an MA-M block */
	ck_assert_int_eq(vendor_of("shanghai dahua scale factory", "Scale", &p), 1);
	ck_assert(has_prefix(p, 1, scale.bytes, 28));
	free(p);
}
END_TEST

START_TEST(yi_camera)
{
	static const uint8_t yi[6] = { 0xb0, 0xd5, 0x9d };
	static const uint8_t cam[6] = { 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 };
	struct cf_oui_prefix *p;
	int n;

	n = vendor_of("yi", "", &p);
	ck_assert(has_prefix(p, n, yi, 24));
	free(p);
	n = vendor_of("zowee", "zowee", &p);
	ck_assert(has_prefix(p, n, yi, 24));
	free(p);
	ck_assert_str_eq(camfence_oui_org(db, cam), "Shenzhen Zowee Technology Co., Ltd");
}
END_TEST

/* Each alias resolves, and to all the spellings it lists: a misspelt one would drop silently. */
START_TEST(aliases)
{
	static const struct { const char *key, *what; int spellings; } t[] = {
		{ "hikvision", "hikvision", 2 }, { "ezviz", "ezviz", 1 },
		{ "dahua", "dahua technology", 1 }, { "imou", "huacheng", 1 },
		{ "uniview", "uniview", 2 }, { "axis", "axis communications", 2 },
		{ "hanwha", "techwin", 2 }, { "reolink", "reolink", 1 },
		{ "amcrest", "amcrest", 1 }, { "tp-link", "tp-link", 2 }, { "tplink", "tp-link", 2 },
		{ "xiaomi", "xiaomi", 5 }, { "yi", "", 4 }, { "zowee", "zowee", 3 },
		{ "vivotek", "vivotek", 1 }, { "bosch-security", "bosch security systems", 3 },
		{ "ring", "ring llc", 1 }, { "milesight", "milesight", 3 }, { "jovision", "jovision", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *seen[8];
		struct cf_oui_prefix *p;
		int n = vendor_of(t[i].key, t[i].what, &p), k, j, spellings = 0;

		for (k = 0; k < n; k++) {
			const char *org = camfence_oui_org(db, p[k].bytes);

			for (j = 0; j < spellings && strcmp(seen[j], org); j++)
				;
			if (j == spellings && spellings < 8)
				seen[spellings++] = org;
		}
		ck_assert_msg(spellings == t[i].spellings, "%s: %d spellings", t[i].key, spellings);
		free(p);
	}
}
END_TEST

START_TEST(exact_name)
{
	struct row rows[16];
	struct cf_oui_prefix *p;
	int n = scan_all("Axis Communications AB", true, rows, 16), got, i;

	ck_assert_int_ge(n, 1);
	got = vendor_of("  axis   COMMUNICATIONS ab ", "axis communications ab", &p);
	ck_assert_int_eq(got, n);
	for (i = 0; i < n; i++)
		ck_assert(has_prefix(p, got, rows[i].bytes, rows[i].len));
	free(p);
}
END_TEST

START_TEST(whole_word)
{
	struct cf_oui_prefix *p;

	/* words that only one organisation has */
	ck_assert_int_eq(vendor_of("reolink innovation", "reolink", &p), 1);
	free(p);
	/* not "CARLO GAVAZZI" */
	ck_assert_int_ge(vendor_of("Arlo", "arlo technology", &p), 2);
	free(p);
	/* one organisation, spelt "Co., Ltd." once and "Co.,Ltd." twice */
	ck_assert_int_eq(vendor_of("zhejiang uniview", "uniview", &p), 3);
	free(p);
	ck_assert_int_eq(vendor_of("Zhejiang Uniview Technologies Co.,Ltd", "uniview", &p), 3);
	free(p);
}
END_TEST

START_TEST(ambiguous)
{
	struct cf_oui_prefix *p = (void *)1;
	char why[1024];
	const char *s;
	int quotes = 0;

	ck_assert_int_eq(camfence_oui_vendor(db, "zhejiang", &p, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(why, "use the full organisation name in quotes: "
			      "\"Zhejiang Dahua Technology Co., Ltd.\" (24 prefixes), "), "%s", why);
	ck_assert_msg(strstr(why, " more"), "%s", why);
	for (s = why; (s = strchr(s, '"')); s++)
		quotes++;
	ck_assert_int_eq(quotes, 2 * 5);
	ck_assert_int_eq(camfence_oui_vendor(db, "bosch", &p, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "(or vendor bosch-security): \"Robert Bosch GmbH\""), "%s", why);
	ck_assert_int_eq(camfence_oui_vendor(db, "private", &p, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "not one vendor"), "%s", why);
}
END_TEST

START_TEST(unknown)
{
	struct cf_oui_prefix *p = (void *)1;
	char why[1024];

	ck_assert_int_eq(camfence_oui_vendor(db, "nosuchvendorxyz", &p, why, sizeof(why)), -ENOENT);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(why, "no organisation in the IEEE registry"), "%s", why);
	ck_assert_int_eq(camfence_oui_vendor(db, "hikvison", &p, why, sizeof(why)), -ENOENT);
	ck_assert_msg(strstr(why, "did you mean hikvision"), "%s", why);
	ck_assert_int_eq(camfence_oui_vendor(db, "reolnik", &p, why, sizeof(why)), -ENOENT);
	ck_assert_msg(strstr(why, "\"Reolink Innovation Limited\""), "%s", why);
	ck_assert_int_eq(camfence_oui_vendor(db, "  ", &p, why, sizeof(why)), -ENOENT);
	/* a short buffer truncates, never overflows */
	ck_assert_int_eq(camfence_oui_vendor(db, "zhejiang", &p, why, 8), -EINVAL);
	ck_assert_uint_eq(strlen(why), 7);
}
END_TEST

START_TEST(org_lookup)
{
	static const struct { uint8_t mac[6]; const char *org; } t[] = {
		{ { 0x44, 0x19, 0xb6, 0x10, 0x20, 0x30 }, "Hangzhou Hikvision Digital Technology Co.,Ltd." },
		{ { 0x20, 0x85, 0x93, 0xb1, 0x23, 0x45 }, "IOG Products LLC" },		/* MA-M 208593B */
		{ { 0x70, 0xb3, 0xd5, 0xf2, 0xf1, 0x23 }, "TELEPLATFORMS" },		/* MA-S 70B3D5F2F */
		{ { 0x70, 0xb3, 0xd5, 0xf2, 0xd1, 0x23 }, "ID Lock AS" },		/* MA-S 70B3D5F2D */
		{ { 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 }, "XEROX CORPORATION" },
		{ { 0x08, 0x00, 0x30, 0x00, 0x00, 0x01 }, "NETWORK RESEARCH CORPORATION" },	/* listed thrice: the first */
		{ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }, NULL },	/* locally administered */
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *org = camfence_oui_org(db, t[i].mac);

		if (t[i].org)
			ck_assert_msg(org && !strcmp(org, t[i].org), "%zu: %s", i, org);
		else
			ck_assert_ptr_null(org);
	}
}
END_TEST

START_TEST(missing_dir)
{
	struct cf_oui_db *d = (void *)1;
	char err[512];

	ck_assert_int_eq(camfence_oui_load("/nonexistent/ieee-data", &d, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(err, "/nonexistent/ieee-data: ") && strstr(err, "ieee-data package"), "%s", err);
	camfence_oui_free(NULL);
}
END_TEST

static char tmpdir[64];

static void put(const char *file, const char *text, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void tmp_setup(void)
{
	strcpy(tmpdir, "/tmp/camfence-oui-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	static const char *const files[] = { "oui.csv", "mam.csv", "oui36.csv" };
	char path[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

#define HEADER "Registry,Assignment,Organization Name,Organization Address\r\n"
#define GOOD_L HEADER "MA-L,001EFC,\"JSC \"\"MASSA-K\"\"\",\"15, A, Pirogovskaya nab.\nSaint-Petersburg RU\"\r\n" \
		"MA-L,4419B6,\"Hangzhou Hikvision Digital Technology Co.,Ltd.\",\"No.469,Jianghui Road\"\r\n"

START_TEST(quoting)
{
	static const uint8_t massa[6] = { 0x00, 0x1e, 0xfc, 0x01, 0x02, 0x03 };
	struct cf_oui_prefix *p;
	struct cf_oui_db *d;
	char err[512];

	put("oui.csv", GOOD_L, strlen(GOOD_L));
	ck_assert_int_eq(camfence_oui_load(tmpdir, &d, err, sizeof(err)), 0);
	/* older packages have no MA-M or MA-S file: loaded, with a warning */
	ck_assert_msg(strstr(err, "mam.csv: No such file") && strstr(err, "oui36.csv: No such file"), "%s", err);
	ck_assert_str_eq(camfence_oui_org(d, massa), "JSC \"MASSA-K\"");
	ck_assert_int_eq(camfence_oui_vendor(d, "jsc \"massa-k\"", &p, err, sizeof(err)), 1);
	ck_assert_uint_eq(p[0].len, 24);
	free(p);
	ck_assert_int_eq(camfence_oui_vendor(d, "hikvision", &p, err, sizeof(err)), 1);
	free(p);
	camfence_oui_free(d);
}
END_TEST

static const struct {
	const char *file, *text, *error;
} broken[] = {
	{ "oui.csv", "", "oui.csv:1:1: not an IEEE registry file" },
	{ "oui.csv", "Registry,Assignment,Name\r\n", "oui.csv:1:1: not an IEEE registry file" },
	{ "oui.csv", HEADER, "oui.csv:2:1: no assignments" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF,Acme\r\n", "oui.csv:5:1: 3 fields, expected 4" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF,\"Acme,x\r\n", "oui.csv:5:13: quoted field never closed" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF,\"Acme\"x,addr\r\n", "oui.csv:5:19: 'x' after a closing quote" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF,Ac\"me,addr\r\n", "oui.csv:5:15: quote inside an unquoted field" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF,Acme,\"addr\nmore\"x\r\n", "oui.csv:6:6: 'x' after a closing quote" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF,Acme,addr\rMA-L", "oui.csv:5:22: carriage return without" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEG,Acme,addr\r\n", "oui.csv:5:6: assignment \"ABCDEG\" is not 6 hex" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF0,Acme,addr\r\n", "oui.csv:5:6: assignment \"ABCDEF0\" is not 6 hex" },
	{ "oui.csv", GOOD_L "MA-M,ABCDEF,Acme,addr\r\n", "oui.csv:5:1: registry \"MA-M\" in the MA-L file" },
	{ "oui.csv", GOOD_L "MA-L,ABCDEF, \t ,addr\r\n", "oui.csv:5:13: empty organisation name" },
	{ "oui.csv", GOOD_L "\r\n", "oui.csv:5:1: 1 field, expected 4" },
	{ "mam.csv", HEADER "MA-M,ABCDEF0,Acme,\"a\nb\nc\"\r\nMA-M,ABCDEF1,Acme\r\n", "mam.csv:5:1: 3 fields" },
	{ "oui36.csv", HEADER "MA-S,ABCDEF01,Acme,addr\r\n", "oui36.csv:2:6: assignment \"ABCDEF01\" is not 9" },
};

START_TEST(malformed)
{
	const char *file = broken[_i].file, *text = broken[_i].text;
	struct cf_oui_db *d = (void *)1;
	char err[512], want[256];

	if (strcmp(file, "oui.csv"))
		put("oui.csv", GOOD_L, strlen(GOOD_L));
	put(file, text, strlen(text));
	ck_assert_int_eq(camfence_oui_load(tmpdir, &d, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(d);
	snprintf(want, sizeof(want), "%s/%s", tmpdir, broken[_i].error);
	ck_assert_msg(strstr(err, want), "got '%s', want '%s'", err, want);
}
END_TEST

START_TEST(nul_byte)
{
	static const char text[] = GOOD_L "MA-L,ABCDEF,Ac\0me,addr\r\n";
	struct cf_oui_db *d;
	char err[512];

	put("oui.csv", text, sizeof(text) - 1);
	ck_assert_int_eq(camfence_oui_load(tmpdir, &d, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "oui.csv:5:15: NUL byte"), "%s", err);
}
END_TEST

Suite *oui_suite(void)
{
	Suite *s = suite_create("oui");
	TCase *tc;

	tc = tcase_create("registry");
	tcase_add_unchecked_fixture(tc, db_setup, db_teardown);
	tcase_add_test(tc, hikvision_all);
	tcase_add_test(tc, dahua_not_scales);
	tcase_add_test(tc, yi_camera);
	tcase_add_test(tc, aliases);
	tcase_add_test(tc, exact_name);
	tcase_add_test(tc, whole_word);
	tcase_add_test(tc, ambiguous);
	tcase_add_test(tc, unknown);
	tcase_add_test(tc, org_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, missing_dir);
	tcase_add_test(tc, quoting);
	tcase_add_loop_test(tc, malformed, 0, sizeof(broken) / sizeof(broken[0]));
	tcase_add_test(tc, nul_byte);
	suite_add_tcase(s, tc);
	return s;
}
