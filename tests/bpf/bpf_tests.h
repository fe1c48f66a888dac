/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CAMFENCE_BPF_TESTS_H
#define CAMFENCE_BPF_TESTS_H

#include <check.h>

Suite *xdp_suite(void);
Suite *pin_suite(void);
Suite *flows_suite(void);
Suite *dns_snoop_suite(void);

#endif
