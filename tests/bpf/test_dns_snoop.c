// SPDX-License-Identifier: GPL-2.0
/*
 * camfence_dns_tc on a table of crafted frames, run with
 * bpf_prog_test_run_opts through the daemon's own loader (dns_snoop.c):
 * each row is a frame, what it is, whether its DNS message must come out of
 * the ring buffer (then every field and byte of the record is compared) and
 * which counter it moves. Every frame must come back unchanged, with
 * TC_ACT_UNSPEC: go on, to the next filter if there is one.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_tests.h"
#include "dns_snoop.h"

#define CAMERA	{ 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 }
#define ROUTER	{ 0x02, 0xcf, 0x00, 0x00, 0x00, 0x01 }
#define BIG	2000	/* a message longer than CAMFENCE_DNS_MSG_MAX */

struct frame_spec {
	__u16 vlan[2];		/* 0: no tag; vlan[0] outermost */
	int family;
	const char *src, *dst;
	__u8 proto;		/* default UDP */
	__u16 sport, dport;
	size_t msg_len;		/* bytes of DNS message (a made-up one) */
	int ip_options;		/* IPv4: bytes of options, NOPs */
	int ipv6_ext;		/* IPv6: destination options headers before the rest */
	int ipv6_rt;		/* IPv6: a routing header, 1: a segment left, 2: none left */
	int frag;		/* 1: first fragment (MF / M), 2: a later one,
				 * 3: IPv6 atomic fragment header */
	int udp_len_extra;	/* added to the UDP length field */
};

enum expect {
	IGNORED,	/* nothing copied, no counter moves */
	COPIED,
	FRAGMENT,	/* nothing copied, fragments counted */
	TRUNCATED,	/* copied cut at CAMFENCE_DNS_MSG_MAX, counted */
};

struct fixture {
	const char *what;
	struct frame_spec f;
	enum expect expect;
	__u16 vlan;		/* the record's VLAN */
};

#define V4R(dp, n) .family = AF_INET, .src = "192.0.2.53", .dst = "192.168.10.204", \
		.sport = 53, .dport = dp, .msg_len = n
#define V6R(dp, n) .family = AF_INET6, .src = "2001:db8:53::1", .dst = "2001:db8:10::204", \
		.sport = 53, .dport = dp, .msg_len = n

static const struct fixture fixtures[] = {
	{ "IPv4 response to the camera", { V4R(40000, 45) }, COPIED },
	{ "IPv6 response to the camera", { V6R(40001, 120) }, COPIED },
	{ "IPv4 response with an 802.1Q tag", { { 30 }, V4R(40002, 60) }, COPIED, 30 },
	{ "IPv6 response in QinQ: the inner tag names the VLAN",
	  { { 100, 31 }, V6R(40003, 60) }, COPIED, 31 },
	{ "IPv4 response with 40 bytes of options", { V4R(40004, 77), .ip_options = 40 }, COPIED },
	{ "IPv6 response behind two options headers", { V6R(40005, 80), .ipv6_ext = 2 }, COPIED },
	{ "IPv6 response behind a routing header with no segments left",
	  { V6R(40005, 80), .ipv6_rt = 2 }, COPIED },
	{ "IPv6 response with an atomic fragment header (RFC 6946)",
	  { V6R(40006, 50), .frag = 3 }, COPIED },
	{ "a DNS header and nothing else", { V4R(40007, CAMFENCE_DNS_MSG_MIN) }, COPIED },
	{ "exactly the cap", { V4R(40008, CAMFENCE_DNS_MSG_MAX) }, COPIED },
	{ "IPv4 response longer than the cap", { V4R(40009, BIG) }, TRUNCATED },
	{ "IPv6 response longer than the cap, tagged", { { 30 }, V6R(40010, BIG) }, TRUNCATED, 30 },
	{ "the camera's query (to port 53) is not a response",
	  { .family = AF_INET, .src = "192.168.10.204", .dst = "192.0.2.53", .sport = 40000,
	    .dport = 53, .msg_len = 40 }, IGNORED },
	{ "IPv4 first fragment of a response", { V4R(40011, 1400), .frag = 1 }, FRAGMENT },
	{ "IPv4 later fragment", { V4R(40012, 600), .frag = 2 }, IGNORED },
	{ "IPv6 first fragment of a response", { V6R(40013, 1400), .frag = 1 }, FRAGMENT },
	{ "IPv6 later fragment", { V6R(40014, 600), .frag = 2 }, IGNORED },
	{ "TCP from port 53", { V4R(40015, 60), .proto = IPPROTO_TCP }, IGNORED },
	{ "ICMP", { V4R(0, 60), .proto = IPPROTO_ICMP }, IGNORED },
	{ "ARP", { .family = 0 }, IGNORED },
	{ "UDP from another port", { .family = AF_INET, .src = "192.0.2.53",
	  .dst = "192.168.10.204", .sport = 5353, .dport = 53, .msg_len = 40 }, IGNORED },
	{ "shorter than a DNS header", { V4R(40016, CAMFENCE_DNS_MSG_MIN - 1) }, IGNORED },
	{ "UDP between two other ports", { .family = AF_INET, .src = "192.0.2.53",
	  .dst = "192.168.10.204", .sport = 40000, .dport = 40001, .msg_len = 40 }, IGNORED },
	{ "UDP length beyond the frame", { V4R(40017, 40), .udp_len_extra = 1 }, IGNORED },
	{ "UDP length beyond a frame longer than the cap", { V4R(40017, BIG), .udp_len_extra = 1 },
	  IGNORED },
	{ "IPv6 routing header with segments left: not yet at the device",
	  { V6R(40018, 40), .ipv6_rt = 1 }, IGNORED },
	{ "IPv6 extension chain longer than the parser follows", { V6R(40019, 40), .ipv6_ext = 5 },
	  IGNORED },
};

#define NFIXTURES ((int)(sizeof(fixtures) / sizeof(fixtures[0])))

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* The message: a DNS header's worth of id and flags, then bytes that tell
 * each position apart, so a shifted or short copy shows. */
static void fill_msg(__u8 *p, size_t n, __u16 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (__u8)(i * 7 + seed + (i >> 8));
}

/* Writes the frame into buf and returns its length; *msg_at is where the
 * DNS message starts in it. */
static size_t build(const struct frame_spec *s, __u8 *buf, size_t len, size_t *msg_at)
{
	static const __u8 dst_mac[6] = CAMERA, src_mac[6] = ROUTER;
	__u8 proto = s->proto ? s->proto : IPPROTO_UDP;
	size_t off = 12, l3, l4, i;
	int v;

	memset(buf, 0, len);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	for (v = 0; v < 2 && s->vlan[v]; v++) {
		put16(buf + off, v == 0 && s->vlan[1] ? 0x88a8 : 0x8100);
		put16(buf + off + 2, s->vlan[v]);
		off += 4;
	}
	if (!s->family) {
		put16(buf + off, 0x0806);	/* ARP, request */
		memcpy(buf + off + 2, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
		return off + 2 + 28;
	}
	put16(buf + off, s->family == AF_INET ? 0x0800 : 0x86dd);
	off += 2;
	l3 = off;
	if (s->family == AF_INET) {
		size_t hlen = 20 + s->ip_options;

		buf[l3] = 0x40 | (hlen / 4);
		buf[l3 + 8] = 64;
		buf[l3 + 9] = proto;
		if (s->frag == 1)
			put16(buf + l3 + 6, 0x2000);
		else if (s->frag == 2)
			put16(buf + l3 + 6, 185);
		inet_pton(AF_INET, s->src, buf + l3 + 12);
		inet_pton(AF_INET, s->dst, buf + l3 + 16);
		memset(buf + l3 + 20, 1, s->ip_options);	/* NOPs */
		l4 = l3 + hlen;
	} else {
		__u8 *nh = buf + l3 + 6;

		buf[l3] = 0x60;
		buf[l3 + 7] = 64;
		inet_pton(AF_INET6, s->src, buf + l3 + 8);
		inet_pton(AF_INET6, s->dst, buf + l3 + 24);
		l4 = l3 + 40;
		for (i = 0; i < (size_t)s->ipv6_ext; i++) {
			*nh = IPPROTO_DSTOPTS;
			nh = buf + l4;
			buf[l4 + 1] = 0;	/* 8 bytes: PadN of 6 */
			buf[l4 + 2] = 1;
			buf[l4 + 3] = 4;
			l4 += 8;
		}
		if (s->ipv6_rt) {
			*nh = IPPROTO_ROUTING;
			nh = buf + l4;
			buf[l4 + 1] = 2;	/* 24 bytes: type 0's one address */
			buf[l4 + 3] = s->ipv6_rt == 1;
			l4 += 24;
		}
		if (s->frag) {
			*nh = IPPROTO_FRAGMENT;
			nh = buf + l4;
			if (s->frag == 1)
				put16(buf + l4 + 2, 0x0001);
			else if (s->frag == 2)
				put16(buf + l4 + 2, 185 << 3);
			memcpy(buf + l4 + 4, "\x12\x34\x56\x78", 4);
			l4 += 8;
		}
		*nh = proto;
	}
	if (proto == IPPROTO_UDP) {
		put16(buf + l4, s->sport);
		put16(buf + l4 + 2, s->dport);
		put16(buf + l4 + 4, 8 + s->msg_len + s->udp_len_extra);
		*msg_at = l4 + 8;
	} else if (proto == IPPROTO_TCP) {
		put16(buf + l4, s->sport);
		put16(buf + l4 + 2, s->dport);
		buf[l4 + 12] = 5 << 4;
		*msg_at = l4 + 20;
	} else {
		buf[l4] = 8;	/* ICMP echo */
		*msg_at = l4 + 8;
	}
	fill_msg(buf + *msg_at, s->msg_len, s->dport);
	off = *msg_at + s->msg_len;
	if (s->family == AF_INET)
		put16(buf + l3 + 2, off - l3);
	else
		put16(buf + l3 + 4, off - l3 - 40);
	return off;
}

/* What the ring buffer gave: copies of each record and its message. */
struct seen {
	int n;
	struct camfence_dns_record rec;
	__u8 msg[CAMFENCE_DNS_MSG_MAX];
};

static int collect(const struct camfence_dns_record *rec, const __u8 *msg, void *ctx)
{
	struct seen *seen = ctx;

	seen->n++;
	seen->rec = *rec;
	memcpy(seen->msg, msg, rec->copied);
	return 0;
}

static struct camfence_dns_snoop *snoop;
static struct seen seen;

static void setup(void)
{
	char err[256] = "";

	memset(&seen, 0, sizeof(seen));
	ck_assert_msg(!camfence_dns_snoop_open(&snoop, collect, &seen, err, sizeof(err)),
		      "open: %s (run as root)", err);
}

static void teardown(void)
{
	camfence_dns_snoop_close(snoop);
	snoop = NULL;
}

/* Runs the frame once (or repeat times) and checks it passed unchanged. */
static void run(const __u8 *frame, size_t len, int repeat)
{
	static __u8 out[4096];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	ck_assert_int_eq(bpf_prog_test_run_opts(camfence_dns_snoop_prog_fd(snoop), &opts), 0);
	ck_assert_int_eq((int)opts.retval, TC_ACT_UNSPEC);
	ck_assert_uint_eq(opts.data_size_out, len);
	ck_assert_msg(!memcmp(out, frame, len), "the frame was changed");
}

START_TEST(fixture)
{
	const struct fixture *t = &fixtures[_i];
	struct camfence_dns_counters c;
	__u8 frame[4096], addr[16] = { 0 };
	size_t len, msg_at = 0, want;
	int consumed;

	len = build(&t->f, frame, sizeof(frame), &msg_at);
	run(frame, len, 1);
	consumed = camfence_dns_snoop_consume(snoop);
	ck_assert_int_ge(consumed, 0);
	ck_assert_int_eq(camfence_dns_snoop_counters(snoop, &c), 0);
	ck_assert_uint_eq(camfence_dns_snoop_malformed(snoop), 0);
	ck_assert_uint_eq(c.lost, 0);
	ck_assert_uint_eq(c.fragments, t->expect == FRAGMENT);
	ck_assert_uint_eq(c.truncated, t->expect == TRUNCATED);
	if (t->expect != COPIED && t->expect != TRUNCATED) {
		ck_assert_int_eq(consumed, 0);
		ck_assert_int_eq(seen.n, 0);
		ck_assert_uint_eq(c.copied, 0);
		return;
	}
	ck_assert_int_eq(consumed, 1);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_uint_eq(c.copied, 1);
	want = t->f.msg_len < CAMFENCE_DNS_MSG_MAX ? t->f.msg_len : CAMFENCE_DNS_MSG_MAX;
	ck_assert_uint_eq(seen.rec.ifindex, 1);	/* test runs go out through lo */
	ck_assert_uint_eq(seen.rec.vlan, t->vlan);
	ck_assert_mem_eq(seen.rec.dst_mac, ((__u8[])CAMERA), 6);
	ck_assert_uint_eq(seen.rec.family, t->f.family);
	ck_assert_uint_eq(seen.rec.sport, 53);
	ck_assert_uint_eq(seen.rec.dport, t->f.dport);
	ck_assert_uint_eq(seen.rec.msg_len, t->f.msg_len);
	ck_assert_uint_eq(seen.rec.copied, want);
	ck_assert_uint_eq(seen.rec.flags, t->expect == TRUNCATED ? CAMFENCE_DNS_TRUNCATED : 0);
	ck_assert_uint_eq(seen.rec.pad, 0);
	inet_pton(t->f.family, t->f.src, addr);
	ck_assert_mem_eq(seen.rec.saddr, addr, 16);
	memset(addr, 0, sizeof(addr));
	inet_pton(t->f.family, t->f.dst, addr);
	ck_assert_mem_eq(seen.rec.daddr, addr, 16);
	ck_assert_msg(!memcmp(seen.msg, frame + msg_at, want),
		      "the message's bytes differ from the frame's");
}
END_TEST

/* More responses than the ring buffer holds, none read: the rest counted
 * lost, the frames still passed; what was kept reads back whole. */
START_TEST(full_ring_counts_losses)
{
	const struct frame_spec f = { V4R(40100, CAMFENCE_DNS_MSG_MAX) };
	const int runs = CAMFENCE_DNS_RINGBUF_BYTES / CAMFENCE_DNS_MSG_MAX + 50;
	struct camfence_dns_counters c;
	__u8 frame[4096];
	size_t len, msg_at;
	int consumed;

	len = build(&f, frame, sizeof(frame), &msg_at);
	run(frame, len, runs);
	ck_assert_int_eq(camfence_dns_snoop_counters(snoop, &c), 0);
	ck_assert_uint_gt(c.lost, 0);
	ck_assert_uint_eq(c.copied + c.lost, runs);
	consumed = camfence_dns_snoop_consume(snoop);
	ck_assert_int_eq(consumed, (int)c.copied);
	ck_assert_int_eq(seen.n, (int)c.copied);
	ck_assert_uint_eq(seen.rec.copied, CAMFENCE_DNS_MSG_MAX);
	ck_assert_msg(!memcmp(seen.msg, frame + msg_at, CAMFENCE_DNS_MSG_MAX), "the last record differs");
	/* room again once read */
	run(frame, len, 1);
	ck_assert_int_eq(camfence_dns_snoop_consume(snoop), 1);
}
END_TEST

/* A callback's error stops the reading and comes back from consume; the
 * records after it are read the next time. */
static int refuse(const struct camfence_dns_record *rec, const __u8 *msg, void *ctx)
{
	int *calls = ctx;

	return ++*calls == 1 ? -ECANCELED : 0;
}

START_TEST(callback_error_stops_consume)
{
	const struct frame_spec f = { V4R(40200, 40) };
	struct camfence_dns_snoop *s;
	__u8 frame[256];
	size_t len, msg_at;
	char err[256];
	int calls = 0;

	ck_assert_msg(!camfence_dns_snoop_open(&s, refuse, &calls, err, sizeof(err)), "%s", err);
	len = build(&f, frame, sizeof(frame), &msg_at);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len, .repeat = 3);

		ck_assert_int_eq(bpf_prog_test_run_opts(camfence_dns_snoop_prog_fd(s), &opts), 0);
	}
	ck_assert_int_eq(camfence_dns_snoop_consume(s), -ECANCELED);
	ck_assert_int_eq(camfence_dns_snoop_consume(s), 2);
	ck_assert_int_eq(calls, 3);
	camfence_dns_snoop_close(s);
}
END_TEST

/* Attach errors name the interface and the reason; nothing is attached. */
START_TEST(attach_errors)
{
	char err[256] = "";

	ck_assert_int_eq(camfence_dns_snoop_attach(snoop, 0, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "DNS snooper: ifindex 0 is no interface");
	ck_assert_int_eq(camfence_dns_snoop_attach(snoop, 1 << 30, err, sizeof(err)), -ENODEV);
	ck_assert_str_eq(err, "ifindex 1073741824: creating its clsact qdisc: the interface is gone");
	ck_assert_int_eq(camfence_dns_snoop_detach(snoop, 1 << 30, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "DNS snooper: ifindex 1073741824: not attached there");
}
END_TEST

Suite *dns_snoop_suite(void)
{
	Suite *s = suite_create("dns_snoop");
	TCase *table = tcase_create("frames");
	TCase *ring = tcase_create("ring");

	tcase_add_checked_fixture(table, setup, teardown);
	tcase_add_loop_test(table, fixture, 0, NFIXTURES);
	tcase_add_checked_fixture(ring, setup, teardown);
	tcase_add_test(ring, full_ring_counts_losses);
	tcase_add_test(ring, callback_error_stops_consume);
	tcase_add_test(ring, attach_errors);
	suite_add_tcase(s, table);
	suite_add_tcase(s, ring);
	return s;
}
