// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <netinet/in.h>
#include <string.h>

#include "packet.h"

static const uint8_t router_mac[6] = { 0x02, 0xcf, 0x00, 0x00, 0x00, 0x01 };

static void put16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, 2);
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (; n > 1; p += 2, n -= 2)
		sum += p[0] << 8 | p[1];
	if (n)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static size_t l4(const struct pkt_spec *s, uint8_t *p)
{
	static const char payload[] = "camfence-test-payload";

	switch (s->proto) {
	case IPPROTO_TCP:
		memset(p, 0, 20);
		put16(p, s->sport);
		put16(p + 2, s->dport);
		p[12] = 5 << 4;
		p[13] = 0x02;	/* SYN */
		put16(p + 14, 64240);
		return 20;
	case IPPROTO_UDP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, 8 + sizeof(payload));
		put16(p + 6, 0);
		memcpy(p + 8, payload, sizeof(payload));
		return 8 + sizeof(payload);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		memset(p, 0, 8);
		p[0] = s->icmp_type;
		return 8;
	default:
		memcpy(p, payload, sizeof(payload));
		return sizeof(payload);
	}
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t len)
{
	uint8_t *p = buf;
	size_t n, i, hl;

	memset(buf, 0, len);
	memcpy(p, router_mac, 6);
	memcpy(p + 6, s->src_mac, 6);
	p += 12;
	for (i = 0; i < 2 && s->vlan[i]; i++) {
		put16(p, i == 0 && s->vlan[1] ? ETH_P_8021AD : ETH_P_8021Q);
		put16(p + 2, s->vlan[i]);
		p += 4;
	}
	if (s->family == AF_INET) {
		put16(p, ETH_P_IP);
		p += 2;
		hl = 20 + s->ip_options;
		memset(p, 0, hl);
		p[0] = 0x40 | hl / 4;
		p[8] = 64;
		p[9] = s->proto;
		put16(p + 6, s->frag_offset);
		inet_pton(AF_INET, s->src, p + 12);
		inet_pton(AF_INET, s->dst, p + 16);
		for (i = 20; i < hl; i++)
			p[i] = 1;	/* NOP options */
		if (s->ip_srr) {
			/* one option of that type after ip_srr_at NOPs: type,
			 * length, pointer, an address of the route */
			uint8_t *o = p + 20 + s->ip_srr_at;

			o[0] = s->ip_srr;
			o[1] = s->ip_srr_len ? s->ip_srr_len : 7;
			o[2] = 4;
			inet_pton(AF_INET, "203.0.113.21", o + 3);
		}
		n = s->frag_offset ? 16 : l4(s, p + hl);
		if (s->frag_offset)
			memset(p + hl, 0xab, n);
		put16(p + 2, hl + n);
		put16(p + 10, csum(p, hl));
		p += hl + n;
	} else if (s->family == AF_INET6) {
		put16(p, ETH_P_IPV6);
		p += 2;
		uint8_t *nh;
		size_t ext = 0;

		memset(p, 0, 40);
		p[0] = 0x60;
		p[7] = 64;
		inet_pton(AF_INET6, s->src, p + 8);
		inet_pton(AF_INET6, s->dst, p + 24);
		nh = p + 6;
		for (i = 0; i < (size_t)s->ipv6_ext; i++) {
			/* hop-by-hop first, destination options after it */
			*nh = i == 0 ? IPPROTO_HOPOPTS : IPPROTO_DSTOPTS;
			nh = p + 40 + ext;
			memset(nh, 0, 8);
			nh[2] = 1;	/* PadN */
			nh[3] = 4;
			ext += 8;
		}
		if (s->ipv6_rt) {
			/* a segment routing header: one segment, left or not */
			*nh = IPPROTO_ROUTING;
			nh = p + 40 + ext;
			memset(nh, 0, 24);
			nh[1] = 2;
			nh[2] = 4;
			nh[3] = s->ipv6_rt == 1;
			inet_pton(AF_INET6, "2001:db8:ffff::5", nh + 8);
			ext += 24;
		}
		if (s->ipv6_frag) {
			*nh = IPPROTO_FRAGMENT;
			nh = p + 40 + ext;
			memset(nh, 0, 8);
			put16(nh + 2, s->frag_offset << 3);
			ext += 8;
		}
		*nh = s->proto;
		n = s->ipv6_frag && s->frag_offset ? 16 : l4(s, p + 40 + ext);
		if (s->ipv6_frag && s->frag_offset)
			memset(p + 40 + ext, 0xab, n);
		n += ext;
		put16(p + 4, n);
		p += 40 + n;
	} else {
		put16(p, ETH_P_ARP);
		p += 2;
		memset(p, 0, 28);
		put16(p, 1);
		put16(p + 2, ETH_P_IP);
		p[4] = 6;
		p[5] = 4;
		put16(p + 6, 1);
		memcpy(p + 8, s->src_mac, 6);
		p += 28;
	}
	n = p - buf;
	if (n < 60)
		n = 60;
	if (s->truncate && s->truncate < n)
		n = s->truncate;
	return n;
}
