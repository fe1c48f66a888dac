// SPDX-License-Identifier: GPL-2.0
/* What the unit tests share to run a function that writes to two streams,
 * and to read a fixture whole. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

void unit_run_free(struct unit_run *r)
{
	free(r->out);
	free(r->err);
}

char *unit_slurp(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	int c;

	ck_assert_msg(f, "cannot open %s", path);
	m = open_memstream(&text, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return text;
}
