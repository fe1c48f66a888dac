// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced's resolver for the host names policy sets hold: c-ares on the
 * daemon's epoll loop (its sockets are watched like any other descriptor,
 * its timeouts run on the one-second tick), answers into the name cache
 * (names.c), and a new policy generation whenever what a name holds
 * changes. The file is not read again for that: the running policy is
 * compiled anew with the names' addresses of now.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <time.h>

#include "camfenced.h"
#include "log.h"
#include "names.h"
#include "policy.h"

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* c-ares opens and closes its sockets as it goes: each is watched while
 * it wants to be, tagged with its descriptor. */
static void sock_state(void *ctx, ares_socket_t fd, int readable, int writable)
{
	struct daemon *d = ctx;
	struct epoll_event ev = {
		.events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0),
		.data.u64 = ((uint64_t)(uint32_t)fd << 32) | CAMFENCED_TAG_DNS,
	};

	if (!readable && !writable) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, fd, &ev) && errno == ENOENT &&
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev))
		camfence_log(LOG_ERR, "resolver: cannot watch its socket: %s", strerror(errno));
}

/* Which sets name host, for log lines. */
static const char *sets_naming(const struct cf_config *cfg, const char *host, char *buf, size_t len)
{
	size_t i, j, off = 0;

	buf[0] = '\0';
	for (i = 0; cfg && i < cfg->sets.n; i++)
		for (j = 0; j < cfg->sets.v[i].names.n; j++)
			if (!strcmp(cfg->sets.v[i].names.v[j].host, host) && off < len)
				off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
						cfg->sets.v[i].name);
	return buf;
}

/* The question in flight for each name: c-ares hands the callback only
 * what it was given, so each question carries its own copy of the name. */
struct question {
	struct daemon *d;
	char host[CF_HOST_MAX];
};

static void answered(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct question *q = arg;
	struct daemon *d = q->d;
	struct cf_prefix addrs[CF_NAMES_MAX_ADDRS + 8];
	uint32_t ttls[CF_NAMES_MAX_ADDRS + 8], chain = UINT32_MAX;
	struct ares_addrinfo_node *node;
	struct ares_addrinfo_cname *cn;
	size_t n = 0;
	char sets[128];

	(void)timeouts;
	if (status == ARES_SUCCESS && res) {
		/* a chain of aliases is valid only as long as its shortest link */
		for (cn = res->cnames; cn; cn = cn->next)
			if ((uint32_t)cn->ttl < chain)
				chain = cn->ttl;
		for (node = res->nodes; node && n < sizeof(addrs) / sizeof(addrs[0]);
		     node = node->ai_next) {
			struct cf_prefix *p = &addrs[n];

			memset(p, 0, sizeof(*p));
			p->family = node->ai_family;
			if (node->ai_family == AF_INET) {
				memcpy(p->addr, &((struct sockaddr_in *)node->ai_addr)->sin_addr, 4);
				p->len = 32;
			} else if (node->ai_family == AF_INET6) {
				memcpy(p->addr, &((struct sockaddr_in6 *)node->ai_addr)->sin6_addr, 16);
				p->len = 128;
			} else {
				continue;
			}
			ttls[n++] = (uint32_t)node->ai_ttl < chain ? (uint32_t)node->ai_ttl : chain;
		}
	}
	if (res)
		ares_freeaddrinfo(res);
	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || !d->names) {
		free(q);
		return;
	}
	if (n) {
		struct cf_names_entry e;
		unsigned int failures = 0;
		size_t i;

		for (i = 0; i < camfence_names_count(d->names); i++)
			if (!camfence_names_entry(d->names, i, &e) && !strcmp(e.host, q->host))
				failures = e.failures;
		if (camfence_names_answer(d->names, q->host, addrs, ttls, n, now_s())) {
			d->names_dirty = 1;
			camfence_log(LOG_INFO, "name %s (set %s): new addresses answered",
				     q->host, sets_naming(d->cur.cfg, q->host, sets, sizeof(sets)));
		}
		if (failures)
			camfence_log(LOG_NOTICE, "name %s resolves again", q->host);
	} else {
		const char *why = status == ARES_SUCCESS ? "no address" : ares_strerror(status);

		if (camfence_names_failed(d->names, q->host, why, now_s()) == 1) {
			struct cf_prefix any;

			camfence_log(LOG_WARNING, "name %s (set %s): cannot resolve: %s; %s", q->host,
				     sets_naming(d->cur.cfg, q->host, sets, sizeof(sets)), why,
				     camfence_names_lookup(q->host, &any, 1, d->names) ?
				     "the addresses it had stay until their TTL runs out" :
				     "it holds no address: rules naming its set match nothing of it");
		}
	}
	free(q);
}

static void ask_due(struct daemon *d)
{
	const char *host;
	uint64_t now = now_s();

	while ((host = camfence_names_next_due(d->names, now))) {
		struct question *q = calloc(1, sizeof(*q));
		struct ares_addrinfo_hints hints = {
			.ai_family = AF_UNSPEC,
			/* sorting by RFC 6724 connects sockets: the order is not used */
			.ai_flags = ARES_AI_NOSORT,
		};

		if (!q) {
			camfence_names_failed(d->names, host, "out of memory", now);
			continue;
		}
		q->d = d;
		snprintf(q->host, sizeof(q->host), "%s", host);
		ares_getaddrinfo(d->resolver, q->host, NULL, &hints, answered, q);
	}
}

/* Compile the running policy again with what its names hold now. */
static void regenerate(struct daemon *d)
{
	if (!d->names_dirty || !d->cur.cfg)
		return;
	d->names_dirty = 0;
	if (camfenced_policy_rebind(d))
		d->names_dirty = 1;	/* the running generation stays; tried again next tick */
}

int camfenced_names_parse_resolver(const char *spec, char *err, size_t len)
{
	char host[INET6_ADDRSTRLEN + 2], buf[16];
	const char *port = NULL, *close;
	size_t hl;

	if (spec[0] == '[') {
		close = strchr(spec, ']');
		if (!close || (close[1] && close[1] != ':')) {
			snprintf(err, len, "expected [IPV6]:PORT");
			return -1;
		}
		hl = close - spec - 1;
		port = close[1] ? close + 2 : NULL;
		spec++;
	} else if (strchr(spec, ':') == strrchr(spec, ':') && strchr(spec, ':')) {
		port = strchr(spec, ':') + 1;
		hl = port - spec - 1;
	} else {
		hl = strlen(spec);	/* IPv4, or IPv6 without a port */
	}
	if (hl >= sizeof(host)) {
		snprintf(err, len, "not an IPv4 or IPv6 address");
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1) {
		snprintf(err, len, "'%s' is not an IPv4 or IPv6 address", host);
		return -1;
	}
	if (port) {
		char *end;
		unsigned long p = strtoul(port, &end, 10);

		if (!*port || *end || !p || p > 65535 || port[0] == '-' || port[0] == '+') {
			snprintf(err, len, "port '%s' is not a number from 1 to 65535", port);
			return -1;
		}
	}
	return 0;
}

int camfenced_names_start(struct daemon *d)
{
	struct ares_options o = {
		.sock_state_cb = sock_state,
		.sock_state_cb_data = d,
		/* DNS only: an /etc/hosts entry carries no TTL to keep it by */
		.lookups = (char *)"b",
	};
	int ret;

	ret = ares_library_init(ARES_LIB_INIT_ALL);
	if (ret == ARES_SUCCESS)
		ret = ares_init_options(&d->resolver, &o, ARES_OPT_SOCK_STATE_CB | ARES_OPT_LOOKUPS);
	if (ret != ARES_SUCCESS) {
		camfence_log(LOG_ERR, "resolver: %s", ares_strerror(ret));
		return -1;
	}
	if (d->resolver_spec) {
		ret = ares_set_servers_ports_csv(d->resolver, d->resolver_spec);
		if (ret != ARES_SUCCESS) {
			camfence_log(LOG_ERR, "--resolver %s: %s", d->resolver_spec, ares_strerror(ret));
			return -1;
		}
	}
	d->names = camfence_names_new(d->resolve_min_ttl);
	if (!d->names) {
		camfence_log(LOG_ERR, "out of memory");
		return -1;
	}
	camfenced_names_want(d, d->cur.cfg);
	return 0;
}

static size_t nothing_yet(const char *host, struct cf_prefix *out, size_t max, void *ctx)
{
	return 0;
}

void camfenced_names_want(struct daemon *d, struct cf_config *cfg)
{
	CF_VEC(const char *) hosts = { 0 };
	size_t i, j;

	if (!cfg)
		return;
	if (d->names) {
		for (i = 0; i < cfg->sets.n; i++)
			for (j = 0; j < cfg->sets.v[i].names.n; j++)
				*CF_VEC_PUSH(hosts) = cfg->sets.v[i].names.v[j].host;
		camfence_names_want(d->names, hosts.v, hosts.n, now_s());
		free(hosts.v);
		ask_due(d);
	}
	/* before the resolver runs (the first load), names hold nothing yet */
	camfence_policy_bind_names(cfg, d->names ? camfence_names_lookup : nothing_yet, d->names);
}

void camfenced_names_on_socket(struct daemon *d, uint64_t tag, uint32_t events)
{
	ares_socket_t fd = (ares_socket_t)(tag >> 32);

	ares_process_fd(d->resolver, events & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd : ARES_SOCKET_BAD,
			events & EPOLLOUT ? fd : ARES_SOCKET_BAD);
	regenerate(d);
}

void camfenced_names_tick(struct daemon *d)
{
	if (!d->names)
		return;
	/* c-ares's timeouts and retries */
	ares_process_fd(d->resolver, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (camfence_names_expire(d->names, now_s()))
		d->names_dirty = 1;
	ask_due(d);
	regenerate(d);
}

void camfenced_names_stop(struct daemon *d)
{
	if (!d->names)
		return;
	/* answers still coming are dropped: the cache goes first */
	camfence_names_free(d->names);
	d->names = NULL;
	ares_destroy(d->resolver);
	ares_library_cleanup();
}

/* `camfencectl names`: each name, the sets that hold it, what it holds now
 * and until when, and how its last question went. */
void camfenced_names_reply(struct daemon *d, FILE *f, int json)
{
	json_object *arr = json_object_new_array();
	uint64_t now = now_s();
	struct cf_names_entry e;
	size_t i, j;

	for (i = 0; d->names && !camfence_names_entry(d->names, i, &e); i++) {
		json_object *x = json_object_new_object(), *addrs = json_object_new_array();
		char sets[256], buf[INET6_ADDRSTRLEN + 4];

		json_object_object_add(x, "name", json_object_new_string(e.host));
		json_object_object_add(x, "sets", json_object_new_string(
			sets_naming(d->cur.cfg, e.host, sets, sizeof(sets))));
		for (j = 0; j < e.naddrs; j++) {
			json_object *a = json_object_new_object();

			camfence_addr_prefix_str(&e.addrs[j].addr, buf, sizeof(buf));
			buf[strcspn(buf, "/")] = '\0';
			json_object_object_add(a, "address", json_object_new_string(buf));
			json_object_object_add(a, "ttl", json_object_new_int64(e.addrs[j].ttl));
			json_object_object_add(a, "expires_in",
					       json_object_new_int64(e.addrs[j].expires - now));
			json_object_array_add(addrs, a);
		}
		json_object_object_add(x, "addresses", addrs);
		json_object_object_add(x, "asking", json_object_new_boolean(e.in_flight));
		json_object_object_add(x, "next_question_in", json_object_new_int64(
			e.in_flight || e.next_query <= now ? 0 : (int64_t)(e.next_query - now)));
		json_object_object_add(x, "answered_ago", e.answered ?
				       json_object_new_int64(now - e.answered) : NULL);
		json_object_object_add(x, "failures", json_object_new_int64(e.failures));
		json_object_object_add(x, "error", e.error[0] ? json_object_new_string(e.error) : NULL);
		json_object_object_add(x, "ignored_addresses", json_object_new_int64(e.ignored));
		json_object_array_add(arr, x);
	}
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "names", arr);
		fprintf(f, "ok\n%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	fprintf(f, "ok\n");
	if (!json_object_array_length(arr))
		fprintf(f, "no set of the policy holds a name\n");
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *x = json_object_array_get_idx(arr, i), *addrs, *v;

		json_object_object_get_ex(x, "addresses", &addrs);
		fprintf(f, "%s (set %s): ", json_object_get_string(json_object_object_get(x, "name")),
			json_object_get_string(json_object_object_get(x, "sets")));
		if (json_object_object_get_ex(x, "error", &v) && v)
			fprintf(f, "cannot resolve (%s, %lld times in a row); ", json_object_get_string(v),
				(long long)json_object_get_int64(json_object_object_get(x, "failures")));
		if (json_object_get_boolean(json_object_object_get(x, "asking")))
			fprintf(f, "asking now\n");
		else
			fprintf(f, "asked again in %lld s\n", (long long)json_object_get_int64(
				json_object_object_get(x, "next_question_in")));
		if (!json_object_array_length(addrs))
			fprintf(f, "  no address: rules naming its sets match nothing of it\n");
		for (j = 0; j < json_object_array_length(addrs); j++) {
			json_object *a = json_object_array_get_idx(addrs, j);

			fprintf(f, "  %-39s  TTL %6lld s  kept %6lld s more\n",
				json_object_get_string(json_object_object_get(a, "address")),
				(long long)json_object_get_int64(json_object_object_get(a, "ttl")),
				(long long)json_object_get_int64(json_object_object_get(a, "expires_in")));
		}
	}
	json_object_put(arr);
}
