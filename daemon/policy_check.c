// SPDX-License-Identifier: GPL-2.0
#include "policy_check.h"
#include "policy_compile.h"

int camfence_check_file(const char *path, FILE *out, FILE *err)
{
	struct cf_config *cfg = camfence_policy_parse_file(path);
	struct cf_compiled *c = NULL;
	size_t i, nif = 0, nrules = 0;
	char why[512];
	int ret = 1;

	if (cfg->nerrors) {
		camfence_policy_print_errors(cfg, err);
		fprintf(err, "%s: %zu error%s; nothing was changed\n", path,
			cfg->nerrors + cfg->nerrors_dropped, cfg->nerrors == 1 ? "" : "s");
		goto out;
	}
	/* interfaces are checked where the policy runs, not here */
	if (camfence_policy_compile(cfg, 0, NULL, NULL, &c, why, sizeof(why))) {
		fprintf(err, "%s\n", why);
		goto out;
	}
	for (i = 0; i < cfg->nzones; i++)
		nif += cfg->zones[i].nifaces;
	for (i = 0; i < cfg->npolicies; i++)
		nrules += cfg->policies[i].nrules;
	fprintf(out, "%s: ok: %zu zones (%zu interfaces), %zu groups, %zu devices, %zu policies, %zu rules\n",
		path, cfg->nzones, nif, cfg->ngroups, c->devices.n - 1, cfg->npolicies, nrules);
	fprintf(out, "compiled: %zu mac, %zu ipv4 source, %zu ipv4 and %zu ipv6 destination, %zu port entries\n",
		c->macs.n, c->src4.n, c->dst4.n, c->dst6.n, c->ports.n);
	ret = 0;
out:
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
	return ret;
}
