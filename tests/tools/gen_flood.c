// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen flood: many devices, many flows, at a set rate. Raw 64-byte
 * Ethernet/IPv4/UDP frames go out on an AF_PACKET socket, a batch per
 * sendmmsg, so one process can be ten thousand cameras: device i sends from
 * MAC mac-base + i and IPv4 src-net + 1 + i, and its flow j goes to a
 * destination of its own (an address of the dst nets, then the next port).
 * With --fresh every frame is a flow never sent before, which is what the
 * daemon's benchmark needs to offer a steady rate of new blocked flows.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "camgen.h"
#include "util.h"

#define FRAME_LEN	64		/* without the FCS */
#define ETH_LEN		14
#define IP_HLEN		20
#define UDP_HLEN	8
#define MAX_BATCH	64
#define MAX_DST_NETS	16
#define ENOBUFS_RETRIES	100
#define MAC_LOW_MASK	0xffffffffffULL	/* the 40 bits after the first octet */

struct dst_net {
	uint32_t net;			/* host order */
	uint64_t size;			/* addresses in it */
};

struct flood {
	const char *iface;
	int ifindex;
	uint8_t dmac[6];
	uint64_t mac_base;		/* 48 bits */
	uint32_t src_net;		/* host order; device i is src_net + 1 + i */
	struct dst_net dst[MAX_DST_NETS];
	size_t ndst;
	uint64_t dst_addrs;		/* addresses in all dst nets */
	uint64_t devices, flows;	/* flows per device */
	uint16_t dport;
	bool fresh;
	double rate;
	uint64_t count;
	uint64_t sent;
};

/* "A.B.C.D" or "A.B.C.D/LEN"; *len is 32 without a length. */
static int parse_prefix4(const char *arg, uint32_t *net, unsigned int *len)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	struct in_addr a;
	unsigned long l = 32;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		errno = 0;
		l = strtoul(slash, &end, 10);
		if (!*slash || *end || errno || l > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	*net = ntohl(a.s_addr);
	*len = (unsigned int)l;
	return 0;
}

static uint32_t host_mask(unsigned int len)
{
	return len >= 32 ? 0 : 0xffffffffU >> len;
}

static void opt_src_net(struct flood *f, const char *arg, unsigned int *len)
{
	if (parse_prefix4(arg, &f->src_net, len))
		camgen_util_usage_error("--src-net: '%s' is not an IPv4 address or prefix (like 10.0.0.0/16)",
					arg);
	if (f->src_net & host_mask(*len))
		camgen_util_usage_error("--src-net: '%s' has bits set beyond its length", arg);
}

static void opt_dst_net(struct flood *f, const char *arg)
{
	struct dst_net *d = &f->dst[f->ndst];
	unsigned int len;

	if (f->ndst == MAX_DST_NETS)
		camgen_util_usage_error("--dst-net: at most %d of them", MAX_DST_NETS);
	if (parse_prefix4(arg, &d->net, &len))
		camgen_util_usage_error("--dst-net: '%s' is not an IPv4 prefix (like 198.51.100.0/24)",
					arg);
	if (d->net & host_mask(len))
		camgen_util_usage_error("--dst-net: '%s' has bits set beyond its length", arg);
	d->size = 1ULL << (32 - len);
	f->dst_addrs += d->size;
	f->ndst++;
}

static uint64_t mac_value(const uint8_t mac[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v;
}

/* Destination k of a device: the k-th address of the dst nets taken in
 * turn, the port moving on by one each time the addresses run out. */
static void destination(const struct flood *f, uint64_t k, uint32_t *addr, uint16_t *port)
{
	uint64_t a = k % f->dst_addrs, step = k / f->dst_addrs;
	size_t i;

	for (i = 0; a >= f->dst[i].size; i++)
		a -= f->dst[i].size;
	*addr = f->dst[i].net + (uint32_t)a;
	if (f->fresh)	/* round the whole port space, 0 left out */
		*port = (uint16_t)(1 + (f->dport - 1 + step) % 65535);
	else
		*port = (uint16_t)(f->dport + step);
}

static uint16_t ip_checksum(const uint8_t *h)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < IP_HLEN; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, (uint16_t)v);
}

/* Frame number n: device n mod devices, that device's (n / devices)-th
 * flow, or its flow (n / devices) mod flows when flows are reused. */
static void build_frame(const struct flood *f, uint64_t n, uint8_t *fr)
{
	uint64_t dev = n % f->devices, k = n / f->devices, mac = f->mac_base + dev;
	uint8_t *ip = fr + ETH_LEN, *udp = ip + IP_HLEN;
	uint32_t daddr;
	uint16_t dport;
	int i;

	if (!f->fresh)
		k %= f->flows;
	destination(f, k, &daddr, &dport);

	memset(fr, 0, FRAME_LEN);
	memcpy(fr, f->dmac, 6);
	for (i = 0; i < 6; i++)
		fr[6 + i] = (uint8_t)(mac >> (8 * (5 - i)));
	put16(fr + 12, 0x0800);

	ip[0] = 0x45;
	put16(ip + 2, FRAME_LEN - ETH_LEN);
	put16(ip + 4, (uint16_t)n);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put32(ip + 12, f->src_net + 1 + (uint32_t)dev);
	put32(ip + 16, daddr);
	put16(ip + 10, ip_checksum(ip));

	put16(udp, (uint16_t)(49152 + dev % 16384));
	put16(udp + 2, dport);
	put16(udp + 4, FRAME_LEN - ETH_LEN - IP_HLEN);
	/* checksum 0: none, as UDP over IPv4 allows; payload: the frame number */
	put32(udp + UDP_HLEN, (uint32_t)(n >> 32));
	put32(udp + UDP_HLEN + 4, (uint32_t)n);
}

static int open_socket(const struct flood *f)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = f->ifindex,
		.sll_protocol = 0,	/* send only: receive nothing */
	};
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "camgen: flood: AF_PACKET socket: %s (needs root or CAP_NET_RAW)\n",
			strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "camgen: flood: bind to %s: %s\n", f->iface, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends msgs[0..n); 0, or -1 when the interface refused for good. */
static int send_batch(struct flood *f, int fd, struct mmsghdr *msgs, unsigned int n)
{
	unsigned int done = 0;
	int tries = 0, ret;

	while (done < n) {
		ret = sendmmsg(fd, msgs + done, n - done, 0);
		if (ret > 0) {
			done += (unsigned int)ret;
			f->sent += (unsigned int)ret;
			tries = 0;
			continue;
		}
		if (ret < 0 && errno == EINTR) {
			if (camgen_util_stop)
				return 0;
			continue;
		}
		if (ret < 0 && (errno == ENOBUFS || errno == EAGAIN) && tries++ < ENOBUFS_RETRIES) {
			usleep(1000);
			continue;
		}
		fprintf(stderr, "camgen: flood: send on %s: %s%s\n", f->iface,
			ret < 0 ? strerror(errno) : "nothing sent",
			ret < 0 && errno == ENETDOWN ? " (bring it up with 'ip link set dev IF up')" : "");
		return -1;
	}
	return 0;
}

/* Batches of about a millisecond's worth, each sent at its deadline. */
static int flood_run(struct flood *f, int fd, uint64_t *elapsed_ns)
{
	static uint8_t frames[MAX_BATCH][FRAME_LEN];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	uint64_t start, batch = (uint64_t)(f->rate / 1000);
	unsigned int i, n;
	int ret = 0;

	if (batch < 1)
		batch = 1;
	if (batch > MAX_BATCH)
		batch = MAX_BATCH;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < MAX_BATCH; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = camgen_util_now_ns();
	while (!ret && !camgen_util_stop && f->sent < f->count) {
		uint64_t due = start + (uint64_t)((double)f->sent * 1e9 / f->rate);

		if (!camgen_util_sleep_until(due))
			break;
		n = (unsigned int)(f->count - f->sent < batch ? f->count - f->sent : batch);
		for (i = 0; i < n; i++)
			build_frame(f, f->sent + i, frames[i]);
		ret = send_batch(f, fd, msgs, n);
	}
	*elapsed_ns = camgen_util_now_ns() - start;
	return ret;
}

int camgen_flood_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "dmac", required_argument, NULL, 'd' },
		{ "devices", required_argument, NULL, 'D' },
		{ "flows-per-device", required_argument, NULL, 'F' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'c' },
		{ "mac-base", required_argument, NULL, 'm' },
		{ "src-net", required_argument, NULL, 's' },
		{ "dst-net", required_argument, NULL, 'n' },
		{ "dport", required_argument, NULL, 'p' },
		{ "fresh", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct flood f = { .devices = 1, .flows = 1, .dport = 32100 };
	uint8_t mac_base[6] = { 0x02 };
	const char *iface_arg = NULL;
	bool have_dmac = false, have_rate = false;
	unsigned int src_len = 8;
	uint64_t elapsed_ns, flows;
	double duration = 0;
	int c, fd, ret;

	f.src_net = 10U << 24;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'i': iface_arg = optarg; break;
		case 'd': camgen_util_opt_mac("--dmac", optarg, f.dmac); have_dmac = true; break;
		case 'D': f.devices = camgen_util_opt_uint("--devices", optarg, 1, 1UL << 24); break;
		case 'F': f.flows = camgen_util_opt_uint("--flows-per-device", optarg, 1, 1UL << 24); break;
		case 'r': f.rate = camgen_util_opt_double("--rate", optarg, 1, 10000000); have_rate = true; break;
		case 't': duration = camgen_util_opt_double("--duration", optarg, 0.001, 86400); break;
		case 'c': f.count = camgen_util_opt_uint("--count", optarg, 1, 1UL << 40); break;
		case 'm': camgen_util_opt_mac("--mac-base", optarg, mac_base); break;
		case 's': opt_src_net(&f, optarg, &src_len); break;
		case 'n': opt_dst_net(&f, optarg); break;
		case 'p': f.dport = (uint16_t)camgen_util_opt_uint("--dport", optarg, 1, 65535); break;
		case 'R': f.fresh = true; break;
		case 'h': camgen_util_help();
		default: camgen_util_bad_option(argv, c);
		}
	}
	camgen_util_no_positional(argc, argv);
	if (!iface_arg)
		camgen_util_usage_error("flood: --iface is required");
	if (!have_dmac)
		camgen_util_usage_error("flood: --dmac is required (the MAC of the router's camera-facing interface)");
	if (!have_rate)
		camgen_util_usage_error("flood: --rate is required (frames per second)");
	if (duration && f.count)
		camgen_util_usage_error("flood: --duration and --count exclude each other");
	if (f.fresh && !duration && !f.count)
		camgen_util_usage_error("flood: --fresh needs --duration or --count");
	if (!f.ndst)
		opt_dst_net(&f, "198.51.100.0/24");

	f.mac_base = mac_value(mac_base);
	if (mac_base[0] & 1)
		camgen_util_usage_error("--mac-base: a multicast MAC cannot be a device's");
	if ((f.mac_base & MAC_LOW_MASK) + f.devices - 1 > MAC_LOW_MASK)
		camgen_util_usage_error("--devices: %llu devices from --mac-base run past its first octet",
					(unsigned long long)f.devices);
	if (src_len < 32 && f.devices > (1ULL << (32 - src_len)) - 2)
		camgen_util_usage_error("--devices: %llu devices do not fit in --src-net /%u (addresses from .1 on)",
					(unsigned long long)f.devices, src_len);
	if ((uint64_t)f.src_net + f.devices > 0xffffffffULL)
		camgen_util_usage_error("--devices: %llu devices run past the end of the IPv4 space from --src-net",
					(unsigned long long)f.devices);
	if (!f.fresh && f.flows > f.dst_addrs * (65536ULL - f.dport))
		camgen_util_usage_error("--flows-per-device: %llu destinations do not fit in %llu addresses and ports %u to 65535",
					(unsigned long long)f.flows, (unsigned long long)f.dst_addrs, f.dport);
	if (duration)
		f.count = (uint64_t)(f.rate * duration + 0.5);
	if (!f.count)
		f.count = f.devices * f.flows;
	if (!f.count)
		f.count = 1;
	if (f.fresh && (f.count + f.devices - 1) / f.devices > f.dst_addrs * 65535)
		camgen_util_usage_error("flood: %llu fresh flows are more than %llu devices have destinations for",
					(unsigned long long)f.count, (unsigned long long)f.devices);

	f.iface = iface_arg;
	f.ifindex = camgen_util_opt_ifindex("--iface", iface_arg);
	fd = open_socket(&f);
	if (fd < 0)
		return CAMGEN_EXIT_ERROR;
	camgen_util_catch_stop_signals();
	ret = flood_run(&f, fd, &elapsed_ns) ? CAMGEN_EXIT_ERROR : CAMGEN_EXIT_OK;
	close(fd);

	flows = f.fresh || f.sent < f.devices * f.flows ? f.sent : f.devices * f.flows;
	printf("flood: sent %llu frames, %llu devices, %llu flows in %.3f s\n",
	       (unsigned long long)f.sent,
	       (unsigned long long)(f.sent < f.devices ? f.sent : f.devices),
	       (unsigned long long)flows, (double)elapsed_ns / 1e9);
	return ret;
}
