/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a DNS response told a device: the question it answers and, for an
 * IN A or IN AAAA question, the addresses the question's name has, each
 * with the TTL it may be kept for. camfenced reads the responses its zone
 * interfaces carry to the devices and learns from them the destinations
 * that `allow|deny to name PATTERN` rules mean (docs/policy.md).
 *
 * The response comes from a server the device uses, which may be hostile:
 * the parser believes only what answers the question the device asked.
 * CNAME records are followed from the question's name through the answer
 * section (at most CF_DNS_MAX_CNAMES links), and only the A or AAAA records
 * (the question's type, class IN) whose owner is the last name of that
 * chain are taken; records for other names, and every record of the
 * authority and additional sections, are ignored. An address's TTL is the
 * smallest of its record's TTL and every CNAME link's TTL that led to it.
 *
 * The wire data is checked whole before ldns decodes it: every name, label
 * and compression pointer (pointers must point back, before the name part
 * they end, as RFC 1035 compressors write them), every record's length, and
 * nothing after the last record. A, AAAA and CNAME data in the answer
 * section must fill their records exactly.
 *
 * Pure: no I/O, no global state.
 */
#ifndef CAMFENCE_DNS_ANSWER_H
#define CAMFENCE_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define CF_DNS_MAX_ADDRS	64	/* per response: more are dropped, counted */
#define CF_DNS_MAX_CNAMES	8	/* links followed from the question's name */
/* A name in text: at most 1003 characters when every byte of a 255-byte
 * wire name is written as \DDD, plus the NUL. */
#define CF_DNS_NAME_SIZE	1024

enum cf_dns_result {
	CF_DNS_OK,		/* naddrs >= 1 addresses learned */
	CF_DNS_NO_ADDRESS,	/* a good answer, but no address for the name (NODATA) */
	CF_DNS_OTHER_QUESTION,	/* a question other than IN A or IN AAAA: nothing to learn */
	CF_DNS_NOT_RESPONSE,	/* QR is 0: a query, not a response */
	CF_DNS_NOT_QUERY,	/* an opcode other than QUERY (NOTIFY, UPDATE...) */
	CF_DNS_QUESTION_COUNT,	/* not exactly one question */
	CF_DNS_TRUNCATED,	/* TC set: addresses may be missing, the device asks again over TCP */
	CF_DNS_RCODE,		/* an RCODE other than NOERROR (NXDOMAIN, SERVFAIL...) */
	CF_DNS_MALFORMED,	/* the wire data is broken: why says where */
	CF_DNS_NOMEM,
	CF_DNS_NRESULTS
};

struct cf_dns_addr {
	struct cf_prefix addr;		/* a host: /32 or /128 */
	uint32_t ttl;			/* seconds; a TTL with the top bit set reads 0 (RFC 2181) */
};

struct cf_dns_answer {
	/* The question, once it was read (every result from
	 * CF_DNS_OTHER_QUESTION on the list above): lower case, no trailing
	 * dot ("." for the root); a byte other than a letter, digit, '-' or
	 * '_' is written \DDD, so every '.' in it separates labels and no
	 * name reads as a pattern. */
	char qname[CF_DNS_NAME_SIZE];
	uint16_t qtype;			/* LDNS_RR_TYPE_A, _AAAA, ... */
	uint16_t qclass;
	uint16_t rcode;			/* with EDNS's extended bits */
	unsigned int cnames;		/* CNAME links followed */
	/* CF_DNS_OK only: distinct addresses in answer order, malloc'd */
	struct cf_dns_addr *addrs;
	size_t naddrs;
	size_t addrs_dropped;		/* beyond CF_DNS_MAX_ADDRS */
	char why[160];			/* what *why points to */
};

/*
 * Reads the response msg[0..len). Fills out (zeroed first, so
 * camfence_dns_answer_free is always safe) and returns an enum
 * cf_dns_result; *why (when why is not NULL) is a one-line reason for logs,
 * held in out->why: "3 addresses", "rcode NXDOMAIN", "answer record 2: data
 * runs past the end of the message"...
 */
int camfence_dns_answer_parse(const uint8_t *msg, size_t len, struct cf_dns_answer *out,
			      const char **why);
void camfence_dns_answer_free(struct cf_dns_answer *a);

/* A short stable token for counters and metrics labels: "ok",
 * "no_address", "truncated", "malformed"... */
const char *camfence_dns_result_name(int result);

/*
 * Whether a name rule's pattern names name. pattern is a host name
 * ("pool.ntp.org": that name only) or "*." and a suffix
 * ("*.example.com": every name one or more labels below example.com, not
 * example.com itself, not badexample.com). Letters compare without case; a
 * trailing dot on either is ignored. A bare "*", an empty pattern or name,
 * or a name with an empty label never match. name is as qname above.
 */
bool camfence_dns_name_match(const char *pattern, const char *name);

#endif
