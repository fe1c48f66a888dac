// SPDX-License-Identifier: GPL-2.0
/*
 * RFC 5424 to a remote collector. The daemon's event loop must never wait
 * on the network, so the TCP side is a small state machine driven by each
 * send (and a flush once a second): down, connecting, up. Frames wait in a
 * bounded queue only while a connection is being made or the socket is
 * full; a failure drops what waits, counts it, and holds off the next
 * connect for retry_ms.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "syslog_remote.h"

#define HOSTNAME_MAX	255
#define APP_MAX		48
#define MSGID_MAX	32
#define QUEUE_BYTES	(64 * 1024)
#define QUEUE_FRAMES	256
#define RETRY_MS	2000
#define CONNECT_TIMEOUT_NS (5 * 1000000000ULL)

/* ---- formatting ---- */

struct out {
	char *buf;
	size_t len, pos;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->pos + n >= o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
	o->buf[o->pos] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static int name_char(char c, int sd_name)
{
	if (c <= 32 || c >= 127)
		return 0;
	return !sd_name || (c != '=' && c != ']' && c != '"');
}

/* A header field or SD-NAME: PRINTUSASCII up to max, NILVALUE when empty. */
static void put_name(struct out *o, const char *s, size_t max, int sd_name)
{
	char tmp[HOSTNAME_MAX + 1];
	size_t i;

	if (!s || !*s) {
		put(o, "-", 1);
		return;
	}
	for (i = 0; s[i] && i < max && i < HOSTNAME_MAX; i++)
		tmp[i] = name_char(s[i], sd_name) ? s[i] : '_';
	put(o, tmp, i);
}

static size_t sd_name(char *dst, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < CF_SD_NAME_MAX; i++)
		dst[i] = name_char(s[i], 1) ? s[i] : '_';
	return i;
}

/* ' name="value"' into p, escaped; its length, 0 to leave the param out. */
static size_t sd_param(char *p, const struct cf_sd_param *prm)
{
	size_t n = 0, i, nl;

	p[n++] = ' ';
	nl = sd_name(p + n, prm->name);
	if (!nl)
		return 0;
	n += nl;
	p[n++] = '=';
	p[n++] = '"';
	for (i = 0; prm->value[i] && i < CF_SD_VALUE_MAX - 1; i++) {
		unsigned char c = prm->value[i];

		if (c == '"' || c == '\\' || c == ']')
			p[n++] = '\\';
		p[n++] = c < 32 || c == 127 ? ' ' : c;
	}
	p[n++] = '"';
	return n;
}

static void put_sd(struct out *o, const char *sd_id, const struct cf_sd_param *params,
		   size_t nparams)
{
	char p[1 + CF_SD_NAME_MAX + 3 + 2 * CF_SD_VALUE_MAX];
	char id[CF_SD_NAME_MAX];
	size_t i, n;

	if (!sd_id || !(n = sd_name(id, sd_id))) {
		put(o, "-", 1);
		return;
	}
	put(o, "[", 1);
	put(o, id, n);
	/* a param that does not fit is left out, with room kept for "]" */
	for (i = 0; i < nparams && !o->full; i++) {
		n = sd_param(p, &params[i]);
		if (n && o->pos + n + 1 < o->len)
			put(o, p, n);
	}
	put(o, "]", 1);
}

/* The MSG, cut where it must be, never inside a UTF-8 sequence. */
static void put_msg(struct out *o, const char *msg)
{
	size_t n, room;

	if (!msg || !*msg || o->pos + 2 >= o->len)
		return;
	room = o->len - o->pos - 2;
	n = strlen(msg);
	if (n > room) {
		n = room;
		while (n && ((unsigned char)msg[n] & 0xc0) == 0x80)
			n--;
	}
	if (!n)
		return;
	put(o, " ", 1);
	put(o, msg, n);
}

int camfence_syslog_remote_format(char *buf, size_t len, int facility_severity,
				  const struct timespec *wall, const char *hostname,
				  const char *app, int pid, const char *msgid, const char *sd_id,
				  const struct cf_sd_param *params, size_t nparams, const char *msg)
{
	struct out o = { buf, len, 0, 0 };
	struct timespec now;
	char tmp[64];
	struct tm tm;
	size_t hdr_end;

	if (facility_severity < 0 || facility_severity > 191 || !len) {
		errno = EINVAL;
		return -1;
	}
	buf[0] = '\0';
	if (!wall) {
		clock_gettime(CLOCK_REALTIME, &now);
		wall = &now;
	}
	gmtime_r(&wall->tv_sec, &tm);
	snprintf(tmp, sizeof(tmp), "<%d>1 %04d-%02d-%02dT%02d:%02d:%02d.%06ldZ ", facility_severity,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 wall->tv_nsec / 1000);
	puts_(&o, tmp);
	put_name(&o, hostname, HOSTNAME_MAX, 0);
	put(&o, " ", 1);
	put_name(&o, app, APP_MAX, 0);
	if (pid > 0)
		snprintf(tmp, sizeof(tmp), " %d ", pid);
	else
		snprintf(tmp, sizeof(tmp), " - ");
	puts_(&o, tmp);
	put_name(&o, msgid, MSGID_MAX, 0);
	put(&o, " ", 1);
	hdr_end = o.pos;
	/* the header and an empty element at least, or nothing */
	if (o.full || hdr_end + 2 + (sd_id ? strnlen(sd_id, CF_SD_NAME_MAX) + 1 : 0) >= len) {
		buf[0] = '\0';
		errno = EINVAL;
		return -1;
	}
	put_sd(&o, sd_id, params, nparams);
	put_msg(&o, msg);
	return (int)o.pos;
}

/* ---- transport ---- */

enum state { DOWN, CONNECTING, UP };

struct cf_syslog_remote {
	char *spec;
	int type;			/* SOCK_DGRAM or SOCK_STREAM */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int fd;
	enum state state;
	uint64_t retry_ns, next_try_ns, connect_ns;
	uint64_t sent, dropped;
	/* TCP: whole frames waiting, the first maybe partly written */
	size_t qlen;
	uint32_t frames[QUEUE_FRAMES];	/* lengths, a ring */
	size_t fhead, fn, first_left;
	char q[QUEUE_BYTES];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int bad_spec(char *err, size_t errlen, const char *spec, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad_spec(char *err, size_t errlen, const char *spec, const char *fmt, ...)
{
	int n = snprintf(err, errlen, "remote syslog '%.100s': ", spec);
	va_list ap;

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int parse_port(const char *spec, const char *s, uint16_t *port, char *err, size_t errlen)
{
	unsigned long v = 0;
	const char *p;

	if (!*s)
		return bad_spec(err, errlen, spec, "no port after ':'%s", "");
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return bad_spec(err, errlen, spec, "port '%.20s' is not a number", s);
		if (v <= 65535)
			v = v * 10 + (*p - '0');
	}
	if (!v || v > 65535)
		return bad_spec(err, errlen, spec, "port '%.20s' is out of range (1-65535)", s);
	*port = v;
	return 0;
}

static int resolve(struct cf_syslog_remote *r, const char *host, uint16_t port, int ipv6_only,
		   char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res;
	char serv[8];
	int ret;

	hints.ai_family = ipv6_only ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = r->type;
	hints.ai_flags = AI_NUMERICSERV | (ipv6_only ? AI_NUMERICHOST : 0);
	snprintf(serv, sizeof(serv), "%u", port);
	ret = getaddrinfo(host, serv, &hints, &res);
	if (ret) {
		char why[300];

		if (ipv6_only)
			snprintf(why, sizeof(why), "'%.60s' is not an IPv6 address", host);
		else
			snprintf(why, sizeof(why), "cannot resolve '%.60s': %s", host,
				 ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return bad_spec(err, errlen, r->spec, "%s", why);
	}
	memcpy(&r->addr, res->ai_addr, res->ai_addrlen);
	r->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int parse_spec(struct cf_syslog_remote *r, char *err, size_t errlen)
{
	const char *spec = r->spec, *rest = spec + 6, *colon;
	char host[256];
	uint16_t port = 514;
	size_t hl;
	int v6 = 0;

	if (!strncmp(spec, "udp://", 6))
		r->type = SOCK_DGRAM;
	else if (!strncmp(spec, "tcp://", 6))
		r->type = SOCK_STREAM;
	else
		return bad_spec(err, errlen, spec,
				"expected udp://HOST[:PORT] or tcp://HOST[:PORT]%s", "");
	if (*rest == '[') {
		const char *end = strchr(rest, ']');

		if (!end)
			return bad_spec(err, errlen, spec, "missing ']' after the IPv6 address%s", "");
		if (end[1] && end[1] != ':')
			return bad_spec(err, errlen, spec, "unexpected '%.20s' after ']'", end + 1);
		hl = end - rest - 1;
		rest++;
		colon = end[1] ? end + 1 : NULL;
		v6 = 1;
	} else {
		colon = strchr(rest, ':');
		if (colon && strchr(colon + 1, ':'))
			return bad_spec(err, errlen, spec,
					"an IPv6 address goes in brackets, as in %.3s://[2001:db8::1]:514",
					spec);
		hl = colon ? (size_t)(colon - rest) : strlen(rest);
	}
	if (!hl)
		return bad_spec(err, errlen, spec, "no host; expected %.3s://HOST[:PORT]", spec);
	if (hl >= sizeof(host) - 1 || hl > 253)
		return bad_spec(err, errlen, spec, "host name is too long (253 at most)%s", "");
	memcpy(host, rest, hl);
	host[hl] = '\0';
	if (colon && parse_port(spec, colon + 1, &port, err, errlen))
		return -1;
	return resolve(r, host, port, v6, err, errlen);
}

struct cf_syslog_remote *camfence_syslog_remote_open(const char *spec, char *err, size_t errlen)
{
	struct cf_syslog_remote *r = calloc(1, sizeof(*r));

	if (!r || !(r->spec = strdup(spec))) {
		snprintf(err, errlen, "remote syslog: out of memory");
		free(r);
		return NULL;
	}
	r->fd = -1;
	r->retry_ns = RETRY_MS * 1000000ULL;
	if (parse_spec(r, err, errlen))
		goto err;
	if (r->type == SOCK_DGRAM) {
		r->fd = socket(r->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (r->fd < 0) {
			bad_spec(err, errlen, spec, "cannot open a UDP socket: %s", strerror(errno));
			goto err;
		}
	}
	return r;
err:
	camfence_syslog_remote_close(r);
	return NULL;
}

void camfence_syslog_remote_close(struct cf_syslog_remote *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->spec);
	free(r);
}

const char *camfence_syslog_remote_spec(const struct cf_syslog_remote *r)
{
	return r->spec;
}

void camfence_syslog_remote_set_retry(struct cf_syslog_remote *r, unsigned int ms)
{
	r->retry_ns = ms * 1000000ULL;
}

void camfence_syslog_remote_stats(const struct cf_syslog_remote *r, uint64_t *sent,
				  uint64_t *dropped)
{
	*sent = r->sent;
	*dropped = r->dropped;
}

/* The connection is gone: what waits for it is lost, and counted. */
static void fail(struct cf_syslog_remote *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->dropped += r->fn;
	r->fn = r->fhead = r->qlen = r->first_left = 0;
	r->state = DOWN;
	r->next_try_ns = mono_ns() + r->retry_ns;
}

static void wrote(struct cf_syslog_remote *r, size_t n)
{
	memmove(r->q, r->q + n, r->qlen - n);
	r->qlen -= n;
	while (n && r->fn) {
		size_t take = n < r->first_left ? n : r->first_left;

		r->first_left -= take;
		n -= take;
		if (!r->first_left) {
			r->sent++;
			r->fhead = (r->fhead + 1) % QUEUE_FRAMES;
			if (--r->fn)
				r->first_left = r->frames[r->fhead];
		}
	}
}

static void write_queue(struct cf_syslog_remote *r)
{
	ssize_t n;

	while (r->state == UP && r->qlen) {
		n = send(r->fd, r->q, r->qlen, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			fail(r);
			return;
		}
		wrote(r, n);
	}
}

/* A collector says nothing; a read of 0 is its close, which a send would
 * only notice one message too late. */
static int peer_closed(struct cf_syslog_remote *r)
{
	char junk[256];
	int i;

	for (i = 0; i < 16; i++) {
		ssize_t n = recv(r->fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 0;
		return 1;
	}
	return 0;
}

static void start_connect(struct cf_syslog_remote *r, uint64_t now)
{
	r->fd = socket(r->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		fail(r);
		return;
	}
	r->connect_ns = now;
	if (!connect(r->fd, (struct sockaddr *)&r->addr, r->addrlen))
		r->state = UP;
	else if (errno == EINPROGRESS)
		r->state = CONNECTING;
	else
		fail(r);
}

static void connect_done(struct cf_syslog_remote *r, uint64_t now)
{
	struct pollfd p = { .fd = r->fd, .events = POLLOUT };
	socklen_t sl = sizeof(int);
	int e = 0;

	if (poll(&p, 1, 0) <= 0) {
		if (now - r->connect_ns > CONNECT_TIMEOUT_NS)
			fail(r);
		return;
	}
	if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &e, &sl) || e)
		fail(r);
	else
		r->state = UP;
}

/* Moves the connection on as far as it goes without waiting. */
static void advance(struct cf_syslog_remote *r)
{
	uint64_t now = mono_ns();

	if (r->state == DOWN && now >= r->next_try_ns)
		start_connect(r, now);
	if (r->state == CONNECTING)
		connect_done(r, now);
	if (r->state == UP && peer_closed(r))
		fail(r);
	write_queue(r);
}

void camfence_syslog_remote_flush(struct cf_syslog_remote *r)
{
	if (r && r->type == SOCK_STREAM && (r->state != DOWN || r->fn))
		advance(r);
}

static int send_udp(struct cf_syslog_remote *r, const char *msg, size_t len)
{
	ssize_t n;

	do
		n = sendto(r->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&r->addr,
			   r->addrlen);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		r->dropped++;
		return -1;
	}
	r->sent++;
	return 0;
}

int camfence_syslog_remote_send(struct cf_syslog_remote *r, const char *msg, size_t len)
{
	uint64_t dropped = r->dropped;
	char hdr[24];
	int hl;

	if (r->type == SOCK_DGRAM)
		return send_udp(r, msg, len);
	advance(r);
	hl = snprintf(hdr, sizeof(hdr), "%zu ", len);
	if (r->state == DOWN || r->fn == QUEUE_FRAMES || r->qlen + hl + len > QUEUE_BYTES) {
		r->dropped++;
		return -1;
	}
	memcpy(r->q + r->qlen, hdr, hl);
	memcpy(r->q + r->qlen + hl, msg, len);
	r->qlen += hl + len;
	r->frames[(r->fhead + r->fn) % QUEUE_FRAMES] = hl + len;
	if (!r->fn++)
		r->first_left = hl + len;
	write_queue(r);
	return r->dropped == dropped ? 0 : -1;
}
