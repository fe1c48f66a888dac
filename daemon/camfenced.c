// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced: loads the policy, keeps the XDP program attached to every zone
 * interface, and turns blocked-flow events into syslog alerts.
 *
 * One thread, one epoll loop: the ring buffer, a signalfd (SIGHUP reloads,
 * SIGTERM and SIGINT detach and exit) and the control socket.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "camfence.skel.h"
#include "policy_check.h"
#include "control.h"
#include "events.h"
#include "flows.h"
#include "ifaddrs_bind.h"
#include "loader.h"
#include "log.h"
#include "ratelimit.h"
#include "rtnl.h"

#define DEFAULT_CONFIG "/etc/camfence/camfence.conf"

/* A policy as it was pushed: kept for the events of its generation. */
struct generation {
	__u64 number;
	struct cf_config *cfg;
	struct cf_compiled *compiled;
	struct cf_bucket *rule_buckets;		/* by rule id, for `log RATE` */
	struct cf_bucket *default_buckets;	/* by policy */
};

struct attachment {
	int ifindex;
	char name[IF_NAMESIZE];
	enum camfence_attach_mode mode;
};

struct daemon {
	const char *config_path;
	const char *socket_path;
	struct camfence_loader *loader;
	struct generation cur, prev;
	struct attachment att[CAMFENCE_MAX_IFACES];
	size_t natt;
	struct ring_buffer *rb;
	struct camfence_rtnl *rtnl;
	int epfd, sigfd, ctlfd;
	time_t started;
	__u64 alerts;
	__u64 alerts_suppressed;
};

static int resolve_ifindex(const char *name, void *ctx)
{
	unsigned int idx = if_nametoindex(name);

	return idx ? (int)idx : -ENODEV;
}

static void generation_free(struct generation *g)
{
	free(g->rule_buckets);
	free(g->default_buckets);
	camfence_policy_compiled_free(g->compiled);
	camfence_policy_free(g->cfg);
	memset(g, 0, sizeof(*g));
}

static struct attachment *find_attachment(struct daemon *d, int ifindex)
{
	size_t i;

	for (i = 0; i < d->natt; i++)
		if (d->att[i].ifindex == ifindex)
			return &d->att[i];
	return NULL;
}

static const char *mode_name(enum camfence_attach_mode m)
{
	return m == CAMFENCE_ATTACH_NATIVE ? "native" : "generic";
}

/* Attach to the interfaces of the new policy, detach from those it left. */
static int reconcile_attachments(struct daemon *d, const struct cf_compiled *c)
{
	size_t i, j;
	int ret, failed = 0;

	for (i = 0; i < c->ifaces.n; i++) {
		struct attachment *a;

		if (find_attachment(d, c->ifaces.v[i].key.ifindex))
			continue;
		a = &d->att[d->natt];
		a->ifindex = c->ifaces.v[i].key.ifindex;
		snprintf(a->name, sizeof(a->name), "%s", c->iface_names.v[i]);
		ret = camfence_loader_attach(d->loader, a->ifindex, &a->mode);
		if (ret) {
			camfence_log(LOG_ERR, "interface %s: cannot attach the XDP program: %s",
				     a->name, strerror(-ret));
			failed = ret;
			continue;
		}
		camfence_log(LOG_INFO, "interface %s: XDP attached (%s mode)", a->name,
			     mode_name(a->mode));
		d->natt++;
	}
	for (i = 0; i < d->natt;) {
		for (j = 0; j < c->ifaces.n; j++)
			if (c->ifaces.v[j].key.ifindex == (__u32)d->att[i].ifindex)
				break;
		if (j < c->ifaces.n) {
			i++;
			continue;
		}
		camfence_loader_detach(d->loader, d->att[i].ifindex, d->att[i].mode);
		camfence_log(LOG_INFO, "interface %s: no longer in a zone, XDP detached",
			     d->att[i].name);
		d->att[i] = d->att[--d->natt];
	}
	return failed;
}

static void detach_all(struct daemon *d)
{
	while (d->natt) {
		struct attachment *a = &d->att[--d->natt];
		int ret = camfence_loader_detach(d->loader, a->ifindex, a->mode);

		if (ret)
			camfence_log(LOG_ERR, "interface %s: cannot detach: %s", a->name,
				     strerror(-ret));
		else
			camfence_log(LOG_NOTICE, "interface %s: XDP detached, enforcement lifted",
				     a->name);
	}
}

/* What stays in force when a policy cannot be loaded. */
static const char *running_policy(const struct daemon *d, char *buf, size_t len)
{
	__u64 gen = camfence_loader_generation(d->loader);

	if (!gen)
		return "no policy was loaded";
	snprintf(buf, len, "the running policy (generation %llu) stays in force",
		 (unsigned long long)gen);
	return buf;
}

/* Parse, compile and push the policy file; on any error the running policy
 * stays as it is and the reason is logged. */
static int load_policy(struct daemon *d)
{
	struct generation g = { 0 };
	char why[512], keep[80];
	size_t i;
	int ret;

	g.cfg = camfence_policy_parse_file(d->config_path);
	if (g.cfg->nerrors) {
		for (i = 0; i < g.cfg->nerrors; i++) {
			/* syslog gets the first line; the caret is for terminals */
			char *nl = strchr(g.cfg->errors[i], '\n');

			camfence_log(LOG_ERR, "%.*s", nl ? (int)(nl - g.cfg->errors[i]) : (int)strlen(g.cfg->errors[i]),
				     g.cfg->errors[i]);
		}
		camfence_log(LOG_ERR, "%s: %zu error%s; %s", d->config_path,
			     g.cfg->nerrors + g.cfg->nerrors_dropped, g.cfg->nerrors == 1 ? "" : "s",
			     running_policy(d, keep, sizeof(keep)));
		generation_free(&g);
		return -EINVAL;
	}
	for (i = 0; i < g.cfg->nwarnings; i++) {
		char *nl = strchr(g.cfg->warnings[i], '\n');

		camfence_log(LOG_WARNING, "%.*s", nl ? (int)(nl - g.cfg->warnings[i]) :
			     (int)strlen(g.cfg->warnings[i]), g.cfg->warnings[i]);
	}
	camfence_ifaddrs_bind(g.cfg);
	ret = camfence_policy_compile(g.cfg, camfence_loader_next_slot(d->loader), resolve_ifindex,
				      NULL, &g.compiled, why, sizeof(why));
	if (ret) {
		camfence_log(LOG_ERR, "%s; %s", why, running_policy(d, keep, sizeof(keep)));
		generation_free(&g);
		return ret;
	}
	ret = camfence_loader_push(d->loader, g.compiled);
	if (ret) {
		camfence_log(LOG_ERR, "%s: cannot write the policy maps: %s; %s", d->config_path,
			     strerror(-ret), running_policy(d, keep, sizeof(keep)));
		generation_free(&g);
		return ret;
	}
	g.number = camfence_loader_generation(d->loader);
	g.rule_buckets = calloc(g.compiled->rules.n + 1, sizeof(*g.rule_buckets));
	g.default_buckets = calloc(g.cfg->policies.n + 1, sizeof(*g.default_buckets));
	generation_free(&d->prev);
	d->prev = d->cur;
	d->cur = g;
	camfence_log(LOG_INFO, "policy %s loaded: generation %llu, %zu devices, %zu interfaces",
		     d->config_path, (unsigned long long)g.number, g.compiled->devices.n - 1,
		     g.compiled->ifaces.n);
	return reconcile_attachments(d, g.compiled);
}

/* The `log RATE` of the rule, or of the policy default, that decided. */
static int alert_allowed(struct generation *g, const struct camfence_event *ev)
{
	const struct cf_config *cfg = g->cfg;
	struct timespec ts;
	__u64 now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (ev->rule_id != CAMFENCE_RULE_DEFAULT && ev->rule_id < g->compiled->rules.n &&
	    g->rule_buckets) {
		const struct cf_rule_ref *ref = &g->compiled->rules.v[ev->rule_id];
		const struct cf_rule *r = &cfg->policies.v[ref->policy].rules.v[ref->rule];

		return camfence_ratelimit_allow(&g->rule_buckets[ev->rule_id], now, r->log_rate,
						r->log_period);
	}
	if (ev->rule_id == CAMFENCE_RULE_DEFAULT && ev->policy_id < cfg->policies.n &&
	    g->default_buckets) {
		const struct cf_policy *p = &cfg->policies.v[ev->policy_id];

		return camfence_ratelimit_allow(&g->default_buckets[ev->policy_id], now,
						p->default_log_rate, p->default_log_period);
	}
	return 1;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	const struct camfence_event *ev = data;
	struct generation *g = NULL;
	char line[512];

	if (size < sizeof(*ev))
		return 0;
	if (ev->generation == d->cur.number)
		g = &d->cur;
	else if (ev->generation == d->prev.number)
		g = &d->prev;
	if (g && !alert_allowed(g, ev)) {
		d->alerts_suppressed++;
		return 0;
	}
	camfence_events_format(ev, g ? g->cfg : NULL, g ? g->compiled : NULL, line, sizeof(line));
	syslog(LOG_WARNING, "%s", line);
	d->alerts++;
	return 0;
}

static void reply_status(struct daemon *d, FILE *f)
{
	__u64 st[__CAMFENCE_STAT_MAX] = { 0 };
	size_t i;

	camfence_loader_stats(d->loader, st);
	fprintf(f, "ok\ncamfenced %s pid %d uptime %lds\n", CAMFENCE_VERSION, getpid(),
		(long)(time(NULL) - d->started));
	fprintf(f, "policy %s generation %llu\n", d->config_path,
		(unsigned long long)camfence_loader_generation(d->loader));
	for (i = 0; i < d->natt; i++)
		fprintf(f, "interface %s ifindex %d xdp %s\n", d->att[i].name, d->att[i].ifindex,
			mode_name(d->att[i].mode));
	fprintf(f, "passed %llu packets %llu bytes\n", (unsigned long long)st[CAMFENCE_STAT_PASS_PKTS],
		(unsigned long long)st[CAMFENCE_STAT_PASS_BYTES]);
	fprintf(f, "dropped %llu packets %llu bytes\n", (unsigned long long)st[CAMFENCE_STAT_DROP_PKTS],
		(unsigned long long)st[CAMFENCE_STAT_DROP_BYTES]);
	fprintf(f, "events %llu lost %llu alerts %llu suppressed %llu\n",
		(unsigned long long)st[CAMFENCE_STAT_EVENTS],
		(unsigned long long)st[CAMFENCE_STAT_EVENTS_LOST], (unsigned long long)d->alerts,
		(unsigned long long)d->alerts_suppressed);
	fprintf(f, "malformed %llu unmanaged %llu flow-cache-hits %llu\n",
		(unsigned long long)st[CAMFENCE_STAT_MALFORMED],
		(unsigned long long)st[CAMFENCE_STAT_UNMANAGED],
		(unsigned long long)st[CAMFENCE_STAT_FLOW_CACHE_HITS]);
}

static void reply_flows(struct daemon *d, FILE *f, const char *device)
{
	uint8_t mac[6];

	if (device && camfence_addr_parse_mac(device, mac)) {
		fprintf(f, "error: '%.32s' is not a MAC address\n", device);
		return;
	}
	fprintf(f, "ok\n");
	camfence_flows_print(d->loader, d->cur.cfg, d->cur.compiled, device, f);
}

static void reply_rules(struct daemon *d, FILE *f)
{
	const struct cf_compiled *c = d->cur.compiled;
	const struct cf_config *cfg = d->cur.cfg;
	size_t i;

	fprintf(f, "ok\n%-40s  %-6s  %-12s  %10s  %12s\n", "RULE", "ACTION", "POLICY", "PACKETS",
		"BYTES");
	for (i = 0; c && i < c->rules.n; i++) {
		const struct cf_policy *pol = &cfg->policies.v[c->rules.v[i].policy];
		const struct cf_rule *r = &pol->rules.v[c->rules.v[i].rule];
		struct camfence_rule_counters rc;
		char where[300];

		snprintf(where, sizeof(where), "%s:%u", camfence_policy_file(cfg, r->loc), r->loc.line);
		if (camfence_loader_rule_counters(d->loader, i, &rc)) {
			fprintf(f, "%-40s  %-6s  %-12s  %10s  %12s\n", where,
				r->verdict == CAMFENCE_DROP ? "deny" : "allow", pol->name, "-", "-");
			continue;
		}
		fprintf(f, "%-40s  %-6s  %-12s  %10llu  %12llu\n", where,
			r->verdict == CAMFENCE_DROP ? "deny" : "allow", pol->name,
			(unsigned long long)rc.packets, (unsigned long long)rc.bytes);
	}
}

static void on_control(struct daemon *d)
{
	char req[CAMFENCE_CONTROL_MAX];
	FILE *f;
	int fd;

	fd = camfence_control_accept(d->ctlfd, req, sizeof(req));
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	if (!strcmp(req, "status"))
		reply_status(d, f);
	else if (!strcmp(req, "rules"))
		reply_rules(d, f);
	else if (!strcmp(req, "flows"))
		reply_flows(d, f, NULL);
	else if (!strncmp(req, "flows ", 6))
		reply_flows(d, f, req + 6);
	else if (!strcmp(req, "reload"))
		fprintf(f, load_policy(d) ? "error: reload failed; see syslog\n" : "ok\n");
	else
		fprintf(f, "error: unknown request '%.64s'\n", req);
	fclose(f);
}

/* Returns 1 when the daemon should stop. */
static int on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		camfence_log(LOG_INFO, "SIGHUP: reloading %s", d->config_path);
		load_policy(d);
		return 0;
	}
	camfence_log(LOG_NOTICE, "%s: stopping", strsignal(si.ssi_signo));
	return 1;
}

static int add_fd(int epfd, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

enum { TAG_RINGBUF, TAG_SIGNAL, TAG_CONTROL, TAG_RTNL };

static int zone_iface(const struct daemon *d, const char *name)
{
	const struct cf_config *cfg = d->cur.cfg;
	size_t i, j;

	for (i = 0; cfg && i < cfg->zones.n; i++)
		for (j = 0; j < cfg->zones.v[i].ifaces.n; j++)
			if (!strcmp(cfg->zones.v[i].ifaces.v[j], name))
				return 1;
	return 0;
}

/* A zone interface deleted loses its program with it; one created again
 * (a new ifindex) gets the policy compiled for it and the program attached. */
static void on_link(const struct camfence_link_event *ev, void *ctx)
{
	struct daemon *d = ctx;
	struct attachment *a = find_attachment(d, ev->ifindex);

	if (!zone_iface(d, ev->ifname))
		return;
	if (ev->gone) {
		if (!a)
			return;
		camfence_log(LOG_WARNING, "interface %s is gone; it is enforced again when it comes back",
			     ev->ifname);
		*a = d->att[--d->natt];
		return;
	}
	if (a)
		return;	/* a change of flags or state of an attached interface */
	camfence_log(LOG_NOTICE, "interface %s appeared (ifindex %d): loading the policy for it",
		     ev->ifname, ev->ifindex);
	load_policy(d);
}

static int run(struct daemon *d)
{
	for (;;) {
		struct epoll_event evs[8];
		int n, i;

		n = epoll_wait(d->epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			camfence_log(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case TAG_RINGBUF:
				ring_buffer__consume(d->rb);
				break;
			case TAG_SIGNAL:
				if (on_signal(d))
					return 0;
				break;
			case TAG_CONTROL:
				on_control(d);
				break;
			case TAG_RTNL:
				if (camfence_rtnl_read(d->rtnl, on_link, d) < 0) {
					/* notifications were lost: look at every interface again */
					camfence_log(LOG_WARNING, "rtnetlink: %s; reloading to catch up",
						     strerror(errno));
					load_policy(d);
				}
				break;
			}
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: camfenced [-f] [-c FILE] [-s SOCKET]\n"
		"       camfenced --check FILE\n"
		"\n"
		"  -c, --config FILE   policy file (default " DEFAULT_CONFIG ")\n"
		"  -s, --socket PATH   control socket (default " CAMFENCE_CONTROL_PATH ")\n"
		"  -f, --foreground    stay in the foreground, log to stderr too\n"
		"      --check FILE    check a policy file and exit\n"
		"  -V, --version       print the version and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct daemon d = {
		.config_path = DEFAULT_CONFIG,
		.socket_path = CAMFENCE_CONTROL_PATH,
		.epfd = -1, .sigfd = -1, .ctlfd = -1,
	};
	int foreground = 0, c, ret = 1;
	sigset_t mask;

	while ((c = getopt_long(argc, argv, "c:s:fVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d.config_path = optarg; break;
		case 's': d.socket_path = optarg; break;
		case 'f': foreground = 1; break;
		case 'C': return camfence_check_file(optarg, stdout, stderr);
		case 'V': printf("camfenced %s\n", CAMFENCE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "camfenced: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	camfence_log_open("camfenced", 1);
	d.started = time(NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = camfence_loader_open(&d.loader);
	if (ret) {
		camfence_log(LOG_ERR, "cannot load the XDP program: %s", strerror(-ret));
		return 1;
	}
	/* subscribed before the policy is loaded: no link change falls between */
	ret = camfence_rtnl_open(&d.rtnl);
	if (ret) {
		camfence_log(LOG_ERR, "rtnetlink: %s", strerror(-ret));
		ret = 1;
		goto out;
	}
	ret = 1;
	if (load_policy(&d))
		goto out;
	d.rb = ring_buffer__new(bpf_map__fd(camfence_loader_skel(d.loader)->maps.events), on_event,
				&d, NULL);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	d.sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	d.ctlfd = camfence_control_listen(d.socket_path);
	if (d.ctlfd < 0) {
		camfence_log(LOG_ERR, "control socket %s: %s", d.socket_path, strerror(-d.ctlfd));
		goto out;
	}
	if (!d.rb || d.epfd < 0 || d.sigfd < 0 ||
	    add_fd(d.epfd, ring_buffer__epoll_fd(d.rb), TAG_RINGBUF) ||
	    add_fd(d.epfd, d.sigfd, TAG_SIGNAL) || add_fd(d.epfd, d.ctlfd, TAG_CONTROL) ||
	    add_fd(d.epfd, camfence_rtnl_fd(d.rtnl), TAG_RTNL)) {
		camfence_log(LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	if (!foreground) {
		if (daemon(0, 0)) {
			camfence_log(LOG_ERR, "cannot go to the background: %s", strerror(errno));
			goto out;
		}
		camfence_log_open("camfenced", 0);
	}
	camfence_log(LOG_INFO, "camfenced %s running, control socket %s", CAMFENCE_VERSION,
		     d.socket_path);
	ret = run(&d);
out:
	detach_all(&d);
	if (d.ctlfd >= 0)
		unlink(d.socket_path);
	ring_buffer__free(d.rb);
	camfence_rtnl_close(d.rtnl);
	camfence_loader_close(d.loader);
	generation_free(&d.cur);
	generation_free(&d.prev);
	return ret ? 1 : 0;
}
