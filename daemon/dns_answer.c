// SPDX-License-Identifier: GPL-2.0
/*
 * The DNS responses devices receive, read for what they tell the device
 * (dns_answer.h): the wire data checked whole, decoded with ldns, the CNAME
 * chain followed from the question's name, the addresses at its end taken.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dns_answer.h"

#define DNS_HEADER_LEN	12
#define DNS_NAME_MAX	255	/* wire bytes of a name, RFC 1035 3.1 */

static const char *const section_names[] = { "question", "answer", "authority", "additional" };

static const char *const result_names[CF_DNS_NRESULTS] = {
	[CF_DNS_OK] = "ok",
	[CF_DNS_NO_ADDRESS] = "no_address",
	[CF_DNS_OTHER_QUESTION] = "other_question",
	[CF_DNS_NOT_RESPONSE] = "not_response",
	[CF_DNS_NOT_QUERY] = "not_query",
	[CF_DNS_QUESTION_COUNT] = "question_count",
	[CF_DNS_TRUNCATED] = "truncated",
	[CF_DNS_RCODE] = "rcode",
	[CF_DNS_MALFORMED] = "malformed",
	[CF_DNS_NOMEM] = "nomem",
};

const char *camfence_dns_result_name(int result)
{
	if (result < 0 || result >= CF_DNS_NRESULTS)
		return "unknown";
	return result_names[result];
}

__attribute__((format(printf, 3, 4)))
static int say(struct cf_dns_answer *out, int result, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return result;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- the wire data, before ldns reads it -------------------------------
 * ldns (1.8) stops reading after the records the header counts, does not
 * hold a record's data to its length and follows pointers forward, so what
 * it would accept silently (bytes after the last record, an A record with
 * five bytes of data, a pointer that leads in circles until its hop limit)
 * is refused here first. */

/* The name at *pos, which ends by end: labels of at most 63 bytes (a
 * length byte of 64 to 191 is an extended label type, which RFC 6891
 * retired), 255 bytes in all, pointers that point back. Moves *pos past the
 * name's bytes in place. Returns why it is broken, or NULL. */
static const char *wire_name(const uint8_t *msg, size_t end, size_t *pos)
{
	size_t p = *pos, lowest = *pos, after = 0, total = 1;

	for (;;) {
		uint8_t b;

		if (p >= end)
			return "the name runs past the end of its data";
		b = msg[p];
		if ((b & 0xc0) == 0xc0) {
			size_t target;

			if (p + 2 > end)
				return "a compression pointer is cut short";
			target = (size_t)(b & 0x3f) << 8 | msg[p + 1];
			if (target < DNS_HEADER_LEN)
				return "a compression pointer points into the header";
			/* A pointer names a prior occurrence (RFC 1035 4.1.4):
			 * each one before anything this name read yet, so
			 * following them ends. */
			if (target >= lowest)
				return "a compression pointer does not point back";
			if (!after)
				after = p + 2;
			p = lowest = target;
			continue;
		}
		if (b & 0xc0)
			return "a label type other than a length or a pointer";
		if (!b)
			break;
		total += 1 + b;
		if (total > DNS_NAME_MAX)
			return "the name is longer than 255 bytes";
		p += 1 + b;
	}
	*pos = after ? after : p + 1;
	return NULL;
}

/* The data of an answer record the parser takes must be what its type
 * says, all of it. */
static const char *wire_answer_data(const uint8_t *msg, size_t pos, uint16_t rdlen,
				    uint16_t type)
{
	size_t p = pos;
	const char *why;

	switch (type) {
	case LDNS_RR_TYPE_A:
		return rdlen == 4 ? NULL : "an A record's data is not 4 bytes";
	case LDNS_RR_TYPE_AAAA:
		return rdlen == 16 ? NULL : "an AAAA record's data is not 16 bytes";
	case LDNS_RR_TYPE_CNAME:
		why = wire_name(msg, pos + rdlen, &p);
		if (why)
			return why;
		return p == pos + rdlen ? NULL : "a CNAME record's data goes on after its name";
	default:
		return NULL;
	}
}

static int wire_check(const uint8_t *msg, size_t len, struct cf_dns_answer *out)
{
	size_t pos = DNS_HEADER_LEN;
	unsigned int s, i, count;

	if (len < DNS_HEADER_LEN)
		return say(out, CF_DNS_MALFORMED, "%zu bytes: shorter than a DNS header (12)", len);
	for (s = 0; s < 4; s++) {
		count = rd16(msg + 4 + 2 * s);
		for (i = 0; i < count; i++) {
			const char *sec = section_names[s], *why;
			uint16_t type, class, rdlen;

			why = wire_name(msg, len, &pos);
			if (why)
				return say(out, CF_DNS_MALFORMED, "%s record %u of %u: %s",
					   sec, i + 1, count, why);
			if (len - pos < (s ? 10u : 4u))
				return say(out, CF_DNS_MALFORMED,
					   "%s record %u of %u: cut short after its name",
					   sec, i + 1, count);
			type = rd16(msg + pos);
			class = rd16(msg + pos + 2);
			if (!s) {
				pos += 4;
				continue;
			}
			rdlen = rd16(msg + pos + 8);
			pos += 10;
			if (len - pos < rdlen)
				return say(out, CF_DNS_MALFORMED,
					   "%s record %u of %u: %u bytes of data, %zu left in the message",
					   sec, i + 1, count, rdlen, len - pos);
			why = s == 1 && class == LDNS_RR_CLASS_IN ?
			      wire_answer_data(msg, pos, rdlen, type) : NULL;
			if (why)
				return say(out, CF_DNS_MALFORMED, "%s record %u of %u: %s",
					   sec, i + 1, count, why);
			pos += rdlen;
		}
	}
	if (pos != len)
		return say(out, CF_DNS_MALFORMED, "%zu bytes after the last record", len - pos);
	return CF_DNS_OK;
}

/* ---- names -------------------------------------------------------------- */

/* An uncompressed wire name (an ldns dname's data) as text: lower case, no
 * trailing dot, a byte other than a letter, digit, '-' or '_' as \DDD. */
static int name_text(const ldns_rdf *dname, char *buf, size_t size)
{
	const uint8_t *d = ldns_rdf_data(dname);
	size_t n = ldns_rdf_size(dname), i = 0, o = 0, j;

	if (size < 2 || !d || !n)
		return -1;
	if (n == 1 && !d[0]) {
		strcpy(buf, ".");
		return 0;
	}
	while (i < n && d[i]) {
		size_t label = d[i++];

		if (label > n - i)
			return -1;
		if (o) {
			if (o + 1 >= size)
				return -1;
			buf[o++] = '.';
		}
		for (j = 0; j < label; j++) {
			uint8_t c = d[i + j];

			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
				if (o + 1 >= size)
					return -1;
				buf[o++] = c;
			} else {
				if (o + 4 >= size)
					return -1;
				snprintf(buf + o, 5, "\\%03u", c);
				o += 4;
			}
		}
		i += label;
	}
	buf[o] = '\0';
	return 0;
}

/* For the reasons: a name as text, or a placeholder if it cannot be. */
static const char *name_or(const ldns_rdf *dname, char *buf, size_t size)
{
	return name_text(dname, buf, size) ? "(unreadable name)" : buf;
}

static bool same_name(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_compare(a, b) == 0;	/* without case, RFC 4343 */
}

/* A TTL with its top bit set is read as 0 (RFC 2181 8). */
static uint32_t rr_ttl(const ldns_rr *rr)
{
	uint32_t ttl = ldns_rr_ttl(rr);

	return ttl > INT32_MAX ? 0 : ttl;
}

/* ---- the answer ----------------------------------------------------------- */

/* The last name of the CNAME chain from qname in the answer section, and
 * the smallest TTL along it (UINT32_MAX when there is no link). */
static int follow_cnames(const ldns_rr_list *an, const ldns_rdf *qname, const ldns_rdf **last,
			 uint32_t *ttl, struct cf_dns_answer *out)
{
	const ldns_rdf *chain[CF_DNS_MAX_CNAMES + 1] = { qname };
	size_t n = ldns_rr_list_rr_count(an), i;
	unsigned int links = 0, j;
	char a[CF_DNS_NAME_SIZE], b[CF_DNS_NAME_SIZE];

	*ttl = UINT32_MAX;
	for (;;) {
		const ldns_rr *cname = NULL;
		const ldns_rdf *target;

		for (i = 0; i < n; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(an, i);

			if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
			    ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME ||
			    !same_name(ldns_rr_owner(rr), chain[links]))
				continue;
			/* a CNAME is the only record of its name (RFC 2181 10.1) */
			if (cname)
				return say(out, CF_DNS_MALFORMED, "two CNAME records for %s",
					   name_or(chain[links], a, sizeof(a)));
			cname = rr;
		}
		if (!cname)
			break;
		target = ldns_rr_rdf(cname, 0);
		if (ldns_rr_rd_count(cname) != 1 || ldns_rdf_get_type(target) != LDNS_RDF_TYPE_DNAME)
			return say(out, CF_DNS_MALFORMED, "the CNAME record for %s holds no name",
				   name_or(chain[links], a, sizeof(a)));
		for (j = 0; j <= links; j++)
			if (same_name(target, chain[j]))
				return say(out, CF_DNS_MALFORMED, "CNAME loop: %s leads back to %s",
					   name_or(chain[links], a, sizeof(a)),
					   name_or(target, b, sizeof(b)));
		if (links == CF_DNS_MAX_CNAMES)
			return say(out, CF_DNS_MALFORMED, "more than %d CNAME links from %s",
				   CF_DNS_MAX_CNAMES, out->qname);
		if (rr_ttl(cname) < *ttl)
			*ttl = rr_ttl(cname);
		chain[++links] = target;
	}
	out->cnames = links;
	*last = chain[links];
	return CF_DNS_OK;
}

static bool is_answer_addr(const ldns_rr *rr, uint16_t qtype, const ldns_rdf *owner)
{
	return ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN && ldns_rr_get_type(rr) == qtype &&
	       same_name(ldns_rr_owner(rr), owner);
}

/* The addresses the answer section gives owner, for a question of qtype. */
static int take_addrs(const ldns_rr_list *an, uint16_t qtype, const ldns_rdf *owner,
		      uint32_t chain_ttl, struct cf_dns_answer *out)
{
	size_t n = ldns_rr_list_rr_count(an), i, k, want = 0;
	int family = qtype == LDNS_RR_TYPE_A ? AF_INET : AF_INET6;
	size_t alen = family == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		want += is_answer_addr(ldns_rr_list_rr(an, i), qtype, owner);
	if (!want)
		return CF_DNS_NO_ADDRESS;
	if (want > CF_DNS_MAX_ADDRS)
		want = CF_DNS_MAX_ADDRS;
	out->addrs = calloc(want, sizeof(*out->addrs));
	if (!out->addrs)
		return say(out, CF_DNS_NOMEM, "out of memory for %zu addresses", want);

	for (i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		const ldns_rdf *rdf;
		struct cf_dns_addr *a;
		uint32_t ttl;

		if (!is_answer_addr(rr, qtype, owner))
			continue;
		rdf = ldns_rr_rdf(rr, 0);
		if (ldns_rr_rd_count(rr) != 1 || ldns_rdf_size(rdf) != alen)
			return say(out, CF_DNS_MALFORMED, "an address record of %s is not %zu bytes",
				   out->qname, alen);
		ttl = rr_ttl(rr) < chain_ttl ? rr_ttl(rr) : chain_ttl;
		for (k = 0; k < out->naddrs; k++)
			if (!memcmp(out->addrs[k].addr.addr, ldns_rdf_data(rdf), alen))
				break;
		if (k < out->naddrs) {
			/* one address twice: the smaller TTL holds (RFC 2181 5.2) */
			if (ttl < out->addrs[k].ttl)
				out->addrs[k].ttl = ttl;
			continue;
		}
		if (out->naddrs == want) {
			out->addrs_dropped++;
			continue;
		}
		a = &out->addrs[out->naddrs++];
		a->addr.family = family;
		a->addr.len = alen * 8;
		memcpy(a->addr.addr, ldns_rdf_data(rdf), alen);
		a->ttl = ttl;
	}
	return CF_DNS_OK;
}

static int read_answer(const ldns_pkt *pkt, struct cf_dns_answer *out)
{
	const ldns_rr_list *qs = ldns_pkt_question(pkt), *an = ldns_pkt_answer(pkt);
	const ldns_rdf *qname, *last = NULL;
	const ldns_rr *q;
	uint32_t chain_ttl;
	char *type, *class, lastname[CF_DNS_NAME_SIZE], tail[CF_DNS_NAME_SIZE + 32] = "";
	int r;

	if (!ldns_pkt_qr(pkt))
		return say(out, CF_DNS_NOT_RESPONSE, "a query (QR 0), not a response");
	if (ldns_pkt_get_opcode(pkt) != LDNS_PACKET_QUERY)
		return say(out, CF_DNS_NOT_QUERY, "opcode %d, not QUERY", ldns_pkt_get_opcode(pkt));
	if (ldns_rr_list_rr_count(qs) != 1)
		return say(out, CF_DNS_QUESTION_COUNT, "%zu questions, not one",
			   ldns_rr_list_rr_count(qs));
	q = ldns_rr_list_rr(qs, 0);
	qname = ldns_rr_owner(q);
	out->qtype = ldns_rr_get_type(q);
	out->qclass = ldns_rr_get_class(q);
	if (name_text(qname, out->qname, sizeof(out->qname)))
		return say(out, CF_DNS_MALFORMED, "the question's name cannot be read");

	if (out->qclass != LDNS_RR_CLASS_IN ||
	    (out->qtype != LDNS_RR_TYPE_A && out->qtype != LDNS_RR_TYPE_AAAA)) {
		type = ldns_rr_type2str(out->qtype);
		class = ldns_rr_class2str(out->qclass);
		r = say(out, CF_DNS_OTHER_QUESTION, "%s %s %s: not an IN A or IN AAAA question",
			out->qname, class ? class : "?", type ? type : "?");
		free(type);
		free(class);
		return r;
	}
	if (ldns_pkt_tc(pkt))
		return say(out, CF_DNS_TRUNCATED, "truncated (TC) answer for %s", out->qname);
	out->rcode = (uint16_t)(ldns_pkt_edns_extended_rcode(pkt) << 4 | ldns_pkt_get_rcode(pkt));
	if (out->rcode != LDNS_RCODE_NOERROR) {
		ldns_lookup_table *rc = ldns_lookup_by_id(ldns_rcodes, out->rcode);

		if (rc)
			return say(out, CF_DNS_RCODE, "rcode %s for %s", rc->name, out->qname);
		return say(out, CF_DNS_RCODE, "rcode %u for %s", out->rcode, out->qname);
	}

	r = follow_cnames(an, qname, &last, &chain_ttl, out);
	if (r != CF_DNS_OK)
		return r;
	if (out->cnames)
		snprintf(tail, sizeof(tail), " (%u CNAME%s to %s)", out->cnames,
			 out->cnames > 1 ? "s" : "", name_or(last, lastname, sizeof(lastname)));
	r = take_addrs(an, out->qtype, last, chain_ttl, out);
	if (r == CF_DNS_NO_ADDRESS)
		return say(out, r, "no %s record for %s%s",
			   out->qtype == LDNS_RR_TYPE_A ? "A" : "AAAA", out->qname, tail);
	if (r != CF_DNS_OK)
		return r;
	if (out->addrs_dropped)
		return say(out, r, "%zu addresses for %s%s, %zu more dropped", out->naddrs,
			   out->qname, tail, out->addrs_dropped);
	return say(out, r, "%zu address%s for %s%s", out->naddrs, out->naddrs > 1 ? "es" : "",
		   out->qname, tail);
}

int camfence_dns_answer_parse(const uint8_t *msg, size_t len, struct cf_dns_answer *out,
			      const char **why)
{
	ldns_pkt *pkt = NULL;
	ldns_status st;
	int r;

	memset(out, 0, sizeof(*out));
	if (why)
		*why = out->why;
	if (!msg)
		return say(out, CF_DNS_MALFORMED, "no message");
	r = wire_check(msg, len, out);
	if (r != CF_DNS_OK)
		return r;
	st = ldns_wire2pkt(&pkt, msg, len);
	if (st != LDNS_STATUS_OK)
		return say(out, st == LDNS_STATUS_MEM_ERR ? CF_DNS_NOMEM : CF_DNS_MALFORMED,
			   "ldns: %s", ldns_get_errorstr_by_id(st));
	r = read_answer(pkt, out);
	ldns_pkt_free(pkt);
	if (r != CF_DNS_OK) {
		free(out->addrs);
		out->addrs = NULL;
		out->naddrs = 0;
	}
	return r;
}

void camfence_dns_answer_free(struct cf_dns_answer *a)
{
	if (!a)
		return;
	free(a->addrs);
	a->addrs = NULL;
	a->naddrs = 0;
}

/* ---- name rules ------------------------------------------------------------ */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool same_text(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

/* The length without one trailing dot. */
static size_t text_len(const char *s)
{
	size_t n = strlen(s);

	return n && s[n - 1] == '.' ? n - 1 : n;
}

/* s[0..n) is one or more labels, none empty. */
static bool labels_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return false;
	return true;
}

bool camfence_dns_name_match(const char *pattern, const char *name)
{
	size_t pn, nn, sn;
	const char *suffix;

	if (!pattern || !name)
		return false;
	pn = text_len(pattern);
	nn = text_len(name);
	if (!labels_ok(name, nn))
		return false;
	suffix = pattern;
	sn = pn;
	if (pn >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		suffix += 2;
		sn -= 2;
	}
	/* a '*' anywhere else is no pattern this matcher knows */
	if (!labels_ok(suffix, sn) || memchr(suffix, '*', sn))
		return false;
	if (suffix == pattern)
		return nn == sn && same_text(name, suffix, sn);
	/* one or more whole labels before the suffix */
	return nn > sn + 1 && name[nn - sn - 1] == '.' && same_text(name + nn - sn, suffix, sn);
}
