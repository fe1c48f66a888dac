// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the DNS response parser (docs/fuzzing.md).
 *
 * The input is a DNS message as a server could send it to a device: any
 * bytes. camfenced reads such messages from the wire for every device, so
 * whatever they hold, the parser must answer with a result and never
 * crash, leak or read outside the message. The input is copied into a
 * buffer of exactly its length, so ASan sees a read one byte past it.
 *
 * Besides crashes and leaks, the target aborts when the answer breaks a
 * promise the daemon relies on: a known result with a reason; addresses
 * only with CF_DNS_OK, 1 to CF_DNS_MAX_ADDRS of them, of the question's
 * family, hosts, distinct, TTLs below 2^31; the question's name in the
 * text form dns_answer.h describes, matching itself and the pattern of its
 * parent. The input is also given to the name matcher as "PATTERN\0NAME".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns_answer.h"

#define ensure(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_dns_answer: %s:%d: broken promise: %s\n", \
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#define TYPE_A		1
#define TYPE_AAAA	28

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Lower case letters, digits, '-', '_', \DDD (DDD a byte, and not one of
 * those), labels split by single dots; or "." alone. */
static void check_qname(const char *q)
{
	size_t n = strnlen(q, CF_DNS_NAME_SIZE), i, label = 0;

	ensure(n < CF_DNS_NAME_SIZE);
	ensure(n > 0);
	if (!strcmp(q, "."))
		return;
	for (i = 0; i < n; i++) {
		if (q[i] == '.') {
			ensure(label > 0);
			label = 0;
		} else if (q[i] == '\\') {
			unsigned int v;

			ensure(i + 3 < n && q[i + 1] >= '0' && q[i + 1] <= '2');
			ensure(q[i + 2] >= '0' && q[i + 2] <= '9' && q[i + 3] >= '0' && q[i + 3] <= '9');
			v = (q[i + 1] - '0') * 100 + (q[i + 2] - '0') * 10 + (q[i + 3] - '0');
			ensure(v <= 255 && !name_char((char)v) && !(v >= 'A' && v <= 'Z'));
			i += 3;
			label++;
		} else {
			ensure(name_char(q[i]));
			label++;
		}
	}
	ensure(label > 0);
}

static void check_answer(int r, const struct cf_dns_answer *a, const char *why)
{
	size_t i, j, alen;
	int family;

	ensure(r >= 0 && r < CF_DNS_NRESULTS);
	ensure(strcmp(camfence_dns_result_name(r), "unknown"));
	ensure(why == a->why);
	ensure(memchr(a->why, '\0', sizeof(a->why)) && a->why[0]);
	if (r != CF_DNS_OK) {
		ensure(!a->addrs && !a->naddrs && !a->addrs_dropped);
		return;
	}
	ensure(a->qclass == 1 && (a->qtype == TYPE_A || a->qtype == TYPE_AAAA));
	ensure(a->naddrs >= 1 && a->naddrs <= CF_DNS_MAX_ADDRS && a->addrs);
	ensure(!a->addrs_dropped || a->naddrs == CF_DNS_MAX_ADDRS);
	ensure(a->cnames <= CF_DNS_MAX_CNAMES);
	family = a->qtype == TYPE_A ? AF_INET : AF_INET6;
	alen = family == AF_INET ? 4 : 16;
	for (i = 0; i < a->naddrs; i++) {
		ensure(a->addrs[i].addr.family == family);
		ensure(a->addrs[i].addr.len == alen * 8);
		ensure(a->addrs[i].ttl <= INT32_MAX);
		for (j = 0; j < i; j++)
			ensure(memcmp(a->addrs[i].addr.addr, a->addrs[j].addr.addr, alen));
	}
}

/* The question's name matches itself, and "*." and its parent. */
static void check_match(const char *q)
{
	const char *dot = strchr(q, '.');
	char pattern[CF_DNS_NAME_SIZE + 2];

	if (!strcmp(q, "."))
		return;
	ensure(camfence_dns_name_match(q, q));
	if (!dot)
		return;
	snprintf(pattern, sizeof(pattern), "*%s", dot);
	ensure(camfence_dns_name_match(pattern, q));
	/* the parent itself is not below itself */
	ensure(!camfence_dns_name_match(pattern, dot + 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_dns_answer a;
	const char *why = NULL;
	uint8_t *msg = malloc(size ? size : 1);
	char *text;
	int r;

	ensure(msg);
	memcpy(msg, data, size);
	r = camfence_dns_answer_parse(msg, size, &a, &why);
	check_answer(r, &a, why);
	if (r == CF_DNS_OK || r == CF_DNS_NO_ADDRESS || r == CF_DNS_OTHER_QUESTION ||
	    r == CF_DNS_TRUNCATED || r == CF_DNS_RCODE) {
		check_qname(a.qname);
		check_match(a.qname);
	}
	camfence_dns_answer_free(&a);
	ensure(!a.addrs && !a.naddrs);
	free(msg);

	/* "PATTERN\0NAME": the matcher on any text */
	text = malloc(size + 2);
	ensure(text);
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	if (camfence_dns_name_match(text, text + strlen(text) + 1))
		ensure(strlen(text) && strlen(text + strlen(text) + 1));
	free(text);
	return 0;
}
