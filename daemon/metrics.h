/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition (format 0.0.4): a small formatter that writes
 * metric families to a FILE, and the atomic file writer node_exporter's
 * textfile collector needs. Knows nothing of camfenced; camfenced_metrics.c
 * says what is measured.
 *
 * A family is declared once, with its HELP and TYPE lines, and its samples
 * follow it. A repeated family, a name or label name Prometheus would
 * refuse, or a counter not named ..._total is refused (-1, errno EINVAL or
 * EEXIST) and nothing is written, so a bad exposition is a bug found in a
 * test, not a scrape error on a router.
 */
#ifndef CAMFENCE_METRICS_H
#define CAMFENCE_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cf_metric_type {
	CF_METRIC_COUNTER,
	CF_METRIC_GAUGE,
};

struct cf_label {
	const char *name;
	const char *value;	/* any bytes but NUL; escaped as the format says */
};

struct cf_metrics {
	FILE *out;
	char family[128];	/* the family samples go to; "" before the first */
	char **declared;	/* every family declared so far */
	size_t ndeclared, cap;
};

void camfence_metrics_init(struct cf_metrics *m, FILE *out);
void camfence_metrics_release(struct cf_metrics *m);

/* # HELP and # TYPE lines; the samples that follow belong to name. */
int camfence_metrics_family(struct cf_metrics *m, const char *name, enum cf_metric_type type,
			    const char *help);
/* One sample of the current family: name{labels} value. */
int camfence_metrics_u64(struct cf_metrics *m, const struct cf_label *labels, size_t nlabels,
			 uint64_t value);
int camfence_metrics_double(struct cf_metrics *m, const struct cf_label *labels, size_t nlabels,
			    double value);

/* A value as the format writes it: NaN, +Inf, -Inf, or the shortest
 * decimal that reads back as the same double. Returns buf. */
const char *camfence_metrics_format_double(double v, char buf[32]);

/* A --metrics-interval: whole seconds from 1 to 3600 (an hour-old file is
 * no longer a measure). Otherwise -1 and err says what was wrong, quoting s. */
int camfence_metrics_parse_interval(const char *s, unsigned int *out, char *err, size_t errlen);

/* At start: path names a file in a directory that exists (not a directory
 * itself); otherwise -1 and err says which and what to do. */
int camfence_metrics_check_path(const char *path, char *err, size_t errlen);

/* data as the new content of path, all or nothing for a reader: written to
 * a temporary file beside it (".NAME.tmp", which the textfile collector
 * does not read, as it ends in .tmp), synced, then renamed over path.
 * Returns 0, or -1 with errno set and err naming the file and the step;
 * no temporary file is left either way. Mode 0644: node_exporter does not
 * run as root. */
int camfence_metrics_write_file(const char *path, const char *data, size_t len, char *err,
				size_t errlen);

#endif
