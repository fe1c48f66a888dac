// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "unit.h"

/* The exposition written so far, as a string. */
struct capture {
	struct cf_metrics m;
	char *buf;
	size_t len;
	FILE *f;
};

static void capture_open(struct capture *c)
{
	c->buf = NULL;
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
	camfence_metrics_init(&c->m, c->f);
}

static const char *capture_text(struct capture *c)
{
	fflush(c->f);
	return c->buf;
}

static void capture_close(struct capture *c)
{
	camfence_metrics_release(&c->m);
	fclose(c->f);
	free(c->buf);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

START_TEST(label_values_escaped)
{
	struct capture c;
	struct cf_label l[2] = {
		{ "device", "a\\b\"c\nd" },
		{ "group", "plain" },
	};

	capture_open(&c);
	ck_assert_int_eq(camfence_metrics_family(&c.m, "x_total", CF_METRIC_COUNTER, "h"), 0);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, l, 2, 7), 0);
	ck_assert_str_eq(capture_text(&c),
			 "# HELP x_total h\n# TYPE x_total counter\n"
			 "x_total{device=\"a\\\\b\\\"c\\nd\",group=\"plain\"} 7\n");
	capture_close(&c);
}
END_TEST

START_TEST(help_escaped)
{
	struct capture c;

	/* HELP escapes backslash and newline, not the double quote */
	capture_open(&c);
	ck_assert_int_eq(camfence_metrics_family(&c.m, "g", CF_METRIC_GAUGE, "a \"b\"\\c\nd"), 0);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, NULL, 0, 1), 0);
	ck_assert_str_eq(capture_text(&c),
			 "# HELP g a \"b\"\\\\c\\nd\n# TYPE g gauge\ng 1\n");
	capture_close(&c);
}
END_TEST

START_TEST(family_once)
{
	struct capture c;
	struct cf_label l = { "verdict", "dropped" };

	capture_open(&c);
	ck_assert_int_eq(camfence_metrics_family(&c.m, "p_total", CF_METRIC_COUNTER, "p"), 0);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, &l, 1, 1), 0);
	ck_assert_int_eq(camfence_metrics_family(&c.m, "q", CF_METRIC_GAUGE, "q"), 0);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, NULL, 0, 2), 0);
	errno = 0;
	ck_assert_int_eq(camfence_metrics_family(&c.m, "p_total", CF_METRIC_COUNTER, "p"), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(count(capture_text(&c), "# HELP p_total "), 1);
	ck_assert_uint_eq(count(capture_text(&c), "# TYPE p_total "), 1);
	/* nor do samples after the refusal join the family before it */
	ck_assert_int_eq(camfence_metrics_u64(&c.m, NULL, 0, 3), -1);
	ck_assert_str_eq(capture_text(&c),
			 "# HELP p_total p\n# TYPE p_total counter\np_total{verdict=\"dropped\"} 1\n"
			 "# HELP q q\n# TYPE q gauge\nq 2\n");
	capture_close(&c);
}
END_TEST

START_TEST(names_checked)
{
	static const char *const bad[] = { "", "1abc", "a-b", "a b", "é" };
	struct cf_label dup[2] = { { "a", "1" }, { "a", "2" } };
	struct cf_label reserved = { "__name__", "x" }, badname = { "a:b", "x" };
	struct cf_label noval = { "a", NULL };
	struct capture c;
	size_t i;

	capture_open(&c);
	errno = 0;
	ck_assert_int_eq(camfence_metrics_u64(&c.m, NULL, 0, 1), -1);	/* no family yet */
	ck_assert_int_eq(errno, EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_int_eq(camfence_metrics_family(&c.m, bad[i], CF_METRIC_GAUGE, ""), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	/* counters and only counters end in _total */
	ck_assert_int_eq(camfence_metrics_family(&c.m, "drops", CF_METRIC_COUNTER, ""), -1);
	ck_assert_int_eq(camfence_metrics_family(&c.m, "drops_total", CF_METRIC_GAUGE, ""), -1);
	ck_assert_int_eq(camfence_metrics_family(&c.m, "ns:drops_total", CF_METRIC_COUNTER, ""), 0);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, dup, 2, 1), -1);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, &reserved, 1, 1), -1);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, &badname, 1, 1), -1);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, &noval, 1, 1), -1);
	ck_assert_str_eq(capture_text(&c), "# HELP ns:drops_total \n# TYPE ns:drops_total counter\n");
	capture_close(&c);
}
END_TEST

START_TEST(numbers)
{
	struct capture c;
	char buf[32];

	capture_open(&c);
	ck_assert_int_eq(camfence_metrics_family(&c.m, "n", CF_METRIC_GAUGE, ""), 0);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, NULL, 0, UINT64_MAX), 0);
	ck_assert_int_eq(camfence_metrics_u64(&c.m, NULL, 0, 0), 0);
	ck_assert_int_eq(camfence_metrics_double(&c.m, NULL, 0, NAN), 0);
	ck_assert_str_eq(capture_text(&c),
			 "# HELP n \n# TYPE n gauge\nn 18446744073709551615\nn 0\nn NaN\n");
	capture_close(&c);

	ck_assert_str_eq(camfence_metrics_format_double(INFINITY, buf), "+Inf");
	ck_assert_str_eq(camfence_metrics_format_double(-INFINITY, buf), "-Inf");
	ck_assert_str_eq(camfence_metrics_format_double(1.5, buf), "1.5");
	ck_assert_str_eq(camfence_metrics_format_double(0.1, buf), "0.1");
	ck_assert_str_eq(camfence_metrics_format_double(1e300, buf), "1e+300");
	ck_assert_str_eq(camfence_metrics_format_double(-2, buf), "-2");
	/* a timestamp to the millisecond, not rounded to six digits */
	ck_assert_str_eq(camfence_metrics_format_double(1764540000.125, buf), "1764540000.125");
	/* what needs 17 digits gets them: it reads back the same */
	camfence_metrics_format_double(0.1 + 0.2, buf);
	ck_assert(strtod(buf, NULL) == 0.1 + 0.2);
	ck_assert_str_eq(buf, "0.30000000000000004");
}
END_TEST

START_TEST(interval_parsed)
{
	static const struct { const char *in, *err; } bad[] = {
		{ "0", "'0': at least 1 second" },
		{ "3601", "'3601': at most 3600 seconds (an hour)" },
		{ "99999999999999999999999", "'99999999999999999999999': at most 3600 seconds (an hour)" },
		{ "abc", "'abc': expected a whole number of seconds, from 1 to 3600" },
		{ "", "'': expected a whole number of seconds, from 1 to 3600" },
		{ "-5", "'-5': expected a whole number of seconds, from 1 to 3600" },
		{ "1.5", "'1.5': expected a whole number of seconds, from 1 to 3600" },
		{ "15s", "'15s': expected a whole number of seconds, from 1 to 3600" },
	};
	unsigned int v = 42;
	char err[160];
	size_t i;

	ck_assert_int_eq(camfence_metrics_parse_interval("15", &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v, 15);
	ck_assert_int_eq(camfence_metrics_parse_interval("3600", &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v, 3600);
	ck_assert_int_eq(camfence_metrics_parse_interval("1", &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		ck_assert_int_eq(camfence_metrics_parse_interval(bad[i].in, &v, err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].err);
		ck_assert_uint_eq(v, 42);
	}
}
END_TEST

static char dir[] = "/tmp/camfence-metrics-XXXXXX";

static void dir_setup(void)
{
	strcpy(dir, "/tmp/camfence-metrics-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The names in dir, sorted, as "a b c". */
static void listing(char *out, size_t len)
{
	struct dirent **v;
	int n, i;

	out[0] = '\0';
	n = scandir(dir, &v, NULL, alphasort);
	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? " " : "",
				 v[i]->d_name);
		free(v[i]);
	}
	free(v);
}

static void slurp(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
}

START_TEST(atomic_write)
{
	char path[256], got[256], names[256], err[512];
	struct stat st;
	mode_t umask_was;
	int old;

	snprintf(path, sizeof(path), "%s/camfence.prom", dir);
	ck_assert_int_eq(camfence_metrics_check_path(path, err, sizeof(err)), 0);
	/* readable by node_exporter whatever camfenced's umask */
	umask_was = umask(077);
	ck_assert_int_eq(camfence_metrics_write_file(path, "a 1\n", 4, err, sizeof(err)), 0);
	umask(umask_was);
	slurp(path, got, sizeof(got));
	ck_assert_str_eq(got, "a 1\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);

	/* a reader that opened the file before sees the old one whole: the
	 * new one is a new file renamed over it, not written in place */
	old = open(path, O_RDONLY);
	ck_assert_int_ge(old, 0);
	ck_assert_int_eq(camfence_metrics_write_file(path, "b 22\n", 5, err, sizeof(err)), 0);
	memset(got, 0, sizeof(got));
	ck_assert_int_eq(read(old, got, sizeof(got) - 1), 4);
	ck_assert_str_eq(got, "a 1\n");
	close(old);
	slurp(path, got, sizeof(got));
	ck_assert_str_eq(got, "b 22\n");
	/* and no temporary file is left beside it */
	listing(names, sizeof(names));
	ck_assert_str_eq(names, "camfence.prom");
}
END_TEST

START_TEST(write_errors)
{
	char path[256], names[256], err[512], want[512];

	/* a directory that is not there */
	snprintf(path, sizeof(path), "%s/gone/camfence.prom", dir);
	errno = 0;
	ck_assert_int_eq(camfence_metrics_write_file(path, "a 1\n", 4, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	snprintf(want, sizeof(want), "metrics file %s: cannot create %s/gone/.camfence.prom.tmp: No such file or directory",
		 path, dir);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(camfence_metrics_check_path(path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "metrics file %s: its directory %s/gone: No such file or directory; create it, or give a path in node_exporter's --collector.textfile.directory",
		 path, dir);
	ck_assert_str_eq(err, want);

	/* a directory where the file should be: refused at start; at run
	 * time the rename fails and the temporary file goes with it */
	snprintf(path, sizeof(path), "%s/camfence.prom", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(camfence_metrics_check_path(path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));
	ck_assert_int_eq(camfence_metrics_write_file(path, "a 1\n", 4, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot rename"));
	listing(names, sizeof(names));
	ck_assert_str_eq(names, "camfence.prom");

	ck_assert_int_eq(camfence_metrics_check_path("", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "expected the path of a file"));
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *fmt = tcase_create("format"), *file = tcase_create("file");

	tcase_add_test(fmt, label_values_escaped);
	tcase_add_test(fmt, help_escaped);
	tcase_add_test(fmt, family_once);
	tcase_add_test(fmt, names_checked);
	tcase_add_test(fmt, numbers);
	tcase_add_test(fmt, interval_parsed);
	suite_add_tcase(s, fmt);
	tcase_add_checked_fixture(file, dir_setup, dir_teardown);
	tcase_add_test(file, atomic_write);
	tcase_add_test(file, write_errors);
	suite_add_tcase(s, file);
	return s;
}
