// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text format, 0.0.4: HELP and TYPE once per family, label
 * values escaped (backslash, double quote, newline), values as Go's
 * ParseFloat reads them; and the file written whole or not at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"

void camfence_metrics_init(struct cf_metrics *m, FILE *out)
{
	memset(m, 0, sizeof(*m));
	m->out = out;
}

void camfence_metrics_release(struct cf_metrics *m)
{
	size_t i;

	for (i = 0; i < m->ndeclared; i++)
		free(m->declared[i]);
	free(m->declared);
	m->declared = NULL;
	m->ndeclared = m->cap = 0;
}

static int name_char(char c, int first, int colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	if (c == ':')
		return colon;
	return !first && c >= '0' && c <= '9';
}

/* Metric names may hold colons; label names may not, nor start with "__",
 * which Prometheus keeps for itself. */
static int valid_name(const char *s, int colon)
{
	const char *p;

	if (!s || !*s || (!colon && !strncmp(s, "__", 2)))
		return 0;
	for (p = s; *p; p++)
		if (!name_char(*p, p == s, colon))
			return 0;
	return 1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* quote: also escape '"' (label values do, HELP text does not) */
static void put_escaped(FILE *f, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

int camfence_metrics_family(struct cf_metrics *m, const char *name, enum cf_metric_type type,
			    const char *help)
{
	size_t i;

	/* until a family is declared, samples have nowhere to go */
	m->family[0] = '\0';
	if (!valid_name(name, 1) || strlen(name) >= sizeof(m->family) ||
	    (type == CF_METRIC_COUNTER) != ends_with(name, "_total")) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < m->ndeclared; i++) {
		if (!strcmp(m->declared[i], name)) {
			errno = EEXIST;
			return -1;
		}
	}
	if (m->ndeclared == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		char **v = realloc(m->declared, cap * sizeof(*v));

		if (!v)
			return -1;
		m->declared = v;
		m->cap = cap;
	}
	m->declared[m->ndeclared] = strdup(name);
	if (!m->declared[m->ndeclared])
		return -1;
	m->ndeclared++;
	snprintf(m->family, sizeof(m->family), "%s", name);
	fprintf(m->out, "# HELP %s ", name);
	put_escaped(m->out, help ? help : "", 0);
	fprintf(m->out, "\n# TYPE %s %s\n", name, type == CF_METRIC_COUNTER ? "counter" : "gauge");
	return 0;
}

static int sample(struct cf_metrics *m, const struct cf_label *labels, size_t n, const char *value)
{
	size_t i, j;

	if (!m->family[0]) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!valid_name(labels[i].name, 0) || !labels[i].value) {
			errno = EINVAL;
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(labels[i].name, labels[j].name)) {
				errno = EINVAL;
				return -1;
			}
		}
	}
	fputs(m->family, m->out);
	for (i = 0; i < n; i++) {
		fprintf(m->out, "%s%s=\"", i ? "," : "{", labels[i].name);
		put_escaped(m->out, labels[i].value, 1);
		fputc('"', m->out);
	}
	fprintf(m->out, "%s %s\n", n ? "}" : "", value);
	return 0;
}

int camfence_metrics_u64(struct cf_metrics *m, const struct cf_label *labels, size_t nlabels,
			 uint64_t value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	return sample(m, labels, nlabels, buf);
}

int camfence_metrics_double(struct cf_metrics *m, const struct cf_label *labels, size_t nlabels,
			    double value)
{
	char buf[32];

	return sample(m, labels, nlabels, camfence_metrics_format_double(value, buf));
}

const char *camfence_metrics_format_double(double v, char buf[32])
{
	if (isnan(v))
		return strcpy(buf, "NaN");
	if (isinf(v))
		return strcpy(buf, v > 0 ? "+Inf" : "-Inf");
	/* %.15g is exact for most values and reads well; %.17g always is */
	snprintf(buf, 32, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, 32, "%.17g", v);
	return buf;
}

int camfence_metrics_parse_interval(const char *s, unsigned int *out, char *err, size_t errlen)
{
	unsigned long long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++)
		if (v <= 3600)
			v = v * 10 + (*p - '0');
	if (p == s || *p) {
		snprintf(err, errlen, "'%.40s': expected a whole number of seconds, from 1 to 3600", s);
		return -1;
	}
	if (!v) {
		snprintf(err, errlen, "'%.40s': at least 1 second", s);
		return -1;
	}
	if (v > 3600) {
		snprintf(err, errlen, "'%.40s': at most 3600 seconds (an hour)", s);
		return -1;
	}
	*out = v;
	return 0;
}

static void dir_of(const char *path, char *dir, size_t len)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(dir, len, "%s", dirname(tmp));
}

int camfence_metrics_check_path(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;

	if (!path[0] || ends_with(path, "/")) {
		snprintf(err, errlen, "metrics file '%s': expected the path of a file, as in /var/lib/prometheus/node-exporter/camfence.prom",
			 path);
		return -1;
	}
	if (strlen(path) >= PATH_MAX - 16) {
		snprintf(err, errlen, "metrics file '%.64s...': the path is too long", path);
		return -1;
	}
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st)) {
		snprintf(err, errlen, "metrics file %s: its directory %s: %s; create it, or give a path in node_exporter's --collector.textfile.directory",
			 path, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "metrics file %s: %s is not a directory", path, dir);
		return -1;
	}
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "metrics file %s: is a directory; give the path of a file in it, as in %s/camfence.prom",
			 path, path);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= n;
	}
	return 0;
}

int camfence_metrics_write_file(const char *path, const char *data, size_t len, char *err,
				size_t errlen)
{
	char dir[PATH_MAX], base[PATH_MAX], tmp[2 * PATH_MAX + 8];
	const char *step;
	int fd, saved;

	dir_of(path, dir, sizeof(dir));
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(base, sizeof(base), "%s", basename(tmp));
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, base);

	step = "cannot create";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		goto fail;
	step = "cannot write";
	if (fchmod(fd, 0644) || write_all(fd, data, len))
		goto fail_fd;
	step = "cannot sync";
	if (fsync(fd))
		goto fail_fd;
	step = "cannot close";
	if (close(fd)) {
		fd = -1;
		goto fail_fd;
	}
	step = NULL;
	if (rename(tmp, path))
		goto fail_unlink;
	/* the rename itself made durable: best effort, the file is whole either way */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;

fail_fd:
	saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	if (step)
		snprintf(err, errlen, "metrics file %s: %s %s: %s", path, step, tmp, strerror(errno));
	else
		snprintf(err, errlen, "metrics file %s: cannot rename %s over it: %s", path, tmp,
			 strerror(errno));
	return -1;
}
