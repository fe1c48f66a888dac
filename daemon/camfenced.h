/* SPDX-License-Identifier: GPL-2.0 */
/*
 * camfenced's state, shared by its files: camfenced.c (options, start,
 * the epoll loop), camfenced_policy.c (load, push, attach),
 * camfenced_events.c (events, flow sync, alerts) and camfenced_control.c
 * (the control socket's commands).
 */
#ifndef CAMFENCED_H
#define CAMFENCED_H

#include <bpf/libbpf.h>
#include <net/if.h>
#include <stdio.h>
#include <time.h>

#include "alerts.h"
#include "events.h"
#include "flowtrack.h"
#include "loader.h"
#include "dns_answer.h"
#include "names.h"
#include "oui.h"
#include "ratelimit.h"
#include "rtnl.h"
#include "syslog_remote.h"

#define CAMFENCED_DEFAULT_CONFIG	"/etc/camfence/camfence.conf"
#define CAMFENCED_DEFAULT_PIDFILE	"/run/camfence/camfenced.pid"
#define CAMFENCED_DEFAULT_PIN_DIR	"/sys/fs/bpf/camfence"

/* Why an answer the snooper copied taught nothing. */
enum { LEARN_UNMANAGED, LEARN_RESOLVER, LEARN_NO_RULE, LEARN_FULL, LEARN_MAP, LEARN_NDROPS };

/* A policy as it was pushed: kept for the events of its generation. */
struct generation {
	__u64 number;
	struct cf_config *cfg;
	struct cf_compiled *compiled;
	struct cf_bucket *rule_buckets;		/* by rule id, for `log RATE` */
	struct cf_bucket *default_buckets;	/* by policy */
	__u64 kmod_number;			/* camfence.ko's number for it, 0: not there */
};

/* --metrics-file: camfenced_metrics.c */
struct metrics_file {
	const char *path;		/* NULL: no file, `camfencectl metrics` only */
	unsigned int interval;		/* seconds between writes */
	__u64 due_ns;			/* next write (monotonic); 0: not started */
	int failing;			/* a failure was logged; said again when it works */
	__u64 write_failures;
	__u64 generation;		/* the last one seen, and when it was first seen */
	time_t loaded;
};

struct attachment {
	int ifindex;
	char name[IF_NAMESIZE];
	enum camfence_attach_mode mode;
};

struct daemon {
	/* options */
	const char *config_path;
	const char *socket_path;
	const char *pid_path;
	const char *pin_dir;		/* "" when state is not pinned */
	const char *remote_spec;	/* NULL: local syslog(3) only */
	size_t max_devices, max_flows;
	int no_xdp;			/* camfence.ko alone: the program is loaded, not attached */
	struct cf_alerts_conf alerts_conf;

	struct camfence_loader *loader;
	struct generation cur, prev;
	struct attachment att[CAMFENCE_MAX_IFACES];
	size_t natt;
	struct ring_buffer *rb;
	struct camfence_rtnl *rtnl;
	struct cf_flowtrack *flows;
	struct cf_alerts *alerts;
	struct cf_syslog_remote *remote;
	struct cf_oui_db *oui;		/* NULL when the registry is not installed */
	struct camfence_kmod *kmod;	/* NULL when camfence.ko is not loaded */
	struct camfence_kmod_events *kmod_events;
	__u64 kmod_gen;			/* the module's live generation */
	__u64 kmod_push_failures;
	int epfd, sigfd, ctlfd, timerfd, pidfd;
	time_t started;
	int took_over;			/* started on a pinned state another daemon left */
	int stop;			/* 1: stop, enforcement stays; 2: stop and detach */
	__u64 synced_ns;		/* the flow table was read up to here (monotonic) */
	__u64 reloads, reloads_failed;
	__u64 events_allowed;		/* `allow ... log` lines */
	__u64 events_read;		/* records taken off the XDP ring buffer */
	char hostname[256];
	struct metrics_file metrics;

	/* the names policy sets hold: camfenced_names.c */
	const char *resolver_spec;	/* --resolver; NULL: /etc/resolv.conf */
	unsigned int resolve_min_ttl;	/* the floor on TTLs */
	struct ares_channeldata *resolver;
	struct cf_names *names;
	int names_dirty;		/* a name's addresses changed: compile again */

	/* what DNS tells devices, for `to name` rules: camfenced_learned.c */
	struct camfence_dns_snoop *snoop;	/* NULL: name rules match nothing */
	int snooped[CAMFENCE_MAX_IFACES];	/* interfaces the snooper is on */
	size_t nsnooped;
	struct cf_learned *learned;
	int learned_dirty;		/* entries changed: cached decisions go */
	__u64 learned_answers;		/* addresses taken from answers */
	__u64 dns_results[CF_DNS_NRESULTS];	/* responses read, by enum cf_dns_result */
	__u64 learn_drops[LEARN_NDROPS];	/* answers not learned, by why */

	/* the learning state: camfenced_state.c */
	const char *state_dir;		/* "" when there is none (--state-dir none) */
	time_t state_due;		/* the next write */
	int state_failing;		/* a failure was logged; said again when it works */
};



/* epoll tags */
enum { CAMFENCED_TAG_RINGBUF, CAMFENCED_TAG_SIGNAL, CAMFENCED_TAG_CONTROL, CAMFENCED_TAG_RTNL,
       CAMFENCED_TAG_TIMER, CAMFENCED_TAG_KMOD,
       CAMFENCED_TAG_DNS, CAMFENCED_TAG_DNS_SNOOP };	/* the resolver's sockets: the descriptor in the tag's upper half */

/* camfenced_policy.c */
int camfenced_policy_load(struct daemon *d);
void camfenced_policy_free(struct generation *g);
struct generation *camfenced_policy_generation(struct daemon *d, __u64 number);
/* The names an alert or a listing gives device_id and mac under generation g. */
void camfenced_policy_names(struct daemon *d, const struct generation *g, __u32 device_id,
			    const __u8 mac[6], struct cf_flow_names *out);
/* Whether the policy file names ifname as a zone interface. */
int camfenced_policy_zone_iface(const struct daemon *d, const char *ifname);
struct attachment *camfenced_policy_attachment(struct daemon *d, int ifindex);
void camfenced_policy_detach_all(struct daemon *d);
const char *camfenced_policy_mode_name(enum camfence_attach_mode m);

/* camfenced_events.c */
int camfenced_events_on_ringbuf(void *ctx, void *data, size_t size);
/* An event of generation g (NULL: no longer known), from XDP or the module. */
void camfenced_events_handle(struct daemon *d, const struct camfence_event *ev,
			     struct generation *g);
/* Once a second: the flow table into the flow view, aggregates, losses. */
void camfenced_events_tick(struct daemon *d);
void camfenced_events_on_neigh(const struct camfence_neigh_event *ev, void *ctx);
/* The alerts' sink: syslog(3), and the remote collector when configured. */
void camfenced_events_sink(void *ctx, int priority, const char *line, const struct cf_sd_param *sd,
			   size_t nsd);

/* camfenced_kmod.c: all do nothing when the module is not loaded */
void camfenced_kmod_start(struct daemon *d);
void camfenced_kmod_watch(struct daemon *d);
int camfenced_kmod_push(struct daemon *d, struct generation *g);
void camfenced_kmod_lift(struct daemon *d);
void camfenced_kmod_read(struct daemon *d);
void camfenced_kmod_stop(struct daemon *d);

/* camfenced_metrics.c: the exposition; start writes the file the first
 * time, tick (once a second) when it is due, stop a last time */
int camfenced_metrics_print(struct daemon *d, FILE *f);
/* `camfencectl metrics`: "ok" and the exposition as of now, or "error: ..." */
void camfenced_metrics_reply(struct daemon *d, FILE *f);
void camfenced_metrics_start(struct daemon *d);
void camfenced_metrics_tick(struct daemon *d);
void camfenced_metrics_stop(struct daemon *d);

/* Compile and push the running policy again with what its names hold now;
 * the file is not read again. */
int camfenced_policy_rebind(struct daemon *d);

/* camfenced_names.c */
/* --resolver ADDR, ADDR:PORT or [IPV6]:PORT: 0, or -1 and why in err. */
int camfenced_names_parse_resolver(const char *spec, char *err, size_t len);
int camfenced_names_start(struct daemon *d);
/* The names cfg's sets hold: asked when new; cfg's rules get their addresses. */
void camfenced_names_want(struct daemon *d, struct cf_config *cfg);
void camfenced_names_on_socket(struct daemon *d, uint64_t tag, uint32_t events);
void camfenced_names_tick(struct daemon *d);
void camfenced_names_stop(struct daemon *d);
/* `camfencectl names`: "ok" and each name's addresses, or as JSON */
void camfenced_names_reply(struct daemon *d, FILE *f, int json);

/* camfenced_learned.c */
int camfenced_learned_start(struct daemon *d);
/* The snooper on the live policy's zone interfaces when it has name rules. */
void camfenced_learned_reconcile(struct daemon *d);
/* Fill c->learned (compiled for slot c->slot, staged) from what devices
 * were told: the loader calls it before it publishes c. */
int camfenced_learned_stage(struct daemon *d, struct cf_compiled *c, const struct cf_config *cfg);
void camfenced_learned_read(struct daemon *d);
void camfenced_learned_tick(struct daemon *d);
void camfenced_learned_stop(struct daemon *d);
/* `camfencectl learned`: each device's learned destinations and the counters */
struct json_object *camfenced_learned_json(struct daemon *d);
void camfenced_learned_print(struct json_object *o, FILE *f);
/* `camfencectl devices`: the learned destinations with each device */
void camfenced_learned_devices_json(struct daemon *d, struct json_object *root);
void camfenced_learned_devices_text(struct daemon *d, FILE *f);

/* camfenced_state.c: the learning state (state_file.h) read at start,
 * written every CAMFENCED_STATE_INTERVAL seconds and at stop */
#define CAMFENCED_DEFAULT_STATE_DIR	"/var/lib/camfence"
#define CAMFENCED_STATE_INTERVAL	60
void camfenced_state_start(struct daemon *d);
void camfenced_state_tick(struct daemon *d);
void camfenced_state_stop(struct daemon *d);

/* camfenced_propose.c: `camfencectl propose`; arg a group, a named device, a
 * MAC or NULL (every device); since 0: every flow */
void camfenced_propose_reply(struct daemon *d, FILE *f, const char *arg, time_t since);

/* camfenced_control.c */
void camfenced_control_serve(struct daemon *d);

#endif
