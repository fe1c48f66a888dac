// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * camgen frame: one crafted frame (or its fragments), sent raw on an
 * AF_PACKET socket, for the evasion tests: the shapes a device could give
 * a packet to slip past a classifier. VLAN and QinQ tags, IPv4 options and
 * source routes, IPv6 extension-header chains and segment routing,
 * fragments cut anywhere (tiny, overlapping, out of order), and tunnels
 * (GRE, IP in IP, IPv6 in IPv4, VXLAN) wrapped around an inner packet.
 *
 * The datagram is built whole first (checksums included), then cut: each
 * --frag OFF:LEN[:last] sends bytes [OFF*8, OFF*8+LEN) of what follows the
 * unfragmentable headers, in the order given.
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
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "camgen.h"
#include "util.h"

#define MAX_FRAME	1600
#define MAX_DGRAM	1400
#define MAX_FRAGS	8
#define MAX_EXT		8

enum ext { EXT_HOP, EXT_DST, EXT_RT0 };

struct frag {
	unsigned int off;	/* 8-byte units */
	unsigned int len;	/* bytes */
	bool last;
};

struct frame {
	int ifindex;
	uint8_t dmac[6], smac[6];
	bool have_smac;
	uint16_t vlan[2];
	int nvlan;
	struct camgen_addr src, dst, via, inner_src, inner_dst;
	bool have_via;
	bool ssrr;
	int ipopt_rr;
	const char *encap;
	int proto;
	uint16_t sport, dport;
	int icmp_type;
	unsigned int size;
	unsigned int hop_limit;
	enum ext ext[MAX_EXT];
	int next;
	bool srh;
	struct frag frags[MAX_FRAGS];
	int nfrags;
	uint32_t id;
	unsigned long count;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = (uint8_t)v;
}

static uint32_t sum(uint32_t s, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int proto_of(const char *arg)
{
	static const struct { const char *name; int proto; } names[] = {
		{ "udp", IPPROTO_UDP }, { "tcp", IPPROTO_TCP }, { "icmp", IPPROTO_ICMP },
		{ "icmpv6", IPPROTO_ICMPV6 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(arg, names[i].name))
			return names[i].proto;
	return (int)camgen_util_opt_uint("--proto", arg, 0, 255);
}

/* The transport header and payload, checksummed against src and dst. */
static size_t build_l4(int proto, int family, const uint8_t *src, const uint8_t *dst,
		       uint16_t sport, uint16_t dport, int icmp_type, const uint8_t *payload,
		       size_t plen, uint8_t *out)
{
	uint32_t s = 0;
	size_t hlen, len;
	uint8_t pseudo[40];
	int alen = family == AF_INET ? 4 : 16;

	if (proto == IPPROTO_UDP)
		hlen = 8;
	else if (proto == IPPROTO_TCP)
		hlen = 20;
	else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		hlen = 8;
	else
		hlen = 0;
	len = hlen + plen;
	memset(out, 0, hlen);
	memcpy(out + hlen, payload, plen);
	if (proto == IPPROTO_UDP) {
		put16(out, sport);
		put16(out + 2, dport);
		put16(out + 4, (uint16_t)len);
	} else if (proto == IPPROTO_TCP) {
		put16(out, sport);
		put16(out + 2, dport);
		out[7] = 1;		/* sequence number 1 */
		out[12] = 5 << 4;
		out[13] = 0x02;		/* SYN */
		put16(out + 14, 65535);
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		out[0] = (uint8_t)icmp_type;
		put16(out + 4, 0x4346);	/* echo identifier "CF" */
		put16(out + 6, 1);
	}
	if (!hlen)
		return len;
	if (proto != IPPROTO_ICMP) {
		memcpy(pseudo, src, alen);
		memcpy(pseudo + alen, dst, alen);
		s = sum(0, pseudo, 2 * alen);
		s += proto + (uint32_t)len;
	}
	s = sum(s, out, len);
	put16(out + (proto == IPPROTO_UDP ? 6 : proto == IPPROTO_TCP ? 16 : 2), fold(s));
	return len;
}

/* An inner IPv4 or IPv6 packet with a UDP datagram, for the tunnels. */
static size_t build_inner(const struct frame *f, uint8_t *out)
{
	static const uint8_t payload[32] = "camfence evasion test, inner";
	uint8_t *l4;
	size_t l4len;

	if (f->inner_dst.family == AF_INET6) {
		memset(out, 0, 40);
		out[0] = 0x60;
		out[6] = IPPROTO_UDP;
		out[7] = 64;
		memcpy(out + 8, &f->inner_src.v6, 16);
		memcpy(out + 24, &f->inner_dst.v6, 16);
		l4 = out + 40;
		l4len = build_l4(IPPROTO_UDP, AF_INET6, out + 8, out + 24, 40000, f->dport, 0,
				 payload, sizeof(payload), l4);
		put16(out + 4, (uint16_t)l4len);
		return 40 + l4len;
	}
	memset(out, 0, 20);
	out[0] = 0x45;
	out[8] = 64;
	out[9] = IPPROTO_UDP;
	memcpy(out + 12, &f->inner_src.v4, 4);
	memcpy(out + 16, &f->inner_dst.v4, 4);
	l4 = out + 20;
	l4len = build_l4(IPPROTO_UDP, AF_INET, out + 12, out + 16, 40000, f->dport, 0, payload,
			 sizeof(payload), l4);
	put16(out + 2, (uint16_t)(20 + l4len));
	put16(out + 10, fold(sum(0, out, 20)));
	return 20 + l4len;
}

/* What the outer IP header carries: a transport datagram, or a tunnel. */
static size_t build_payload(const struct frame *f, int *proto, uint8_t *out)
{
	uint8_t inner[MAX_DGRAM], data[MAX_DGRAM];
	const uint8_t *src = f->src.bytes, *dst = f->dst.bytes;
	size_t n;
	unsigned int i;

	if (f->encap) {
		n = build_inner(f, inner);
		if (!strcmp(f->encap, "gre")) {
			*proto = 47;
			memset(out, 0, 4);
			put16(out + 2, f->inner_dst.family == AF_INET6 ? 0x86dd : 0x0800);
			memcpy(out + 4, inner, n);
			return 4 + n;
		}
		if (!strcmp(f->encap, "ipip") || !strcmp(f->encap, "sit")) {
			*proto = f->inner_dst.family == AF_INET6 ? 41 : 4;
			memcpy(out, inner, n);
			return n;
		}
		/* vxlan: UDP to 4789, the VNI, an Ethernet frame around the inner packet */
		memset(data, 0, 8 + 14);
		data[0] = 0x08;
		data[6] = 42;
		memcpy(data + 8, f->dmac, 6);
		memcpy(data + 14, f->smac, 6);
		put16(data + 20, f->inner_dst.family == AF_INET6 ? 0x86dd : 0x0800);
		memcpy(data + 22, inner, n);
		*proto = IPPROTO_UDP;
		return build_l4(IPPROTO_UDP, f->dst.family, src, dst, f->sport, f->dport ? f->dport : 4789,
				0, data, 22 + n, out);
	}
	for (i = 0; i < f->size; i++)
		data[i] = (uint8_t)('a' + i % 26);
	*proto = f->proto;
	return build_l4(f->proto, f->dst.family, src,
			/* with a source route, the transport checksum is the final hop's */
			f->have_via ? f->via.bytes : dst, f->sport, f->dport, f->icmp_type, data,
			f->size, out);
}

/* IPv4 options: record route, or a loose/strict source route through via. */
static size_t ipv4_options(const struct frame *f, uint8_t *o)
{
	if (f->have_via) {
		o[0] = f->ssrr ? 137 : 131;
		o[1] = 7;
		o[2] = 4;
		memcpy(o + 3, &f->via.v4, 4);
		o[7] = 0;	/* end of options */
		return 8;
	}
	if (f->ipopt_rr) {
		memset(o, 0, 40);
		o[0] = 7;	/* record route, room for nine addresses */
		o[1] = 39;
		o[2] = 4;
		return 40;
	}
	return 0;
}

static size_t ext_header(enum ext e, uint8_t next, uint8_t *o)
{
	memset(o, 0, 8);
	o[0] = next;
	if (e == EXT_RT0) {
		o[2] = 0;	/* type 0, no segments left */
		return 8;
	}
	o[2] = 1;		/* PadN over the rest */
	o[3] = 4;
	return 8;
}

/* A segment routing header: segments [final, first]; the header's
 * destination is the first, one segment left. */
static size_t srh(const struct frame *f, uint8_t next, uint8_t *o)
{
	memset(o, 0, 8 + 32);
	o[0] = next;
	o[1] = 4;		/* 32 bytes of segments */
	o[2] = 4;		/* segment routing */
	o[3] = 1;		/* segments left */
	o[4] = 1;		/* last entry */
	memcpy(o + 8, &f->via.v6, 16);
	memcpy(o + 24, &f->dst.v6, 16);
	return 40;
}

static int open_socket(int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "camgen: frame: AF_PACKET socket: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Ethernet and tags; returns the offset of the IP header. */
static size_t link_header(const struct frame *f, uint8_t *fr)
{
	size_t off = 12;
	int i;

	memcpy(fr, f->dmac, 6);
	memcpy(fr + 6, f->smac, 6);
	for (i = 0; i < f->nvlan; i++) {
		put16(fr + off, f->nvlan == 2 && i == 0 ? 0x88a8 : 0x8100);
		put16(fr + off + 2, f->vlan[i]);
		off += 4;
	}
	put16(fr + off, f->dst.family == AF_INET6 ? 0x86dd : 0x0800);
	return off + 2;
}

static int send_frame(int fd, const uint8_t *fr, size_t len)
{
	if (send(fd, fr, len, 0) < 0) {
		fprintf(stderr, "camgen: frame: send: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int send_ipv4(const struct frame *f, int fd, const uint8_t *l4, size_t l4len, int proto)
{
	uint8_t fr[MAX_FRAME], opts[40];
	size_t ip = link_header(f, fr), olen = ipv4_options(f, opts), hlen = 20 + olen;
	struct frag whole = { 0, (unsigned int)l4len, true };
	const struct frag *fg = f->nfrags ? f->frags : &whole;
	int i, n = f->nfrags ? f->nfrags : 1;

	for (i = 0; i < n; i++) {
		uint8_t *h = fr + ip;
		size_t start = fg[i].off * 8, len = fg[i].len;

		if (start > l4len)
			start = l4len;
		if (start + len > l4len)
			len = l4len - start;
		memset(h, 0, hlen);
		h[0] = 0x40 | (uint8_t)(hlen / 4);
		put16(h + 2, (uint16_t)(hlen + len));
		put16(h + 4, (uint16_t)f->id);
		put16(h + 6, (uint16_t)((fg[i].last ? 0 : 0x2000) | fg[i].off));
		h[8] = 64;
		h[9] = (uint8_t)proto;
		memcpy(h + 12, &f->src.v4, 4);
		memcpy(h + 16, &f->dst.v4, 4);
		memcpy(h + 20, opts, olen);
		put16(h + 10, fold(sum(0, h, hlen)));
		memcpy(h + hlen, l4 + start, len);
		if (send_frame(fd, fr, ip + hlen + len))
			return -1;
	}
	return 0;
}

static int send_ipv6(const struct frame *f, int fd, const uint8_t *l4, size_t l4len, int proto)
{
	uint8_t fr[MAX_FRAME];
	size_t ip = link_header(f, fr), hlen = 0, nh_at = 6;
	struct frag whole = { 0, (unsigned int)l4len, true };
	const struct frag *fg = f->nfrags ? f->frags : &whole;
	int i, n = f->nfrags ? f->nfrags : 1;
	uint8_t *h = fr + ip;

	/* headers are chained back to front: each names the one after it */
	memset(h, 0, 40);
	h[0] = 0x60;
	h[7] = (uint8_t)f->hop_limit;
	memcpy(h + 8, &f->src.v6, 16);
	memcpy(h + 24, &f->dst.v6, 16);
	for (i = 0; i < f->next; i++) {
		h[nh_at] = f->ext[i] == EXT_HOP ? 0 : f->ext[i] == EXT_DST ? 60 : 43;
		nh_at = 40 + hlen;
		hlen += ext_header(f->ext[i], 0, h + 40 + hlen);
	}
	if (f->srh) {
		h[nh_at] = 43;
		nh_at = 40 + hlen;
		hlen += srh(f, 0, h + 40 + hlen);
	}
	for (i = 0; i < n; i++) {
		size_t start = fg[i].off * 8, len = fg[i].len, fh = 0;
		uint8_t *p = h + 40 + hlen;

		if (start > l4len)
			start = l4len;
		if (start + len > l4len)
			len = l4len - start;
		if (f->nfrags) {
			h[nh_at] = 44;
			memset(p, 0, 8);
			p[0] = (uint8_t)proto;
			put16(p + 2, (uint16_t)(fg[i].off << 3 | (fg[i].last ? 0 : 1)));
			p[4] = (uint8_t)(f->id >> 24);
			p[5] = (uint8_t)(f->id >> 16);
			p[6] = (uint8_t)(f->id >> 8);
			p[7] = (uint8_t)f->id;
			fh = 8;
		} else {
			h[nh_at] = (uint8_t)proto;
		}
		memcpy(p + fh, l4 + start, len);
		put16(h + 4, (uint16_t)(hlen + fh + len));
		if (send_frame(fd, fr, ip + 40 + hlen + fh + len))
			return -1;
	}
	return 0;
}

static void opt_frag(struct frame *f, const char *arg)
{
	unsigned int off, len;
	char last[8] = "";

	if (f->nfrags == MAX_FRAGS)
		camgen_util_usage_error("--frag: at most %d", MAX_FRAGS);
	if (sscanf(arg, "%u:%u:%7s", &off, &len, last) < 2 || off > 8191 || len > MAX_DGRAM ||
	    (last[0] && strcmp(last, "last")))
		camgen_util_usage_error("--frag: '%s' is not OFF:LEN[:last]", arg);
	f->frags[f->nfrags++] = (struct frag){ off, len, last[0] != 0 };
}

static void opt_ext(struct frame *f, const char *arg)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (f->next == MAX_EXT)
			camgen_util_usage_error("--ext: at most %d headers", MAX_EXT);
		if (!strcmp(tok, "hop"))
			f->ext[f->next++] = EXT_HOP;
		else if (!strcmp(tok, "dst"))
			f->ext[f->next++] = EXT_DST;
		else if (!strcmp(tok, "rt0"))
			f->ext[f->next++] = EXT_RT0;
		else
			camgen_util_usage_error("--ext: '%s' is not hop, dst or rt0", tok);
	}
}

static void own_mac(struct frame *f, const char *iface)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr))
		memcpy(f->smac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
}

int camgen_frame_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "dmac", required_argument, NULL, 'd' },
		{ "smac", required_argument, NULL, 'm' },
		{ "vlan", required_argument, NULL, 'v' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 't' },
		{ "proto", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 'S' },
		{ "dport", required_argument, NULL, 'D' },
		{ "icmp-type", required_argument, NULL, 'y' },
		{ "size", required_argument, NULL, 'z' },
		{ "hop-limit", required_argument, NULL, 'H' },
		{ "record-route", no_argument, NULL, 'r' },
		{ "lsrr", required_argument, NULL, 'l' },
		{ "ssrr", required_argument, NULL, 'L' },
		{ "srh", required_argument, NULL, 'R' },
		{ "ext", required_argument, NULL, 'e' },
		{ "frag", required_argument, NULL, 'f' },
		{ "id", required_argument, NULL, 'I' },
		{ "encap", required_argument, NULL, 'E' },
		{ "inner-src", required_argument, NULL, 'a' },
		{ "inner-dst", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct frame f = { .proto = IPPROTO_UDP, .sport = 40000, .size = 32, .hop_limit = 64,
			   .id = 0x4346, .count = 1, .icmp_type = -1 };
	const char *iface = NULL;
	uint8_t l4[MAX_DGRAM];
	bool have_dmac = false;
	unsigned long i;
	size_t l4len;
	int c, fd, proto, ret;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'i': iface = optarg; break;
		case 'd': camgen_util_opt_mac("--dmac", optarg, f.dmac); have_dmac = true; break;
		case 'm': camgen_util_opt_mac("--smac", optarg, f.smac); f.have_smac = true; break;
		case 'v':
			if (f.nvlan == 2)
				camgen_util_usage_error("--vlan: at most two tags");
			f.vlan[f.nvlan++] = (uint16_t)camgen_util_opt_uint("--vlan", optarg, 0, 4095);
			break;
		case 's': camgen_util_opt_addr("--src", optarg, &f.src); break;
		case 't': camgen_util_opt_addr("--dst", optarg, &f.dst); break;
		case 'p': f.proto = proto_of(optarg); break;
		case 'S': f.sport = (uint16_t)camgen_util_opt_uint("--sport", optarg, 0, 65535); break;
		case 'D': f.dport = (uint16_t)camgen_util_opt_uint("--dport", optarg, 0, 65535); break;
		case 'y': f.icmp_type = (int)camgen_util_opt_uint("--icmp-type", optarg, 0, 255); break;
		case 'z': f.size = (unsigned int)camgen_util_opt_uint("--size", optarg, 0, 1200); break;
		case 'H': f.hop_limit = (unsigned int)camgen_util_opt_uint("--hop-limit", optarg, 0, 255); break;
		case 'r': f.ipopt_rr = 1; break;
		case 'L': f.ssrr = true; /* fall through */
		case 'l':
		case 'R':
			camgen_util_opt_addr("--lsrr, --ssrr, --srh", optarg, &f.via);
			f.have_via = true;
			f.srh = c == 'R';
			break;
		case 'e': opt_ext(&f, optarg); break;
		case 'f': opt_frag(&f, optarg); break;
		case 'I': f.id = (uint32_t)camgen_util_opt_uint("--id", optarg, 0, 0xffffffffUL); break;
		case 'E':
			if (strcmp(optarg, "gre") && strcmp(optarg, "ipip") && strcmp(optarg, "sit") &&
			    strcmp(optarg, "vxlan"))
				camgen_util_usage_error("--encap: '%s' is not gre, ipip, sit or vxlan", optarg);
			f.encap = optarg;
			break;
		case 'a': camgen_util_opt_addr("--inner-src", optarg, &f.inner_src); break;
		case 'b': camgen_util_opt_addr("--inner-dst", optarg, &f.inner_dst); break;
		case 'c': f.count = camgen_util_opt_uint("--count", optarg, 1, 1000000); break;
		case 'h': camgen_util_help();
		default: camgen_util_bad_option(argv, c);
		}
	}
	camgen_util_no_positional(argc, argv);
	if (!iface || !have_dmac || !f.src.family || !f.dst.family)
		camgen_util_usage_error("frame: --iface, --dmac, --src and --dst are required");
	if (f.src.family != f.dst.family)
		camgen_util_usage_error("frame: --src and --dst are of different families");
	if (f.encap && (!f.inner_src.family || f.inner_src.family != f.inner_dst.family))
		camgen_util_usage_error("frame: --encap needs --inner-src and --inner-dst of one family");
	if (f.have_via && (f.via.family != f.dst.family || (f.srh != (f.dst.family == AF_INET6))))
		camgen_util_usage_error("frame: --lsrr and --ssrr are IPv4, --srh IPv6");
	if (f.icmp_type < 0)
		f.icmp_type = f.proto == IPPROTO_ICMPV6 ? 128 : 8;
	f.ifindex = camgen_util_opt_ifindex("--iface", iface);
	if (!f.have_smac)
		own_mac(&f, iface);

	l4len = build_payload(&f, &proto, l4);
	fd = open_socket(f.ifindex);
	if (fd < 0)
		return CAMGEN_EXIT_ERROR;
	for (i = 0, ret = 0; i < f.count && !ret; i++)
		ret = f.dst.family == AF_INET6 ? send_ipv6(&f, fd, l4, l4len, proto) :
						 send_ipv4(&f, fd, l4, l4len, proto);
	close(fd);
	if (ret)
		return CAMGEN_EXIT_ERROR;
	printf("frame: sent %lu\n", f.count);
	return CAMGEN_EXIT_OK;
}
