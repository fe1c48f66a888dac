// SPDX-License-Identifier: GPL-2.0
/* The resolved names' addresses and when to ask again: see names.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "policy.h"

struct name {
	char host[CF_HOST_MAX];
	struct cf_names_addr *addrs;
	size_t naddrs;
	uint64_t next_query, answered, ignored;
	unsigned int failures;
	int in_flight;
	char error[96];
};

struct cf_names {
	unsigned int min_ttl;
	struct name *v;
	size_t n;
};

struct cf_names *camfence_names_new(unsigned int min_ttl)
{
	struct cf_names *n = calloc(1, sizeof(*n));

	if (n)
		n->min_ttl = min_ttl ? min_ttl : 1;
	return n;
}

void camfence_names_free(struct cf_names *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		free(n->v[i].addrs);
	free(n->v);
	free(n);
}

static struct name *find(const struct cf_names *n, const char *host)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		if (!strcmp(n->v[i].host, host))
			return &n->v[i];
	return NULL;
}

size_t camfence_names_want(struct cf_names *n, const char *const *hosts, size_t nhosts,
			   uint64_t now)
{
	struct name *v = calloc(nhosts ? nhosts : 1, sizeof(*v));
	size_t i, j, kept = 0, added = 0;

	if (!v)
		return 0;	/* keep what is known: better stale than nothing */
	for (i = 0; i < nhosts; i++) {
		struct name *old = find(n, hosts[i]);

		for (j = 0; j < kept; j++)
			if (!strcmp(v[j].host, hosts[i]))
				break;
		if (j < kept)
			continue;	/* named by two sets */
		if (old) {
			v[kept] = *old;
			old->addrs = NULL;
		} else {
			snprintf(v[kept].host, sizeof(v[kept].host), "%s", hosts[i]);
			v[kept].next_query = now;
			added++;
		}
		kept++;
	}
	for (i = 0; i < n->n; i++)
		free(n->v[i].addrs);
	free(n->v);
	n->v = v;
	n->n = kept;
	return added;
}

const char *camfence_names_next_due(struct cf_names *n, uint64_t now)
{
	size_t i;

	for (i = 0; i < n->n; i++) {
		if (n->v[i].in_flight || n->v[i].next_query > now)
			continue;
		n->v[i].in_flight = 1;
		return n->v[i].host;
	}
	return NULL;
}

int camfence_names_answer(struct cf_names *n, const char *host, const struct cf_prefix *addrs,
			  const uint32_t *ttls, size_t naddrs, uint64_t now)
{
	struct name *nm = find(n, host);
	uint32_t shortest = UINT32_MAX;
	int changed = 0;
	size_t i, j;

	if (!nm)
		return 0;	/* no longer named: a reload forgot it while it was asked */
	if (!naddrs) {
		camfence_names_failed(n, host, "no address", now);
		return 0;
	}
	nm->in_flight = 0;
	nm->failures = 0;
	nm->error[0] = '\0';
	nm->answered = now;
	for (i = 0; i < naddrs; i++) {
		uint32_t ttl = ttls[i] < n->min_ttl ? n->min_ttl : ttls[i];
		uint64_t expires = now + ttl + CF_NAMES_GRACE;

		if (ttl < shortest)
			shortest = ttl;
		for (j = 0; j < nm->naddrs; j++)
			if (nm->addrs[j].addr.family == addrs[i].family &&
			    !memcmp(nm->addrs[j].addr.addr, addrs[i].addr, sizeof(addrs[i].addr)))
				break;
		if (j == nm->naddrs) {
			struct cf_names_addr *grown;

			if (nm->naddrs >= CF_NAMES_MAX_ADDRS) {
				nm->ignored++;
				continue;
			}
			grown = realloc(nm->addrs, (nm->naddrs + 1) * sizeof(*grown));
			if (!grown)
				continue;
			nm->addrs = grown;
			memset(&nm->addrs[j], 0, sizeof(nm->addrs[j]));
			nm->addrs[j].addr = addrs[i];
			nm->naddrs++;
			changed = 1;
		}
		/* an address answered again lives on; one cached by a device
		 * under an earlier answer keeps the expiry it had */
		if (expires > nm->addrs[j].expires)
			nm->addrs[j].expires = expires;
		nm->addrs[j].ttl = ttls[i];
	}
	nm->next_query = now + shortest;
	return changed;
}

unsigned int camfence_names_failed(struct cf_names *n, const char *host, const char *why,
				   uint64_t now)
{
	struct name *nm = find(n, host);
	uint64_t wait;

	if (!nm)
		return 0;
	nm->in_flight = 0;
	nm->failures++;
	snprintf(nm->error, sizeof(nm->error), "%s", why);
	wait = (uint64_t)n->min_ttl << (nm->failures < 16 ? nm->failures - 1 : 15);
	nm->next_query = now + (wait < CF_NAMES_RETRY_MAX ? wait : CF_NAMES_RETRY_MAX);
	return nm->failures;
}

size_t camfence_names_expire(struct cf_names *n, uint64_t now)
{
	size_t i, j, dropped = 0;

	for (i = 0; i < n->n; i++) {
		struct name *nm = &n->v[i];

		for (j = 0; j < nm->naddrs;) {
			if (nm->addrs[j].expires <= now) {
				nm->addrs[j] = nm->addrs[--nm->naddrs];
				dropped++;
			} else {
				j++;
			}
		}
	}
	return dropped;
}

uint64_t camfence_names_next_event(const struct cf_names *n)
{
	uint64_t next = UINT64_MAX;
	size_t i, j;

	for (i = 0; i < n->n; i++) {
		if (!n->v[i].in_flight && n->v[i].next_query < next)
			next = n->v[i].next_query;
		for (j = 0; j < n->v[i].naddrs; j++)
			if (n->v[i].addrs[j].expires < next)
				next = n->v[i].addrs[j].expires;
	}
	return next;
}

static int addr_order(const void *a, const void *b)
{
	const struct cf_prefix *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

size_t camfence_names_lookup(const char *host, struct cf_prefix *out, size_t max, void *ctx)
{
	const struct name *nm = find(ctx, host);
	size_t i, n = 0;

	for (i = 0; nm && i < nm->naddrs && n < max; i++)
		out[n++] = nm->addrs[i].addr;
	/* in one order whatever the answers' order, so an unchanged set
	 * compares equal and is not pushed again */
	qsort(out, n, sizeof(*out), addr_order);
	return n;
}

size_t camfence_names_count(const struct cf_names *n)
{
	return n->n;
}

int camfence_names_entry(const struct cf_names *n, size_t i, struct cf_names_entry *out)
{
	const struct name *nm;

	if (i >= n->n)
		return -1;
	nm = &n->v[i];
	*out = (struct cf_names_entry){
		.host = nm->host, .addrs = nm->addrs, .naddrs = nm->naddrs,
		.next_query = nm->next_query, .answered = nm->answered,
		.failures = nm->failures, .error = nm->error, .ignored = nm->ignored,
		.in_flight = nm->in_flight,
	};
	return 0;
}
