// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced and camfence.ko: the module, when it is loaded, gets every
 * policy the XDP program gets, and its blocked events join the ring
 * buffer's. It numbers its generations itself (it keeps them across a
 * daemon's restart, and starts again from 1 when it is loaded anew); the
 * daemon keeps which of its own each one is, so alerts name one number.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "camfenced.h"
#include "kmod_client.h"
#include "log.h"
#include "ratelimit.h"

static void kmod_close(struct daemon *d)
{
	if (d->kmod_events)
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, camfence_kmod_events_fd(d->kmod_events), NULL);
	camfence_kmod_events_close(d->kmod_events);
	camfence_kmod_close(d->kmod);
	d->kmod_events = NULL;
	d->kmod = NULL;
}

/* Looks for the module: at start, and at each load of the policy, so a
 * module loaded after the daemon is found at the next reload. */
static int kmod_open(struct daemon *d)
{
	struct camfence_kmod_counters kc;
	char version[64];
	unsigned int api;
	int ret;

	ret = camfence_kmod_open(&d->kmod);
	if (ret) {
		if (ret != -ENOENT)
			camfence_log(LOG_WARNING, "camfence.ko: %s; XDP enforces alone",
				     camfence_kmod_client_strerror(ret));
		d->kmod = NULL;
		return ret;
	}
	ret = camfence_kmod_version(d->kmod, version, sizeof(version), &api);
	if (!ret)
		ret = camfence_kmod_counters(d->kmod, &kc, NULL, NULL, NULL);
	if (!ret)
		ret = camfence_kmod_events_open(&d->kmod_events);
	if (!ret && d->epfd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = CAMFENCED_TAG_KMOD };

		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, camfence_kmod_events_fd(d->kmod_events), &ev))
			ret = -errno;
	}
	if (ret) {
		camfence_log(LOG_WARNING, "camfence.ko is loaded but cannot be used: %s; XDP enforces alone",
			     camfence_kmod_client_strerror(ret));
		kmod_close(d);
		return ret;
	}
	d->kmod_gen = kc.generation;
	camfence_log(LOG_INFO, "camfence.ko %s (genl api %u) found, its generation %llu", version,
		     api, (unsigned long long)kc.generation);
	return 0;
}

void camfenced_kmod_start(struct daemon *d)
{
	if (kmod_open(d) == -ENOENT)
		camfence_log(LOG_INFO, "camfence.ko is not loaded: XDP enforces alone");
}

/* The epoll set exists after the first load: the events join it then. */
void camfenced_kmod_watch(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = CAMFENCED_TAG_KMOD };

	if (d->kmod_events &&
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, camfence_kmod_events_fd(d->kmod_events), &ev) &&
	    errno != EEXIST)
		camfence_log(LOG_WARNING, "camfence.ko events: %s", strerror(errno));
}

int camfenced_kmod_push(struct daemon *d, struct generation *g)
{
	char err[512];
	__u64 gen;
	int ret;

	if (!d->kmod && kmod_open(d))
		return 0;
	gen = d->kmod_gen + 1;
	ret = camfence_kmod_push(d->kmod, g->compiled, gen, err, sizeof(err));
	if (ret == -ENOENT || ret == -EOPNOTSUPP) {
		/* unloaded, or loaded anew under another family id: once more */
		kmod_close(d);
		if (kmod_open(d))
			return 0;
		gen = d->kmod_gen + 1;
		ret = camfence_kmod_push(d->kmod, g->compiled, gen, err, sizeof(err));
	}
	if (ret) {
		d->kmod_push_failures++;
		camfence_log(LOG_ERR, "%s; XDP enforces generation %llu, camfence.ko keeps its generation %llu",
			     err, (unsigned long long)g->number, (unsigned long long)d->kmod_gen);
		return ret;
	}
	d->kmod_gen = gen;
	g->kmod_number = gen;
	camfence_log(LOG_INFO, "camfence.ko: generation %llu is the policy's generation %llu",
		     (unsigned long long)gen, (unsigned long long)g->number);
	return 0;
}

/* stop --detach: the module lets everything through again, as XDP does
 * once detached: an empty policy names no interface. */
void camfenced_kmod_lift(struct daemon *d)
{
	struct cf_compiled empty = { 0 };
	char err[512];

	if (!d->kmod)
		return;
	if (camfence_kmod_push(d->kmod, &empty, d->kmod_gen + 1, err, sizeof(err)))
		camfence_log(LOG_ERR, "%s: camfence.ko still enforces its generation %llu", err,
			     (unsigned long long)d->kmod_gen);
	else
		camfence_log(LOG_NOTICE, "camfence.ko: enforcement lifted (an empty policy)");
}

static int on_kmod_event(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;
	struct camfence_event ev;
	struct generation *g = NULL;

	if (size < sizeof(ev))
		return 0;
	memcpy(&ev, data, sizeof(ev));
	if (ev.generation && ev.generation == d->cur.kmod_number)
		g = &d->cur;
	else if (ev.generation && ev.generation == d->prev.kmod_number)
		g = &d->prev;
	/* one numbering in alerts: the policy's, which XDP's events carry too */
	ev.generation = g ? g->number : 0;
	camfenced_events_handle(d, &ev, g);
	return 0;
}

void camfenced_kmod_read(struct daemon *d)
{
	static struct cf_bucket overrun_log;
	struct camfence_kmod_event_stats st;
	struct timespec ts;
	int ret;

	if (!d->kmod_events)
		return;
	ret = camfence_kmod_events_read(d->kmod_events, on_kmod_event, d);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* counted in status; said at most 6 times a minute, not once a read */
	if (ret == -ENOBUFS &&
	    camfence_ratelimit_allow(&overrun_log, ts.tv_sec * 1000000000ULL + ts.tv_nsec, 6, 60)) {
		camfence_kmod_events_stats(d->kmod_events, &st);
		camfence_log(LOG_WARNING, "camfence.ko events: the socket overran, events were lost (%llu overruns so far; camfencectl status)",
			     (unsigned long long)st.overruns);
	}
	else if (ret < 0 && ret != -EAGAIN && ret != -ENOBUFS)
		camfence_log(LOG_WARNING, "camfence.ko events: %s", strerror(-ret));
}

void camfenced_kmod_stop(struct daemon *d)
{
	kmod_close(d);
}
