// SPDX-License-Identifier: GPL-2.0
/*
 * The DNS response parser: what an answer teaches (addresses, TTLs along a
 * CNAME chain), what it must not (other owners, other sections), the
 * responses with nothing to learn, broken wire data, and name patterns.
 *
 * Well-formed messages are written as zone-file lines and put on the wire
 * by ldns; broken ones are those bytes changed, or written out by hand.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns_answer.h"
#include "unit.h"

/* A response: the header's flags and its records, each line starting with
 * its section: "qd", "an", "ns" or "ar". */
struct msg {
	bool query;			/* QR 0 */
	bool tc;
	ldns_pkt_opcode opcode;
	ldns_pkt_rcode rcode;
	const char *rrs[80];
};

static uint8_t *wire(const struct msg *m, size_t *len)
{
	static const struct { const char *tag; ldns_pkt_section sec; } secs[] = {
		{ "qd ", LDNS_SECTION_QUESTION }, { "an ", LDNS_SECTION_ANSWER },
		{ "ns ", LDNS_SECTION_AUTHORITY }, { "ar ", LDNS_SECTION_ADDITIONAL },
	};
	ldns_pkt *pkt = ldns_pkt_new();
	uint8_t *out = NULL;
	size_t i, k;

	ck_assert_ptr_nonnull(pkt);
	ldns_pkt_set_id(pkt, 0x1234);
	ldns_pkt_set_qr(pkt, !m->query);
	ldns_pkt_set_rd(pkt, true);
	ldns_pkt_set_tc(pkt, m->tc);
	ldns_pkt_set_opcode(pkt, m->opcode);
	ldns_pkt_set_rcode(pkt, m->rcode);
	for (i = 0; m->rrs[i]; i++) {
		ldns_rr *rr = NULL;
		ldns_status st;

		for (k = 0; k < 4 && strncmp(m->rrs[i], secs[k].tag, 3); k++)
			;
		ck_assert_msg(k < 4, "no section in '%s'", m->rrs[i]);
		if (secs[k].sec == LDNS_SECTION_QUESTION)
			st = ldns_rr_new_question_frm_str(&rr, m->rrs[i] + 3, NULL, NULL);
		else
			st = ldns_rr_new_frm_str(&rr, m->rrs[i] + 3, 0, NULL, NULL);
		ck_assert_msg(st == LDNS_STATUS_OK, "'%s': %s", m->rrs[i], ldns_get_errorstr_by_id(st));
		ck_assert(ldns_pkt_push_rr(pkt, secs[k].sec, rr));
	}
	ck_assert_int_eq(ldns_pkt2wire(&out, pkt, len), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	return out;
}

/* Parses m, checks the result, returns the answer (to be freed). */
static struct cf_dns_answer *parse(const struct msg *m, int want)
{
	struct cf_dns_answer *a = calloc(1, sizeof(*a));
	const char *why = NULL;
	size_t len;
	uint8_t *w = wire(m, &len);
	int r;

	ck_assert_ptr_nonnull(a);
	r = camfence_dns_answer_parse(w, len, a, &why);
	free(w);
	ck_assert_ptr_eq(why, a->why);
	ck_assert_msg(r == want, "result %s, not %s: %s", camfence_dns_result_name(r),
		      camfence_dns_result_name(want), why);
	ck_assert(why[0]);
	if (r != CF_DNS_OK) {
		ck_assert_ptr_null(a->addrs);
		ck_assert_uint_eq(a->naddrs, 0);
	}
	return a;
}

static void done(struct cf_dns_answer *a)
{
	camfence_dns_answer_free(a);
	free(a);
}

static void check_addr(const struct cf_dns_answer *a, size_t i, const char *addr, uint32_t ttl)
{
	char buf[INET6_ADDRSTRLEN];

	ck_assert_uint_lt(i, a->naddrs);
	ck_assert_ptr_nonnull(inet_ntop(a->addrs[i].addr.family, a->addrs[i].addr.addr, buf,
					sizeof(buf)));
	ck_assert_str_eq(buf, addr);
	ck_assert_uint_eq(a->addrs[i].addr.len, a->addrs[i].addr.family == AF_INET ? 32 : 128);
	ck_assert_uint_eq(a->addrs[i].ttl, ttl);
}

/* ---- what an answer teaches ---------------------------------------------- */

START_TEST(a_records_with_their_ttls)
{
	struct msg m = { .rrs = {
		"qd WWW.Example.COM. IN A",
		"an www.example.com. 300 IN A 192.0.2.10",
		"an WWW.EXAMPLE.com. 60 IN A 192.0.2.11",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_str_eq(a->qname, "www.example.com");
	ck_assert_uint_eq(a->qtype, LDNS_RR_TYPE_A);
	ck_assert_uint_eq(a->qclass, LDNS_RR_CLASS_IN);
	ck_assert_uint_eq(a->naddrs, 2);
	check_addr(a, 0, "192.0.2.10", 300);
	check_addr(a, 1, "192.0.2.11", 60);
	ck_assert_uint_eq(a->cnames, 0);
	ck_assert_str_eq(a->why, "2 addresses for www.example.com");
	done(a);
}
END_TEST

START_TEST(aaaa_records_with_their_ttls)
{
	struct msg m = { .rrs = {
		"qd cam-cloud.example.net. IN AAAA",
		"an cam-cloud.example.net. 3600 IN AAAA 2001:db8::1",
		"an cam-cloud.example.net. 7 IN AAAA 2001:db8:ffff::abcd",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_str_eq(a->qname, "cam-cloud.example.net");
	ck_assert_uint_eq(a->qtype, LDNS_RR_TYPE_AAAA);
	ck_assert_uint_eq(a->naddrs, 2);
	check_addr(a, 0, "2001:db8::1", 3600);
	check_addr(a, 1, "2001:db8:ffff::abcd", 7);
	done(a);
}
END_TEST

/* Several records: the other family is not what was asked; one address
 * twice is one address with the smaller TTL (RFC 2181 5.2). */
START_TEST(several_records_only_the_asked_type_once_each)
{
	struct msg m = { .rrs = {
		"qd example.com. IN A",
		"an example.com. 300 IN A 192.0.2.1",
		"an example.com. 300 IN AAAA 2001:db8::1",
		"an example.com. 300 IN TXT \"v=spf1\"",
		"an example.com. 300 IN A 192.0.2.2",
		"an example.com. 100 IN A 192.0.2.1",
		"an example.com. 300 IN A 192.0.2.3",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_uint_eq(a->naddrs, 3);
	check_addr(a, 0, "192.0.2.1", 100);
	check_addr(a, 1, "192.0.2.2", 300);
	check_addr(a, 2, "192.0.2.3", 300);
	done(a);
}
END_TEST

START_TEST(a_ttl_with_the_top_bit_set_reads_zero)
{
	struct msg m = { .rrs = {
		"qd example.com. IN A",
		"an example.com. 2147483648 IN A 192.0.2.1",
		"an example.com. 2147483647 IN A 192.0.2.2",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	check_addr(a, 0, "192.0.2.1", 0);
	check_addr(a, 1, "192.0.2.2", 2147483647);
	done(a);
}
END_TEST

START_TEST(addresses_are_capped_and_the_rest_counted)
{
	struct msg m = { .rrs = { "qd many.example.com. IN A" } };
	char lines[70][64];
	struct cf_dns_answer *a;
	size_t i;

	for (i = 0; i < 70; i++) {
		snprintf(lines[i], sizeof(lines[i]), "an many.example.com. 60 IN A 198.51.100.%zu", i + 1);
		m.rrs[i + 1] = lines[i];
	}
	a = parse(&m, CF_DNS_OK);
	ck_assert_uint_eq(a->naddrs, CF_DNS_MAX_ADDRS);
	ck_assert_uint_eq(a->addrs_dropped, 70 - CF_DNS_MAX_ADDRS);
	check_addr(a, 0, "198.51.100.1", 60);
	check_addr(a, CF_DNS_MAX_ADDRS - 1, "198.51.100.64", 60);
	ck_assert_str_eq(a->why, "64 addresses for many.example.com, 6 more dropped");
	done(a);
}
END_TEST

/* ---- CNAME chains ---------------------------------------------------------- */

START_TEST(cname_chain_gives_the_smallest_ttl)
{
	struct msg m = { .rrs = {
		"qd fw.Vendor.example. IN A",
		"an FW.vendor.example. 3600 IN CNAME fw.cdn.example.",
		"an fw.CDN.example. 45 IN CNAME edge7.cdn.example.",
		"an edge7.cdn.example. 300 IN A 203.0.113.7",
		"an EDGE7.cdn.example. 20 IN A 203.0.113.8",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_str_eq(a->qname, "fw.vendor.example");
	ck_assert_uint_eq(a->cnames, 2);
	ck_assert_uint_eq(a->naddrs, 2);
	check_addr(a, 0, "203.0.113.7", 45);	/* the CNAME link's 45 */
	check_addr(a, 1, "203.0.113.8", 20);	/* its own 20 */
	ck_assert_str_eq(a->why, "2 addresses for fw.vendor.example (2 CNAMEs to edge7.cdn.example)");
	done(a);
}
END_TEST

/* Only the chain's last name has addresses: an A record beside a CNAME
 * for the question's name, or for a name along the way, is not taken. */
START_TEST(cname_chain_takes_only_the_last_names_addresses)
{
	struct msg m = { .rrs = {
		"qd a.example. IN A",
		"an a.example. 300 IN A 192.0.2.66",
		"an a.example. 300 IN CNAME b.example.",
		"an b.example. 300 IN CNAME c.example.",
		"an b.example. 300 IN A 192.0.2.77",
		"an c.example. 300 IN A 192.0.2.1",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_uint_eq(a->naddrs, 1);
	check_addr(a, 0, "192.0.2.1", 300);
	done(a);
}
END_TEST

START_TEST(cname_chain_without_an_address_is_no_address)
{
	struct msg m = { .rrs = {
		"qd a.example. IN AAAA",
		"an a.example. 300 IN CNAME b.example.",
		"an a.example. 300 IN AAAA 2001:db8::66",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_NO_ADDRESS);

	ck_assert_str_eq(a->qname, "a.example");
	ck_assert_str_eq(a->why, "no AAAA record for a.example (1 CNAME to b.example)");
	done(a);
}
END_TEST

START_TEST(cname_loop_is_malformed)
{
	struct msg loop = { .rrs = {
		"qd a.example. IN A",
		"an a.example. 300 IN CNAME b.example.",
		"an b.example. 300 IN CNAME A.example.",
		"an a.example. 300 IN A 192.0.2.1",
		NULL } };
	struct msg self = { .rrs = {
		"qd a.example. IN A",
		"an a.example. 300 IN CNAME a.example.",
		NULL } };
	struct cf_dns_answer *a = parse(&loop, CF_DNS_MALFORMED);

	ck_assert_str_eq(a->why, "CNAME loop: b.example leads back to a.example");
	ck_assert_str_eq(a->qname, "a.example");
	done(a);
	a = parse(&self, CF_DNS_MALFORMED);
	ck_assert_str_eq(a->why, "CNAME loop: a.example leads back to a.example");
	done(a);
}
END_TEST

/* CF_DNS_MAX_CNAMES links are followed, one more is refused. */
START_TEST(cname_chain_is_bounded)
{
	struct msg m = { .rrs = { "qd n0.example. IN A" } };
	char lines[CF_DNS_MAX_CNAMES + 2][64];
	struct cf_dns_answer *a;
	int i;

	for (i = 0; i < CF_DNS_MAX_CNAMES; i++) {
		snprintf(lines[i], sizeof(lines[i]), "an n%d.example. %d IN CNAME n%d.example.",
			 i, 100 + i, i + 1);
		m.rrs[i + 1] = lines[i];
	}
	snprintf(lines[i], sizeof(lines[i]), "an n%d.example. 600 IN A 192.0.2.%d", i, i);
	m.rrs[i + 1] = lines[i];
	a = parse(&m, CF_DNS_OK);
	ck_assert_uint_eq(a->cnames, CF_DNS_MAX_CNAMES);
	check_addr(a, 0, "192.0.2.8", 100);
	done(a);

	/* the address record becomes one more link */
	snprintf(lines[i], sizeof(lines[i]), "an n%d.example. 600 IN CNAME n%d.example.", i, i + 1);
	snprintf(lines[i + 1], sizeof(lines[i + 1]), "an n%d.example. 600 IN A 192.0.2.9", i + 1);
	m.rrs[i + 2] = lines[i + 1];
	a = parse(&m, CF_DNS_MALFORMED);
	ck_assert_str_eq(a->why, "more than 8 CNAME links from n0.example");
	done(a);
}
END_TEST

START_TEST(two_cnames_for_one_name_are_malformed)
{
	struct msg m = { .rrs = {
		"qd a.example. IN A",
		"an a.example. 300 IN CNAME b.example.",
		"an a.example. 300 IN CNAME c.example.",
		"an c.example. 300 IN A 192.0.2.1",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_MALFORMED);

	ck_assert_str_eq(a->why, "two CNAME records for a.example");
	done(a);
}
END_TEST

/* ---- what a hostile server cannot plant -------------------------------------- */

START_TEST(records_for_other_owners_are_ignored)
{
	struct msg m = { .rrs = {
		"qd ntp.example.org. IN A",
		"an evil.example. 300 IN A 198.51.100.66",
		"an ntp.example.org.evil.example. 300 IN A 198.51.100.67",
		"an ntp.example.org. 300 IN A 192.0.2.123",
		"an org. 300 IN A 198.51.100.68",
		NULL } };
	struct msg none = { .rrs = {
		"qd ntp.example.org. IN A",
		"an evil.example. 300 IN A 198.51.100.66",
		/* a CNAME of another name leads nowhere the question went */
		"an other.example.org. 300 IN CNAME evil.example.",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_uint_eq(a->naddrs, 1);
	check_addr(a, 0, "192.0.2.123", 300);
	done(a);
	a = parse(&none, CF_DNS_NO_ADDRESS);
	ck_assert_str_eq(a->why, "no A record for ntp.example.org");
	done(a);
}
END_TEST

START_TEST(authority_and_additional_addresses_are_ignored)
{
	struct msg m = { .rrs = {
		"qd cam.example. IN A",
		"an cam.example. 300 IN CNAME cdn.example.",
		"ns cam.example. 300 IN A 198.51.100.1",
		"ns cdn.example. 300 IN A 198.51.100.2",
		"ns example. 300 IN NS ns1.example.",
		"ar cam.example. 300 IN A 198.51.100.3",
		"ar cdn.example. 300 IN A 198.51.100.4",
		"ar ns1.example. 300 IN A 198.51.100.5",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_NO_ADDRESS);

	done(a);
}
END_TEST

START_TEST(records_of_another_class_are_ignored)
{
	struct msg m = { .rrs = {
		"qd cam.example. IN A",
		"an cam.example. 300 CH CNAME evil.example.",
		"an cam.example. 300 CH A 198.51.100.1",
		"an cam.example. 300 IN A 192.0.2.1",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_uint_eq(a->cnames, 0);
	ck_assert_uint_eq(a->naddrs, 1);
	check_addr(a, 0, "192.0.2.1", 300);
	done(a);
}
END_TEST

/* ---- responses with nothing to learn ------------------------------------------ */

START_TEST(truncated_answer_is_reported)
{
	struct msg m = { .tc = true, .rrs = {
		"qd cam.example. IN A",
		"an cam.example. 300 IN A 192.0.2.1",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_TRUNCATED);

	ck_assert_str_eq(a->qname, "cam.example");
	ck_assert_str_eq(a->why, "truncated (TC) answer for cam.example");
	done(a);
}
END_TEST

START_TEST(error_rcodes_are_reported)
{
	struct msg nx = { .rcode = LDNS_RCODE_NXDOMAIN, .rrs = {
		"qd nope.example. IN A",
		"ns example. 300 IN SOA ns1.example. host.example. 1 2 3 4 5",
		NULL } };
	struct msg fail = { .rcode = LDNS_RCODE_SERVFAIL, .rrs = {
		"qd cam.example. IN AAAA",
		/* addresses in an error are not believed */
		"an cam.example. 300 IN AAAA 2001:db8::1",
		NULL } };
	struct cf_dns_answer *a = parse(&nx, CF_DNS_RCODE);

	ck_assert_uint_eq(a->rcode, LDNS_RCODE_NXDOMAIN);
	ck_assert_str_eq(a->why, "rcode NXDOMAIN for nope.example");
	done(a);
	a = parse(&fail, CF_DNS_RCODE);
	ck_assert_uint_eq(a->rcode, LDNS_RCODE_SERVFAIL);
	ck_assert_str_eq(a->why, "rcode SERVFAIL for cam.example");
	done(a);
}
END_TEST

/* BADVERS (16) is NOERROR in the header's four bits, 1 in EDNS's. */
START_TEST(extended_rcode_is_an_error)
{
	struct msg m = { .rrs = {
		"qd cam.example. IN A",
		"an cam.example. 300 IN A 192.0.2.1",
		NULL } };
	struct cf_dns_answer a;
	ldns_pkt *pkt = NULL;
	uint8_t *w;
	size_t len;

	w = wire(&m, &len);
	ck_assert_int_eq(ldns_wire2pkt(&pkt, w, len), LDNS_STATUS_OK);
	free(w);
	ldns_pkt_set_edns_udp_size(pkt, 1232);
	ldns_pkt_set_edns_extended_rcode(pkt, 1);
	ck_assert_int_eq(ldns_pkt2wire(&w, pkt, &len), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	ck_assert_int_eq(camfence_dns_answer_parse(w, len, &a, NULL), CF_DNS_RCODE);
	ck_assert_uint_eq(a.rcode, 16);
	ck_assert_str_eq(a.why, "rcode 16 for cam.example");
	free(w);

	/* the same with EDNS and no extended bits learns */
	m.rrs[2] = "ar . 0 IN TXT \"x\"";
	w = wire(&m, &len);
	ck_assert_int_eq(ldns_wire2pkt(&pkt, w, len), LDNS_STATUS_OK);
	free(w);
	ldns_pkt_set_edns_udp_size(pkt, 1232);
	ck_assert_int_eq(ldns_pkt2wire(&w, pkt, &len), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	ck_assert_int_eq(camfence_dns_answer_parse(w, len, &a, NULL), CF_DNS_OK);
	ck_assert_uint_eq(a.naddrs, 1);
	camfence_dns_answer_free(&a);
	free(w);
}
END_TEST

START_TEST(a_query_is_not_a_response)
{
	struct msg m = { .query = true, .rrs = { "qd cam.example. IN A", NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_NOT_RESPONSE);

	ck_assert_str_eq(a->why, "a query (QR 0), not a response");
	done(a);
}
END_TEST

START_TEST(other_opcodes_are_not_queries)
{
	struct msg m = { .opcode = LDNS_PACKET_NOTIFY, .rrs = {
		"qd example. IN SOA",
		"an example. 300 IN A 192.0.2.1",
		NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_NOT_QUERY);

	ck_assert_str_eq(a->why, "opcode 4, not QUERY");
	done(a);
}
END_TEST

START_TEST(not_exactly_one_question)
{
	struct msg two = { .rrs = {
		"qd a.example. IN A",
		"qd b.example. IN A",
		"an a.example. 300 IN A 192.0.2.1",
		NULL } };
	struct msg none = { .rrs = { "an a.example. 300 IN A 192.0.2.1", NULL } };
	struct cf_dns_answer *a = parse(&two, CF_DNS_QUESTION_COUNT);

	ck_assert_str_eq(a->why, "2 questions, not one");
	done(a);
	a = parse(&none, CF_DNS_QUESTION_COUNT);
	ck_assert_str_eq(a->why, "0 questions, not one");
	done(a);
}
END_TEST

START_TEST(other_questions_have_nothing_to_learn)
{
	struct msg chaos = { .rrs = {
		"qd Cam.Example. CH A",
		"an cam.example. 300 CH A 192.0.2.1",
		NULL } };
	struct msg https = { .rrs = {
		"qd cam.example. IN HTTPS",
		"an cam.example. 300 IN A 192.0.2.1",
		NULL } };
	struct cf_dns_answer *a = parse(&chaos, CF_DNS_OTHER_QUESTION);

	ck_assert_str_eq(a->qname, "cam.example");
	ck_assert_uint_eq(a->qclass, LDNS_RR_CLASS_CH);
	ck_assert_str_eq(a->why, "cam.example CH A: not an IN A or IN AAAA question");
	done(a);
	a = parse(&https, CF_DNS_OTHER_QUESTION);
	ck_assert_uint_eq(a->qtype, LDNS_RR_TYPE_HTTPS);
	ck_assert_str_eq(a->why, "cam.example IN HTTPS: not an IN A or IN AAAA question");
	done(a);
}
END_TEST

/* ---- names as text ------------------------------------------------------------- */

/* A byte that is not a letter, digit, '-' or '_' is written \DDD: a '.'
 * inside a label cannot pass for a label boundary, a '*' for a pattern. */
START_TEST(odd_bytes_in_names_are_escaped)
{
	struct msg m = { .rrs = {
		"qd a\\.b.Example.com. IN A",
		"an a\\.b.example.com. 300 IN A 192.0.2.1",
		NULL } };
	struct msg star = { .rrs = { "qd *.x_y.example. IN A", NULL } };
	struct msg root = { .rrs = { "qd . IN A", NULL } };
	struct cf_dns_answer *a = parse(&m, CF_DNS_OK);

	ck_assert_str_eq(a->qname, "a\\046b.example.com");
	ck_assert(camfence_dns_name_match("*.example.com", a->qname));
	ck_assert(!camfence_dns_name_match("*.b.example.com", a->qname));
	done(a);
	a = parse(&star, CF_DNS_NO_ADDRESS);
	ck_assert_str_eq(a->qname, "\\042.x_y.example");
	ck_assert(!camfence_dns_name_match("*", a->qname));
	done(a);
	a = parse(&root, CF_DNS_NO_ADDRESS);
	ck_assert_str_eq(a->qname, ".");
	done(a);
}
END_TEST

/* ---- broken wire data ------------------------------------------------------------ */

static void check_malformed(const uint8_t *w, size_t len, const char *why)
{
	struct cf_dns_answer a;
	const char *said = NULL;

	ck_assert_int_eq(camfence_dns_answer_parse(w, len, &a, &said), CF_DNS_MALFORMED);
	ck_assert_str_eq(said, why);
	ck_assert_ptr_null(a.addrs);
	camfence_dns_answer_free(&a);
}

/* Every prefix of a good message is refused, none crashes (ASan in the
 * fuzz layer reads the same code). */
START_TEST(every_truncation_is_malformed)
{
	struct msg m = { .rrs = {
		"qd fw.vendor.example. IN A",
		"an fw.vendor.example. 300 IN CNAME fw.cdn.example.",
		"an fw.cdn.example. 60 IN A 203.0.113.7",
		"an fw.cdn.example. 60 IN A 203.0.113.8",
		"ns cdn.example. 300 IN NS ns1.cdn.example.",
		"ar ns1.cdn.example. 300 IN AAAA 2001:db8::53",
		NULL } };
	struct cf_dns_answer a;
	const char *why;
	size_t len, cut;
	uint8_t *w = wire(&m, &len);

	ck_assert_int_eq(camfence_dns_answer_parse(w, len, &a, NULL), CF_DNS_OK);
	ck_assert_uint_eq(a.naddrs, 2);
	camfence_dns_answer_free(&a);
	for (cut = 0; cut < len; cut++) {
		/* a copy of exactly cut bytes, so ASan sees a read past it */
		uint8_t *p = malloc(cut ? cut : 1);

		memcpy(p, w, cut);
		ck_assert_msg(camfence_dns_answer_parse(p, cut, &a, &why) == CF_DNS_MALFORMED,
			      "cut at %zu of %zu: %s", cut, len, why);
		ck_assert(why[0]);
		ck_assert_ptr_null(a.addrs);
		camfence_dns_answer_free(&a);
		free(p);
	}
	check_malformed(w, 11, "11 bytes: shorter than a DNS header (12)");
	free(w);
	ck_assert_int_eq(camfence_dns_answer_parse(NULL, 0, &a, &why), CF_DNS_MALFORMED);
	ck_assert_str_eq(why, "no message");
}
END_TEST

START_TEST(bytes_after_the_last_record_are_malformed)
{
	struct msg m = { .rrs = {
		"qd cam.example. IN A",
		"an cam.example. 300 IN A 192.0.2.1",
		NULL } };
	size_t len;
	uint8_t *w = wire(&m, &len), *longer = calloc(1, len + 3);

	memcpy(longer, w, len);
	check_malformed(longer, len + 3, "3 bytes after the last record");
	free(longer);
	free(w);
}
END_TEST

/* Hand-written: header, question cam.example IN A at 12, answer. */
#define HDR(an, ns, ar) 0x12, 0x34, 0x81, 0x80, 0, 1, 0, an, 0, ns, 0, ar
#define QNAME 3, 'c', 'a', 'm', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0
#define QA 0, 1, 0, 1
#define TTL300 0, 0, 1, 0x2c

START_TEST(hand_written_good_message_parses)
{
	/* the baseline the broken ones below change: a pointer back to the
	 * question's name */
	static const uint8_t good[] = { HDR(1, 0, 0), QNAME, QA,
					0xc0, 12, 0, 1, 0, 1, TTL300, 0, 4, 192, 0, 2, 1 };
	struct cf_dns_answer a;

	ck_assert_int_eq(camfence_dns_answer_parse(good, sizeof(good), &a, NULL), CF_DNS_OK);
	ck_assert_str_eq(a.qname, "cam.example");
	ck_assert_uint_eq(a.naddrs, 1);
	check_addr(&a, 0, "192.0.2.1", 300);
	camfence_dns_answer_free(&a);
}
END_TEST

/* Names compare without case along the chain. Written by hand: ldns would
 * compress the differently cased names into pointers to the same bytes. */
START_TEST(owners_compare_without_case)
{
	static const uint8_t msg[] = { HDR(2, 0, 0), QNAME, QA,
		/* CAM.EXAMPLE CNAME Edge.example (a pointer to "example" at 16) */
		3, 'C', 'A', 'M', 7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 0,
		0, 5, 0, 1, TTL300, 0, 7, 4, 'E', 'd', 'g', 'e', 0xc0, 16,
		/* edge.EXAMPLE A 192.0.2.9 */
		4, 'e', 'd', 'g', 'e', 7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 0,
		0, 1, 0, 1, TTL300, 0, 4, 192, 0, 2, 9 };
	struct cf_dns_answer a;

	ck_assert_int_eq(camfence_dns_answer_parse(msg, sizeof(msg), &a, NULL), CF_DNS_OK);
	ck_assert_uint_eq(a.cnames, 1);
	ck_assert_uint_eq(a.naddrs, 1);
	check_addr(&a, 0, "192.0.2.9", 300);
	camfence_dns_answer_free(&a);
}
END_TEST

START_TEST(record_data_must_fit_its_type)
{
	static const uint8_t a5[] = { HDR(1, 0, 0), QNAME, QA,
				      0xc0, 12, 0, 1, 0, 1, TTL300, 0, 5, 192, 0, 2, 1, 9 };
	static const uint8_t a3[] = { HDR(1, 0, 0), QNAME, QA,
				      0xc0, 12, 0, 1, 0, 1, TTL300, 0, 3, 192, 0, 2 };
	static const uint8_t aaaa4[] = { 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
					 QNAME, 0, 28, 0, 1,
					 0xc0, 12, 0, 28, 0, 1, TTL300, 0, 4, 192, 0, 2, 1 };
	/* CNAME data: the name "x" then one byte more */
	static const uint8_t cname_long[] = { HDR(1, 0, 0), QNAME, QA,
					      0xc0, 12, 0, 5, 0, 1, TTL300, 0, 4, 1, 'x', 0, 7 };
	static const uint8_t past_end[] = { HDR(1, 0, 0), QNAME, QA,
					    0xc0, 12, 0, 1, 0, 1, TTL300, 0, 9, 192, 0, 2, 1 };

	check_malformed(a5, sizeof(a5), "answer record 1 of 1: an A record's data is not 4 bytes");
	check_malformed(a3, sizeof(a3), "answer record 1 of 1: an A record's data is not 4 bytes");
	check_malformed(aaaa4, sizeof(aaaa4),
			"answer record 1 of 1: an AAAA record's data is not 16 bytes");
	check_malformed(cname_long, sizeof(cname_long),
			"answer record 1 of 1: a CNAME record's data goes on after its name");
	check_malformed(past_end, sizeof(past_end),
			"answer record 1 of 1: 9 bytes of data, 4 left in the message");
}
END_TEST

START_TEST(broken_names_are_malformed)
{
	/* the answer's owner points at itself, forward, into the header */
	static const uint8_t self[] = { HDR(1, 0, 0), QNAME, QA,
					0xc0, 29, 0, 1, 0, 1, TTL300, 0, 4, 192, 0, 2, 1 };
	static const uint8_t forward[] = { HDR(1, 0, 0), QNAME, QA,
					   0xc0, 31, 0, 1, 0, 1, TTL300, 0, 4, 192, 0, 2, 1 };
	static const uint8_t header[] = { HDR(1, 0, 0), QNAME, QA,
					  0xc0, 2, 0, 1, 0, 1, TTL300, 0, 4, 192, 0, 2, 1 };
	/* a label, then a pointer back to that label: a loop by going forward */
	static const uint8_t circle[] = { HDR(1, 0, 0), QNAME, QA,
					  1, 'a', 0xc0, 29, 0, 1, 0, 1, TTL300, 0, 4, 192, 0, 2, 1 };
	static const uint8_t ext_label[] = { HDR(0, 0, 0), 0x41, 'x', 0, QA };
	static const uint8_t cut_ptr[] = { HDR(0, 0, 0), 0xc0 };
	static const uint8_t no_end[] = { HDR(0, 0, 0), 3, 'c', 'a', 'm' };
	static const uint8_t no_type[] = { HDR(0, 0, 0), QNAME, 0, 1 };
	uint8_t longname[12 + 5 * 52 + 1 + 4] = { HDR(0, 0, 0) };
	size_t i;

	check_malformed(self, sizeof(self),
			"answer record 1 of 1: a compression pointer does not point back");
	check_malformed(forward, sizeof(forward),
			"answer record 1 of 1: a compression pointer does not point back");
	check_malformed(header, sizeof(header),
			"answer record 1 of 1: a compression pointer points into the header");
	check_malformed(circle, sizeof(circle),
			"answer record 1 of 1: a compression pointer does not point back");
	check_malformed(ext_label, sizeof(ext_label),
			"question record 1 of 1: a label type other than a length or a pointer");
	check_malformed(cut_ptr, sizeof(cut_ptr),
			"question record 1 of 1: a compression pointer is cut short");
	check_malformed(no_end, sizeof(no_end),
			"question record 1 of 1: the name runs past the end of its data");
	check_malformed(no_type, sizeof(no_type),
			"question record 1 of 1: cut short after its name");

	/* 52 labels of 4 bytes: 261 bytes with their lengths and the root */
	longname[5] = 1;
	for (i = 0; i < 52; i++)
		memcpy(longname + 12 + 5 * i, "\4abcd", 5);
	memcpy(longname + 12 + 5 * 52, "\0\0\1\0\1", 5);
	check_malformed(longname, sizeof(longname),
			"question record 1 of 1: the name is longer than 255 bytes");
	/* 50 of them, 251 bytes, is a name */
	memcpy(longname + 12 + 5 * 50, "\0\0\1\0\1", 5);
	{
		struct cf_dns_answer a;

		ck_assert_int_eq(camfence_dns_answer_parse(longname, 12 + 5 * 50 + 5, &a, NULL),
				 CF_DNS_NO_ADDRESS);
		ck_assert_uint_eq(strlen(a.qname), 50 * 5 - 1);
	}
}
END_TEST

/* ---- result names ------------------------------------------------------------------ */

START_TEST(every_result_has_a_name)
{
	int r;

	for (r = 0; r < CF_DNS_NRESULTS; r++) {
		ck_assert_ptr_nonnull(camfence_dns_result_name(r));
		ck_assert_str_ne(camfence_dns_result_name(r), "unknown");
	}
	ck_assert_str_eq(camfence_dns_result_name(CF_DNS_TRUNCATED), "truncated");
	ck_assert_str_eq(camfence_dns_result_name(CF_DNS_NRESULTS), "unknown");
	ck_assert_str_eq(camfence_dns_result_name(-1), "unknown");
}
END_TEST

/* ---- name patterns -------------------------------------------------------------------- */

START_TEST(name_patterns)
{
	static const struct {
		const char *pattern, *name;
		bool match;
	} table[] = {
		{ "pool.ntp.org", "pool.ntp.org", true },
		{ "pool.ntp.org", "POOL.Ntp.ORG", true },
		{ "Pool.NTP.org", "pool.ntp.org", true },
		{ "pool.ntp.org.", "pool.ntp.org", true },
		{ "pool.ntp.org", "pool.ntp.org.", true },
		{ "pool.ntp.org", "0.pool.ntp.org", false },
		{ "pool.ntp.org", "ntp.org", false },
		{ "pool.ntp.org", "pool.ntp.org.evil.example", false },
		{ "pool.ntp.org", "pool.ntp.orgx", false },
		{ "*.example.com", "a.example.com", true },
		{ "*.example.com", "a.b.example.com", true },
		{ "*.example.com", "A.EXAMPLE.COM", true },
		{ "*.EXAMPLE.com.", "a.example.com.", true },
		{ "*.example.com", "example.com", false },
		{ "*.example.com", "example.com.", false },
		{ "*.example.com", "badexample.com", false },
		{ "*.example.com", "a.badexample.com", false },
		{ "*.example.com", ".example.com", false },
		{ "*.example.com", "a..example.com", false },
		{ "*.example.com", "example.com.evil.example", false },
		{ "*.example.com", "a.example.co", false },
		{ "*.com", "example.com", true },
		{ "*", "example.com", false },
		{ "*", "*", false },
		{ "*.", "example.com", false },
		{ "*.*.com", "a.b.com", false },
		{ "a.*.com", "a.b.com", false },
		{ "", "", false },
		{ ".", ".", false },
		{ "example.com", "", false },
		{ "example.com", "..", false },
		{ "example..com", "example..com", false },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		ck_assert_msg(camfence_dns_name_match(table[i].pattern, table[i].name) == table[i].match,
			      "'%s' %s '%s'", table[i].pattern,
			      table[i].match ? "should match" : "should not match", table[i].name);
	ck_assert(!camfence_dns_name_match(NULL, "a.example"));
	ck_assert(!camfence_dns_name_match("a.example", NULL));
}
END_TEST

Suite *dns_answer_suite(void)
{
	Suite *s = suite_create("dns_answer");
	TCase *tc;

	tc = tcase_create("learn");
	tcase_add_test(tc, a_records_with_their_ttls);
	tcase_add_test(tc, aaaa_records_with_their_ttls);
	tcase_add_test(tc, several_records_only_the_asked_type_once_each);
	tcase_add_test(tc, a_ttl_with_the_top_bit_set_reads_zero);
	tcase_add_test(tc, addresses_are_capped_and_the_rest_counted);
	suite_add_tcase(s, tc);

	tc = tcase_create("cname");
	tcase_add_test(tc, cname_chain_gives_the_smallest_ttl);
	tcase_add_test(tc, cname_chain_takes_only_the_last_names_addresses);
	tcase_add_test(tc, cname_chain_without_an_address_is_no_address);
	tcase_add_test(tc, cname_loop_is_malformed);
	tcase_add_test(tc, cname_chain_is_bounded);
	tcase_add_test(tc, two_cnames_for_one_name_are_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, records_for_other_owners_are_ignored);
	tcase_add_test(tc, authority_and_additional_addresses_are_ignored);
	tcase_add_test(tc, records_of_another_class_are_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("nothing_to_learn");
	tcase_add_test(tc, truncated_answer_is_reported);
	tcase_add_test(tc, error_rcodes_are_reported);
	tcase_add_test(tc, extended_rcode_is_an_error);
	tcase_add_test(tc, a_query_is_not_a_response);
	tcase_add_test(tc, other_opcodes_are_not_queries);
	tcase_add_test(tc, not_exactly_one_question);
	tcase_add_test(tc, other_questions_have_nothing_to_learn);
	suite_add_tcase(s, tc);

	tc = tcase_create("wire");
	tcase_add_test(tc, odd_bytes_in_names_are_escaped);
	tcase_add_test(tc, every_truncation_is_malformed);
	tcase_add_test(tc, bytes_after_the_last_record_are_malformed);
	tcase_add_test(tc, hand_written_good_message_parses);
	tcase_add_test(tc, owners_compare_without_case);
	tcase_add_test(tc, record_data_must_fit_its_type);
	tcase_add_test(tc, broken_names_are_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, every_result_has_a_name);
	tcase_add_test(tc, name_patterns);
	suite_add_tcase(s, tc);
	return s;
}
