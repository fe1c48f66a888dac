// SPDX-License-Identifier: GPL-2.0
/*
 * differential: the same random packets through the reference matcher
 * (daemon/policy_match.c), the XDP program (BPF_PROG_TEST_RUN, never
 * attached) and camfence.ko (the frame really sent from the camera's
 * namespace and forwarded), for tests/vm/tests.sh. Run in the router's
 * namespace; links libcamfence.a and tests/bpf/packet.c:
 *
 *   differential POLICY CAM-NETNS CAM-IF ROUTER-IF N [SEED]
 *
 * POLICY is compiled against this namespace's interfaces and pushed to the
 * module (the live generation + 1) and to a freshly loaded XDP program.
 * Then N frames, one at a time: source MAC and VLAN (0 or 7) from the
 * policy's and strangers', a destination inside one of the policy's
 * prefixes or outside them all, TCP, UDP or ICMP to a port the rules name
 * or another. The module's verdict is the counter that moved: its
 * namespace's pass_pkts or drop_pkts. Every destination is a documentation
 * address routed through ROUTER-IF's peer, none of them owned by the WAN
 * namespace, so nothing answers and each frame is judged exactly once.
 *
 * Prints "differential: N packets agree (seed S): ...", or each disagreeing
 * packet (at most 10) and exits 1; 2 on a setup failure.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "camfence.skel.h"
#include "kmod_client.h"
#include "loader.h"
#include "packet.h"
#include "policy.h"
#include "policy_compile.h"
#include "policy_match.h"

#define VLAN	7

/* What the policy names, for the random packets to hit it (and miss it).
 * The camera's own MAC is macs[0], filled in from CAM-IF. */
static uint8_t macs[][6] = {
	{ 0 },
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x22 },
	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 },
};

struct prefix {
	const char *addr;
	int len;
};

static const struct prefix prefixes4[] = {
	{ "192.0.2.0", 24 }, { "192.0.2.128", 25 }, { "192.0.2.53", 32 },
	{ "198.51.100.0", 24 }, { "203.0.113.0", 24 },
	{ "198.18.0.0", 16 },	/* in no rule */
};
static const struct prefix prefixes6[] = {
	{ "2001:db8:1::", 64 }, { "2001:db8:1:0:8000::", 65 }, { "2001:db8:20::", 48 },
	{ "2001:db8:bad::", 48 },
	{ "2001:db8:ffff::", 48 },	/* in no rule */
};
static const uint16_t ports[] = { 23, 53, 123, 443, 554, 5004, 7999, 8000, 8005, 8010, 8011, 9999 };

static unsigned int seed;

static unsigned int rnd(unsigned int n)
{
	return rand_r(&seed) % n;
}

/* A host in the prefix: the host bits random, the last byte 2..253 (not the
 * WAN namespace's .1 or ::1, no network or broadcast address). */
static void pick(int family, const struct prefix *p, uint8_t *addr)
{
	int bytes = family == AF_INET ? 4 : 16, i;

	inet_pton(family, p->addr, addr);
	if (p->len == bytes * 8)
		return;
	for (i = 0; i < bytes; i++) {
		int keep = p->len - i * 8;
		uint8_t r = rnd(256);

		if (keep >= 8)
			continue;
		if (keep <= 0)
			addr[i] = r;
		else
			addr[i] = (addr[i] & (0xff00 >> keep)) | (r & (0xff >> keep));
	}
	addr[bytes - 1] = 2 + rnd(252);
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static uint32_t add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += p[0] << 8 | p[1];
	if (n)
		sum += p[0] << 8;
	return sum;
}

/* pkt_build leaves the transport checksum zero; conntrack would call such
 * packets invalid before the module sees them. */
static void l4_checksum(uint8_t *ip, int family, uint8_t proto)
{
	size_t hl = family == AF_INET ? 20 : 40, n;
	uint8_t *l4 = ip + hl, *field;
	uint32_t sum = 0;
	uint16_t c;

	n = family == AF_INET ? (size_t)(ip[2] << 8 | ip[3]) - hl : (size_t)(ip[4] << 8 | ip[5]);
	field = l4 + (proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2);
	field[0] = field[1] = 0;
	if (proto != IPPROTO_ICMP) {
		if (family == AF_INET)
			sum = add(sum, ip + 12, 8);
		else
			sum = add(sum, ip + 8, 32);
		sum += proto + n;
	}
	c = fold(add(sum, l4, n));
	if (proto == IPPROTO_UDP && !c)
		c = 0xffff;
	field[0] = c >> 8;
	field[1] = c & 0xff;
}

static int ifindex_of(const char *name, void *ctx)
{
	unsigned int idx = if_nametoindex(name);

	(void)ctx;
	return idx ? (int)idx : -ENODEV;
}

static int hwaddr(int fd, const char *ifname, uint8_t *mac)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* An AF_PACKET socket on ifname in the namespace netns, its MAC in mac; the
 * caller stays in its own namespace. */
static int camera_socket(const char *netns, const char *ifname, struct sockaddr_ll *to,
			 uint8_t *mac)
{
	char path[256];
	int here, there, fd = -1;

	snprintf(path, sizeof(path), "/var/run/netns/%s", netns);
	here = open("/proc/self/ns/net", O_RDONLY);
	there = open(path, O_RDONLY);
	if (here < 0 || there < 0 || setns(there, CLONE_NEWNET))
		goto out;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_ifindex = if_nametoindex(ifname);
	to->sll_halen = 6;
	if (fd >= 0 && (!to->sll_ifindex || hwaddr(fd, ifname, mac))) {
		close(fd);
		fd = -1;
	}
	if (setns(here, CLONE_NEWNET)) {
		perror("differential: back to the router's namespace");
		exit(2);
	}
out:
	if (here >= 0)
		close(here);
	if (there >= 0)
		close(there);
	return fd;
}

struct counts {
	__u64 pass, drop;
};

static int module_counts(struct camfence_kmod *k, struct counts *c)
{
	struct camfence_kmod_counters now;
	int ret = camfence_kmod_counters(k, &now, NULL, NULL, NULL);

	c->pass = now.stats[CAMFENCE_STAT_PASS_PKTS];
	c->drop = now.stats[CAMFENCE_STAT_DROP_PKTS];
	return ret;
}

/* The module's verdict on the frame just sent: CAMFENCE_PASS or
 * CAMFENCE_DROP, or -1 when it judged nothing (within a second) or more. */
static int module_verdict(struct camfence_kmod *k, struct counts *last)
{
	struct counts now;
	int tries, ret = -1;

	for (tries = 0; tries < 100; tries++) {
		if (module_counts(k, &now))
			return -1;
		if (now.pass != last->pass || now.drop != last->drop)
			break;
		usleep(10000);
	}
	if (now.pass == last->pass + 1 && now.drop == last->drop)
		ret = CAMFENCE_PASS;
	else if (now.drop == last->drop + 1 && now.pass == last->pass)
		ret = CAMFENCE_DROP;
	*last = now;
	return ret;
}

static const char *verdict_name(int v)
{
	return v == CAMFENCE_PASS ? "pass" : v == CAMFENCE_DROP ? "drop" : "none";
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "icmp";
}

static int compile(const struct cf_config *cfg, __u32 slot, struct cf_compiled **c)
{
	char err[512];

	if (camfence_policy_compile(cfg, slot, ifindex_of, NULL, c, err, sizeof(err))) {
		fprintf(stderr, "differential: %s\n", err);
		return -1;
	}
	return 0;
}

static int setup(const char *file, struct cf_config **cfg, struct camfence_kmod **k,
		 struct camfence_loader **l)
{
	struct camfence_kmod_counters now;
	struct cf_compiled *c;
	char err[512];
	__u64 gen;
	int ret;

	*cfg = camfence_policy_parse_file(file);
	if (!*cfg || (*cfg)->nerrors) {
		fprintf(stderr, "differential: %s: %s\n", file,
			*cfg && (*cfg)->nerrors ? (*cfg)->errors[0] : "cannot read");
		return -1;
	}
	ret = camfence_kmod_open(k);
	if (!ret)
		ret = camfence_kmod_counters(*k, &now, NULL, NULL, NULL);
	if (ret) {
		fprintf(stderr, "differential: camfence.ko: %s\n", camfence_kmod_client_strerror(ret));
		return -1;
	}
	gen = now.generation + 1;
	if (compile(*cfg, gen & 1, &c))
		return -1;
	ret = camfence_kmod_push(*k, c, gen, err, sizeof(err));
	camfence_policy_compiled_free(c);
	if (ret) {
		fprintf(stderr, "differential: push to camfence.ko: %s\n", err);
		return -1;
	}
	ret = camfence_loader_open(l);
	if (ret) {
		fprintf(stderr, "differential: loading the XDP program: %s\n", strerror(-ret));
		return -1;
	}
	if (compile(*cfg, camfence_loader_next_slot(*l), &c))
		return -1;
	ret = camfence_loader_push(*l, c);
	camfence_policy_compiled_free(c);
	if (ret) {
		fprintf(stderr, "differential: push to the XDP program: %s\n", strerror(-ret));
		return -1;
	}
	printf("differential: generation %llu pushed to camfence.ko and the XDP program\n",
	       (unsigned long long)gen);
	return 0;
}

int main(int argc, char **argv)
{
	struct camfence_loader *loader;
	struct camfence_kmod *k;
	struct cf_config *cfg;
	struct sockaddr_ll to;
	struct counts last;
	uint8_t router_mac[6];
	int fd, prog, rif, i, n, failed = 0, passed = 0, tagged = 0, v6 = 0;
	unsigned int first;

	if (argc < 6) {
		fprintf(stderr, "usage: differential POLICY CAM-NETNS CAM-IF ROUTER-IF N [SEED]\n");
		return 2;
	}
	n = atoi(argv[5]);
	first = seed = argc > 6 ? strtoul(argv[6], NULL, 0) : (unsigned int)time(NULL);
	fd = camera_socket(argv[2], argv[3], &to, macs[0]);
	rif = if_nametoindex(argv[4]);
	prog = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || !rif || prog < 0 || hwaddr(prog, argv[4], router_mac)) {
		fprintf(stderr, "differential: %s in %s, or %s here: %s\n", argv[3], argv[2], argv[4],
			strerror(errno));
		return 2;
	}
	close(prog);
	memcpy(to.sll_addr, router_mac, 6);
	if (setup(argv[1], &cfg, &k, &loader) || module_counts(k, &last))
		return 2;
	prog = bpf_program__fd(camfence_loader_skel(loader)->progs.camfence_xdp);
	printf("differential: %d packets, seed %u\n", n, first);
	fflush(stdout);

	for (i = 0; i < n; i++) {
		struct pkt_spec s = { .sport = 1024 + rnd(60000) };
		struct cf_packet pkt = { .ifname = argv[4], .icmp6_type = -1, .routed = 1 };
		struct xdp_md ctx = { .ingress_ifindex = rif };
		char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
		uint8_t frame[256], daddr[16];
		struct cf_decision ref;
		int xdp, ko, want;
		size_t len;

		memcpy(s.src_mac, macs[rnd(3)], 6);
		s.vlan[0] = rnd(4) ? 0 : VLAN;
		s.family = rnd(3) ? AF_INET : AF_INET6;
		s.proto = (uint8_t[]){ IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP }[rnd(3)];
		if (s.family == AF_INET) {
			pick(AF_INET, &prefixes4[rnd(sizeof(prefixes4) / sizeof(*prefixes4))], daddr);
			s.src = s.vlan[0] ? "10.1.7.2" : "10.1.1.2";
		} else {
			pick(AF_INET6, &prefixes6[rnd(sizeof(prefixes6) / sizeof(*prefixes6))], daddr);
			s.src = s.vlan[0] ? "fd00:1:7::2" : "fd00:1:1::2";
			if (s.proto == IPPROTO_ICMP)
				s.proto = IPPROTO_ICMPV6;
		}
		inet_ntop(s.family, daddr, dst, sizeof(dst));
		s.dst = dst;
		if (s.proto == IPPROTO_TCP || s.proto == IPPROTO_UDP)
			s.dport = rnd(4) ? ports[rnd(sizeof(ports) / sizeof(*ports))] : 1 + rnd(65535);
		s.icmp_type = s.proto == IPPROTO_ICMPV6 ? 128 : 8;
		len = pkt_build(&s, frame, sizeof(frame));
		memcpy(frame, router_mac, 6);
		l4_checksum(frame + 14 + (s.vlan[0] ? 4 : 0), s.family, s.proto);

		memcpy(pkt.mac, s.src_mac, 6);
		pkt.vlan = s.vlan[0];
		pkt.family = s.family;
		inet_pton(s.family, s.src, pkt.saddr);
		memcpy(pkt.daddr, daddr, 16);
		pkt.proto = s.proto;
		if (s.proto == IPPROTO_TCP || s.proto == IPPROTO_UDP) {
			pkt.sport = s.sport;
			pkt.dport = s.dport;
		}
		if (s.proto == IPPROTO_ICMPV6)
			pkt.icmp6_type = s.icmp_type;
		camfence_policy_match(cfg, &pkt, &ref);
		want = ref.verdict == CAMFENCE_DROP ? CAMFENCE_DROP : CAMFENCE_PASS;

		{
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

			ctx.data_end = len;
			xdp = bpf_prog_test_run_opts(prog, &opts) ? -1 :
			      opts.retval == XDP_DROP ? CAMFENCE_DROP :
			      opts.retval == XDP_PASS ? CAMFENCE_PASS : -1;
		}

		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) != (ssize_t)len) {
			perror("differential: sendto");
			return 2;
		}
		ko = module_verdict(k, &last);

		passed += want == CAMFENCE_PASS;
		tagged += !!s.vlan[0];
		v6 += s.family == AF_INET6;
		if (xdp == want && ko == want)
			continue;
		if (++failed <= 10) {
			inet_ntop(s.family, pkt.saddr, src, sizeof(src));
			printf("differential: packet %d: mac %02x:%02x:%02x:%02x:%02x:%02x vlan %u "
			       "%s %s %u > %s %u: reference %s (policy %d rule %d), XDP %s, "
			       "camfence.ko %s\n", i, s.src_mac[0], s.src_mac[1], s.src_mac[2],
			       s.src_mac[3], s.src_mac[4], s.src_mac[5], s.vlan[0],
			       proto_name(s.proto), src, pkt.sport, dst, pkt.dport,
			       verdict_name(want), ref.policy, ref.rule, verdict_name(xdp),
			       verdict_name(ko));
		}
	}
	if (failed)
		printf("differential: %d of %d packets disagree (seed %u)\n", failed, n, first);
	else
		printf("differential: %d packets agree (seed %u): %d passed, %d dropped; %d IPv6, "
		       "%d on VLAN %d\n", n, first, passed, n - passed, v6, tagged, VLAN);
	camfence_loader_close(loader);
	camfence_kmod_close(k);
	camfence_policy_free(cfg);
	return failed ? 1 : 0;
}
