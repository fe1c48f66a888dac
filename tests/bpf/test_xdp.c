// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP program on a table of crafted packets, run with
 * bpf_prog_test_run_opts: each row is a packet, what it is, the verdict it
 * must get and whether it must raise a blocked-flow event. The policy is
 * pushed through the daemon's own compiler and loader.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "bpf_tests.h"
#include "camfence.skel.h"
#include "loader.h"
#include "packet.h"
#include "policy_compile.h"
#include "policy_match.h"

#define YI	{ 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 }
#define LOBBY	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x22 }
#define STRAY	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 }
#define PREFIXED { 0x70, 0xb3, 0xd5, 0x12, 0x30, 0x0a }	/* in 70:b3:d5:12:30/36 */

static const char policy_text[] =
	"zone cams {\n"
	"\tinterface lo\n"
	"\tunknown deny\n"
	"}\n"
	"zone cctv {\n"
	"\tinterface lo\n"
	"\tvlan 30 31\n"
	"\tunknown policy quarantine\n"
	"}\n"
	"set cloud {\n"
	"\t47.91.0.0/16\n"
	"}\n"
	"group prefixed {\n"
	"\tmac 70:b3:d5:12:30/36\n"
	"\tip 2001:db8:10::/64\n"
	"\tpolicy lan\n"
	"}\n"
	"group vlan-cams {\n"
	"\tvlan 30\n"
	"\tzone cctv\n"
	"\tpolicy lan\n"
	"}\n"
	"group yi {\n"
	"\tmac b0:d5:9d:b9:f0:b4\n"
	"\tip 192.168.10.64/28\n"
	"\tpolicy lan\n"
	"}\n"
	"group lobby {\n"
	"\tmac 02:00:00:00:00:22\n"
	"\tpolicy open\n"
	"}\n"
	"policy lan {\n"
	"\tallow to 192.168.10.0/24\n"
	"\tallow to 192.0.2.123 udp 123\n"
	"\tdeny to 192.0.2.0/24\n"
	"\tallow to 198.51.100.0/24 tcp 8000-8010,8443\n"
	"\tallow to 2001:db8:20::/48 tcp 554\n"
	"\tdeny to 203.0.113.99 nolog\n"
	"\tdeny to cloud udp 32100\n"
	"\tallow to 203.0.113.200 tcp 443 log\n"
	"\tdefault deny\n"
	"}\n"
	"policy quarantine {\n"
	"\tallow to 192.0.2.53 udp 53\n"
	"\tdefault deny\n"
	"}\n"
	"policy open {\n"
	"\tdeny tunnel\n"
	"\tdeny to 203.0.113.0/24 tcp 23\n"
	"\tdefault allow\n"
	"}\n";

struct fixture {
	const char *what;
	struct pkt_spec pkt;
	int primed;		/* the same packet was seen this often before */
	int xdp;		/* XDP_PASS or XDP_DROP */
	int event;		/* 1: must raise an event, with this reason */
	int reason;
	int routed;		/* 1: run with a route to the destination (routed_setup) */
};

#define V4(s, d, p, sp, dp) .family = AF_INET, .src = s, .dst = d, .proto = p, .sport = sp, .dport = dp
#define V6(s, d, p, sp, dp) .family = AF_INET6, .src = s, .dst = d, .proto = p, .sport = sp, .dport = dp

static const struct fixture fixtures[] = {
	{ "camera streams to the NVR on the LAN",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004) }, 0, XDP_PASS },
	{ "camera phones home to the cloud by address (UDP 32100)",
	  { YI, V4("192.168.10.204", "47.88.59.209", IPPROTO_UDP, 40000, 32100) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "the same blocked flow again raises no second event",
	  { YI, V4("192.168.10.204", "47.88.59.209", IPPROTO_UDP, 40000, 32100) }, 3, XDP_DROP },
	{ "the same allowed flow again still passes (flow cache)",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004) }, 3, XDP_PASS },
	{ "NTP to the allowed server",
	  { YI, V4("192.168.10.204", "192.0.2.123", IPPROTO_UDP, 123, 123) }, 0, XDP_PASS },
	{ "the NTP server on another port meets the deny rule",
	  { YI, V4("192.168.10.204", "192.0.2.123", IPPROTO_UDP, 123, 124) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_RULE },
	{ "deny rule for the documentation /24",
	  { YI, V4("192.168.10.204", "192.0.2.5", IPPROTO_TCP, 50000, 80) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_RULE },
	{ "port range, low end",
	  { YI, V4("192.168.10.204", "198.51.100.9", IPPROTO_TCP, 50000, 8000) }, 0, XDP_PASS },
	{ "port range, high end",
	  { YI, V4("192.168.10.204", "198.51.100.9", IPPROTO_TCP, 50000, 8010) }, 0, XDP_PASS },
	{ "port range, one past the end",
	  { YI, V4("192.168.10.204", "198.51.100.9", IPPROTO_TCP, 50000, 8011) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "port range is TCP only",
	  { YI, V4("192.168.10.204", "198.51.100.9", IPPROTO_UDP, 50000, 8005) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "ping to the cloud",
	  { YI, V4("192.168.10.204", "47.88.59.209", IPPROTO_ICMP, 0, 0), .icmp_type = 8 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_DEFAULT },
	{ "device known by source prefix, to the LAN",
	  { STRAY, V4("192.168.10.70", "192.168.10.248", IPPROTO_UDP, 40000, 5004) }, 0, XDP_PASS },
	{ "device known by source prefix, to the cloud",
	  { STRAY, V4("192.168.10.70", "47.90.240.160", IPPROTO_UDP, 40000, 32100) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "unknown device gets the zone's deny",
	  { STRAY, V4("192.168.10.99", "192.168.10.248", IPPROTO_UDP, 40000, 5004) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_UNKNOWN_DEVICE },
	{ "ARP from the camera is essential",
	  { YI, .family = 0 }, 0, XDP_PASS },
	{ "ARP from an unknown device is essential",
	  { STRAY, .family = 0 }, 0, XDP_PASS },
	{ "DHCP discover from the camera is essential",
	  { YI, V4("0.0.0.0", "255.255.255.255", IPPROTO_UDP, 68, 67) }, 0, XDP_PASS },
	{ "IPv6 RTSP to the NVR",
	  { YI, V6("2001:db8:10::204", "2001:db8:20::5", IPPROTO_TCP, 50000, 554) }, 0, XDP_PASS },
	{ "IPv6 to the NVR on a port not allowed",
	  { YI, V6("2001:db8:10::204", "2001:db8:20::5", IPPROTO_TCP, 50000, 80) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "IPv6 to the internet",
	  { YI, V6("2001:db8:10::204", "2001:db8:ffff::1", IPPROTO_UDP, 50000, 32100) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "IPv6 neighbour solicitation is essential",
	  { YI, V6("fe80::1", "ff02::1:ff00:5", IPPROTO_ICMPV6, 0, 0), .icmp_type = 135 }, 0,
	  XDP_PASS },
	{ "IPv6 multicast listener report behind hop-by-hop options is essential",
	  { YI, V6("fe80::1", "ff02::16", IPPROTO_ICMPV6, 0, 0), .icmp_type = 143, .ipv6_ext = 1 }, 0,
	  XDP_PASS },
	{ "IPv6 phone-home behind two options headers",
	  { YI, V6("2001:db8:10::204", "2001:db8:ffff::1", IPPROTO_UDP, 40000, 32100), .ipv6_ext = 2 },
	  0, XDP_DROP, 1, CAMFENCE_REASON_DEFAULT },
	{ "IPv6 RTSP to the NVR behind options and a first fragment header",
	  { YI, V6("2001:db8:10::204", "2001:db8:20::5", IPPROTO_TCP, 50000, 554), .ipv6_ext = 1,
	    .ipv6_frag = 1 }, 0, XDP_PASS },
	{ "IPv6 non-first fragment to a destination allowed on one port only",
	  { YI, V6("2001:db8:10::204", "2001:db8:20::5", IPPROTO_TCP, 0, 0), .ipv6_frag = 1,
	    .frag_offset = 100 }, 0, XDP_DROP, 1, CAMFENCE_REASON_DEFAULT },
	{ "IPv6 extension chain longer than the cap: dropped and reported",
	  { YI, V6("2001:db8:10::204", "2001:db8:20::5", IPPROTO_TCP, 50000, 554), .ipv6_ext = 5 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "802.1Q tagged phone-home",
	  { YI, { 10 }, V4("192.168.10.204", "47.74.255.9", IPPROTO_UDP, 40000, 32100) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "QinQ tagged stream to the NVR",
	  { YI, { 100, 10 }, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004) }, 0,
	  XDP_PASS },
	{ "QinQ tagged phone-home",
	  { YI, { 100, 10 }, V4("192.168.10.204", "47.74.255.9", IPPROTO_TCP, 40000, 443) }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_DEFAULT },
	{ "IPv4 with options, to the NVR",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .ip_options = 8 }, 0,
	  XDP_PASS },
	{ "IPv4 with options, to the cloud",
	  { YI, V4("192.168.10.204", "47.88.59.209", IPPROTO_TCP, 40000, 443), .ip_options = 40 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_DEFAULT },
	{ "non-first fragment to a destination allowed on any port",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 0, 0), .frag_offset = 100 }, 0,
	  XDP_PASS },
	{ "non-first fragment to a destination allowed on one port only",
	  { YI, V4("192.168.10.204", "192.0.2.123", IPPROTO_UDP, 0, 0), .frag_offset = 100 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_RULE },
	{ "truncated IPv4 header",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .truncate = 24 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "truncated UDP header",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .truncate = 38 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "the same malformed flow again raises no second event",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .truncate = 38 }, 2,
	  XDP_DROP },
	{ "IPv4 header length beyond the frame",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .ip_options = 40,
	    .truncate = 60 }, 0, XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "IPv4 ethertype with no IPv4 header",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .truncate = 14 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "IPv4 loose source route through an allowed hop: dropped and reported",
	  { YI, V4("192.168.10.204", "192.168.10.1", IPPROTO_UDP, 40000, 53), .ip_options = 8,
	    .ip_srr = 131 }, 0, XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "IPv4 strict source route behind a no-op: dropped and reported",
	  { YI, V4("192.168.10.204", "192.168.10.1", IPPROTO_UDP, 40000, 53), .ip_options = 12,
	    .ip_srr = 137, .ip_srr_at = 3 }, 0, XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "IPv4 option whose length runs past the header",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .ip_options = 8,
	    .ip_srr = 7, .ip_srr_len = 12 }, 0, XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "IPv4 record-route option is judged by the policy",
	  { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004), .ip_options = 8,
	    .ip_srr = 7 }, 0, XDP_PASS },
	{ "IPv6 routing header with a segment left: dropped and reported",
	  { YI, V6("2001:db8:10::204", "2001:db8:20::5", IPPROTO_TCP, 50000, 554), .ipv6_rt = 1 }, 0,
	  XDP_DROP, 1, CAMFENCE_REASON_MALFORMED },
	{ "IPv6 routing header with no segment left is judged by the policy",
	  { YI, V6("2001:db8:10::204", "2001:db8:20::5", IPPROTO_TCP, 50000, 554), .ipv6_rt = 2 }, 0,
	  XDP_PASS },
	{ "DHCP-shaped UDP routed to the internet is no essential",
	  { YI, V4("192.168.10.204", "203.0.113.67", IPPROTO_UDP, 68, 67) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT, .routed = 1 },
	{ "neighbour-solicitation-shaped ICMPv6 routed to the internet is no essential",
	  { YI, V6("2001:db8:10::204", "2001:db8:ffff::135", IPPROTO_ICMPV6, 0, 0), .icmp_type = 135 },
	  0, XDP_DROP, 1, CAMFENCE_REASON_DEFAULT, .routed = 1 },
	{ "listener report to a link-local group stays essential",
	  { YI, V6("fe80::1", "ff02::16", IPPROTO_ICMPV6, 0, 0), .icmp_type = 143 }, 0, XDP_PASS,
	  .routed = 1 },
	{ "device by 36-bit MAC prefix, to the LAN",
	  { PREFIXED, V4("192.168.10.50", "192.168.10.248", IPPROTO_UDP, 40000, 5004) }, 0, XDP_PASS },
	{ "device by 36-bit MAC prefix, to the cloud",
	  { PREFIXED, V4("192.168.10.50", "47.88.59.209", IPPROTO_UDP, 40000, 32100) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "device by IPv6 source prefix, RTSP to the NVR",
	  { STRAY, V6("2001:db8:10::99", "2001:db8:20::5", IPPROTO_TCP, 50000, 554) }, 0, XDP_PASS },
	{ "device by IPv6 source prefix, to the internet",
	  { STRAY, V6("2001:db8:10::99", "2001:db8:ffff::1", IPPROTO_TCP, 50000, 443) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "unknown IPv6 source gets the zone's deny",
	  { STRAY, V6("2001:db8:99::1", "2001:db8:20::5", IPPROTO_TCP, 50000, 554) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_UNKNOWN_DEVICE },
	{ "device by VLAN in a VLAN zone, to the LAN",
	  { STRAY, { 30 }, V4("10.30.0.5", "192.168.10.248", IPPROTO_UDP, 40000, 5004) }, 0, XDP_PASS },
	{ "device by VLAN in a VLAN zone, to the cloud",
	  { STRAY, { 30 }, V4("10.30.0.5", "47.88.59.209", IPPROTO_UDP, 40000, 32100) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "unknown device in a zone with a policy for them: allowed DNS",
	  { STRAY, { 31 }, V4("10.31.0.5", "192.0.2.53", IPPROTO_UDP, 40000, 53) }, 0, XDP_PASS },
	{ "unknown device in a zone with a policy for them: the rest is denied",
	  { STRAY, { 31 }, V4("10.31.0.5", "192.0.2.53", IPPROTO_TCP, 40000, 443) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_UNKNOWN_DEVICE },
	{ "port list, the single port",
	  { YI, V4("192.168.10.204", "198.51.100.9", IPPROTO_TCP, 50000, 8443) }, 0, XDP_PASS },
	{ "port list, next to the single port",
	  { YI, V4("192.168.10.204", "198.51.100.9", IPPROTO_TCP, 50000, 8444) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "a nolog deny drops without an event",
	  { YI, V4("192.168.10.204", "203.0.113.99", IPPROTO_UDP, 40000, 9999) }, 0, XDP_DROP },
	{ "a deny rule naming a set",
	  { YI, V4("192.168.10.204", "47.91.1.2", IPPROTO_UDP, 40000, 32100) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_RULE },
	{ "an allow rule with log raises an event for its new flow",
	  { YI, V4("192.168.10.204", "203.0.113.200", IPPROTO_TCP, 40000, 443) }, 0, XDP_PASS,
	  1, CAMFENCE_REASON_RULE },
	{ "GRE to the LAN is judged by its outer header: allowed",
	  { YI, V4("192.168.10.204", "192.168.10.248", 47, 0, 0) }, 0, XDP_PASS },
	{ "GRE tunnel to the cloud: denied by its outer header",
	  { YI, V4("192.168.10.204", "47.88.59.209", 47, 0, 0) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "IP-in-IP tunnel to the cloud: denied",
	  { YI, V4("192.168.10.204", "47.88.59.209", 4, 0, 0) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "IPv6-in-IPv4 tunnel to the cloud: denied",
	  { YI, V4("192.168.10.204", "47.88.59.209", 41, 0, 0) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "VXLAN (UDP encapsulation) to the cloud: denied",
	  { YI, V4("192.168.10.204", "47.88.59.209", IPPROTO_UDP, 40000, 4789) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_DEFAULT },
	{ "tunnels denied as a class: GRE from an otherwise open device",
	  { LOBBY, V4("192.168.10.30", "203.0.113.5", 47, 0, 0) }, 0, XDP_DROP, 1, CAMFENCE_REASON_RULE },
	{ "tunnels denied as a class: VXLAN by its UDP port",
	  { LOBBY, V4("192.168.10.30", "203.0.113.5", IPPROTO_UDP, 40000, 4789) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_RULE },
	{ "tunnels denied as a class: the port next to VXLAN is not a tunnel",
	  { LOBBY, V4("192.168.10.30", "203.0.113.5", IPPROTO_UDP, 40000, 4788) }, 0, XDP_PASS },
	{ "tunnels denied as a class: IPv6 in IPv4",
	  { LOBBY, V4("192.168.10.30", "203.0.113.5", 41, 0, 0) }, 0, XDP_DROP, 1, CAMFENCE_REASON_RULE },
	{ "lobby device: default allow",
	  { LOBBY, V4("192.168.10.30", "203.0.113.5", IPPROTO_TCP, 50000, 443) }, 0, XDP_PASS },
	{ "lobby device: telnet out is denied",
	  { LOBBY, V4("192.168.10.30", "203.0.113.5", IPPROTO_TCP, 50000, 23) }, 0, XDP_DROP,
	  1, CAMFENCE_REASON_RULE },
};

#define NFIXTURES ((int)(sizeof(fixtures) / sizeof(fixtures[0])))

static struct camfence_loader *loader;
static struct ring_buffer *rb;
static struct cf_config *cfg;
static struct camfence_event events[64];
static int nevents;

static int on_event(void *ctx, void *data, size_t size)
{
	if (nevents < 64 && size >= sizeof(struct camfence_event))
		memcpy(&events[nevents++], data, sizeof(struct camfence_event));
	return 0;
}

static int lo_ifindex(const char *name, void *ctx)
{
	int idx = if_nametoindex(name);

	return idx ? idx : (int)(long)ctx;
}

static void push_text(const char *text, long fake_ifindex)
{
	struct cf_compiled *c;
	char why[256];

	camfence_policy_free(cfg);
	cfg = camfence_policy_parse_text("test.conf", text);
	ck_assert_msg(cfg->nerrors == 0, "%s", cfg->nerrors ? cfg->errors[0] : "");
	ck_assert_int_eq(camfence_policy_compile(cfg, camfence_loader_next_slot(loader), lo_ifindex,
						 (void *)fake_ifindex, &c, why, sizeof(why)), 0);
	ck_assert_int_eq(camfence_loader_push(loader, c), 0);
	camfence_policy_compiled_free(c);
}

static void setup(void)
{
	ck_assert_int_eq(camfence_loader_open(&loader), 0);
	rb = ring_buffer__new(bpf_map__fd(camfence_loader_skel(loader)->maps.events), on_event,
			      NULL, NULL);
	ck_assert_ptr_nonnull(rb);
	nevents = 0;
	push_text(policy_text, 0);
}

static void teardown(void)
{
	ring_buffer__free(rb);
	camfence_loader_close(loader);
	camfence_policy_free(cfg);
	cfg = NULL;
}

static int run(const uint8_t *frame, size_t len)
{
	/* data_end is the length of data_in: no metadata before the frame */
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	int fd = bpf_program__fd(camfence_loader_skel(loader)->progs.camfence_xdp);

	ck_assert_int_eq(bpf_prog_test_run_opts(fd, &opts), 0);
	ring_buffer__consume(rb);
	return opts.retval;
}

static __u64 stat(enum camfence_stat s)
{
	__u64 st[__CAMFENCE_STAT_MAX];

	ck_assert_int_eq(camfence_loader_stats(loader, st), 0);
	return st[s];
}

/*
 * Whether the router would route a packet on is the FIB's answer, asked by
 * the program for essentials: a network namespace of the test's own where
 * lo forwards and the documentation prefixes are routed.
 */
static void routed_netns(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	ck_assert_int_eq(system("ip link set lo up && "
				"ip route add 203.0.113.0/24 dev lo && "
				"ip -6 route add 2001:db8:ffff::/48 dev lo && "
				"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv4.conf.lo.forwarding=1 "
				"net.ipv6.conf.all.forwarding=1 net.ipv6.conf.lo.forwarding=1"), 0);
}

START_TEST(fixture)
{
	const struct fixture *f = &fixtures[_i];
	uint8_t frame[256];
	size_t len = pkt_build(&f->pkt, frame, sizeof(frame));
	int i, got;

	if (f->routed)
		routed_netns();

	for (i = 0; i < f->primed; i++)
		run(frame, len);
	nevents = 0;
	got = run(frame, len);
	ck_assert_msg(got == f->xdp, "%s: verdict %s, want %s", f->what,
		      got == XDP_DROP ? "drop" : "pass", f->xdp == XDP_DROP ? "drop" : "pass");
	ck_assert_msg(nevents == f->event, "%s: %d events, want %d", f->what, nevents, f->event);
	if (f->event) {
		const struct camfence_event *ev = &events[0];

		ck_assert_msg(ev->reason == f->reason, "%s: event reason %u, want %u", f->what,
			      ev->reason, f->reason);
		ck_assert_uint_eq(ev->verdict, f->xdp == XDP_DROP ? CAMFENCE_DROP : CAMFENCE_PASS);
		ck_assert_uint_eq(ev->generation, camfence_loader_generation(loader));
		ck_assert_uint_eq(ev->ifindex, 1);
		if (f->reason != CAMFENCE_REASON_MALFORMED || !f->pkt.truncate) {
			ck_assert_uint_eq(ev->proto, f->pkt.ipv6_rt == 1 ? IPPROTO_ROUTING :
						     f->pkt.ipv6_ext > 4 ? IPPROTO_DSTOPTS : f->pkt.proto);
			ck_assert_uint_eq(ev->dport, f->pkt.frag_offset || f->pkt.ipv6_rt == 1 ||
							     f->pkt.ipv6_ext > 4 ? 0 : f->pkt.dport);
		}
		ck_assert_int_eq(memcmp(ev->mac, f->pkt.src_mac, 6), 0);
	}
	if (f->reason == CAMFENCE_REASON_MALFORMED)
		ck_assert_uint_eq(stat(CAMFENCE_STAT_MALFORMED), 1);
}
END_TEST

/* The id the compiler gives the first member of a kind in a group. */
static __u32 device_id(const char *group, enum cf_member_kind kind)
{
	struct cf_compiled *c;
	char why[256];
	__u32 id = 0;
	size_t i;

	ck_assert_int_eq(camfence_policy_compile(cfg, 0, lo_ifindex, NULL, &c, why, sizeof(why)), 0);
	for (i = 1; i < c->devices.n && !id; i++) {
		const struct cf_device_ref *r = &c->devices.v[i];

		if (!strcmp(cfg->groups.v[r->group].name, group) &&
		    cfg->groups.v[r->member_group].members.v[r->member].kind == kind)
			id = i;
	}
	camfence_policy_compiled_free(c);
	ck_assert_uint_ne(id, 0);
	return id;
}

START_TEST(device_counters)
{
	struct pkt_spec lan = fixtures[0].pkt, cloud = fixtures[1].pkt;
	struct camfence_counters c;
	uint8_t frame[256];
	size_t len;
	int i;

	len = pkt_build(&lan, frame, sizeof(frame));
	for (i = 0; i < 5; i++)
		run(frame, len);
	len = pkt_build(&cloud, frame, sizeof(frame));
	for (i = 0; i < 3; i++)
		run(frame, len);
	ck_assert_int_eq(camfence_loader_device_counters(loader, device_id("yi", CF_MEMBER_MAC), &c), 0);
	ck_assert_uint_eq(c.pass_pkts, 5);
	ck_assert_uint_eq(c.drop_pkts, 3);
	ck_assert_uint_eq(c.drop_bytes, 3 * len);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_PASS_PKTS), 5);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_DROP_PKTS), 3);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_FLOW_CACHE_HITS), 6);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_EVENTS), 1);
}
END_TEST

static int sum_flows(const struct camfence_flow_key *k, const struct camfence_flow *f, void *ctx)
{
	__u64 *sum = ctx;

	sum[0] += f->packets;
	sum[1]++;
	return 0;
}

/* More flows than the microflow cache has slots, three packets each: every
 * packet is counted once, whether it was counted in the flow table, in a
 * cache slot flushed when another flow took it, or in a slot still held. */
START_TEST(counts_survive_the_microflow_cache)
{
	struct pkt_spec spec = fixtures[1].pkt;
	struct camfence_counters c;
	__u64 flows[2] = { 0 };
	uint8_t frame[256];
	char dst[32];
	size_t len;
	int i, j;

	spec.dst = dst;
	for (i = 0; i < 2000; i++) {
		snprintf(dst, sizeof(dst), "47.88.%d.%d", i / 250, i % 250 + 1);
		len = pkt_build(&spec, frame, sizeof(frame));
		for (j = 0; j < 3; j++)
			ck_assert_int_eq(run(frame, len), XDP_DROP);
	}
	ck_assert_int_eq(camfence_loader_flows(loader, sum_flows, flows), 0);
	ck_assert_uint_eq(flows[1], 2000);
	ck_assert_uint_eq(flows[0], 6000);
	ck_assert_int_eq(camfence_loader_device_counters(loader, device_id("yi", CF_MEMBER_MAC), &c), 0);
	ck_assert_uint_eq(c.drop_pkts, 6000);
	ck_assert_uint_eq(c.drop_bytes, 6000 * len);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_DROP_PKTS), 6000);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_FLOW_CACHE_HITS), 4000);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_EVENTS), 2000);
}
END_TEST

/* The rule that decides counts every packet it decides, cached or not. */
START_TEST(rule_counters)
{
	struct pkt_spec lan = fixtures[0].pkt, ntp = fixtures[4].pkt;
	struct camfence_rule_counters rc;
	struct cf_compiled *c;
	uint8_t frame[256];
	char why[256];
	size_t len, i;
	__u32 lan_rule = 0, ntp_rule = 0;
	int j;

	ck_assert_int_eq(camfence_policy_compile(cfg, 0, lo_ifindex, NULL, &c, why, sizeof(why)), 0);
	for (i = 0; i < c->rules.n; i++) {
		const struct cf_rule *r = &cfg->policies.v[c->rules.v[i].policy].rules.v[c->rules.v[i].rule];

		if (strcmp(cfg->policies.v[c->rules.v[i].policy].name, "lan"))
			continue;
		if (c->rules.v[i].rule == 0)
			lan_rule = i;
		if (r->proto == IPPROTO_UDP && r->ports.n && r->ports.v[0].lo == 123)
			ntp_rule = i;
	}
	camfence_policy_compiled_free(c);
	ck_assert_uint_ne(ntp_rule, 0);

	len = pkt_build(&lan, frame, sizeof(frame));
	for (j = 0; j < 7; j++)
		run(frame, len);
	len = pkt_build(&ntp, frame, sizeof(frame));
	for (j = 0; j < 3; j++)
		run(frame, len);
	ck_assert_int_eq(camfence_loader_rule_counters(loader, lan_rule, &rc), 0);
	ck_assert_uint_eq(rc.packets, 7);
	ck_assert_int_eq(camfence_loader_rule_counters(loader, ntp_rule, &rc), 0);
	ck_assert_uint_eq(rc.packets, 3);
	ck_assert_uint_eq(rc.bytes, 3 * len);
	/* a new generation starts its rules at zero */
	push_text(policy_text, 0);
	ck_assert_int_eq(camfence_loader_rule_counters(loader, lan_rule, &rc), 0);
	ck_assert_uint_eq(rc.packets, 0);
	push_text(policy_text, 0);
	ck_assert_int_eq(camfence_loader_rule_counters(loader, lan_rule, &rc), 0);
	ck_assert_uint_eq(rc.packets, 0);
}
END_TEST

START_TEST(new_generation_decides_again)
{
	struct pkt_spec cloud = fixtures[1].pkt;
	uint8_t frame[256];
	size_t len = pkt_build(&cloud, frame, sizeof(frame));
	char *text;

	ck_assert_int_eq(run(frame, len), XDP_DROP);
	ck_assert_int_eq(run(frame, len), XDP_DROP);
	ck_assert_int_eq(asprintf(&text, "%s", policy_text), (int)strlen(policy_text));
	/* allow the cloud host: the cached drop must not outlive the policy */
	memcpy(strstr(text, "192.168.10.0/24"), "47.88.59.209/32", 15);
	push_text(text, 0);
	ck_assert_uint_eq(camfence_loader_generation(loader), 2);
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	/* and back: the flow is blocked again and reported again */
	nevents = 0;
	push_text(policy_text, 0);
	ck_assert_int_eq(run(frame, len), XDP_DROP);
	ck_assert_int_eq(nevents, 1);
	ck_assert_uint_eq(events[0].generation, 3);
	free(text);
}
END_TEST

/* learn(mac, dst, names...): what camfenced writes when DNS told the
 * device at mac that dst answers for names; 0 names: forget it. */
static void learn(const __u8 mac[6], const char *saddr, const char *dst, const char *const *names,
		  size_t n)
{
	__u32 slot = camfence_loader_generation(loader) & 1, device, policy;
	struct camfence_learned_key k = { .slot = slot, .family = AF_INET };
	struct camfence_learned v;
	struct cf_compiled *c;
	__u8 src[4];
	char why[256];

	ck_assert_int_eq(inet_pton(AF_INET, saddr, src), 1);
	ck_assert_int_eq(camfence_loader_find_device(loader, slot, 1, 0, mac, AF_INET, src, &device,
						     &policy), 0);
	ck_assert_uint_ne(device, 0);
	k.device_id = device;
	memcpy(k.mac, mac, 6);
	ck_assert_int_eq(inet_pton(AF_INET, dst, k.addr), 1);
	/* the compiler's tables for this slot, as camfenced keeps them */
	ck_assert_int_eq(camfence_policy_compile(cfg, slot, lo_ifindex, NULL, &c, why, sizeof(why)), 0);
	if (n && camfence_policy_learned_value(c, cfg, policy, names, n, &v))
		ck_assert_int_eq(camfence_loader_learned_set(loader, &k, &v), 0);
	else
		ck_assert_int_eq(camfence_loader_learned_del(loader, &k), 0);
	camfence_policy_compiled_free(c);
}

START_TEST(learned_destinations)
{
	static const __u8 told[6] = PREFIXED, sibling[6] = { 0x70, 0xb3, 0xd5, 0x12, 0x30, 0x0b };
	const char *cdn[] = { "cdn.vendor.example" }, *bad[] = { "x.bad.example" };
	struct pkt_spec to_cdn = { PREFIXED, V4("192.168.10.70", "203.0.113.50", IPPROTO_TCP, 40000, 443) };
	struct pkt_spec other_port = to_cdn, sibling_pkt = to_cdn, denied = to_cdn, shadowed = to_cdn;
	uint8_t frame[256];
	size_t len;
	char *text;

	ck_assert_int_eq(asprintf(&text, "%s", policy_text), (int)strlen(policy_text));
	free(text);
	text = NULL;
	{
		/* name rules among the static ones: order decides */
		const char *at = strstr(policy_text, "policy lan {\n") + strlen("policy lan {\n");
		const char *deny_at = strstr(at, "\tallow to 198.51.100.0/24");

		ck_assert_int_gt(asprintf(&text, "%.*s\tdeny to name *.bad.example\n%.*s"
					  "\tallow to name *.vendor.example tcp 443\n%s",
					  (int)(at - policy_text), policy_text, (int)(deny_at - at), at,
					  deny_at), 0);
	}
	push_text(text, 0);
	len = pkt_build(&to_cdn, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_DROP);

	/* told: the decision cached before stands until the epoch moves */
	learn(told, "192.168.10.70", "203.0.113.50", cdn, 1);
	ck_assert_int_eq(run(frame, len), XDP_DROP);
	ck_assert_int_eq(camfence_loader_bump_epoch(loader), 0);
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	ck_assert_int_eq(run(frame, len), XDP_PASS);	/* and from the cache */

	/* the rule's port only */
	other_port.dport = 80;
	len = pkt_build(&other_port, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_DROP);

	/* another device under the same device id (one MAC prefix) was told nothing */
	memcpy(sibling_pkt.src_mac, sibling, 6);
	len = pkt_build(&sibling_pkt, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_DROP);

	/* a static rule before the name rule still wins: 192.0.2.0/24 is denied */
	denied.dst = "192.0.2.77";
	learn(told, "192.168.10.70", "192.0.2.77", cdn, 1);
	ck_assert_int_eq(camfence_loader_bump_epoch(loader), 0);
	len = pkt_build(&denied, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_DROP);

	/* and a name rule before a static allow wins over it */
	shadowed.dst = "203.0.113.200";
	len = pkt_build(&shadowed, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	learn(told, "192.168.10.70", "203.0.113.200", bad, 1);
	ck_assert_int_eq(camfence_loader_bump_epoch(loader), 0);
	ck_assert_int_eq(run(frame, len), XDP_DROP);

	/* forgotten: blocked again */
	learn(told, "192.168.10.70", "203.0.113.50", NULL, 0);
	ck_assert_int_eq(camfence_loader_bump_epoch(loader), 0);
	len = pkt_build(&to_cdn, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_DROP);

	/* a new generation holds only what it was given */
	learn(told, "192.168.10.70", "203.0.113.50", cdn, 1);
	ck_assert_int_eq(camfence_loader_bump_epoch(loader), 0);
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	push_text(text, 0);
	ck_assert_int_eq(run(frame, len), XDP_DROP);
	free(text);
}
END_TEST

START_TEST(monitor_mode_passes_and_reports)
{
	struct pkt_spec cloud = fixtures[1].pkt, stray = cloud, bad = cloud;
	uint8_t frame[256];
	size_t len = pkt_build(&cloud, frame, sizeof(frame));
	char *text, *at;

	/* the camera's group watched, the zone's unknown devices too */
	ck_assert_int_gt(asprintf(&text, "%.*s\tmode monitor\n%s",
				  (int)(strstr(policy_text, "group yi {\n") + 11 - policy_text), policy_text,
				  strstr(policy_text, "group yi {\n") + 11), 0);
	at = strstr(text, "\tunknown deny\n");
	ck_assert_ptr_nonnull(at);
	{
		char *t2;

		ck_assert_int_gt(asprintf(&t2, "%.*s\tmode monitor\n%s", (int)(at - text), text, at), 0);
		free(text);
		text = t2;
	}
	push_text(text, 0);
	nevents = 0;
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	ck_assert_int_eq(run(frame, len), XDP_PASS);	/* and from the cache */
	ck_assert_int_eq(nevents, 1);
	ck_assert_uint_eq(events[0].verdict, CAMFENCE_WOULD_DROP);
	ck_assert_uint_eq(events[0].policy_id, 0);	/* the monitor bit is no policy */
	/* an unknown device of a monitored zone */
	memcpy(stray.src_mac, (__u8[6])STRAY, 6);
	stray.src = "192.168.10.250";
	len = pkt_build(&stray, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	ck_assert_uint_eq(events[nevents - 1].verdict, CAMFENCE_WOULD_DROP);
	/* a malformed packet of a monitored device passes, reported */
	bad.truncate = 20;
	len = pkt_build(&bad, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	ck_assert_uint_eq(events[nevents - 1].reason, CAMFENCE_REASON_MALFORMED);
	ck_assert_uint_eq(events[nevents - 1].verdict, CAMFENCE_WOULD_DROP);
	/* enforce: one reload, and the same flow is dropped */
	push_text(policy_text, 0);
	len = pkt_build(&cloud, frame, sizeof(frame));
	ck_assert_int_eq(run(frame, len), XDP_DROP);
	ck_assert_uint_eq(events[nevents - 1].verdict, CAMFENCE_DROP);
	free(text);
}
END_TEST

START_TEST(interface_outside_every_zone)
{
	struct pkt_spec cloud = fixtures[1].pkt;
	uint8_t frame[256];
	size_t len = pkt_build(&cloud, frame, sizeof(frame));
	char *text;

	ck_assert_int_eq(asprintf(&text, "%s", policy_text), (int)strlen(policy_text));
	memcpy(strstr(text, "interface lo"), "interface zz", 12);
	push_text(text, 4242);
	ck_assert_int_eq(run(frame, len), XDP_PASS);
	ck_assert_uint_eq(stat(CAMFENCE_STAT_UNMANAGED), 1);
	ck_assert_int_eq(nevents, 0);
	free(text);
}
END_TEST

/* Random packets through the XDP program and the reference matcher: the
 * policy's own devices, prefixes, VLANs and ports, and strangers. */
START_TEST(agrees_with_reference)
{
	static const char *const dsts4[] = { "192.168.10.248", "192.0.2.123", "192.0.2.9",
					     "198.51.100.9", "47.88.59.209", "203.0.113.5",
					     "203.0.113.99", "47.91.1.2", "203.0.113.200", "192.0.2.53" };
	static const char *const dsts6[] = { "2001:db8:20::5", "2001:db8:ffff::1" };
	static const char *const srcs4[] = { "192.168.10.204", "192.168.10.70", "192.168.10.30",
					     "10.30.0.5" };
	static const char *const srcs6[] = { "2001:db8:10::204", "2001:db8:99::1" };
	static const uint8_t macs[][6] = { YI, LOBBY, STRAY, PREFIXED,
					   { 0x70, 0xb3, 0xd5, 0x12, 0x31, 0x0a } };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, 47 };
	static const uint16_t ports[] = { 123, 124, 554, 7999, 8000, 8005, 8010, 8011, 8443, 8444,
					  23, 32100, 67, 53, 443, 9999 };
	static const uint16_t vlans[] = { 0, 0, 0, 10, 30, 31 };
	unsigned int seed = getenv("CAMFENCE_SEED") ? strtoul(getenv("CAMFENCE_SEED"), NULL, 0) :
						      (unsigned int)time(NULL);
	int i, n = getenv("CAMFENCE_DIFF_PACKETS") ? atoi(getenv("CAMFENCE_DIFF_PACKETS")) : 100000;

	for (i = 0; i < n; i++) {
		unsigned int at = seed;
		struct pkt_spec s = { .sport = 1024 + rand_r(&seed) % 1000 };
		struct cf_packet pkt = { .ifname = "lo", .icmp6_type = -1 };
		struct cf_decision ref;
		uint8_t frame[256];
		size_t len;
		int got;

		memcpy(s.src_mac, macs[rand_r(&seed) % 5], 6);
		s.vlan[0] = vlans[rand_r(&seed) % 6];
		s.family = rand_r(&seed) % 4 ? AF_INET : AF_INET6;
		s.proto = protos[rand_r(&seed) % 4];
		if (s.family == AF_INET) {
			s.src = srcs4[rand_r(&seed) % 4];
			s.dst = dsts4[rand_r(&seed) % 10];
		} else {
			s.src = srcs6[rand_r(&seed) % 2];
			s.dst = dsts6[rand_r(&seed) % 2];
			if (s.proto == IPPROTO_ICMP)
				s.proto = IPPROTO_ICMPV6;
		}
		if (s.proto == IPPROTO_TCP || s.proto == IPPROTO_UDP)
			s.dport = ports[rand_r(&seed) % 16];
		if (s.proto == IPPROTO_UDP && rand_r(&seed) % 8 == 0)
			s.sport = 68;
		s.icmp_type = s.proto == IPPROTO_ICMPV6 && rand_r(&seed) % 4 == 0 ? 135 : 8;
		len = pkt_build(&s, frame, sizeof(frame));

		memcpy(pkt.mac, s.src_mac, 6);
		pkt.vlan = s.vlan[0];
		pkt.family = s.family;
		inet_pton(s.family, s.src, pkt.saddr);
		inet_pton(s.family, s.dst, pkt.daddr);
		pkt.proto = s.proto;
		pkt.sport = s.sport;
		pkt.dport = s.dport;
		if (s.proto == IPPROTO_ICMPV6)
			pkt.icmp6_type = s.icmp_type;
		camfence_policy_match(cfg, &pkt, &ref);
		got = run(frame, len);
		ck_assert_msg(got == (ref.verdict == CAMFENCE_DROP ? XDP_DROP : XDP_PASS),
			      "packet %d (CAMFENCE_SEED=%u) vlan %u %s -> %s proto %u port %u: XDP %d, reference %u",
			      i, at, pkt.vlan, s.src, s.dst, s.proto, s.dport, got, ref.verdict);
	}
}
END_TEST

/* Two policies under which the device's packet passes, by different
 * routes: in A the device follows p0, which allows the destination; in B
 * it follows p1, and p0 denies it. A packet that took its device from one
 * and its rules from the other would be dropped. */
static const char swap_a[] =
	"zone z {\n\tinterface lo\n}\n"
	"group g {\n\tmac b0:d5:9d:b9:f0:b4\n\tpolicy p0\n}\n"
	"group spare {\n\tmac 02:00:00:00:00:01\n\tpolicy p1\n}\n"
	"policy p0 {\n\tallow to 192.0.2.1\n\tdefault deny\n}\n"
	"policy p1 {\n\tdeny to 192.0.2.1\n\tdefault deny\n}\n";
static const char swap_b[] =
	"zone z {\n\tinterface lo\n}\n"
	"group g {\n\tmac b0:d5:9d:b9:f0:b4\n\tpolicy p1\n}\n"
	"group spare {\n\tmac 02:00:00:00:00:01\n\tpolicy p0\n}\n"
	"policy p0 {\n\tdeny to 192.0.2.1\n\tdefault deny\n}\n"
	"policy p1 {\n\tallow to 192.0.2.1\n\tdefault deny\n}\n";

struct traffic {
	const uint8_t *frame;
	size_t len;
	volatile int stop;
	long runs, dropped;
	int fd;
};

static void *send_traffic(void *arg)
{
	struct traffic *t = arg;
	struct xdp_md ctx = { .data_end = t->len, .ingress_ifindex = 1 };

	while (!t->stop) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = t->frame, .data_size_in = t->len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 64);

		if (bpf_prog_test_run_opts(t->fd, &opts))
			break;
		t->runs++;
		t->dropped += opts.retval != XDP_PASS;
	}
	return NULL;
}

START_TEST(swap_is_atomic_under_traffic)
{
	struct pkt_spec spec = { YI, V4("192.168.10.204", "192.0.2.1", IPPROTO_UDP, 40000, 9) };
	struct traffic t = { 0 };
	uint8_t frame[256];
	pthread_t th;
	int i;

	t.len = pkt_build(&spec, frame, sizeof(frame));
	t.frame = frame;
	t.fd = bpf_program__fd(camfence_loader_skel(loader)->progs.camfence_xdp);
	push_text(swap_a, 0);
	ck_assert_int_eq(pthread_create(&th, NULL, send_traffic, &t), 0);
	for (i = 0; i < 200; i++)
		push_text(i % 2 ? swap_a : swap_b, 0);
	t.stop = 1;
	pthread_join(th, NULL);
	ck_assert_int_gt(t.runs, 0);
	ck_assert_msg(t.dropped == 0, "%ld of %ld runs saw a mix of two policies", t.dropped, t.runs);
	/* and the mix the test looks for is what a torn update would give */
	ck_assert_int_eq(run(frame, t.len), XDP_PASS);
}
END_TEST

Suite *xdp_suite(void)
{
	Suite *s = suite_create("xdp");
	TCase *table = tcase_create("fixtures"), *state = tcase_create("state");

	tcase_add_checked_fixture(table, setup, teardown);
	tcase_add_loop_test(table, fixture, 0, NFIXTURES);
	tcase_add_checked_fixture(state, setup, teardown);
	tcase_set_timeout(state, 60);
	tcase_add_test(state, device_counters);
	tcase_add_test(state, counts_survive_the_microflow_cache);
	tcase_add_test(state, rule_counters);
	tcase_add_test(state, new_generation_decides_again);
	tcase_add_test(state, learned_destinations);
	tcase_add_test(state, monitor_mode_passes_and_reports);
	tcase_add_test(state, interface_outside_every_zone);
	tcase_add_test(state, agrees_with_reference);
	tcase_add_test(state, swap_is_atomic_under_traffic);
	suite_add_tcase(s, table);
	suite_add_tcase(s, state);
	return s;
}
