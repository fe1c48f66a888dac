/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * UDP sends and non-blocking TCP connection attempts, shared by the udp,
 * tcp and camera subcommands.
 *
 * A TCP attempt "reached" its destination when the handshake completed or
 * the destination refused with a RST: either way the SYN got through. It is
 * "blocked" when nothing came back in time or a router answered with an
 * ICMP error.
 */
#ifndef CAMGEN_GEN_H
#define CAMGEN_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum camgen_tcp_state {
	CAMGEN_TCP_PENDING,
	CAMGEN_TCP_REACHED,
	CAMGEN_TCP_BLOCKED,
};

/* An unconnected UDP socket, bound to sport if it is not 0; -1 and errno. */
int camgen_udp_open(int family, uint16_t sport);
/* One datagram; -1 and errno if the local stack refused it. */
int camgen_udp_send(int fd, const struct camgen_addr *dst, uint16_t port,
		    const void *buf, size_t len);

/*
 * Starts a non-blocking connect. Returns the socket, with *state PENDING (wait
 * for POLLOUT) or already REACHED; -1 and errno if the local stack refused
 * (no route, no address of that family...).
 */
int camgen_tcp_start(const struct camgen_addr *dst, uint16_t port,
		     enum camgen_tcp_state *state);
/* After poll reported the socket: REACHED or BLOCKED; *err the socket error. */
enum camgen_tcp_state camgen_tcp_result(int fd, int *err);

#endif
