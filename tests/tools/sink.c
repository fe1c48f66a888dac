// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen sink: the ground truth of the tests. Counts every IPv4/IPv6 packet
 * the interface receives, by (protocol, destination, port), whether or not
 * anything listens, and writes the counts when told to stop.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "camgen.h"
#include "flowtab.h"
#include "pkt.h"
#include "util.h"

#define RCVBUF_BYTES	(8 * 1024 * 1024)
#define SNAP_BYTES	512	/* enough for VLAN tags, IPv6 options, ports */

struct sink {
	const char *iface, *out;
	int ifindex;
	char *tmp;		/* out's temporary sibling, created at start */
	FILE *tmpf;
	struct camgen_flowtab flows;
	uint64_t packets;
};

static int open_socket(const struct sink *s)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = s->ifindex,
	};
	struct packet_mreq mr = { .mr_ifindex = s->ifindex, .mr_type = PACKET_MR_PROMISC };
	int fd, size = RCVBUF_BYTES;

	/* Protocol 0 until bind: no frames from other interfaces sneak in. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "camgen: sink: AF_PACKET socket: %s (needs root or CAP_NET_RAW)\n",
			strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "camgen: sink: bind to %s: %s\n", s->iface, strerror(errno));
		close(fd);
		return -1;
	}
	/* Frames for other MACs count too: they got through to the wire. */
	setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	return fd;
}

static int drain(struct sink *s, int fd)
{
	struct camgen_flow_key key;
	uint8_t buf[SNAP_BYTES];
	struct sockaddr_ll from;
	struct camgen_pkt pkt;
	socklen_t fromlen;
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0 && errno == ENETDOWN) {
			/* The socket survives: the kernel rebinds it on link up. */
			fprintf(stderr, "camgen: sink: %s went down; counting resumes if it comes back up\n",
				s->iface);
			continue;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    camgen_pkt_parse(buf, (size_t)n, &pkt) || !pkt.family)
			continue;
		memset(&key, 0, sizeof(key));
		key.family = (uint8_t)pkt.family;
		key.proto = pkt.proto;
		key.port = pkt.dport;
		memcpy(key.addr, pkt.dst, 16);
		if (camgen_flowtab_add(&s->flows, &key))
			return -1;
		s->packets++;
	}
}

static int capture(struct sink *s, int fd, unsigned long duration)
{
	struct timespec ts, *tsp = NULL;
	uint64_t end = 0, now;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	sigset_t stop, unblocked;

	/* Stop signals are only let in while waiting in ppoll: no lost wakeup. */
	camgen_util_catch_stop_signals();
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &unblocked);
	sigdelset(&unblocked, SIGINT);
	sigdelset(&unblocked, SIGTERM);

	if (duration)
		end = camgen_util_now_ns() + duration * CAMGEN_NSEC_PER_SEC;
	while (!camgen_util_stop) {
		if (duration) {
			now = camgen_util_now_ns();
			if (now >= end)
				break;
			ts = (struct timespec){ .tv_sec = (time_t)((end - now) / CAMGEN_NSEC_PER_SEC),
						.tv_nsec = (long)((end - now) % CAMGEN_NSEC_PER_SEC) };
			tsp = &ts;
		}
		if (ppoll(&pfd, 1, tsp, &unblocked) > 0 && drain(s, fd))
			return -1;
	}
	return drain(s, fd);
}

static void warn_drops(const struct sink *s, int fd)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) && st.tp_drops)
		fprintf(stderr, "camgen: sink: %s: the socket dropped %u packets; the counts are low\n",
			s->iface, st.tp_drops);
}

static int write_counts(struct sink *s, FILE *f)
{
	char addr[INET6_ADDRSTRLEN], proto[8];
	struct camgen_flow *flows;
	size_t n, i;

	flows = camgen_flowtab_sorted(&s->flows, &n);
	if (!flows)
		return -1;
	for (i = 0; i < n; i++) {
		fprintf(f, "%s %s %u %llu\n", camgen_pkt_proto_name(flows[i].key.proto, proto),
			camgen_util_ntop(flows[i].key.family, flows[i].key.addr, addr),
			flows[i].key.port, (unsigned long long)flows[i].count);
	}
	free(flows);
	return 0;
}

/* Created before the capture starts, so a bad --out fails at once. */
static int open_tmp(struct sink *s)
{
	int fd;

	if (asprintf(&s->tmp, "%s.tmp.XXXXXX", s->out) < 0) {
		s->tmp = NULL;
		return -1;
	}
	fd = mkstemp(s->tmp);
	if (fd < 0) {
		fprintf(stderr, "camgen: sink: --out: cannot create a file beside '%s': %s\n",
			s->out, strerror(errno));
		free(s->tmp);
		s->tmp = NULL;
		return -1;
	}
	fchmod(fd, 0644);
	s->tmpf = fdopen(fd, "w");
	if (!s->tmpf) {
		close(fd);
		unlink(s->tmp);
		return -1;
	}
	return 0;
}

static int commit_out(struct sink *s)
{
	int ret = write_counts(s, s->tmpf);

	if (fflush(s->tmpf) || fsync(fileno(s->tmpf)))
		ret = -1;
	if (fclose(s->tmpf))
		ret = -1;
	s->tmpf = NULL;
	if (!ret && rename(s->tmp, s->out))
		ret = -1;
	if (ret) {
		fprintf(stderr, "camgen: sink: --out: writing '%s': %s\n", s->out, strerror(errno));
		unlink(s->tmp);
	}
	return ret;
}

int camgen_sink_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'D' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sink s = { 0 };
	unsigned long duration = 0;
	int c, fd, ret = CAMGEN_EXIT_ERROR;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'i': s.iface = optarg; break;
		case 'D': duration = camgen_util_opt_uint("--duration", optarg, 1, 86400 * 365); break;
		case 'o':
			if (!optarg[0])
				camgen_util_usage_error("--out: empty file name");
			s.out = optarg;
			break;
		case 'h': camgen_util_help();
		default: camgen_util_bad_option(argv, c);
		}
	}
	camgen_util_no_positional(argc, argv);
	if (!s.iface)
		camgen_util_usage_error("sink: --iface is required");
	s.ifindex = camgen_util_opt_ifindex("--iface", s.iface);

	if (camgen_flowtab_init(&s.flows)) {
		fprintf(stderr, "camgen: sink: %s\n", strerror(errno));
		return CAMGEN_EXIT_ERROR;
	}
	if (s.out && open_tmp(&s))
		goto err_tmp;
	fd = open_socket(&s);
	if (fd < 0)
		goto err_socket;
	if (s.out) {
		printf("sink: ready\n");
		fflush(stdout);
	}
	if (capture(&s, fd, duration)) {
		fprintf(stderr, "camgen: sink: receive on %s: %s\n", s.iface, strerror(errno));
		goto err_capture;
	}
	warn_drops(&s, fd);
	if (s.out ? commit_out(&s) : write_counts(&s, stdout))
		goto err_capture;
	ret = CAMGEN_EXIT_OK;
err_capture:
	close(fd);
err_socket:
	if (s.tmpf) {
		fclose(s.tmpf);
		unlink(s.tmp);
	}
	free(s.tmp);
err_tmp:
	camgen_flowtab_uninit(&s.flows);
	return ret;
}
