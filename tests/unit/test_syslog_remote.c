// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "syslog_remote.h"
#include "unit.h"

static const struct timespec wall = { 1764536405, 123456789 };	/* 2025-11-30T21:00:05Z */

static struct cf_sd_param prm(const char *name, const char *value)
{
	struct cf_sd_param p;

	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.value, sizeof(p.value), "%s", value);
	return p;
}

START_TEST(format_golden)
{
	struct cf_sd_param sd[] = {
		prm("device", "yi-cam1"),
		prm("vendor", "a\"b\\c]d"),
		prm("dport", "32100"),
	};
	char buf[1024];
	int n;

	n = camfence_syslog_remote_format(buf, sizeof(buf), LOG_DAEMON | LOG_WARNING, &wall, "router",
					  "camfenced", 1234, "alert", CAMFENCE_SD_ID, sd, 3,
					  "blocked udp 192.168.10.204:25508 -> 47.88.59.209:32100");
	ck_assert_str_eq(buf,
			 "<28>1 2025-11-30T21:00:05.123456Z router camfenced 1234 alert "
			 "[camfence@32473 device=\"yi-cam1\" vendor=\"a\\\"b\\\\c\\]d\" dport=\"32100\"] "
			 "blocked udp 192.168.10.204:25508 -> 47.88.59.209:32100");
	ck_assert_int_eq(n, strlen(buf));

	/* no params: an empty element */
	camfence_syslog_remote_format(buf, sizeof(buf), LOG_USER | LOG_INFO, &wall, "r", "a", 1, "m",
				      CAMFENCE_SD_ID, NULL, 0, "hi");
	ck_assert_str_eq(buf, "<14>1 2025-11-30T21:00:05.123456Z r a 1 m [camfence@32473] hi");
}
END_TEST

START_TEST(format_nil_and_limits)
{
	char buf[1024], longname[300], expect[400];
	struct cf_sd_param sd[] = {
		prm("a=b c]\"d", "line\none"),
		prm("", "nameless"),
		prm("x", ""),
	};

	camfence_syslog_remote_format(buf, sizeof(buf), 0, &wall, NULL, "", 0, NULL, NULL, NULL, 0,
				      NULL);
	ck_assert_str_eq(buf, "<0>1 2025-11-30T21:00:05.123456Z - - - - -");

	/* names: printable ASCII, no space; SD-NAMEs also without = ] " */
	camfence_syslog_remote_format(buf, sizeof(buf), 191, &wall, "my host", "cam\tfenced", 7,
				      "0123456789012345678901234567890123456789", "id=x", sd, 3, "");
	ck_assert_str_eq(buf, "<191>1 2025-11-30T21:00:05.123456Z my_host cam_fenced 7 "
			      "01234567890123456789012345678901 [id_x a_b_c__d=\"line one\" x=\"\"]");

	/* a hostname of 300 characters is cut to 255 */
	memset(longname, 'h', 299);
	longname[299] = '\0';
	camfence_syslog_remote_format(buf, sizeof(buf), 13, &wall, longname, "a", 1, "m", NULL, NULL,
				      0, NULL);
	snprintf(expect, sizeof(expect), "<13>1 2025-11-30T21:00:05.123456Z %.255s a 1 m -", longname);
	ck_assert_str_eq(buf, expect);

	errno = 0;
	ck_assert_int_eq(camfence_syslog_remote_format(buf, sizeof(buf), 192, &wall, "h", "a", 1, "m",
						       NULL, NULL, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(camfence_syslog_remote_format(buf, sizeof(buf), -1, &wall, "h", "a", 1, "m",
						       NULL, NULL, 0, NULL), -1);
}
END_TEST

START_TEST(format_truncates_safely)
{
	static const char head[] = "<28>1 2025-11-30T21:00:05.123456Z h a 1 m ";
	struct cf_sd_param sd[] = { prm("one", "1111111111"), prm("two", "2222222222") };
	char buf[200];
	size_t len;
	int n;

	/* room for the first param but not the second: the element stays whole */
	len = sizeof(head) - 1 + strlen("[camfence@32473 one=\"1111111111\"]") + 1;
	n = camfence_syslog_remote_format(buf, len, 28, &wall, "h", "a", 1, "m", CAMFENCE_SD_ID, sd,
					  2, "message");
	ck_assert_str_eq(buf, "<28>1 2025-11-30T21:00:05.123456Z h a 1 m [camfence@32473 one=\"1111111111\"]");
	ck_assert_int_eq(n, len - 1);

	/* the message is cut, never inside a UTF-8 character ("é" is 2 bytes) */
	len = sizeof(head) - 1 + 1 + 5 + 1;
	n = camfence_syslog_remote_format(buf, len, 28, &wall, "h", "a", 1, "m", NULL, NULL, 0,
					  "abc\xc3\xa9xyz");
	ck_assert_str_eq(buf, "<28>1 2025-11-30T21:00:05.123456Z h a 1 m - abc");
	ck_assert_int_eq(n, strlen(buf));

	/* no room for the header: nothing, and -1 */
	ck_assert_int_eq(camfence_syslog_remote_format(buf, 20, 28, &wall, "h", "a", 1, "m", NULL,
						       NULL, 0, "x"), -1);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(bad_specs)
{
	static const struct {
		const char *spec, *msg;
	} cases[] = {
		{ "tcp:/x", "remote syslog 'tcp:/x': expected udp://HOST[:PORT] or tcp://HOST[:PORT]" },
		{ "syslog.example", "remote syslog 'syslog.example': expected udp://HOST[:PORT] or tcp://HOST[:PORT]" },
		{ "udp://", "remote syslog 'udp://': no host; expected udp://HOST[:PORT]" },
		{ "tcp://:514", "remote syslog 'tcp://:514': no host; expected tcp://HOST[:PORT]" },
		{ "udp://127.0.0.1:99999", "remote syslog 'udp://127.0.0.1:99999': port '99999' is out of range (1-65535)" },
		{ "udp://127.0.0.1:0", "remote syslog 'udp://127.0.0.1:0': port '0' is out of range (1-65535)" },
		{ "udp://127.0.0.1:", "remote syslog 'udp://127.0.0.1:': no port after ':'" },
		{ "tcp://127.0.0.1:syslog", "remote syslog 'tcp://127.0.0.1:syslog': port 'syslog' is not a number" },
		{ "udp://127.0.0.1:514/", "remote syslog 'udp://127.0.0.1:514/': port '514/' is not a number" },
		{ "udp://[::1", "remote syslog 'udp://[::1': missing ']' after the IPv6 address" },
		{ "udp://[::1]x", "remote syslog 'udp://[::1]x': unexpected 'x' after ']'" },
		{ "udp://[zz::1]:514", "remote syslog 'udp://[zz::1]:514': 'zz::1' is not an IPv6 address" },
		{ "udp://::1:514", "remote syslog 'udp://::1:514': an IPv6 address goes in brackets, as in udp://[2001:db8::1]:514" },
	};
	static const char unresolved[] =
		"remote syslog 'udp://no-such-host.invalid': cannot resolve 'no-such-host.invalid': ";
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(!camfence_syslog_remote_open(cases[i].spec, err, sizeof(err)), "%s",
			      cases[i].spec);
		ck_assert_str_eq(err, cases[i].msg);
	}
	/* a name that cannot be resolved says so */
	ck_assert_ptr_null(camfence_syslog_remote_open("udp://no-such-host.invalid", err, sizeof(err)));
	ck_assert_msg(!strncmp(err, unresolved, strlen(unresolved)), "%s", err);
}
END_TEST

static int bound(int family, int type, int *port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = family == AF_INET6 ? sizeof(*sin6) : sizeof(*sin);
	int fd = socket(family, type, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons(*port);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons(*port);
	}
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, sl), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	*port = ntohs(family == AF_INET6 ? sin6->sin6_port : sin->sin_port);
	if (type == SOCK_STREAM)
		ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 2000) == 1;
}

static void recv_is(int fd, const char *expect)
{
	char buf[512];
	ssize_t n, got = 0, want = strlen(expect);

	while (got < want) {
		ck_assert_msg(wait_readable(fd), "nothing received, expected '%s'", expect);
		n = recv(fd, buf + got, want - got, 0);
		ck_assert_int_gt(n, 0);
		got += n;
	}
	buf[got] = '\0';
	ck_assert_str_eq(buf, expect);
}

static void stats_are(struct cf_syslog_remote *r, uint64_t sent, uint64_t dropped)
{
	uint64_t s, d;

	camfence_syslog_remote_stats(r, &s, &d);
	ck_assert_uint_eq(s, sent);
	ck_assert_uint_eq(d, dropped);
}

static void udp_roundtrip(int family)
{
	struct cf_syslog_remote *r;
	char spec[64], err[256];
	int port = 0, fd = bound(family, SOCK_DGRAM, &port);

	snprintf(spec, sizeof(spec), family == AF_INET6 ? "udp://[::1]:%d" : "udp://127.0.0.1:%d", port);
	r = camfence_syslog_remote_open(spec, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_str_eq(camfence_syslog_remote_spec(r), spec);
	ck_assert_int_eq(camfence_syslog_remote_send(r, "<28>1 - - - - - - one", 21), 0);
	ck_assert_int_eq(camfence_syslog_remote_send(r, "<28>1 - - - - - - two", 21), 0);
	/* one datagram each, no framing */
	recv_is(fd, "<28>1 - - - - - - one");
	recv_is(fd, "<28>1 - - - - - - two");
	stats_are(r, 2, 0);
	camfence_syslog_remote_close(r);
	close(fd);
}

START_TEST(udp_ipv4)
{
	udp_roundtrip(AF_INET);
}
END_TEST

START_TEST(udp_ipv6)
{
	udp_roundtrip(AF_INET6);
}
END_TEST

START_TEST(udp_default_port_and_name)
{
	char err[256];
	struct cf_syslog_remote *r = camfence_syslog_remote_open("udp://localhost", err, sizeof(err));

	ck_assert_msg(r != NULL, "%s", err);
	camfence_syslog_remote_close(r);
}
END_TEST

static int accept_one(int lfd)
{
	int fd;

	ck_assert_msg(wait_readable(lfd), "no connection");
	fd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* Flushes until the sender counts sent messages (a connect may take a turn). */
static void flush_until_sent(struct cf_syslog_remote *r, uint64_t sent)
{
	uint64_t s, d;
	int i;

	for (i = 0; i < 200; i++) {
		camfence_syslog_remote_flush(r);
		camfence_syslog_remote_stats(r, &s, &d);
		if (s >= sent)
			return;
		usleep(10000);
	}
	ck_abort_msg("sent %llu, expected %llu", (unsigned long long)s, (unsigned long long)sent);
}

START_TEST(tcp_framing_and_reconnect)
{
	int port = 0, lfd = bound(AF_INET, SOCK_STREAM, &port), cfd;
	struct cf_syslog_remote *r;
	char spec[64], err[256];

	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", port);
	r = camfence_syslog_remote_open(spec, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	camfence_syslog_remote_set_retry(r, 1000);

	/* connects on the first message; octet counting, "LEN SP MSG" */
	ck_assert_int_eq(camfence_syslog_remote_send(r, "<28>1 first", 11), 0);
	cfd = accept_one(lfd);
	flush_until_sent(r, 1);
	ck_assert_int_eq(camfence_syslog_remote_send(r, "second", 6), 0);
	ck_assert_int_eq(camfence_syslog_remote_send(r, "third message", 13), 0);
	recv_is(cfd, "11 <28>1 first6 second13 third message");
	stats_are(r, 3, 0);

	/* the collector goes away: the next message is dropped, and so is
	 * every one until the retry time has passed */
	close(cfd);
	close(lfd);
	usleep(20000);
	ck_assert_int_eq(camfence_syslog_remote_send(r, "lost", 4), -1);
	stats_are(r, 3, 1);
	lfd = bound(AF_INET, SOCK_STREAM, &port);
	ck_assert_int_eq(camfence_syslog_remote_send(r, "too early", 9), -1);
	stats_are(r, 3, 2);

	/* it is back: connects again after the retry time */
	usleep(1100000);
	ck_assert_int_eq(camfence_syslog_remote_send(r, "back", 4), 0);
	cfd = accept_one(lfd);
	flush_until_sent(r, 4);
	recv_is(cfd, "4 back");
	stats_are(r, 4, 2);
	camfence_syslog_remote_close(r);
	close(cfd);
	close(lfd);
}
END_TEST

START_TEST(tcp_nobody_listens)
{
	int port = 0, lfd = bound(AF_INET, SOCK_STREAM, &port), i;
	struct cf_syslog_remote *r;
	char spec[64], err[256];
	uint64_t s, d;

	close(lfd);	/* a port nobody listens on */
	snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", port);
	r = camfence_syslog_remote_open(spec, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	for (i = 0; i < 5; i++) {
		camfence_syslog_remote_send(r, "into the void", 13);
		camfence_syslog_remote_flush(r);
	}
	/* refused: each message dropped and counted, none waits */
	camfence_syslog_remote_stats(r, &s, &d);
	ck_assert_uint_eq(s, 0);
	ck_assert_uint_eq(d, 5);
	camfence_syslog_remote_close(r);
}
END_TEST

Suite *syslog_remote_suite(void)
{
	Suite *s = suite_create("syslog_remote");
	TCase *tc;

	tc = tcase_create("format");
	tcase_add_test(tc, format_golden);
	tcase_add_test(tc, format_nil_and_limits);
	tcase_add_test(tc, format_truncates_safely);
	suite_add_tcase(s, tc);
	tc = tcase_create("spec");
	tcase_add_test(tc, bad_specs);
	tcase_add_test(tc, udp_default_port_and_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("udp");
	tcase_add_test(tc, udp_ipv4);
	tcase_add_test(tc, udp_ipv6);
	suite_add_tcase(s, tc);
	tc = tcase_create("tcp");
	tcase_add_test(tc, tcp_framing_and_reconnect);
	tcase_add_test(tc, tcp_nobody_listens);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);
	return s;
}
