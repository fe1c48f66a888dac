/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The addresses of the host names that policy sets hold (`resolve HOST`),
 * as camfenced's resolver learned them: each address is kept for the TTL it
 * was answered with (at least the floor) plus a grace, whatever later
 * answers say, so a device that cached an answer is not cut off before its
 * cache expires. A name is asked again when its shortest TTL runs out; a
 * failed question is retried sooner, backing off, and the addresses already
 * known stay until they expire: after that the name holds nothing and rules
 * that name it match nothing (fail closed).
 *
 * No I/O here: times are given by the caller (monotonic seconds), so the
 * rules above are tested without a resolver.
 */
#ifndef CAMFENCE_NAMES_H
#define CAMFENCE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define CF_NAMES_GRACE		10	/* seconds an address outlives its TTL */
#define CF_NAMES_RETRY_MAX	300	/* the longest wait before asking again after a failure */
#define CF_NAMES_MAX_ADDRS	64	/* per name: more are ignored, counted */

struct cf_names;

struct cf_names_addr {
	struct cf_prefix addr;		/* a host: /32 or /128 */
	uint64_t expires;
	uint32_t ttl;			/* as last answered */
};

/* One name as the resolver knows it, for listings. */
struct cf_names_entry {
	const char *host;
	const struct cf_names_addr *addrs;
	size_t naddrs;
	uint64_t next_query;		/* when it is asked again */
	uint64_t answered;		/* when the last answer came, 0: never */
	unsigned int failures;		/* failed questions in a row */
	const char *error;		/* the last failure's reason, "" when none */
	uint64_t ignored;		/* addresses beyond CF_NAMES_MAX_ADDRS */
	int in_flight;
};

/* min_ttl: the floor on TTLs, so a name answered with TTL 0 is not asked
 * (and the policy regenerated) over and over. */
struct cf_names *camfence_names_new(unsigned int min_ttl);
void camfence_names_free(struct cf_names *n);

/* The names the running policy holds: new ones are due at once, those no
 * longer named are forgotten. Returns how many were added. */
size_t camfence_names_want(struct cf_names *n, const char *const *hosts, size_t nhosts,
			   uint64_t now);
/* A name due for a question at now, marked in flight; NULL when none is. */
const char *camfence_names_next_due(struct cf_names *n, uint64_t now);
/* An answer for host: addresses and their TTLs. Returns 1 when the
 * addresses host holds changed (one was added), 0 otherwise. An answer with
 * no address counts as a failure ("no address"). */
int camfence_names_answer(struct cf_names *n, const char *host, const struct cf_prefix *addrs,
			  const uint32_t *ttls, size_t naddrs, uint64_t now);
/* A failed question: retried after the floor doubled per failure in a row,
 * at most CF_NAMES_RETRY_MAX. Returns the failures in a row (1: the first
 * of a streak, worth a log line). */
unsigned int camfence_names_failed(struct cf_names *n, const char *host, const char *why,
				   uint64_t now);
/* Drop addresses past their expiry; returns how many were dropped. */
size_t camfence_names_expire(struct cf_names *n, uint64_t now);
/* The earliest time something is due: a question or an expiry; UINT64_MAX: never. */
uint64_t camfence_names_next_event(const struct cf_names *n);
/* The live addresses of host, for camfence_policy_bind_names(). */
size_t camfence_names_lookup(const char *host, struct cf_prefix *out, size_t max, void *n);
size_t camfence_names_count(const struct cf_names *n);
int camfence_names_entry(const struct cf_names *n, size_t i, struct cf_names_entry *out);

#endif
