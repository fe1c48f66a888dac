// SPDX-License-Identifier: GPL-2.0
/*
 * dns_snoop_cat [--count N] IFACE...: the DNS snooper of camfenced
 * (daemon/dns_snoop.c) attached to each IFACE (naming one twice attaches
 * twice), every record it copies printed as one line, until N records or
 * SIGINT/SIGTERM; then its counters, and it detaches. Prints "ready" once
 * attached. For tests/netns/t_dns_snoop.sh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "dns_snoop.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int print_record(const struct camfence_dns_record *r, const __u8 *msg, void *ctx)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = r->family == 2 ? AF_INET : AF_INET6;
	long *left = ctx;
	int i;

	inet_ntop(af, r->saddr, src, sizeof(src));
	inet_ntop(af, r->daddr, dst, sizeof(dst));
	printf("dns ifindex=%u vlan=%u dst_mac=%02x:%02x:%02x:%02x:%02x:%02x src=%s sport=%u "
	       "dst=%s dport=%u len=%u copied=%u flags=%u msg=",
	       r->ifindex, r->vlan, r->dst_mac[0], r->dst_mac[1], r->dst_mac[2], r->dst_mac[3],
	       r->dst_mac[4], r->dst_mac[5], src, r->sport, dst, r->dport, r->msg_len, r->copied,
	       r->flags);
	for (i = 0; i < r->copied; i++)
		printf("%02x", msg[i]);
	printf("\n");
	fflush(stdout);
	if (*left > 0 && --*left == 0)
		stop = 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct camfence_dns_counters c;
	struct camfence_dns_snoop *s;
	struct epoll_event ev = { .events = EPOLLIN };
	long left = 0;
	char err[512];
	int i = 1, ep, ret;

	if (argc > 2 && !strcmp(argv[1], "--count")) {
		left = strtol(argv[2], NULL, 10);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: dns_snoop_cat [--count N] IFACE...\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = camfence_dns_snoop_open(&s, print_record, &left, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "dns_snoop_cat: %s\n", err);
		return 1;
	}
	for (; i < argc; i++) {
		int ifindex = if_nametoindex(argv[i]);

		if (!ifindex) {
			fprintf(stderr, "dns_snoop_cat: no interface '%s'\n", argv[i]);
			camfence_dns_snoop_close(s);
			return 1;
		}
		if (camfence_dns_snoop_attach(s, ifindex, err, sizeof(err))) {
			fprintf(stderr, "dns_snoop_cat: %s\n", err);
			camfence_dns_snoop_close(s);
			return 1;
		}
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, camfence_dns_snoop_fd(s), &ev)) {
		perror("dns_snoop_cat: epoll");
		camfence_dns_snoop_close(s);
		return 1;
	}
	printf("ready prog_id=%u\n", camfence_dns_snoop_prog_id(s));
	fflush(stdout);
	while (!stop) {
		if (epoll_wait(ep, &ev, 1, 200) < 0 && errno != EINTR)
			break;
		ret = camfence_dns_snoop_consume(s);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "dns_snoop_cat: reading the ring buffer: %s\n", strerror(-ret));
			break;
		}
	}
	if (!camfence_dns_snoop_counters(s, &c))
		printf("counters copied=%llu lost=%llu fragments=%llu truncated=%llu malformed=%lu\n",
		       c.copied, c.lost, c.fragments, c.truncated, camfence_dns_snoop_malformed(s));
	camfence_dns_snoop_close(s);
	return 0;
}
