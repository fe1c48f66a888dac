/* SPDX-License-Identifier: GPL-2.0 */
/* Runs Check suites and ends with the layer's summary line,
 * "LAYER: N passed, N failed", that make check collects. */
#ifndef CAMFENCE_CHECK_RUNNER_H
#define CAMFENCE_CHECK_RUNNER_H

#include <check.h>
#include <stdio.h>

static inline int camfence_run_suites(const char *layer, Suite *const *suites)
{
	SRunner *sr = srunner_create(suites[0]);
	int run, failed;

	for (suites++; *suites; suites++)
		srunner_add_suite(sr, *suites);
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%s: %d passed, %d failed\n", layer, run - failed, failed);
	return failed || !run ? 1 : 0;
}

#endif
