// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen udp and camgen tcp: one destination, plain sockets, so the packets
 * are exactly what any application on the camera would send.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "camgen.h"
#include "gen.h"

int camgen_udp_open(int family, uint16_t sport)
{
	struct sockaddr_storage ss;
	struct camgen_addr any = { .family = family };
	socklen_t len;
	int fd, one = 1;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0 || !sport)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	len = camgen_util_sockaddr(&any, sport, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int camgen_udp_send(int fd, const struct camgen_addr *dst, uint16_t port,
		    const void *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = camgen_util_sockaddr(dst, port, &ss);

	return sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sslen) < 0 ? -1 : 0;
}

int camgen_tcp_start(const struct camgen_addr *dst, uint16_t port,
		     enum camgen_tcp_state *state)
{
	struct sockaddr_storage ss;
	socklen_t len = camgen_util_sockaddr(dst, port, &ss);
	int fd, err;

	fd = socket(dst->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -1;
	*state = CAMGEN_TCP_PENDING;
	if (!connect(fd, (struct sockaddr *)&ss, len) || errno == ECONNREFUSED) {
		*state = CAMGEN_TCP_REACHED;
		return fd;
	}
	if (errno == EINPROGRESS)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

enum camgen_tcp_state camgen_tcp_result(int fd, int *err)
{
	socklen_t len = sizeof(*err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len))
		*err = errno;
	return !*err || *err == ECONNREFUSED ? CAMGEN_TCP_REACHED : CAMGEN_TCP_BLOCKED;
}

int camgen_udp_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' },
		{ "sport", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long count = 10, interval_ms = 10, size = 64, sent = 0, i;
	uint16_t port = 0, sport = 0;
	char dst_str[INET6_ADDRSTRLEN];
	struct camgen_addr dst = { 0 };
	uint64_t next;
	uint8_t *buf;
	int c, fd, ret = CAMGEN_EXIT_OK;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'd': camgen_util_opt_addr("--dst", optarg, &dst); break;
		case 'p': port = (uint16_t)camgen_util_opt_uint("--port", optarg, 1, 65535); break;
		case 'c': count = camgen_util_opt_uint("--count", optarg, 1, 100000000); break;
		case 'i': interval_ms = camgen_util_opt_uint("--interval-ms", optarg, 0, 3600000); break;
		case 's': size = camgen_util_opt_uint("--size", optarg, 0, 65507); break;
		case 'S': sport = (uint16_t)camgen_util_opt_uint("--sport", optarg, 1, 65535); break;
		case 'h': camgen_util_help();
		default: camgen_util_bad_option(argv, c);
		}
	}
	camgen_util_no_positional(argc, argv);
	if (!dst.family)
		camgen_util_usage_error("udp: --dst is required");
	if (!port)
		camgen_util_usage_error("udp: --port is required");
	camgen_util_addr_str(&dst, dst_str);

	buf = calloc(1, size ? size : 1);
	if (!buf) {
		fprintf(stderr, "camgen: udp: %s\n", strerror(errno));
		return CAMGEN_EXIT_ERROR;
	}
	fd = camgen_udp_open(dst.family, sport);
	if (fd < 0) {
		fprintf(stderr, "camgen: udp: socket bound to port %u: %s\n", sport, strerror(errno));
		free(buf);
		return CAMGEN_EXIT_ERROR;
	}
	camgen_util_catch_stop_signals();
	memset(buf, 'c', size);
	next = camgen_util_now_ns();
	for (i = 0; i < count && !camgen_util_stop; i++) {
		/* A sequence number lets a capture tell the datagrams apart. */
		if (size >= 4) {
			buf[0] = (uint8_t)(i >> 24);
			buf[1] = (uint8_t)(i >> 16);
			buf[2] = (uint8_t)(i >> 8);
			buf[3] = (uint8_t)i;
		}
		if (camgen_udp_send(fd, &dst, port, buf, size)) {
			fprintf(stderr, "camgen: udp: send to %s port %u: %s\n",
				dst_str, port, strerror(errno));
			ret = CAMGEN_EXIT_ERROR;
			break;
		}
		sent++;
		next += interval_ms * CAMGEN_NSEC_PER_MSEC;
		if (i + 1 < count && interval_ms)
			camgen_util_sleep_until(next);
	}
	printf("udp %s %u sent %lu\n", dst_str, port, sent);
	close(fd);
	free(buf);
	return ret;
}

int camgen_tcp_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char dst_str[INET6_ADDRSTRLEN];
	struct camgen_addr dst = { 0 };
	enum camgen_tcp_state state;
	unsigned long timeout_ms = 1000;
	uint16_t port = 0;
	struct pollfd pfd;
	int c, fd, err = 0, n;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'd': camgen_util_opt_addr("--dst", optarg, &dst); break;
		case 'p': port = (uint16_t)camgen_util_opt_uint("--port", optarg, 1, 65535); break;
		case 't': timeout_ms = camgen_util_opt_uint("--timeout-ms", optarg, 1, 600000); break;
		case 'h': camgen_util_help();
		default: camgen_util_bad_option(argv, c);
		}
	}
	camgen_util_no_positional(argc, argv);
	if (!dst.family)
		camgen_util_usage_error("tcp: --dst is required");
	if (!port)
		camgen_util_usage_error("tcp: --port is required");
	camgen_util_addr_str(&dst, dst_str);

	fd = camgen_tcp_start(&dst, port, &state);
	if (fd < 0) {
		fprintf(stderr, "camgen: tcp: connect to %s port %u: %s (check the routes in this namespace)\n",
			dst_str, port, strerror(errno));
		return CAMGEN_EXIT_ERROR;
	}
	if (state == CAMGEN_TCP_PENDING) {
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		do {
			n = poll(&pfd, 1, (int)timeout_ms);
		} while (n < 0 && errno == EINTR);
		state = n > 0 ? camgen_tcp_result(fd, &err) : CAMGEN_TCP_BLOCKED;
	}
	close(fd);
	if (state == CAMGEN_TCP_BLOCKED && err)
		fprintf(stderr, "camgen: tcp: %s port %u: %s (an ICMP error from the path)\n",
			dst_str, port, strerror(err));
	printf("tcp %s %u %s\n", dst_str, port,
	       state == CAMGEN_TCP_REACHED ? "reached" : "blocked");
	return state == CAMGEN_TCP_REACHED ? CAMGEN_EXIT_OK : CAMGEN_EXIT_BLOCKED;
}
