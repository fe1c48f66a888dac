// SPDX-License-Identifier: GPL-2.0
#include "../check_runner.h"
#include "unit.h"

int main(void)
{
	Suite *suites[] = {
		addr_suite(),
		policy_parse_suite(),
		policy_compile_suite(),
		policy_trust_suite(),
		events_suite(),
		alerts_suite(),
		syslog_remote_suite(),
		oui_suite(),
		ratelimit_suite(),
		rtnl_suite(),
		flowtrack_suite(),
		kmod_client_suite(),
		mud_import_suite(),
		mud_export_suite(),
		names_suite(),
		learned_suite(),
		metrics_suite(),
		dns_answer_suite(),
		state_file_suite(),
		propose_suite(),
		NULL,
	};

	return camfence_run_suites("unit", suites);
}
