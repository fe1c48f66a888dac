// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced: loads the policy, keeps the XDP program attached to every zone
 * interface, follows links and neighbours, tracks flows per device and
 * turns blocked flows into syslog alerts.
 *
 * One thread, one epoll loop: the ring buffer, camfence.ko's events when
 * the module is loaded, rtnetlink, a signalfd (SIGHUP reloads, SIGTERM and
 * SIGINT stop), a one-second timerfd (flow sync, alert aggregation) and the
 * control socket. Stopping never lifts
 * enforcement: the program stays attached and its maps stay pinned, and
 * the next camfenced takes them over. Only `camfencectl stop --detach`
 * detaches.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "camfence.skel.h"
#include "camfenced.h"
#include "control.h"
#include "log.h"
#include "metrics.h"
#include "policy_check.h"

/* The pid file is locked while camfenced runs: a second one is refused. */
static int pidfile_lock(const char *path)
{
	char dir[4096], buf[32];
	int fd;
	ssize_t n;

	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		camfence_log(LOG_ERR, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		camfence_log(LOG_ERR, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		camfence_log(LOG_ERR, "another camfenced is running (pid %s, pid file %s)",
			     buf[0] ? buf : "?", path);
		close(fd);
		return -1;
	}
	return fd;
}

static void pidfile_write(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d\n", getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n)
		camfence_log(LOG_WARNING, "cannot write the pid file: %s", strerror(errno));
}

/* Returns 1 when the daemon should stop. */
static int on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		camfence_log(LOG_INFO, "SIGHUP: reloading %s", d->config_path);
		camfenced_policy_load(d);
		return 0;
	}
	camfence_log(LOG_NOTICE, "%s: stopping", strsignal(si.ssi_signo));
	d->stop = 1;
	return 1;
}

/* A zone interface deleted loses its program with it; one created again
 * (a new ifindex) or renamed into a zone gets the policy compiled for it
 * and the program attached. One renamed away keeps its program. */
static void on_link(const struct camfence_link_event *ev, void *ctx)
{
	struct daemon *d = ctx;
	struct attachment *a = camfenced_policy_attachment(d, ev->ifindex);
	int in_zone = camfenced_policy_zone_iface(d, ev->ifname);

	if (ev->gone) {
		if (!a)
			return;
		camfence_log(LOG_WARNING, "interface %s is gone; it is enforced again when it comes back",
			     a->name);
		*a = d->att[--d->natt];
		return;
	}
	if (a && strcmp(a->name, ev->ifname)) {
		/* fail closed: the program stays until the admin reloads */
		camfence_log(LOG_WARNING, "interface %s was renamed %s: it stays enforced under the running policy until the next reload, which follows the names in %s",
			     a->name, ev->ifname, d->config_path);
		snprintf(a->name, sizeof(a->name), "%s", ev->ifname);
		return;
	}
	if (a || !in_zone)
		return;	/* a change of flags or state: XDP stays through down and up */
	camfence_log(LOG_NOTICE, "interface %s appeared (ifindex %d): loading the policy for it",
		     ev->ifname, ev->ifindex);
	camfenced_policy_load(d);
}

static void on_timer(struct daemon *d)
{
	__u64 expirations;

	if (read(d->timerfd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	camfenced_events_tick(d);
	camfenced_names_tick(d);
	camfenced_learned_tick(d);
	camfenced_metrics_tick(d);
	camfenced_state_tick(d);
}

static int run(struct daemon *d)
{
	while (!d->stop) {
		struct epoll_event evs[8];
		int n, i;

		n = epoll_wait(d->epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			camfence_log(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n && !d->stop; i++) {
			switch ((__u32)evs[i].data.u64) {
			case CAMFENCED_TAG_RINGBUF:
				ring_buffer__consume(d->rb);
				break;
			case CAMFENCED_TAG_SIGNAL:
				on_signal(d);
				break;
			case CAMFENCED_TAG_CONTROL:
				camfenced_control_serve(d);
				break;
			case CAMFENCED_TAG_TIMER:
				on_timer(d);
				break;
			case CAMFENCED_TAG_KMOD:
				camfenced_kmod_read(d);
				break;
			case CAMFENCED_TAG_DNS:
				camfenced_names_on_socket(d, evs[i].data.u64, evs[i].events);
				break;
			case CAMFENCED_TAG_DNS_SNOOP:
				camfenced_learned_read(d);
				break;
			case CAMFENCED_TAG_RTNL:
				if (camfence_rtnl_read(d->rtnl, on_link, d) < 0) {
					/* notifications were lost: look at every interface again */
					camfence_log(LOG_WARNING, "rtnetlink: %s; reloading to catch up",
						     strerror(errno));
					camfenced_policy_load(d);
				}
				break;
			}
		}
	}
	return 0;
}

static int add_fd(int epfd, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int timer_open(void)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: camfenced [OPTIONS]\n"
		"       camfenced --check FILE\n"
		"\n"
		"  -c, --config FILE        policy file (default " CAMFENCED_DEFAULT_CONFIG ")\n"
		"  -s, --socket PATH        control socket (default " CAMFENCE_CONTROL_PATH ")\n"
		"  -p, --pidfile PATH       pid file, locked while running (default " CAMFENCED_DEFAULT_PIDFILE ")\n"
		"      --pin-dir DIR        bpffs directory the program and maps are pinned in\n"
		"                           (default " CAMFENCED_DEFAULT_PIN_DIR "; 'none': not pinned)\n"
		"      --no-xdp             attach no XDP program: camfence.ko enforces alone\n"
		"  -f, --foreground         stay in the foreground, log to stderr too\n"
		"      --max-devices N      devices the flow view holds (default 16384)\n"
		"      --max-flows N        flows the flow view holds (default 100000)\n"
		"      --alert-rate RATE    alert lines per device, as COUNT/second|minute|hour (default 20/minute)\n"
		"      --alert-total RATE   alert lines for all devices together (default 200/minute)\n"
		"      --alert-window S     seconds over which repeats are summed into one line (default 60)\n"
		"      --syslog-remote URL  also send alerts as RFC 5424 to udp://HOST[:PORT] or tcp://HOST[:PORT]\n"
		"      --metrics-file PATH  write Prometheus metrics to PATH for node_exporter's textfile collector\n"
		"      --metrics-interval S seconds between writes of the metrics file, 1 to 3600 (default 15)\n"
		"      --resolver ADDR[:PORT]  the DNS server that resolves the names policy sets hold\n"
		"                           (default: those of /etc/resolv.conf); [IPV6]:PORT with a port\n"
		"      --resolve-min-ttl S  the shortest TTL a name's addresses are kept and asked again by,\n"
		"                           1 to 3600 (default 30)\n"
		"      --state-dir DIR      where what each device reached is kept across restarts\n"
		"                           (default " CAMFENCED_DEFAULT_STATE_DIR "; 'none': not kept)\n"
		"      --check FILE         check a policy file and exit\n"
		"  -V, --version            print the version and exit\n");
}

static int parse_count(const char *opt, const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || !v || v > 100000000ULL || s[0] == '-') {
		fprintf(stderr, "camfenced: %s '%s': expected a whole number from 1 to 100000000\n",
			opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* COUNT/second|minute|hour, as `log` takes in a policy */
static int parse_rate(const char *opt, const char *s, unsigned int *rate, unsigned int *period)
{
	static const struct { const char *unit; unsigned int s; } units[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 },
	};
	const char *slash = strchr(s, '/');
	size_t n, i;

	if (slash && slash - s < 10) {
		char num[16];

		memcpy(num, s, slash - s);
		num[slash - s] = '\0';
		for (i = 0; i < 3; i++) {
			if (strcmp(slash + 1, units[i].unit))
				continue;
			if (parse_count(opt, num, &n) || n > 1000000)
				break;
			*rate = n;
			*period = units[i].s;
			return 0;
		}
	}
	fprintf(stderr, "camfenced: %s '%s': expected COUNT/second, COUNT/minute or COUNT/hour\n",
		opt, s);
	return -1;
}

static int parse_options(struct daemon *d, int argc, char **argv)
{
	enum { O_PIN = 256, O_MAXDEV, O_MAXFLOWS, O_RATE, O_TOTAL, O_WINDOW, O_REMOTE, O_CHECK,
	       O_NOXDP, O_METRICS, O_METRICS_INTERVAL, O_RESOLVER, O_MIN_TTL, O_STATE_DIR };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "pin-dir", required_argument, NULL, O_PIN },
		{ "no-xdp", no_argument, NULL, O_NOXDP },
		{ "foreground", no_argument, NULL, 'f' },
		{ "max-devices", required_argument, NULL, O_MAXDEV },
		{ "max-flows", required_argument, NULL, O_MAXFLOWS },
		{ "alert-rate", required_argument, NULL, O_RATE },
		{ "alert-total", required_argument, NULL, O_TOTAL },
		{ "alert-window", required_argument, NULL, O_WINDOW },
		{ "syslog-remote", required_argument, NULL, O_REMOTE },
		{ "metrics-file", required_argument, NULL, O_METRICS },
		{ "metrics-interval", required_argument, NULL, O_METRICS_INTERVAL },
		{ "resolver", required_argument, NULL, O_RESOLVER },
		{ "resolve-min-ttl", required_argument, NULL, O_MIN_TTL },
		{ "state-dir", required_argument, NULL, O_STATE_DIR },
		{ "check", required_argument, NULL, O_CHECK },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, foreground = 0;
	size_t window;
	char err[160];

	while ((c = getopt_long(argc, argv, "c:s:p:fVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d->config_path = optarg; break;
		case 's': d->socket_path = optarg; break;
		case 'p': d->pid_path = optarg; break;
		case O_PIN: d->pin_dir = strcmp(optarg, "none") ? optarg : ""; break;
		case O_NOXDP: d->no_xdp = 1; break;
		case 'f': foreground = 1; break;
		case O_MAXDEV:
			if (parse_count("--max-devices", optarg, &d->max_devices))
				return -2;
			break;
		case O_MAXFLOWS:
			if (parse_count("--max-flows", optarg, &d->max_flows))
				return -2;
			break;
		case O_RATE:
			if (parse_rate("--alert-rate", optarg, &d->alerts_conf.device_rate,
				       &d->alerts_conf.device_period))
				return -2;
			break;
		case O_TOTAL:
			if (parse_rate("--alert-total", optarg, &d->alerts_conf.total_rate,
				       &d->alerts_conf.total_period))
				return -2;
			break;
		case O_WINDOW:
			if (parse_count("--alert-window", optarg, &window) || window > 86400) {
				fprintf(stderr, "camfenced: --alert-window: at most 86400 seconds\n");
				return -2;
			}
			d->alerts_conf.window = window;
			break;
		case O_REMOTE: d->remote_spec = optarg; break;
		case O_METRICS: d->metrics.path = optarg; break;
		case O_METRICS_INTERVAL:
			if (camfence_metrics_parse_interval(optarg, &d->metrics.interval, err,
							    sizeof(err))) {
				fprintf(stderr, "camfenced: --metrics-interval %s\n", err);
				return -2;
			}
			break;
		case O_RESOLVER:
			if (camfenced_names_parse_resolver(optarg, err, sizeof(err))) {
				fprintf(stderr, "camfenced: --resolver '%s': %s\n", optarg, err);
				return -2;
			}
			d->resolver_spec = optarg;
			break;
		case O_MIN_TTL:
			if (parse_count("--resolve-min-ttl", optarg, &window))
				return -2;
			if (window > 3600) {
				fprintf(stderr, "camfenced: --resolve-min-ttl '%s': at most 3600 seconds\n",
					optarg);
				return -2;
			}
			d->resolve_min_ttl = window;
			break;
		case O_STATE_DIR:
			/* absolute: camfenced goes to / when it leaves the foreground */
			if (optarg[0] != '/' && strcmp(optarg, "none")) {
				fprintf(stderr, "camfenced: --state-dir '%s': expected an absolute path, or 'none'\n",
					optarg);
				return -2;
			}
			d->state_dir = strcmp(optarg, "none") ? optarg : "";
			break;
		case O_CHECK: exit(camfence_check_file(optarg, CF_TRUST_REQUIRE, stdout, stderr));
		case 'V': printf("camfenced %s\n", CAMFENCE_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -2;
		}
	}
	if (d->metrics.interval && !d->metrics.path) {
		fprintf(stderr, "camfenced: --metrics-interval: without --metrics-file there is no file to write\n");
		return -2;
	}
	if (!d->metrics.interval)
		d->metrics.interval = 15;
	if (optind != argc) {
		fprintf(stderr, "camfenced: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -2;
	}
	return foreground;
}

/* The loader, pinned unless told otherwise; a takeover is said out loud. */
static int open_loader(struct daemon *d)
{
	char err[512];
	int ret;

	if (!d->pin_dir[0]) {
		ret = camfence_loader_open(&d->loader);
		if (ret)
			camfence_log(LOG_ERR, "cannot load the XDP program: %s", strerror(-ret));
		return ret;
	}
	ret = camfence_loader_open_pinned(d->pin_dir, &d->loader, err, sizeof(err));
	if (ret) {
		camfence_log(LOG_ERR, "cannot load the XDP program: %s", err);
		return ret;
	}
	d->took_over = camfence_loader_took_over(d->loader);
	if (d->took_over)
		camfence_log(LOG_NOTICE, "took over the pinned state in %s (generation %llu): enforcement never stopped",
			     d->pin_dir, (unsigned long long)camfence_loader_generation(d->loader));
	return 0;
}

static int setup(struct daemon *d, sigset_t *mask)
{
	__u64 st[__CAMFENCE_STAT_MAX];
	char err[512];

	/* before anything is attached: a socket others could replace is no start */
	if (camfence_control_check_dir(d->socket_path, err, sizeof(err))) {
		camfence_log(LOG_ERR, "%s", err);
		return -1;
	}
	if (d->metrics.path && camfence_metrics_check_path(d->metrics.path, err, sizeof(err))) {
		camfence_log(LOG_ERR, "%s", err);
		return -1;
	}
	d->flows = camfence_flowtrack_new(d->max_devices, d->max_flows);
	d->alerts = camfence_alerts_new(&d->alerts_conf, camfenced_events_sink, d);
	if (!d->flows || !d->alerts) {
		camfence_log(LOG_ERR, "out of memory");
		return -1;
	}
	camfenced_state_start(d);
	if (d->remote_spec) {
		d->remote = camfence_syslog_remote_open(d->remote_spec, err, sizeof(err));
		if (!d->remote) {
			camfence_log(LOG_ERR, "%s", err);
			return -1;
		}
	}
	if (camfence_oui_load(CF_OUI_DIR, &d->oui, err, sizeof(err))) {
		camfence_log(LOG_WARNING, "alerts will name no vendor: %s", err);
		d->oui = NULL;
	}
	if (open_loader(d))
		return -1;
	/* subscribed before the policy is loaded: no link change falls between */
	if (camfence_rtnl_open(&d->rtnl) ||
	    camfence_rtnl_follow_neighbours(d->rtnl, camfenced_events_on_neigh, d)) {
		camfence_log(LOG_ERR, "rtnetlink: %s", strerror(errno));
		return -1;
	}
	camfenced_kmod_start(d);
	if (d->no_xdp && !d->kmod)
		camfence_log(LOG_WARNING, "--no-xdp and camfence.ko is not loaded: nothing enforces the policy");
	if (camfenced_policy_load(d))
		return -1;
	/* losses are reported as they grow from here; those of before are said once */
	if (!camfence_loader_stats(d->loader, st)) {
		camfence_alerts_events_lost_from(d->alerts, st[CAMFENCE_STAT_EVENTS_LOST]);
		if (d->took_over && st[CAMFENCE_STAT_EVENTS_LOST])
			/* a total since pinning: the camfenced before may have said part of it */
			camfence_log(LOG_WARNING, "the XDP program has lost %llu events (ring buffer full) since its state was pinned in %s, before this start; losses from now on are reported as they come",
				     (unsigned long long)st[CAMFENCE_STAT_EVENTS_LOST], d->pin_dir);
	}
	d->rb = ring_buffer__new(bpf_map__fd(camfence_loader_skel(d->loader)->maps.events),
				 camfenced_events_on_ringbuf, d, NULL);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, mask, SFD_CLOEXEC);
	d->timerfd = timer_open();
	d->ctlfd = camfence_control_listen(d->socket_path);
	if (d->ctlfd < 0) {
		camfence_log(LOG_ERR, "control socket %s: %s", d->socket_path, strerror(-d->ctlfd));
		return -1;
	}
	if (!d->rb || d->epfd < 0 || d->sigfd < 0 || d->timerfd < 0 ||
	    add_fd(d->epfd, ring_buffer__epoll_fd(d->rb), CAMFENCED_TAG_RINGBUF) ||
	    add_fd(d->epfd, d->sigfd, CAMFENCED_TAG_SIGNAL) || add_fd(d->epfd, d->ctlfd, CAMFENCED_TAG_CONTROL) ||
	    add_fd(d->epfd, d->timerfd, CAMFENCED_TAG_TIMER) ||
	    add_fd(d->epfd, camfence_rtnl_fd(d->rtnl), CAMFENCED_TAG_RTNL)) {
		camfence_log(LOG_ERR, "cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	camfenced_kmod_watch(d);
	if (camfenced_names_start(d) || camfenced_learned_start(d))
		return -1;
	camfenced_metrics_start(d);
	return 0;
}

/* What the ring buffer still holds, and the losses and suppressions of
 * the window so far: said before the daemon goes, not left unsaid. */
static void final_report(struct daemon *d)
{
	__u64 st[__CAMFENCE_STAT_MAX];
	struct timespec ts;

	if (!d->rb || !d->alerts || !d->loader)
		return;
	ring_buffer__consume(d->rb);
	if (!camfence_loader_stats(d->loader, st))
		camfence_alerts_events_lost(d->alerts, st[CAMFENCE_STAT_EVENTS_LOST]);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	camfence_alerts_report_now(d->alerts, ts.tv_sec * 1000000000ULL + ts.tv_nsec);
}

static void teardown(struct daemon *d)
{
	final_report(d);
	if (d->stop == 2) {
		camfenced_kmod_lift(d);
		camfenced_policy_detach_all(d);
		if (d->pin_dir[0] && d->loader && camfence_loader_unpin(d->loader))
			camfence_log(LOG_ERR, "%s: cannot remove the pins", d->pin_dir);
		camfence_log(LOG_NOTICE, "enforcement lifted by camfencectl stop --detach");
	} else if (d->natt) {
		camfence_log(LOG_NOTICE, "camfenced stops; enforcement stays in force on %zu interface%s%s%s",
			     d->natt, d->natt == 1 ? "" : "s",
			     d->pin_dir[0] ? ", state pinned in " : "", d->pin_dir);
	}
	/* the last counts, left in place: their timestamp tells they are old */
	camfenced_metrics_stop(d);
	if (d->ctlfd >= 0) {
		close(d->ctlfd);
		unlink(d->socket_path);
	}
	if (d->pidfd >= 0) {
		unlink(d->pid_path);
		close(d->pidfd);
	}
	camfenced_learned_stop(d);	/* before the maps and the module go */
	if (d->rb)
		camfenced_events_tick(d);	/* the last of the flow table, then saved */
	camfenced_state_stop(d);
	ring_buffer__free(d->rb);
	camfence_rtnl_close(d->rtnl);
	camfenced_kmod_stop(d);
	camfence_loader_close(d->loader);
	camfence_syslog_remote_close(d->remote);
	camfence_alerts_free(d->alerts);
	camfence_flowtrack_free(d->flows);
	camfence_oui_free(d->oui);
	camfenced_names_stop(d);
	if (d->prev.cfg == d->cur.cfg)
		d->prev.cfg = NULL;	/* shared since names were resolved again */
	camfenced_policy_free(&d->cur);
	camfenced_policy_free(&d->prev);
}

int main(int argc, char **argv)
{
	struct daemon d = {
		.config_path = CAMFENCED_DEFAULT_CONFIG,
		.socket_path = CAMFENCE_CONTROL_PATH,
		.pid_path = CAMFENCED_DEFAULT_PIDFILE,
		.pin_dir = CAMFENCED_DEFAULT_PIN_DIR,
		.max_devices = 16384,
		.max_flows = 100000,
		.alerts_conf = {
			.device_rate = 20, .device_period = 60,
			.total_rate = 200, .total_period = 60,
			.window = 60, .max_keys = 65536, .recent_max = 4096,
		},
		.epfd = -1, .sigfd = -1, .ctlfd = -1, .timerfd = -1, .pidfd = -1,
		.resolve_min_ttl = 30,
		.state_dir = CAMFENCED_DEFAULT_STATE_DIR,
	};
	int foreground, ret = 1;
	sigset_t mask;

	foreground = parse_options(&d, argc, argv);
	if (foreground < 0)
		return 2;
	camfence_log_open("camfenced", 1);
	d.started = time(NULL);
	if (gethostname(d.hostname, sizeof(d.hostname) - 1))
		strcpy(d.hostname, "-");
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	d.pidfd = pidfile_lock(d.pid_path);
	if (d.pidfd < 0)
		return 1;
	if (setup(&d, &mask))
		goto out;
	if (!foreground) {
		if (daemon(0, 0)) {
			camfence_log(LOG_ERR, "cannot go to the background: %s", strerror(errno));
			goto out;
		}
		camfence_log_open("camfenced", 0);
	}
	pidfile_write(d.pidfd);
	camfence_log(LOG_INFO, "camfenced %s running, control socket %s", CAMFENCE_VERSION,
		     d.socket_path);
	ret = run(&d);
out:
	teardown(&d);
	return ret ? 1 : 0;
}
