/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client of camfence.ko's generic netlink family (include/camfence_genl.h),
 * over libnl-genl-3. Callers see errno values only, never libnl types; the
 * errno is the kernel's own, and -ENOENT from an open means the module is
 * not loaded. A struct camfence_kmod blocks for at most 5 s per answer
 * (-ETIMEDOUT); the events socket never blocks.
 */
#ifndef CAMFENCE_KMOD_CLIENT_H
#define CAMFENCE_KMOD_CLIENT_H

#include <stddef.h>
#include <linux/types.h>

#include "camfence.h"

struct cf_compiled;

/*
 * Ask the loaded module for its version ("0.1.0", written NUL-terminated
 * into version[len]) and its netlink API number (CAMFENCE_GENL_API).
 * Returns 0, -ENOENT when the family "camfence" does not exist (the module
 * is not loaded), -ERANGE when version[] is too short, -EPROTO on a reply
 * that does not follow camfence_genl.h, -ETIMEDOUT when the kernel does not
 * answer, or another negative errno from the socket.
 */
int camfence_kmod_client_version(char *version, size_t len, unsigned int *api);

/* A message for a value returned here; "camfence.ko is not loaded" for -ENOENT. */
const char *camfence_kmod_client_strerror(int err);

/* One request socket, the family resolved. */
struct camfence_kmod;

int camfence_kmod_open(struct camfence_kmod **out);
void camfence_kmod_close(struct camfence_kmod *k);

/* camfence_kmod_client_version() on an open socket. */
int camfence_kmod_version(struct camfence_kmod *k, char *version, size_t len, unsigned int *api);

/*
 * Make c live as generation gen: POLICY_BEGIN (gen, c->slot), every record
 * of every table in enum camfence_table order in POLICY_ADDs of at most
 * CAMFENCE_GENL_ENTRIES_MAX records, POLICY_COMMIT. gen must be greater
 * than the live generation. On any error POLICY_ABORT follows, the module
 * keeps its live policy, and err says which step failed and why: the
 * kernel's extack message when it gave one. Returns 0 or -errno.
 */
int camfence_kmod_push(struct camfence_kmod *k, const struct cf_compiled *c, __u64 gen,
		       char *err, size_t errlen);

/*
 * The live policy, dumped back: a cf_compiled with the slot and the record
 * tables only (no names, devices or rules), to free with
 * camfence_policy_compiled_free(), and its generation (0, tables empty:
 * none). -EAGAIN when a commit kept changing it under three dumps in a row.
 */
int camfence_kmod_policy_get(struct camfence_kmod *k, struct cf_compiled **out, __u64 *gen);

/*
 * One learned destination of the live policy, which must be generation:
 * LEARNED_SET adds it or replaces its value, LEARNED_DEL removes it.
 * -ESTALE when another generation is live (a push came in between: the
 * update belongs to the policy it was made for, send it again with the new
 * generation if it still applies), -ENOENT when none is, or LEARNED_DEL
 * finds no such key; -EINVAL for a record the module refuses, -E2BIG when
 * it holds CAMFENCE_MAX_LEARNED already. Returns 0 or -errno.
 */
int camfence_kmod_learned_set(struct camfence_kmod *k, __u64 generation,
			      const struct camfence_learned_key *key,
			      const struct camfence_learned *value);
int camfence_kmod_learned_del(struct camfence_kmod *k, __u64 generation,
			      const struct camfence_learned_key *key);

struct camfence_kmod_counters {
	__u64 generation;			/* the live one, 0: none */
	__u64 stats[__CAMFENCE_STAT_MAX];	/* enum camfence_stat */
};

typedef void (*camfence_kmod_device_fn)(__u32 id, const struct camfence_counters *c, void *ctx);
typedef void (*camfence_kmod_rule_fn)(__u32 id, __u64 packets, __u64 bytes, void *ctx);

/*
 * The namespace's counters: out gets the generation and stats; device and
 * rule (either may be NULL) are called for each device and each rule of
 * the live policy the module has counted packets for.
 */
int camfence_kmod_counters(struct camfence_kmod *k, struct camfence_kmod_counters *out,
			   camfence_kmod_device_fn device, camfence_kmod_rule_fn rule, void *ctx);
int camfence_kmod_counters_reset(struct camfence_kmod *k);

/* The "events" multicast group, on a non-blocking socket of its own. */
struct camfence_kmod_events;

struct camfence_kmod_event_stats {
	__u64 delivered;	/* given to the callback */
	__u64 malformed;	/* not following camfence_genl.h, skipped */
	__u64 ignored;		/* other commands, skipped */
	__u64 overruns;		/* socket overran (ENOBUFS): events lost */
};

/* Same shape as libbpf's ring_buffer_sample_fn: data is a struct
 * camfence_event, size its size. A negative return stops the read. */
typedef int (*camfence_kmod_event_fn)(void *ctx, void *data, size_t size);

int camfence_kmod_events_open(struct camfence_kmod_events **out);
int camfence_kmod_events_fd(const struct camfence_kmod_events *e);

/*
 * Read everything waiting and call fn for each event. Returns the number
 * delivered; -ENOBUFS when the socket overran meanwhile (events were lost,
 * those after were still delivered); fn's negative return, the rest of
 * that datagram dropped; or another -errno from the socket.
 */
int camfence_kmod_events_read(struct camfence_kmod_events *e, camfence_kmod_event_fn fn,
			      void *ctx);
void camfence_kmod_events_stats(const struct camfence_kmod_events *e,
				struct camfence_kmod_event_stats *out);
void camfence_kmod_events_close(struct camfence_kmod_events *e);

#endif
