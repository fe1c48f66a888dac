// SPDX-License-Identifier: GPL-2.0
/* camfencectl: the admin's command line to camfenced and camfence.ko. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "camfence.h"
#include "policy_check.h"
#include "audit.h"
#include "control.h"
#include "explain.h"
#include "kmod_client.h"
#include "addr.h"
#include "alerts.h"
#include "mud_import.h"
#include "mud_export.h"
#include <time.h>

#define DEFAULT_CONFIG "/etc/camfence/camfence.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: camfencectl [-s SOCKET] [-c FILE] [--json] COMMAND\n"
		"\n"
		"  status          camfenced: version, uptime, policy and generation, interfaces,\n"
		"                  module present or not, counters, event losses\n"
		"  devices         each device seen: group, vendor, addresses, last seen, counters\n"
		"  flows [MAC]     what each device tried: destinations, verdicts, counts\n"
		"  blocked [--since TIME]\n"
		"                  recent blocked attempts; TIME is 90s, 10m, 2h, 1d, @EPOCH,\n"
		"                  2026-11-30T21:00:00 or 21:00 (today)\n"
		"  rules           packets and bytes each rule of the policy decided\n"
		"  names           the host names policy sets hold: their addresses, TTLs, failures\n"
		"  learned         what DNS told each device, for 'to name' rules: names, addresses,\n"
		"                  TTLs; answers read and why some taught nothing\n"
		"  propose [GROUP|DEVICE] [--since TIME]\n"
		"                  a policy from what the group's devices (a named device, a MAC;\n"
		"                  none: every device) were seen to reach: local hosts allowed,\n"
		"                  the rest commented out with counts and names (docs/monitor.md)\n"
		"  reload          reload the policy file (as SIGHUP does)\n"
		"  stop [--detach] stop camfenced; enforcement stays in force unless --detach\n"
		"  metrics         camfenced's counters in Prometheus's text format\n"
		"  check [FILE]    check a policy file (default " DEFAULT_CONFIG ")\n"
		"  explain [--told NAME]... SRC DST [PROTO [PORT]]\n"
		"                  which device, group, policy and rule decide a packet; with\n"
		"                  what DNS told SRC that DST is, as camfenced learned it\n"
		"  audit --policy FILE [--zone NAME] CAPTURE\n"
		"                  dry run: a capture through the XDP program under a policy\n"
		"  mud-import [--name POLICY] FILE.json\n"
		"                  an RFC 8520 MUD file's from-device ACLs as a policy\n"
		"  mud-export [--url URL] GROUP\n"
		"                  the group's policy as an RFC 8520 MUD file, which mud-import\n"
		"                  reads back\n"
		"  module          is camfence.ko loaded, and which version\n"
		"  version         print camfencectl's version\n"
		"\n"
		"  --json          status, devices, flows, blocked, rules, names and learned as JSON\n");
}

static int ask_daemon(const char *path, const char *req)
{
	int ret = camfence_control_request(path, req, stdout, stderr);

	if (ret == 0)
		return 0;
	if (ret == 1)
		return 1;
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		fprintf(stderr, "camfencectl: camfenced is not running (nothing answers on %s)\n", path);
	else if (ret == -EACCES || ret == -EPERM)
		fprintf(stderr, "camfencectl: permission denied on %s: run as root\n", path);
	else
		fprintf(stderr, "camfencectl: %s: %s\n", path, strerror(-ret));
	return 1;
}

/* explain [--iface IF] [--vlan ID] SRC DST [PROTO [PORT]] */
#define EXPLAIN_TOLD_MAX 16

/* What the running camfenced learned that src was told dst is: each name,
 * with how long it is kept. Nothing when camfenced does not answer. */
static void learned_names(const char *sock, const char *src, const char *dst,
			  const char **told, const char **why, size_t *n, char *notes, size_t nlen)
{
	char *reply = NULL, *body;
	size_t len = 0, i, j, off = 0;
	FILE *out = open_memstream(&reply, &len), *err = fopen("/dev/null", "w");
	struct cf_prefix want, have;
	const char *whynot;
	json_object *o = NULL, *arr;
	int ret;

	if (!out || !err || camfence_addr_parse_prefix(dst, &want, &whynot)) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		free(reply);
		return;
	}
	ret = camfence_control_request(sock, "learned --json", out, err);
	fclose(out);
	fclose(err);
	body = reply && ret == 0 ? strchr(reply, '{') : NULL;
	if (body)
		o = json_tokener_parse(body);
	if (o && json_object_object_get_ex(o, "learned", &arr)) {
		for (i = 0; i < json_object_array_length(arr); i++) {
			json_object *x = json_object_array_get_idx(arr, i), *names;
			const char *mac = json_object_get_string(json_object_object_get(x, "mac"));
			const char *addr = json_object_get_string(json_object_object_get(x, "device_address"));
			const char *to = json_object_get_string(json_object_object_get(x, "address"));

			if ((!mac || strcasecmp(mac, src)) && (!addr || strcmp(addr, src)))
				continue;
			if (!to || camfence_addr_parse_prefix(to, &have, &whynot) ||
			    have.family != want.family || memcmp(have.addr, want.addr, 16))
				continue;
			names = json_object_object_get(x, "names");
			for (j = 0; j < json_object_array_length(names) && *n < EXPLAIN_TOLD_MAX; j++) {
				json_object *nm = json_object_array_get_idx(names, j);
				int w = snprintf(notes + off, nlen - off, "DNS answered it, %lld s left",
						 (long long)json_object_get_int64(
							 json_object_object_get(nm, "expires_in")));

				if (w < 0 || (size_t)w >= nlen - off)
					break;
				told[*n] = strdup(json_object_get_string(json_object_object_get(nm, "name")));
				why[(*n)++] = notes + off;
				off += w + 1;
			}
		}
	}
	json_object_put(o);
	free(reply);
}

static int explain(const char *config, const char *sock, int argc, char **argv)
{
	struct camfence_explain_args a = { .policy = config };
	const char *told[EXPLAIN_TOLD_MAX], *why[EXPLAIN_TOLD_MAX];
	char notes[EXPLAIN_TOLD_MAX * 48];
	size_t ntold = 0, given, k;
	int i, n = 0, ret;
	const char *pos[4] = { 0 };

	for (i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "--iface") || !strcmp(argv[i], "--vlan")) && i + 1 < argc) {
			if (argv[i][2] == 'i')
				a.iface = argv[++i];
			else
				a.vlan = argv[++i];
		} else if (!strcmp(argv[i], "--told") && i + 1 < argc) {
			if (ntold == EXPLAIN_TOLD_MAX) {
				fprintf(stderr, "camfencectl: explain: at most %d --told names\n",
					EXPLAIN_TOLD_MAX);
				return 2;
			}
			told[ntold] = argv[++i];
			why[ntold++] = "--told";
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "camfencectl: explain: unknown option '%s'\n", argv[i]);
			return 2;
		} else if (n == 4) {
			fprintf(stderr, "camfencectl: explain: too many arguments\n");
			return 2;
		} else {
			pos[n++] = argv[i];
		}
	}
	if (n < 2) {
		fprintf(stderr, "usage: camfencectl [-c FILE] explain [--iface IF] [--vlan ID] [--told NAME]... SOURCE DESTINATION [PROTOCOL [PORT]]\n"
				"  SOURCE is a MAC address, an address or a device named in the policy;\n"
				"  --told NAME: judge as if DNS had told SOURCE that DESTINATION is NAME\n"
				"  (the running camfenced's learned names are added by themselves)\n");
		return 2;
	}
	a.src = pos[0];
	a.dst = pos[1];
	a.proto = pos[2];
	a.port = pos[3];
	given = ntold;
	learned_names(sock, a.src, a.dst, told, why, &ntold, notes, sizeof(notes));
	a.told = told;
	a.told_why = why;
	a.ntold = ntold;
	ret = camfence_explain(&a, stdout, stderr);
	for (k = given; k < ntold; k++)
		free((char *)told[k]);
	return ret;
}

static int module_version(void)
{
	char version[64];
	unsigned int api;
	int ret = camfence_kmod_client_version(version, sizeof(version), &api);

	if (ret) {
		fprintf(stderr, "camfencectl: %s\n", camfence_kmod_client_strerror(ret));
		return 1;
	}
	printf("camfence.ko %s (genl api %u)\n", version, api);
	return 0;
}

/* Options a daemon command takes after its name: --json anywhere, --since
 * TIME for blocked (sent as an epoch), --detach for stop. */
static int daemon_command(const char *sock, const char *cmd, int json, int argc, char **argv)
{
	char req[CAMFENCE_CONTROL_MAX], err[200];
	const char *arg = NULL;
	int i, n, detach = 0, has_since = 0;
	time_t since = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--detach") && !strcmp(cmd, "stop")) {
			detach = 1;
		} else if (!strcmp(argv[i], "--since") &&
			   (!strcmp(cmd, "blocked") || !strcmp(cmd, "propose"))) {
			if (i + 1 == argc) {
				fprintf(stderr, "camfencectl: %s: --since needs a TIME (90s, 10m, 2h, 1d, @EPOCH, 2026-11-30T21:00:00)\n",
					cmd);
				return 2;
			}
			if (camfence_alerts_parse_since(argv[++i], time(NULL), &since, err, sizeof(err))) {
				fprintf(stderr, "camfencectl: %s: --since: %s\n", cmd, err);
				return 2;
			}
			has_since = 1;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "camfencectl: %s: unknown option '%s'\n", cmd, argv[i]);
			return 2;
		} else if (!arg && (!strcmp(cmd, "flows") || !strcmp(cmd, "propose"))) {
			arg = argv[i];
		} else {
			fprintf(stderr, "camfencectl: %s: too many arguments\n", cmd);
			return 2;
		}
	}
	if (json && (!strcmp(cmd, "reload") || !strcmp(cmd, "stop") || !strcmp(cmd, "metrics") ||
		     !strcmp(cmd, "propose"))) {
		fprintf(stderr, "camfencectl: %s: has no --json output\n", cmd);
		return 2;
	}
	if (arg && strlen(arg) > 64) {
		fprintf(stderr, "camfencectl: %s: '%.64s...' is %s\n", cmd, arg,
			!strcmp(cmd, "flows") ? "not a MAC address" : "too long for a group, a device or a MAC");
		return 2;
	}
	n = snprintf(req, sizeof(req), "%s%s%s%s%s", cmd, arg ? " " : "", arg ? arg : "",
		     json ? " --json" : "", detach ? " --detach" : "");
	if (has_since)
		snprintf(req + n, sizeof(req) - n, " --since=@%lld", (long long)since);
	return ask_daemon(sock, req);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const daemon_cmds[] = {
		"status", "devices", "flows", "blocked", "rules", "reload", "stop",
		"metrics", "names", "learned", "propose",
	};
	const char *sock = CAMFENCE_CONTROL_PATH, *config = DEFAULT_CONFIG, *cmd;
	int c, nargs, json = 0;
	size_t i;

	while ((c = getopt_long(argc, argv, "+s:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'c': config = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	nargs = argc - optind - 1;

	for (i = 0; i < sizeof(daemon_cmds) / sizeof(daemon_cmds[0]); i++)
		if (!strcmp(cmd, daemon_cmds[i]))
			return daemon_command(sock, cmd, json, nargs, argv + optind + 1);
	if (json) {
		fprintf(stderr, "camfencectl: %s: has no --json output\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "check")) {
		if (nargs > 1)
			goto too_many;
		return camfence_check_file(nargs ? argv[optind + 1] : config, CF_TRUST_WARN, stdout,
					  stderr);
	}
	if (!strcmp(cmd, "audit"))
		return camfence_audit_main(argc - optind, argv + optind, stdout, stderr);
	if (!strcmp(cmd, "explain"))
		return explain(config, sock, argc - optind - 1, argv + optind + 1);
	if (!strcmp(cmd, "mud-import"))
		return camfence_mud_import_main(argc - optind, argv + optind, stdout, stderr);
	if (!strcmp(cmd, "mud-export"))
		return camfence_mud_export_main(argc - optind, argv + optind, config, stdout, stderr);
	if (nargs > 0)
		goto too_many;
	if (!strcmp(cmd, "module"))
		return module_version();
	if (!strcmp(cmd, "version")) {
		printf("camfencectl %s\n", CAMFENCE_VERSION);
		return 0;
	}
	fprintf(stderr, "camfencectl: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
too_many:
	fprintf(stderr, "camfencectl: %s: too many arguments\n", cmd);
	usage(stderr);
	return 2;
}
