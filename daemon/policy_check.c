// SPDX-License-Identifier: GPL-2.0
#include "policy_check.h"
#include "policy_compile.h"

int camfence_check_file(const char *path, enum cf_trust trust, FILE *out, FILE *err)
{
	struct cf_config *cfg = camfence_policy_parse_file_trust(path, trust);
	struct cf_compiled *c = NULL;
	size_t i, nif = 0, nrules = 0;
	char why[512];
	int ret = 1;

	if (cfg->nerrors) {
		camfence_policy_print_errors(cfg, err);
		camfence_policy_print_warnings(cfg, err);
		fprintf(err, "%s: %zu error%s; nothing was changed\n", path,
			cfg->nerrors + cfg->nerrors_dropped, cfg->nerrors == 1 ? "" : "s");
		goto out;
	}
	camfence_policy_print_warnings(cfg, err);
	/* interfaces are checked where the policy runs, not here */
	if (camfence_policy_compile(cfg, 0, NULL, NULL, &c, why, sizeof(why))) {
		fprintf(err, "%s\n", why);
		goto out;
	}
	for (i = 0; i < cfg->zones.n; i++)
		nif += cfg->zones.v[i].ifaces.n;
	for (i = 0; i < cfg->policies.n; i++)
		nrules += cfg->policies.v[i].rules.n;
	fprintf(out, "%s: ok: %zu zone%s (%zu interface%s), %zu groups, %zu devices, %zu sets, %zu policies, %zu rules",
		path, cfg->zones.n, cfg->zones.n == 1 ? "" : "s", nif, nif == 1 ? "" : "s",
		cfg->groups.n, c->devices.n - 1, cfg->sets.n, cfg->policies.n, nrules);
	if (cfg->files.n > 1)
		fprintf(out, ", %zu files", cfg->files.n);
	fprintf(out, "\ncompiled: %zu mac, %zu source prefix, %zu vlan, %zu destination prefix, %zu tables, %zu port entries\n",
		c->macs.n, c->src4.n + c->src6.n, c->vlans.n, c->dst4.n + c->dst6.n, c->ntables,
		c->ports.n);
	if (camfence_policy_uses_local(cfg))
		fprintf(out, "note: 'local' and 'router' are the addresses of the zone interfaces where camfenced runs\n");
	if (cfg->nwarnings)
		fprintf(out, "%zu warning%s\n", cfg->nwarnings, cfg->nwarnings == 1 ? "" : "s");
	ret = 0;
out:
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
	return ret;
}
