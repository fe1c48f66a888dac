/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CAMFENCE_UNIT_H
#define CAMFENCE_UNIT_H

#include <check.h>
#include <stddef.h>

/* capture.c: a function's exit code and what it wrote to out and err */
struct unit_run {
	int rc;
	char *out, *err;
	size_t out_len, err_len;
};
void unit_run_free(struct unit_run *r);
/* A file whole, as a string to free; the test fails when it cannot be read. */
char *unit_slurp(const char *path);

Suite *addr_suite(void);
Suite *policy_parse_suite(void);
Suite *policy_compile_suite(void);
Suite *policy_trust_suite(void);
Suite *events_suite(void);
Suite *alerts_suite(void);
Suite *syslog_remote_suite(void);
Suite *oui_suite(void);
Suite *ratelimit_suite(void);
Suite *rtnl_suite(void);
Suite *flowtrack_suite(void);
Suite *kmod_client_suite(void);
Suite *mud_import_suite(void);
Suite *mud_export_suite(void);
Suite *names_suite(void);
Suite *learned_suite(void);
Suite *metrics_suite(void);
Suite *dns_answer_suite(void);
Suite *state_file_suite(void);
Suite *propose_suite(void);
void kmod_client_wire_tcases(Suite *s);	/* test_kmod_wire.c */

#endif
