// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Ethernet/VLAN/IPv4/IPv6 header walk down to the transport ports. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "pkt.h"

#define ETH_HLEN_	14
#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_DCCP;
}

static void parse_ports(const uint8_t *l4, size_t len, struct camgen_pkt *pkt)
{
	if (!has_ports(pkt->proto) || len < 4)
		return;
	pkt->sport = get16(l4);
	pkt->dport = get16(l4 + 2);
}

static void parse_ipv4(const uint8_t *p, size_t len, struct camgen_pkt *pkt)
{
	size_t ihl;

	if (len < 20 || p[0] >> 4 != 4)
		return;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return;
	pkt->family = AF_INET;
	pkt->proto = p[9];
	memcpy(pkt->src, p + 12, 4);
	memcpy(pkt->dst, p + 16, 4);
	/* Later fragments carry no transport header. */
	if (get16(p + 6) & 0x1fff)
		return;
	parse_ports(p + ihl, len - ihl, pkt);
}

static void parse_ipv6(const uint8_t *p, size_t len, struct camgen_pkt *pkt)
{
	uint8_t next;
	size_t off = 40, hlen;

	if (len < 40 || p[0] >> 4 != 6)
		return;
	pkt->family = AF_INET6;
	memcpy(pkt->src, p + 8, 16);
	memcpy(pkt->dst, p + 24, 16);
	next = p[6];
	for (;;) {
		pkt->proto = next;
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
		case IPPROTO_AH:
		case IPPROTO_FRAGMENT:
			break;
		default:
			parse_ports(p + off, len - off, pkt);
			return;
		}
		if (off + 8 > len)
			return;
		if (next == IPPROTO_FRAGMENT) {
			/* Later fragments carry no transport header. */
			if (get16(p + off + 2) & 0xfff8) {
				pkt->proto = p[off];
				return;
			}
			hlen = 8;
		} else if (next == IPPROTO_AH) {
			hlen = ((size_t)p[off + 1] + 2) * 4;
		} else {
			hlen = ((size_t)p[off + 1] + 1) * 8;
		}
		next = p[off];
		off += hlen;
	}
}

int camgen_pkt_parse(const uint8_t *frame, size_t len, struct camgen_pkt *pkt)
{
	size_t off = ETH_HLEN_;
	int tags = 0;

	memset(pkt, 0, sizeof(*pkt));
	if (len < ETH_HLEN_)
		return -1;
	memcpy(pkt->dmac, frame, 6);
	memcpy(pkt->smac, frame + 6, 6);
	pkt->ethertype = get16(frame + 12);
	while ((pkt->ethertype == ETHERTYPE_VLAN || pkt->ethertype == ETHERTYPE_QINQ) &&
	       tags < 2 && off + 4 <= len) {
		pkt->ethertype = get16(frame + off + 2);
		off += 4;
		tags++;
	}
	if (pkt->ethertype == ETHERTYPE_IPV4)
		parse_ipv4(frame + off, len - off, pkt);
	else if (pkt->ethertype == ETHERTYPE_IPV6)
		parse_ipv6(frame + off, len - off, pkt);
	return 0;
}

const char *camgen_pkt_proto_name(uint8_t proto, char buf[8])
{
	switch (proto) {
	case IPPROTO_ICMP:	return "icmp";
	case IPPROTO_IGMP:	return "igmp";
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_DCCP:	return "dccp";
	case IPPROTO_GRE:	return "gre";
	case IPPROTO_ESP:	return "esp";
	case IPPROTO_AH:	return "ah";
	case IPPROTO_ICMPV6:	return "icmpv6";
	case IPPROTO_SCTP:	return "sctp";
	case IPPROTO_UDPLITE:	return "udplite";
	}
	snprintf(buf, 8, "%u", proto);
	return buf;
}
