/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared helpers for camgen: option values (addresses, MACs, numbers) with
 * the error messages the user sees, monotonic time, and stop signals.
 * Option helpers never return on a bad value: they print
 * "camgen: --opt: 'value' is not ..." and the subcommand's usage, and exit 2.
 */
#ifndef CAMGEN_UTIL_H
#define CAMGEN_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define CAMGEN_MAC_STRLEN 18	/* "aa:bb:cc:dd:ee:ff" and its NUL */

struct camgen_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

/* The usage text printed after a usage error and by --help. */
void camgen_util_set_usage(const char *usage);
void camgen_util_help(void) __attribute__((noreturn));
void camgen_util_usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* getopt_long returned '?' or ':' (optstring starts with ':'). */
void camgen_util_bad_option(char **argv, int c) __attribute__((noreturn));
void camgen_util_no_positional(int argc, char **argv);

unsigned long camgen_util_opt_uint(const char *opt, const char *arg,
				   unsigned long min, unsigned long max);
double camgen_util_opt_double(const char *opt, const char *arg,
			      double min, double max);
void camgen_util_opt_addr(const char *opt, const char *arg,
			  struct camgen_addr *addr);
void camgen_util_opt_mac(const char *opt, const char *arg, uint8_t mac[6]);
/* Exits 3 with a message naming the interface if it does not exist. */
int camgen_util_opt_ifindex(const char *opt, const char *arg);

int camgen_util_parse_addr(const char *s, struct camgen_addr *addr);
int camgen_util_parse_mac(const char *s, uint8_t mac[6]);
const char *camgen_util_addr_str(const struct camgen_addr *addr,
				 char buf[INET6_ADDRSTRLEN]);
const char *camgen_util_ntop(int family, const void *bytes,
			     char buf[INET6_ADDRSTRLEN]);
const char *camgen_util_mac_str(const uint8_t mac[6],
				char buf[CAMGEN_MAC_STRLEN]);
socklen_t camgen_util_sockaddr(const struct camgen_addr *addr, uint16_t port,
			       struct sockaddr_storage *ss);

uint64_t camgen_util_now_ns(void);
/*
 * Sleeps until the CLOCK_MONOTONIC time deadline_ns; returns false early if
 * a stop signal arrived.
 */
bool camgen_util_sleep_until(uint64_t deadline_ns);

/* SIGINT and SIGTERM set camgen_util_stop instead of killing the process. */
extern volatile sig_atomic_t camgen_util_stop;
void camgen_util_catch_stop_signals(void);

#define CAMGEN_NSEC_PER_SEC	1000000000ULL
#define CAMGEN_NSEC_PER_MSEC	1000000ULL

#endif
