// SPDX-License-Identifier: GPL-2.0
/*
 * camfencectl audit: what a policy would do to the traffic of a capture.
 *
 * The counts are the XDP program's own verdicts: every frame is run through
 * camfence_xdp with BPF_PROG_TEST_RUN, on the loopback's ifindex, which the
 * compiled policy names as the one interface of the audited zone. The rule
 * of each IP flow is read back from the program's flow table, drained every
 * few thousand frames so that its LRU never evicts a flow. Frames that make
 * no flow (ARP, DHCP, neighbour discovery, non-IP) are named by the
 * reference matcher; malformed and unmanaged frames by a parse that mirrors
 * the program's.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <netinet/in.h>
/* libbpf and libpcap both define struct bpf_insn: take libbpf's */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/dlt.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "pcap_open.h"
#include "camfence.skel.h"
#include "loader.h"
#include "policy_match.h"

#define AUDIT_IFINDEX		1	/* lo: there in every namespace */
#define AUDIT_DRAIN_EVERY	4096	/* frames; far below the flow table's size */
/* BPF_PROG_TEST_RUN takes at most a page, less headroom and tailroom, for
 * a program without frags; the program reads headers only. */
#define AUDIT_MAX_FRAME		3072

enum row_kind {
	ROW_TOTAL,		/* one device's frames with one XDP verdict */
	ROW_FLOW,		/* an IP flow, from the flow table */
	ROW_ESSENTIAL,		/* ARP, DHCP, neighbour discovery */
	ROW_NOT_IP,
	ROW_MALFORMED,
	ROW_UNMANAGED,		/* a VLAN the zone does not take */
};

/* One line of the report; rows of the same key are added up. No padding:
 * keys are compared with memcmp. */
struct row_key {
	__u8 mac[6];
	__u8 kind;
	__u8 verdict;
	__u8 family;
	__u8 proto;
	__u16 port;		/* destination port, ICMPv6 type, ethertype or VLAN */
	__u8 daddr[16];
	__s32 group;		/* -1: unknown device */
	__s32 policy;		/* -1: none */
	__s32 rule;		/* index in the policy; -1: its default */
};
_Static_assert(sizeof(struct row_key) == 40, "struct row_key has padding");

struct row {
	struct row_key k;
	__u64 frames;
};

struct audit {
	const char *policy_path, *capture_path;
	struct cf_config *cfg;
	struct cf_compiled *c;
	const struct cf_zone *zone;
	int zone_idx;
	struct camfence_loader *l;
	int prog_fd, flows_fd;
	CF_VEC(struct row) rows;
	size_t compacted;		/* rows.n after the last compaction */
	CF_VEC(struct camfence_flow_key) keys;
	__u64 frames, skipped, passed, blocked, cut, clipped;
};

static int row_key_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct row *)a)->k, &((const struct row *)b)->k, sizeof(struct row_key));
}

/* A device's totals first, then its busiest lines. */
static int row_report_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int d = memcmp(a->k.mac, b->k.mac, 6);

	if (d)
		return d;
	if ((a->k.kind == ROW_TOTAL) != (b->k.kind == ROW_TOTAL))
		return a->k.kind == ROW_TOTAL ? -1 : 1;
	if (a->frames != b->frames)
		return a->frames > b->frames ? -1 : 1;
	return row_key_cmp(a, b);
}

static void compact(struct audit *a)
{
	struct row *v = a->rows.v;
	size_t i, j = 0;

	qsort(v, a->rows.n, sizeof(*v), row_key_cmp);
	for (i = 0; i < a->rows.n; i++) {
		if (j && !row_key_cmp(&v[j - 1], &v[i]))
			v[j - 1].frames += v[i].frames;
		else
			v[j++] = v[i];
	}
	a->rows.n = a->compacted = j;
}

static struct row *add_row(struct audit *a, const struct cf_packet *pkt, int kind, int verdict)
{
	struct row *r = CF_VEC_PUSH(a->rows);

	memcpy(r->k.mac, pkt->mac, 6);
	r->k.kind = kind;
	r->k.verdict = verdict;
	r->k.group = r->k.policy = r->k.rule = -1;
	r->frames = 1;
	return r;
}

static int drain_one(const struct camfence_flow_key *k, const struct camfence_flow *f, void *ctx)
{
	struct audit *a = ctx;
	struct row *r = CF_VEC_PUSH(a->rows);

	*CF_VEC_PUSH(a->keys) = *k;
	memcpy(r->k.mac, k->mac, 6);
	r->k.kind = ROW_FLOW;
	r->k.verdict = f->verdict;
	r->k.family = k->family;
	r->k.proto = k->proto;
	r->k.port = k->dport;
	memcpy(r->k.daddr, k->daddr, 16);
	r->k.group = f->device_id && f->device_id < a->c->devices.n ?
		     a->c->devices.v[f->device_id].group : -1;
	r->k.policy = f->policy_id < a->cfg->policies.n ? (int)f->policy_id : -1;
	r->k.rule = -1;
	if (f->rule_id != CAMFENCE_RULE_DEFAULT && f->rule_id < a->c->rules.n) {
		r->k.policy = a->c->rules.v[f->rule_id].policy;
		r->k.rule = a->c->rules.v[f->rule_id].rule;
	}
	r->frames = f->packets;
	return 0;
}

/* Moves the flow table into rows and empties it. */
static int drain(struct audit *a)
{
	size_t i;

	a->keys.n = 0;
	camfence_loader_flows(a->l, drain_one, a);
	for (i = 0; i < a->keys.n; i++)
		if (bpf_map_delete_elem(a->flows_fd, &a->keys.v[i]) && errno != ENOENT)
			return -errno;
	/* the microflow cache's counts were read with the flows: start it anew */
	if (camfence_loader_micro_reset(a->l))
		return -EIO;
	/* amortised: rows double between two sorts */
	if (a->rows.n > 2 * a->compacted + 16384)
		compact(a);
	return 0;
}

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static int parse_l4(const __u8 *d, size_t off, size_t len, struct cf_packet *p, int first)
{
	if (!first)
		return 0;
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		if (off + (p->proto == IPPROTO_TCP ? 20 : 8) > len)
			return -1;
		p->sport = get16(d + off);
		p->dport = get16(d + off + 2);
	} else if (p->proto == IPPROTO_ICMPV6) {
		if (off + 8 > len)
			return -1;
		p->icmp6_type = d[off];
	}
	return 0;
}

/* IPv4 options the program refuses: a loose or strict source route, or
 * options that do not parse (bpf/camfence.bpf.c, opt_step()). */
static int refused_options4(const __u8 *o, size_t len)
{
	size_t off = 0;

	while (off < len && o[off] != 0) {
		if (o[off] == 1) {
			off++;
			continue;
		}
		if (o[off] == 131 || o[off] == 137 || off + 1 >= len || o[off + 1] < 2 ||
		    off + o[off + 1] > len)
			return -1;
		off += o[off + 1];
	}
	return 0;
}

/* The frame as camfence_xdp parses it (bpf/camfence.bpf.c, parse()): the
 * same tags, headers and bounds. Returns -1 where the program finds it
 * malformed. */
static int parse(const __u8 *d, size_t len, struct cf_packet *p, __u16 *ethertype)
{
	size_t off = 14;
	__u16 proto;
	__u8 nh;
	int i, first = 1;

	memcpy(p->mac, d + 6, 6);
	proto = get16(d + 12);
	for (i = 0; i < 2 && (proto == 0x8100 || proto == 0x88a8); i++) {
		if (off + 4 > len)
			return -1;
		p->vlan = get16(d + off) & 0x0fff;
		proto = get16(d + off + 2);
		off += 4;
	}
	*ethertype = proto;
	if (proto == 0x0806) {
		p->arp = 1;
		return 0;
	}
	if (proto == 0x0800) {
		size_t hlen;

		if (off + 20 > len)
			return -1;
		hlen = (d[off] & 0x0f) * 4;
		if (d[off] >> 4 != 4 || hlen < 20 || off + hlen > len)
			return -1;
		p->family = AF_INET;
		p->proto = d[off + 9];
		memcpy(p->saddr, d + off + 12, 4);
		memcpy(p->daddr, d + off + 16, 4);
		first = (get16(d + off + 6) & 0x1fff) == 0;
		if (parse_l4(d, off + hlen, len, p, first))
			return -1;
		return refused_options4(d + off + 20, hlen - 20);
	}
	if (proto != 0x86dd)
		return 0;
	if (off + 40 > len || d[off] >> 4 != 6)
		return -1;
	p->family = AF_INET6;
	memcpy(p->saddr, d + off + 8, 16);
	memcpy(p->daddr, d + off + 24, 16);
	nh = d[off + 6];
	off += 40;
	for (i = 0; i < 4; i++) {
		if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
			if (off + 4 > len)
				return -1;
			if (nh == IPPROTO_ROUTING && d[off + 3])
				return -1;	/* segments left: a source route */
			nh = d[off];
			off += (d[off + 1] + 1) * 8;
		} else if (nh == IPPROTO_FRAGMENT) {
			if (off + 8 > len)
				return -1;
			nh = d[off];
			first = (get16(d + off + 2) & 0xfff8) == 0;
			off += 8;
		} else {
			break;
		}
	}
	if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	    nh == IPPROTO_FRAGMENT)
		return -1;
	p->proto = nh;
	return parse_l4(d, off, len, p, first);
}

/* Does the zone's ifaces entry take this VLAN (the program's two lookups)? */
static int managed(const struct audit *a, __u16 vlan)
{
	size_t i;

	if (!a->zone->ifaces.n)
		return 0;
	if (!a->zone->vlans.n)
		return 1;
	for (i = 0; i < a->zone->vlans.n; i++)
		if (a->zone->vlans.v[i] == vlan)
			return 1;
	return 0;
}

static int run_frame(struct audit *a, const __u8 *data, size_t len)
{
	struct cf_packet pkt = { .ifname = a->zone->ifaces.n ? a->zone->ifaces.v[0] : "",
				 .icmp6_type = -1 };
	/* data_end is the length of data_in: no metadata before the frame */
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = AUDIT_IFINDEX };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	struct cf_decision d;
	struct row *r;
	__u16 ethertype = 0;
	int perr, verdict, kind;

	if (bpf_prog_test_run_opts(a->prog_fd, &opts))
		return -errno;
	verdict = opts.retval == XDP_DROP ? CAMFENCE_DROP : CAMFENCE_PASS;
	if (verdict == CAMFENCE_DROP)
		a->blocked++;
	else
		a->passed++;

	perr = parse(data, len, &pkt, &ethertype);
	add_row(a, &pkt, ROW_TOTAL, verdict);
	if (!managed(a, pkt.vlan)) {
		add_row(a, &pkt, ROW_UNMANAGED, verdict)->k.port = pkt.vlan;
		return 0;
	}
	if (perr) {
		add_row(a, &pkt, ROW_MALFORMED, verdict);
		return 0;
	}
	if (pkt.family && !camfence_policy_essential(&pkt))
		return 0;	/* in the flow table */

	kind = pkt.family || pkt.arp ? ROW_ESSENTIAL : ROW_NOT_IP;
	camfence_policy_match(a->cfg, &pkt, &d);
	r = add_row(a, &pkt, kind, verdict);
	r->k.family = pkt.family;
	r->k.proto = pkt.proto;
	r->k.port = kind == ROW_NOT_IP ? ethertype :
		    pkt.proto == IPPROTO_ICMPV6 ? (__u16)pkt.icmp6_type : pkt.dport;
	memcpy(r->k.daddr, pkt.daddr, 16);
	r->k.group = d.group;
	r->k.policy = d.policy;
	r->k.rule = d.rule;
	return 0;
}

static int run_capture(struct audit *a, pcap_t *p, FILE *err)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int ret;

	while ((ret = pcap_next_ex(p, &hdr, &data)) == 1) {
		size_t len = hdr->caplen;

		a->frames++;
		if (len < 14) {
			a->skipped++;
			continue;
		}
		if (hdr->caplen < hdr->len)
			a->cut++;
		if (len > AUDIT_MAX_FRAME) {
			len = AUDIT_MAX_FRAME;
			a->clipped++;
		}
		ret = run_frame(a, data, len);
		if (ret) {
			fprintf(err, "audit: %s: frame %llu: BPF_PROG_TEST_RUN: %s\n", a->capture_path,
				(unsigned long long)a->frames, strerror(-ret));
			return -1;
		}
		if (a->frames % AUDIT_DRAIN_EVERY == 0 && (ret = drain(a))) {
			fprintf(err, "audit: flow table: %s\n", strerror(-ret));
			return -1;
		}
	}
	if (ret == PCAP_ERROR)
		fprintf(err, "audit: %s: %s; the report covers the %llu frames before it\n",
			a->capture_path, pcap_geterr(p), (unsigned long long)a->frames);
	ret = drain(a);
	if (ret) {
		fprintf(err, "audit: flow table: %s\n", strerror(-ret));
		return -1;
	}
	compact(a);
	return 0;
}

/* ---- the report ---- */

static const char *plural(__u64 n)
{
	return n == 1 ? "" : "s";
}

static const char *verdict_word(int verdict)
{
	return verdict == CAMFENCE_DROP ? "deny" : "allow";
}

static void who(const struct audit *a, const struct row_key *r, char *buf, size_t len)
{
	const struct cf_config *cfg = a->cfg;

	if (r->group >= 0 && (size_t)r->group < cfg->groups.n)
		snprintf(buf, len, "group %s, policy %s", cfg->groups.v[r->group].name,
			 r->policy >= 0 ? cfg->policies.v[r->policy].name : "-");
	else if (r->policy >= 0)
		snprintf(buf, len, "unknown device, zone policy %s", cfg->policies.v[r->policy].name);
	else
		snprintf(buf, len, "unknown device, zone default %s",
			 verdict_word(a->zone->unknown_verdict));
}

static void where(const struct cf_config *cfg, struct cf_loc loc, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%u", camfence_policy_file(cfg, loc), loc.line);
}

static void what(const struct row_key *r, char *proto, size_t plen, char *dst, size_t dlen)
{
	char addr[INET6_ADDRSTRLEN] = "?", num[8];

	if (r->family)
		inet_ntop(r->family, r->daddr, addr, sizeof(addr));
	if (r->kind == ROW_MALFORMED) {
		snprintf(proto, plen, "-");
		snprintf(dst, dlen, "malformed frames");
	} else if (r->kind == ROW_UNMANAGED) {
		snprintf(proto, plen, "-");
		if (r->port)
			snprintf(dst, dlen, "VLAN %u frames", r->port);
		else
			snprintf(dst, dlen, "untagged frames");
	} else if (r->kind == ROW_NOT_IP) {
		snprintf(proto, plen, "-");
		snprintf(dst, dlen, "ethertype 0x%04x", r->port);
	} else if (!r->family) {
		snprintf(proto, plen, "arp");
		snprintf(dst, dlen, "-");
	} else {
		snprintf(proto, plen, "%s", camfence_policy_proto_name(r->proto, num));
		if (r->proto == IPPROTO_ICMPV6 && r->kind == ROW_ESSENTIAL)
			snprintf(dst, dlen, "%s type %u", addr, r->port);
		else if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
			snprintf(dst, dlen, "%s", addr);
		else if (r->family == AF_INET6)
			snprintf(dst, dlen, "[%s]:%u", addr, r->port);
		else
			snprintf(dst, dlen, "%s:%u", addr, r->port);
	}
}

static const char *essential_name(const struct row_key *r)
{
	if (!r->family)
		return "ARP";
	if (r->proto == IPPROTO_UDP)
		return r->port == 547 ? "DHCPv6" : "DHCP";
	if (r->port >= 133 && r->port <= 137)
		return "neighbour discovery";
	return "multicast listener report";
}

/* Passed as essential, not by a rule. */
static int essential_pass(const struct row_key *r)
{
	return r->kind == ROW_ESSENTIAL && r->rule < 0 && r->verdict == CAMFENCE_PASS;
}

static void decided_by(const struct audit *a, const struct row_key *r, char *buf, size_t len)
{
	const struct cf_config *cfg = a->cfg;
	const struct cf_policy *pol;
	char loc[300];

	if (r->kind == ROW_MALFORMED) {
		snprintf(buf, len, "truncated or unparsable headers");
		return;
	}
	if (r->kind == ROW_UNMANAGED) {
		snprintf(buf, len, "not in zone %s: unmanaged", a->zone->name);
		return;
	}
	if (r->policy >= 0 && r->rule >= 0) {
		where(cfg, cfg->policies.v[r->policy].rules.v[r->rule].loc, loc, sizeof(loc));
		snprintf(buf, len, "by rule %s", loc);
		return;
	}
	if (essential_pass(r)) {
		snprintf(buf, len, "essential (%s)", essential_name(r));
		return;
	}
	if (r->policy >= 0) {
		pol = &cfg->policies.v[r->policy];
		where(cfg, pol->default_loc.line ? pol->default_loc : pol->loc, loc, sizeof(loc));
		snprintf(buf, len, "by default %s %s", verdict_word(r->verdict), loc);
		return;
	}
	where(cfg, a->zone->unknown_loc.line ? a->zone->unknown_loc : a->zone->loc, loc, sizeof(loc));
	snprintf(buf, len, "by unknown %s of zone %s %s", verdict_word(r->verdict), a->zone->name, loc);
}

struct device {
	const struct row *rows;	/* rows[0] .. rows[n - 1]: totals, then lines */
	size_t n;
	__u64 frames, passed, blocked;
};

static int device_cmp(const void *pa, const void *pb)
{
	const struct device *a = pa, *b = pb;

	if (a->frames != b->frames)
		return a->frames > b->frames ? -1 : 1;
	return memcmp(a->rows[0].k.mac, b->rows[0].k.mac, 6);
}

static void print_device(const struct audit *a, const struct device *dev, FILE *out)
{
	const struct row_key *first = NULL, *any = NULL;
	char mac[18], id[128], proto[8], dst[64], why[400];
	__u64 lines = 0;
	int mixed = 0;
	size_t i;

	/* who the device is; ARP and its like pass whoever sends them */
	for (i = 0; i < dev->n; i++) {
		const struct row_key *r = &dev->rows[i].k;

		if (r->kind == ROW_TOTAL || r->kind == ROW_MALFORMED || r->kind == ROW_UNMANAGED)
			continue;
		any = any ? any : r;
		if (essential_pass(r))
			continue;
		if (!first)
			first = r;
		else if (r->group != first->group || r->policy != first->policy)
			mixed = 1;
	}
	first = first ? first : any;
	if (!first)
		snprintf(id, sizeof(id), "not identified");
	else if (mixed)
		snprintf(id, sizeof(id), "several groups, by source address: see each line");
	else
		who(a, first, id, sizeof(id));
	fprintf(out, "device %s (%s): %llu frame%s: %llu passed, %llu blocked\n",
		camfence_addr_mac_str(dev->rows[0].k.mac, mac), id, (unsigned long long)dev->frames,
		plural(dev->frames), (unsigned long long)dev->passed,
		(unsigned long long)dev->blocked);

	for (i = 0; i < dev->n; i++) {
		const struct row_key *r = &dev->rows[i].k;

		if (r->kind == ROW_TOTAL)
			continue;
		lines += dev->rows[i].frames;
		what(r, proto, sizeof(proto), dst, sizeof(dst));
		decided_by(a, r, why, sizeof(why));
		fprintf(out, "  %-7s %7llu  %-6s %-28s %s",
			r->verdict == CAMFENCE_DROP ? "blocked" : "passed",
			(unsigned long long)dev->rows[i].frames, proto, dst, why);
		if (mixed && r->kind != ROW_MALFORMED && r->kind != ROW_UNMANAGED && !essential_pass(r)) {
			who(a, r, id, sizeof(id));
			fprintf(out, " [%s]", id);
		}
		fputc('\n', out);
	}
	/* the flow table is drained long before it is full: this is a bug */
	if (lines != dev->frames)
		fprintf(out, "  (%lld frames are missing from the lines above: the flow table lost them)\n",
			(long long)(dev->frames - lines));
}

static void report(struct audit *a, int zone_given, FILE *out)
{
	CF_VEC(struct device) devs = { 0 };
	struct device *dev = NULL;
	size_t i;

	qsort(a->rows.v, a->rows.n, sizeof(*a->rows.v), row_report_cmp);
	for (i = 0; i < a->rows.n; i++) {
		const struct row *r = &a->rows.v[i];

		if (!dev || memcmp(dev->rows[0].k.mac, r->k.mac, 6)) {
			dev = CF_VEC_PUSH(devs);
			dev->rows = r;
		}
		dev->n++;
		if (r->k.kind != ROW_TOTAL)
			continue;
		dev->frames += r->frames;
		if (r->k.verdict == CAMFENCE_DROP)
			dev->blocked += r->frames;
		else
			dev->passed += r->frames;
	}
	qsort(devs.v, devs.n, sizeof(*devs.v), device_cmp);

	fprintf(out, "audit of %s under %s (zone %s", a->capture_path, a->policy_path, a->zone->name);
	if (!zone_given && a->cfg->zones.n > 1)
		fprintf(out, ", the first of %zu; --zone NAME audits another", a->cfg->zones.n);
	fprintf(out, "): %llu frame%s, %llu skipped: %llu passed, %llu blocked\n",
		(unsigned long long)a->frames, plural(a->frames), (unsigned long long)a->skipped,
		(unsigned long long)a->passed, (unsigned long long)a->blocked);
	if (a->skipped)
		fprintf(out, "note: skipped %llu frame%s shorter than an Ethernet header\n",
			(unsigned long long)a->skipped, plural(a->skipped));
	if (a->cut)
		fprintf(out, "note: %llu frame%s cut short by the capture's snap length ran as captured\n",
			(unsigned long long)a->cut, plural(a->cut));
	if (a->clipped)
		fprintf(out, "note: %llu frame%s longer than %d bytes ran on their first %d (the program reads only headers)\n",
			(unsigned long long)a->clipped, plural(a->clipped), AUDIT_MAX_FRAME,
			AUDIT_MAX_FRAME);
	if (!a->zone->ifaces.n)
		fprintf(out, "note: zone %s names no interface: every frame is unmanaged\n",
			a->zone->name);
	if (camfence_policy_uses_local(a->cfg))
		fprintf(out, "note: 'local' and 'router' match no address in an audit: a capture has no interface addresses\n");
	for (i = 0; i < devs.n; i++)
		print_device(a, &devs.v[i], out);
	free(devs.v);
}

/* ---- setting up ---- */

static int to_loopback(const char *name, void *ctx)
{
	return AUDIT_IFINDEX;
}

/* Keeps the audited zone's interfaces only: they all became the loopback. */
static void keep_zone(struct cf_compiled *c, int zone)
{
	size_t i, j = 0;

	for (i = 0; i < c->ifaces.n; i++) {
		if (c->ifaces.v[i].val.zone_id != (__u32)zone) {
			free(c->iface_names.v[i]);
			continue;
		}
		c->ifaces.v[j] = c->ifaces.v[i];
		c->iface_names.v[j++] = c->iface_names.v[i];
	}
	c->ifaces.n = c->iface_names.n = j;
}

static int find_zone(struct audit *a, const char *name, FILE *err)
{
	size_t i;

	if (!a->cfg->zones.n) {
		fprintf(err, "audit: %s: no zone: an audit runs the capture as if it came in on a zone's interface\n",
			a->policy_path);
		return -1;
	}
	if (!name)
		return 0;
	for (i = 0; i < a->cfg->zones.n; i++)
		if (!strcmp(a->cfg->zones.v[i].name, name))
			return i;
	fprintf(err, "audit: %s: no zone named '%s'; the zones are:", a->policy_path, name);
	for (i = 0; i < a->cfg->zones.n; i++)
		fprintf(err, " %s", a->cfg->zones.v[i].name);
	fputc('\n', err);
	return -1;
}

static int load(struct audit *a, FILE *err)
{
	char why[512];
	int ret;

	ret = camfence_loader_open(&a->l);
	if (ret) {
		fprintf(err, "audit: cannot load the XDP program: %s%s\n", strerror(-ret),
			ret == -EPERM || ret == -EACCES ? ": run as root" : "");
		return -1;
	}
	ret = camfence_policy_compile(a->cfg, camfence_loader_next_slot(a->l), to_loopback, NULL,
				      &a->c, why, sizeof(why));
	if (ret) {
		fprintf(err, "%s\n", why);
		return -1;
	}
	keep_zone(a->c, a->zone_idx);
	ret = camfence_loader_push(a->l, a->c);
	if (ret) {
		fprintf(err, "audit: cannot fill the XDP program's maps: %s\n", strerror(-ret));
		return -1;
	}
	a->prog_fd = bpf_program__fd(camfence_loader_skel(a->l)->progs.camfence_xdp);
	a->flows_fd = bpf_map__fd(camfence_loader_skel(a->l)->maps.flows);
	return 0;
}

int camfence_audit_run_zone(const char *policy_path, const char *zone,
			    const char *capture_path, FILE *out, FILE *err)
{
	struct audit a = { .policy_path = policy_path, .capture_path = capture_path };
	pcap_t *p = NULL;
	int ret = 1;

	a.cfg = camfence_policy_parse_file(policy_path);
	if (a.cfg->nerrors) {
		camfence_policy_print_errors(a.cfg, err);
		camfence_policy_print_warnings(a.cfg, err);
		fprintf(err, "%s: %zu error%s; nothing was audited\n", policy_path,
			a.cfg->nerrors + a.cfg->nerrors_dropped, a.cfg->nerrors == 1 ? "" : "s");
		goto out;
	}
	camfence_policy_print_warnings(a.cfg, err);
	a.zone_idx = find_zone(&a, zone, err);
	if (a.zone_idx < 0)
		goto out;
	a.zone = &a.cfg->zones.v[a.zone_idx];
	/* no interface addresses: `local` and `router` match nothing */
	camfence_policy_bind(a.cfg, NULL, 0);

	p = camfence_pcap_open(capture_path, "audit", 0, err);
	if (!p)
		goto out;
	if (load(&a, err) || run_capture(&a, p, err))
		goto out;
	report(&a, zone != NULL, out);
	ret = 0;
out:
	if (p)
		pcap_close(p);
	camfence_loader_close(a.l);
	camfence_policy_compiled_free(a.c);
	camfence_policy_free(a.cfg);
	free(a.rows.v);
	free(a.keys.v);
	return ret;
}

int camfence_audit_run(const char *policy_path, const char *capture_path, FILE *out, FILE *err)
{
	return camfence_audit_run_zone(policy_path, NULL, capture_path, out, err);
}

int camfence_audit_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "zone", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char usage[] = "usage: camfencectl audit --policy FILE [--zone NAME] CAPTURE\n";
	const char *policy = NULL, *zone = NULL;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "p:z:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case 'z': zone = optarg; break;
		case 'h': fputs(usage, out); return 0;
		default: fputs(usage, err); return 2;
		}
	}
	if (!policy || optind != argc - 1) {
		fprintf(err, "camfencectl: audit: %s\n%s",
			!policy ? "--policy FILE is required" :
			optind == argc ? "the capture file is missing" : "one capture at a time", usage);
		return 2;
	}
	return camfence_audit_run_zone(policy, zone, argv[optind], out, err);
}
