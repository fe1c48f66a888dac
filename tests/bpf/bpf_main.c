// SPDX-License-Identifier: GPL-2.0
#include "../check_runner.h"
#include "bpf_tests.h"

int main(void)
{
	Suite *suites[] = { xdp_suite(), pin_suite(), flows_suite(), dns_snoop_suite(), NULL };

	return camfence_run_suites("bpf", suites);
}
