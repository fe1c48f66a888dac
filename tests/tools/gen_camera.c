// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen camera: what an IP camera sends, on a schedule, for S seconds.
 *
 *   nvr    udp/5004   RTP video, 50 packets/s, 1200-byte datagrams (H.264 FU-A)
 *   nvr    tcp/554    RTSP connect and OPTIONS, every 2 s
 *   ntp    udp/123    NTPv4 client request, every 2 s
 *   dns    udp/53     A queries for the vendors' cloud names, every 2 s
 *   cloud  udp/32100  P2P (CS2 PPPP) hello, every second, per address
 *   cloud  tcp/443    connect by hard-coded IP, every second, per address
 *
 * One thread, one ppoll loop: timers start the attempts, pending TCP
 * connects are resolved as their answers (or timeouts) come in.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "camgen.h"
#include "gen.h"

#define MAX_CLOUDS		16
#define MAX_TARGETS		(4 + 2 * MAX_CLOUDS)
#define MAX_PENDING		(4 * MAX_TARGETS)
#define TCP_TIMEOUT_NS		(1000 * CAMGEN_NSEC_PER_MSEC)
#define RTP_PERIOD_NS		(20 * CAMGEN_NSEC_PER_MSEC)
#define RTP_DATAGRAM		1200
#define RTP_CLOCK_PER_FRAME	3600	/* 90 kHz clock, 25 frames/s */
#define NTP_UNIX_OFFSET		2208988800ULL

struct target {
	const char *role;	/* nvr, ntp, dns, cloud */
	bool show_addr;		/* several targets share the role */
	struct camgen_addr addr;
	char addr_str[INET6_ADDRSTRLEN];
	uint16_t port;
	bool tcp;
	uint64_t period_ns;
	uint64_t next_ns;
	int fd;			/* udp: its own socket */
	uint64_t sent, reached, blocked;
};

struct attempt {
	int fd;
	struct target *target;
	uint64_t deadline_ns;
};

struct camera {
	struct target targets[MAX_TARGETS];
	int ntargets;
	struct attempt pending[MAX_PENDING];
	int npending;
	uint16_t rtp_seq;
	uint32_t rtp_ts, rtp_ssrc;
	uint16_t dns_id;
};

static const char *const dns_names[] = { "api.hik-connect.com", "p2p.ezviz7.com" };

static struct target *add_target(struct camera *cam, const char *role,
				 const struct camgen_addr *addr, uint16_t port,
				 bool tcp, uint64_t period_ns)
{
	struct target *t = &cam->targets[cam->ntargets++];

	*t = (struct target){
		.role = role, .addr = *addr, .port = port, .tcp = tcp,
		.period_ns = period_ns, .fd = -1,
	};
	camgen_util_addr_str(addr, t->addr_str);
	return t;
}

static size_t build_rtp(struct camera *cam, uint8_t *buf)
{
	bool first = !(cam->rtp_seq & 1);	/* two packets per video frame */

	buf[0] = 0x80;				/* V=2, no padding, extension, CSRC */
	buf[1] = (uint8_t)((first ? 0 : 0x80) | 96);	/* marker on the last, PT 96 */
	buf[2] = (uint8_t)(cam->rtp_seq >> 8);
	buf[3] = (uint8_t)cam->rtp_seq;
	buf[4] = (uint8_t)(cam->rtp_ts >> 24);
	buf[5] = (uint8_t)(cam->rtp_ts >> 16);
	buf[6] = (uint8_t)(cam->rtp_ts >> 8);
	buf[7] = (uint8_t)cam->rtp_ts;
	buf[8] = (uint8_t)(cam->rtp_ssrc >> 24);
	buf[9] = (uint8_t)(cam->rtp_ssrc >> 16);
	buf[10] = (uint8_t)(cam->rtp_ssrc >> 8);
	buf[11] = (uint8_t)cam->rtp_ssrc;
	buf[12] = 0x7c;				/* FU-A indicator, NRI 3 */
	buf[13] = first ? 0x81 : 0x41;		/* start or end of a non-IDR slice */
	memset(buf + 14, 0xa5, RTP_DATAGRAM - 14);
	if (!first)
		cam->rtp_ts += RTP_CLOCK_PER_FRAME;
	cam->rtp_seq++;
	return RTP_DATAGRAM;
}

static size_t build_ntp(uint8_t *buf)
{
	struct timespec now;
	uint64_t secs, frac;

	clock_gettime(CLOCK_REALTIME, &now);
	secs = (uint64_t)now.tv_sec + NTP_UNIX_OFFSET;
	frac = ((uint64_t)now.tv_nsec << 32) / CAMGEN_NSEC_PER_SEC;
	memset(buf, 0, 48);
	buf[0] = 0xe3;		/* LI 3 (unsynchronised), VN 4, mode 3 (client) */
	buf[2] = 6;		/* poll 64 s */
	buf[3] = 0xec;		/* precision 2^-20 */
	for (int i = 0; i < 4; i++) {	/* transmit timestamp */
		buf[40 + i] = (uint8_t)(secs >> (24 - 8 * i));
		buf[44 + i] = (uint8_t)(frac >> (24 - 8 * i));
	}
	return 48;
}

static size_t build_dns(uint16_t id, const char *name, uint8_t *buf)
{
	const char *label = name, *dot;
	size_t off = 12, n;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01;		/* RD */
	buf[5] = 1;		/* QDCOUNT */
	while (*label) {
		dot = strchrnul(label, '.');
		n = (size_t)(dot - label);
		buf[off++] = (uint8_t)n;
		memcpy(buf + off, label, n);
		off += n;
		label = *dot ? dot + 1 : dot;
	}
	buf[off++] = 0;
	buf[off++] = 0;
	buf[off++] = 1;		/* QTYPE A */
	buf[off++] = 0;
	buf[off++] = 1;		/* QCLASS IN */
	return off;
}

static int send_udp(struct camera *cam, struct target *t)
{
	static const uint8_t hello[4] = { 0xf1, 0x00, 0x00, 0x00 };	/* PPPP MSG_HELLO */
	uint8_t buf[RTP_DATAGRAM];
	size_t len, i;

	if (t->fd < 0) {
		t->fd = camgen_udp_open(t->addr.family, 0);
		if (t->fd < 0)
			return -1;
	}
	switch (t->port) {
	case 5004:
		len = build_rtp(cam, buf);
		break;
	case 123:
		len = build_ntp(buf);
		break;
	case 53:
		for (i = 0; i < sizeof(dns_names) / sizeof(dns_names[0]); i++) {
			len = build_dns(cam->dns_id++, dns_names[i], buf);
			if (camgen_udp_send(t->fd, &t->addr, t->port, buf, len))
				return -1;
			t->sent++;
		}
		return 0;
	default:
		memcpy(buf, hello, sizeof(hello));
		len = sizeof(hello);
	}
	if (camgen_udp_send(t->fd, &t->addr, t->port, buf, len))
		return -1;
	t->sent++;
	return 0;
}

static void finish(struct attempt *a, enum camgen_tcp_state state)
{
	static const char rtsp[] = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camgen\r\n\r\n";

	if (state == CAMGEN_TCP_REACHED) {
		a->target->reached++;
		if (a->target->port == 554)
			send(a->fd, rtsp, sizeof(rtsp) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	} else {
		a->target->blocked++;
	}
	close(a->fd);
}

static int start_tcp(struct camera *cam, struct target *t, uint64_t now)
{
	enum camgen_tcp_state state;
	struct attempt *a;
	int fd;

	if (cam->npending == MAX_PENDING) {
		errno = EMFILE;
		return -1;
	}
	fd = camgen_tcp_start(&t->addr, t->port, &state);
	if (fd < 0)
		return -1;
	a = &cam->pending[cam->npending++];
	*a = (struct attempt){ .fd = fd, .target = t, .deadline_ns = now + TCP_TIMEOUT_NS };
	if (state == CAMGEN_TCP_REACHED) {
		finish(a, state);
		*a = cam->pending[--cam->npending];
	}
	return 0;
}

/* Resolves the attempts poll reported or whose time ran out. */
static void reap(struct camera *cam, const struct pollfd *pfds, uint64_t now, bool all)
{
	enum camgen_tcp_state state;
	int i, err;

	for (i = cam->npending - 1; i >= 0; i--) {
		struct attempt *a = &cam->pending[i];

		if (pfds && pfds[i].revents)
			state = camgen_tcp_result(a->fd, &err);
		else if (all || now >= a->deadline_ns)
			state = CAMGEN_TCP_BLOCKED;
		else
			continue;
		finish(a, state);
		*a = cam->pending[--cam->npending];
	}
}

/* Starts whatever is due; returns the next due time, or end if none. */
static int run_due(struct camera *cam, uint64_t now, uint64_t end, uint64_t *wake)
{
	struct target *t;
	int i;

	*wake = end;
	for (i = 0; i < cam->ntargets; i++) {
		t = &cam->targets[i];
		while (t->next_ns <= now && t->next_ns < end) {
			if (t->tcp ? start_tcp(cam, t, now) : send_udp(cam, t)) {
				fprintf(stderr, "camgen: camera: %s %s %s/%u: %s (check the routes in this namespace)\n",
					t->role, t->addr_str, t->tcp ? "tcp" : "udp", t->port,
					strerror(errno));
				return -1;
			}
			t->next_ns += t->period_ns;
		}
		if (t->next_ns < *wake)
			*wake = t->next_ns;
	}
	return 0;
}

static int run(struct camera *cam, uint64_t duration_ns, const sigset_t *unblocked)
{
	struct pollfd pfds[MAX_PENDING];
	uint64_t start = camgen_util_now_ns(), end = start + duration_ns, now, wake;
	struct timespec ts;
	int i, n, ret = 0;

	for (i = 0; i < cam->ntargets; i++)
		cam->targets[i].next_ns = start;
	for (now = start; !camgen_util_stop; now = camgen_util_now_ns()) {
		reap(cam, NULL, now, false);
		if (run_due(cam, now, end, &wake)) {
			ret = -1;
			break;
		}
		if (wake >= end && !cam->npending)
			break;
		for (i = 0; i < cam->npending; i++) {
			pfds[i] = (struct pollfd){ .fd = cam->pending[i].fd, .events = POLLOUT };
			if (cam->pending[i].deadline_ns < wake)
				wake = cam->pending[i].deadline_ns;
		}
		wake = wake > now ? wake - now : 0;
		ts = (struct timespec){ .tv_sec = (time_t)(wake / CAMGEN_NSEC_PER_SEC),
					.tv_nsec = (long)(wake % CAMGEN_NSEC_PER_SEC) };
		n = ppoll(pfds, (nfds_t)cam->npending, &ts, unblocked);
		if (n > 0)
			reap(cam, pfds, camgen_util_now_ns(), false);
	}
	reap(cam, NULL, 0, true);
	return ret;
}

static void print_summary(const struct camera *cam)
{
	const struct target *t;
	int i;

	for (i = 0; i < cam->ntargets; i++) {
		t = &cam->targets[i];
		printf("camera: %s%s%s %s/%u ", t->role, t->show_addr ? " " : "",
		       t->show_addr ? t->addr_str : "", t->tcp ? "tcp" : "udp", t->port);
		if (t->tcp)
			printf("reached %llu blocked %llu\n", (unsigned long long)t->reached,
			       (unsigned long long)t->blocked);
		else
			printf("sent %llu\n", (unsigned long long)t->sent);
	}
}

static int parse_clouds(char *arg, struct camgen_addr *clouds)
{
	char *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_CLOUDS)
			camgen_util_usage_error("--cloud: more than %d addresses", MAX_CLOUDS);
		camgen_util_opt_addr("--cloud", tok, &clouds[n++]);
	}
	if (!n)
		camgen_util_usage_error("--cloud: '%s' holds no address", arg);
	return n;
}

int camgen_camera_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "nvr", required_argument, NULL, 'n' },
		{ "cloud", required_argument, NULL, 'c' },
		{ "ntp", required_argument, NULL, 't' },
		{ "dns", required_argument, NULL, 'd' },
		{ "duration", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct camgen_addr nvr = { 0 }, ntp = { 0 }, dns = { 0 }, clouds[MAX_CLOUDS];
	unsigned long duration = 5;
	struct camera *cam;
	struct target *t;
	sigset_t stop, unblocked;
	int c, i, nclouds = 0, ret;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'n': camgen_util_opt_addr("--nvr", optarg, &nvr); break;
		case 'c': nclouds = parse_clouds(optarg, clouds); break;
		case 't': camgen_util_opt_addr("--ntp", optarg, &ntp); break;
		case 'd': camgen_util_opt_addr("--dns", optarg, &dns); break;
		case 'D': duration = camgen_util_opt_uint("--duration", optarg, 1, 86400); break;
		case 'h': camgen_util_help();
		default: camgen_util_bad_option(argv, c);
		}
	}
	camgen_util_no_positional(argc, argv);
	if (!nvr.family)
		camgen_util_usage_error("camera: --nvr is required");
	if (!nclouds)
		camgen_util_usage_error("camera: --cloud is required");

	cam = calloc(1, sizeof(*cam));
	if (!cam) {
		fprintf(stderr, "camgen: camera: %s\n", strerror(errno));
		return CAMGEN_EXIT_ERROR;
	}
	srandom((unsigned int)(camgen_util_now_ns() ^ (uint64_t)getpid()));
	cam->rtp_ssrc = (uint32_t)random();
	cam->rtp_seq = (uint16_t)(random() & 0x7ffe);	/* even: frames start on it */
	cam->rtp_ts = (uint32_t)random();
	cam->dns_id = (uint16_t)random();
	add_target(cam, "nvr", &nvr, 5004, false, RTP_PERIOD_NS);
	add_target(cam, "nvr", &nvr, 554, true, 2 * CAMGEN_NSEC_PER_SEC);
	if (ntp.family)
		add_target(cam, "ntp", &ntp, 123, false, 2 * CAMGEN_NSEC_PER_SEC);
	if (dns.family)
		add_target(cam, "dns", &dns, 53, false, 2 * CAMGEN_NSEC_PER_SEC);
	for (i = 0; i < nclouds; i++) {
		t = add_target(cam, "cloud", &clouds[i], 32100, false, CAMGEN_NSEC_PER_SEC);
		t->show_addr = true;
		t = add_target(cam, "cloud", &clouds[i], 443, true, CAMGEN_NSEC_PER_SEC);
		t->show_addr = true;
	}

	/* Stop signals are only let in while waiting in ppoll: no lost wakeup. */
	camgen_util_catch_stop_signals();
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &unblocked);
	sigdelset(&unblocked, SIGINT);
	sigdelset(&unblocked, SIGTERM);

	ret = run(cam, duration * CAMGEN_NSEC_PER_SEC, &unblocked) ? CAMGEN_EXIT_ERROR
								    : CAMGEN_EXIT_OK;
	print_summary(cam);
	for (i = 0; i < cam->ntargets; i++) {
		if (cam->targets[i].fd >= 0)
			close(cam->targets[i].fd);
	}
	free(cam);
	return ret;
}
