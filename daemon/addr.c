// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

int camfence_addr_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six colon-separated pairs of hex digits, nothing else. */
int camfence_addr_parse_mac(const char *s, uint8_t mac[6])
{
	int i;

	for (i = 0; i < 6; i++) {
		int hi = camfence_addr_hexval(s[0]), lo = hi < 0 ? -1 : camfence_addr_hexval(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		mac[i] = hi << 4 | lo;
		s += 2;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

int camfence_addr_parse_mac_prefix(const char *s, uint8_t mac[6], unsigned int *len,
				   const char **why)
{
	const char *slash = strchr(s, '/');
	unsigned int pairs = 0, i;
	unsigned long n;
	char *end;

	memset(mac, 0, 6);
	*why = "not a MAC address or prefix (44:19:b6:0a:0b:0c, 44:19:b6/24)";
	if (!slash) {
		*len = 48;
		return camfence_addr_parse_mac(s, mac);
	}
	for (;;) {
		int hi = camfence_addr_hexval(s[0]), lo = hi < 0 ? -1 : camfence_addr_hexval(s[1]);

		if (hi < 0 || lo < 0 || pairs == 6)
			return -EINVAL;
		mac[pairs++] = hi << 4 | lo;
		s += 2;
		if (*s == '/')
			break;
		if (*s++ != ':')
			return -EINVAL;
	}
	*why = "MAC prefix length is not a number";
	if (s[1] < '0' || s[1] > '9')
		return -EINVAL;
	n = strtoul(s + 1, &end, 10);
	if (*end)
		return -EINVAL;
	*why = "MAC prefix length must be 1 to 48, and no longer than the pairs written";
	if (n < 1 || n > pairs * 8)
		return -ERANGE;
	*why = "MAC bits are set beyond the prefix length";
	for (i = n; i < 48; i++)
		if (mac[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	*len = n;
	*why = NULL;
	return 0;
}

bool camfence_addr_mac_match(const uint8_t *prefix, unsigned int len, const uint8_t mac[6])
{
	unsigned int full = len / 8, rest = len % 8;

	if (memcmp(prefix, mac, full))
		return false;
	return !rest || !((prefix[full] ^ mac[full]) & (0xff00 >> rest));
}

int camfence_addr_parse_prefix(const char *s, struct cf_prefix *p, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hlen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max, i;

	*why = "not an IPv4 or IPv6 address";
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, host, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	p->len = max;
	if (slash) {
		char *end;
		unsigned long len;

		*why = "prefix length is not a number";
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		len = strtoul(slash + 1, &end, 10);
		if (*end)
			return -EINVAL;
		*why = p->family == AF_INET ? "IPv4 prefix length must be 0 to 32" :
					      "IPv6 prefix length must be 0 to 128";
		if (len > max)
			return -ERANGE;
		p->len = len;
	}
	*why = "host bits are set beyond the prefix length";
	for (i = p->len; i < max; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	*why = NULL;
	return 0;
}

bool camfence_addr_prefix_match(const struct cf_prefix *p, int family, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (p->family != family)
		return false;
	if (memcmp(p->addr, addr, full))
		return false;
	if (rest && ((p->addr[full] ^ addr[full]) & (0xff00 >> rest)))
		return false;
	return true;
}

bool camfence_addr_prefix_contains(const struct cf_prefix *outer, const struct cf_prefix *inner)
{
	return outer->len <= inner->len &&
	       camfence_addr_prefix_match(outer, inner->family, inner->addr);
}

char *camfence_addr_mac_str(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

char *camfence_addr_prefix_str(const struct cf_prefix *p, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	unsigned int max = p->family == AF_INET ? 32 : 128;

	inet_ntop(p->family, p->addr, host, sizeof(host));
	if (p->len == max)
		snprintf(buf, len, "%s", host);
	else
		snprintf(buf, len, "%s/%u", host, p->len);
	return buf;
}
