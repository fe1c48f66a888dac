/* SPDX-License-Identifier: GPL-2.0 */
/* Parsing and printing of MAC addresses and IPv4/IPv6 prefixes. */
#ifndef CAMFENCE_ADDR_H
#define CAMFENCE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cf_prefix {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	unsigned int len;	/* prefix length in bits */
};

/* The value of a hex digit, or -1. */
int camfence_addr_hexval(char c);
int camfence_addr_parse_mac(const char *s, uint8_t mac[6]);
/* "44:19:b6:10:20:30", or a prefix of whole hex pairs with a length:
 * "44:19:b6/24", "70:b3:d5:12:30/36". Bits beyond the length must be 0. */
int camfence_addr_parse_mac_prefix(const char *s, uint8_t mac[6], unsigned int *len,
				   const char **why);
bool camfence_addr_mac_match(const uint8_t *prefix, unsigned int len, const uint8_t mac[6]);
/* A host ("192.0.2.1") or a prefix ("192.0.2.0/24"); host bits must be 0. */
int camfence_addr_parse_prefix(const char *s, struct cf_prefix *p, const char **why);
bool camfence_addr_prefix_contains(const struct cf_prefix *outer, const struct cf_prefix *inner);
bool camfence_addr_prefix_match(const struct cf_prefix *p, int family, const uint8_t *addr);
char *camfence_addr_mac_str(const uint8_t mac[6], char buf[18]);
char *camfence_addr_prefix_str(const struct cf_prefix *p, char *buf, size_t len);

#endif
