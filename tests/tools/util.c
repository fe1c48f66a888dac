// SPDX-License-Identifier: GPL-2.0 OR MIT
/* camgen helpers: option values, address and MAC text, time, signals. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "camgen.h"
#include "util.h"

volatile sig_atomic_t camgen_util_stop;

static const char *usage_text = "usage: camgen COMMAND [OPTIONS] (see camgen --help)\n";

void camgen_util_set_usage(const char *usage)
{
	usage_text = usage;
}

void camgen_util_help(void)
{
	fputs(usage_text, stdout);
	exit(CAMGEN_EXIT_OK);
}

void camgen_util_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("camgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	exit(CAMGEN_EXIT_USAGE);
}

void camgen_util_bad_option(char **argv, int c)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		camgen_util_usage_error("%s: missing value", opt);
	if (optopt)
		camgen_util_usage_error("unknown option '-%c'", optopt);
	camgen_util_usage_error("unknown option '%s'", opt);
}

void camgen_util_no_positional(int argc, char **argv)
{
	if (optind < argc)
		camgen_util_usage_error("unexpected argument '%s'", argv[optind]);
}

unsigned long camgen_util_opt_uint(const char *opt, const char *arg,
				   unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		camgen_util_usage_error("%s: '%s' is not a number", opt, arg);
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*end)
		camgen_util_usage_error("%s: '%s' is not a number", opt, arg);
	if (errno == ERANGE || v < min || v > max)
		camgen_util_usage_error("%s: %s is out of range (%lu to %lu)",
					opt, arg, min, max);
	return v;
}

double camgen_util_opt_double(const char *opt, const char *arg,
			      double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || !isfinite(v))
		camgen_util_usage_error("%s: '%s' is not a number", opt, arg);
	if (errno == ERANGE || v < min || v > max)
		camgen_util_usage_error("%s: %s is out of range (%g to %g)",
					opt, arg, min, max);
	return v;
}

void camgen_util_opt_addr(const char *opt, const char *arg,
			  struct camgen_addr *addr)
{
	if (camgen_util_parse_addr(arg, addr))
		camgen_util_usage_error("%s: '%s' is not an IPv4 or IPv6 address",
					opt, arg);
}

void camgen_util_opt_mac(const char *opt, const char *arg, uint8_t mac[6])
{
	if (camgen_util_parse_mac(arg, mac))
		camgen_util_usage_error("%s: '%s' is not a MAC address (like 02:00:00:00:00:01)",
					opt, arg);
}

int camgen_util_opt_ifindex(const char *opt, const char *arg)
{
	unsigned int ifindex;

	if (!arg[0] || strlen(arg) >= IF_NAMESIZE)
		camgen_util_usage_error("%s: '%s' is not an interface name", opt, arg);
	ifindex = if_nametoindex(arg);
	if (!ifindex) {
		fprintf(stderr, "camgen: %s: no interface '%s' in this network namespace (check 'ip link')\n",
			opt, arg);
		exit(CAMGEN_EXIT_ERROR);
	}
	return (int)ifindex;
}

int camgen_util_parse_addr(const char *s, struct camgen_addr *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, &addr->v4) == 1) {
		addr->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &addr->v6) == 1) {
		addr->family = AF_INET6;
		return 0;
	}
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, two hex digits per octet. */
int camgen_util_parse_mac(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++) {
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -1;
			s++;
		}
	}
	return *s ? -1 : 0;
}

const char *camgen_util_ntop(int family, const void *bytes,
			     char buf[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(family, bytes, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

const char *camgen_util_addr_str(const struct camgen_addr *addr,
				 char buf[INET6_ADDRSTRLEN])
{
	return camgen_util_ntop(addr->family, addr->bytes, buf);
}

const char *camgen_util_mac_str(const uint8_t mac[6],
				char buf[CAMGEN_MAC_STRLEN])
{
	snprintf(buf, CAMGEN_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

socklen_t camgen_util_sockaddr(const struct camgen_addr *addr, uint16_t port,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (addr->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = addr->v4;
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = addr->v6;
	return sizeof(*sin6);
}

uint64_t camgen_util_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * CAMGEN_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

bool camgen_util_sleep_until(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / CAMGEN_NSEC_PER_SEC),
		.tv_nsec = (long)(deadline_ns % CAMGEN_NSEC_PER_SEC),
	};

	while (!camgen_util_stop) {
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0)
			return true;
	}
	return false;
}

static void on_stop_signal(int sig)
{
	camgen_util_stop = 1;
}

void camgen_util_catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	/* No SA_RESTART: blocking calls return EINTR so loops see the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
