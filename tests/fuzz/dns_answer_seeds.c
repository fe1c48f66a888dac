// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the well-formed seeds of tests/fuzz/corpus/dns_answer/ from
 * zone-file lines, put on the wire by ldns (docs/fuzzing.md):
 *
 *   cc -o /tmp/dns_answer_seeds tests/fuzz/dns_answer_seeds.c -lldns
 *   /tmp/dns_answer_seeds tests/fuzz/corpus/dns_answer
 *
 * The bad-* seeds beside them are written by hand. Each line starts with
 * its section: "qd", "an", "ns" or "ar".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

struct hdr {
	bool query, tc, edns;
	ldns_pkt_rcode rcode;
	ldns_pkt_opcode opcode;
};

static ldns_pkt_section section(const char *line)
{
	if (!strncmp(line, "qd ", 3))
		return LDNS_SECTION_QUESTION;
	if (!strncmp(line, "an ", 3))
		return LDNS_SECTION_ANSWER;
	if (!strncmp(line, "ns ", 3))
		return LDNS_SECTION_AUTHORITY;
	return LDNS_SECTION_ADDITIONAL;
}

static void seed(const char *dir, const char *name, struct hdr h, const char *const *lines)
{
	ldns_pkt *pkt = ldns_pkt_new();
	uint8_t *w = NULL;
	char path[4096];
	size_t len;
	FILE *f;

	if (!pkt)
		exit(1);
	ldns_pkt_set_id(pkt, 0xbeef);
	ldns_pkt_set_qr(pkt, !h.query);
	ldns_pkt_set_rd(pkt, true);
	ldns_pkt_set_ra(pkt, !h.query);
	ldns_pkt_set_tc(pkt, h.tc);
	ldns_pkt_set_rcode(pkt, h.rcode);
	ldns_pkt_set_opcode(pkt, h.opcode);
	if (h.edns)
		ldns_pkt_set_edns_udp_size(pkt, 1232);
	for (; *lines; lines++) {
		ldns_pkt_section sec = section(*lines);
		ldns_rr *rr = NULL;
		ldns_status st;

		if (sec == LDNS_SECTION_QUESTION)
			st = ldns_rr_new_question_frm_str(&rr, *lines + 3, NULL, NULL);
		else
			st = ldns_rr_new_frm_str(&rr, *lines + 3, 0, NULL, NULL);
		if (st != LDNS_STATUS_OK) {
			fprintf(stderr, "%s: '%s': %s\n", name, *lines, ldns_get_errorstr_by_id(st));
			exit(1);
		}
		ldns_pkt_push_rr(pkt, sec, rr);
	}
	if (ldns_pkt2wire(&w, pkt, &len) != LDNS_STATUS_OK)
		exit(1);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(w, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	free(w);
	ldns_pkt_free(pkt);
}

#define LINES(...) (const char *const[]){ __VA_ARGS__, NULL }

int main(int argc, char **argv)
{
	const char *many[72], *d;
	char lines[70][64];
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	d = argv[1];
	seed(d, "a-two-addresses", (struct hdr){ 0 }, LINES(
	     "qd www.example.com. IN A",
	     "an www.example.com. 300 IN A 192.0.2.10",
	     "an www.example.com. 60 IN A 192.0.2.11"));
	seed(d, "aaaa-edns", (struct hdr){ .edns = true }, LINES(
	     "qd cam-cloud.example.net. IN AAAA",
	     "an cam-cloud.example.net. 3600 IN AAAA 2001:db8::1"));
	seed(d, "cname-chain", (struct hdr){ .edns = true }, LINES(
	     "qd fw.vendor.example. IN A",
	     "an fw.vendor.example. 3600 IN CNAME fw.cdn.example.",
	     "an fw.cdn.example. 45 IN CNAME edge7.cdn.example.",
	     "an edge7.cdn.example. 300 IN A 203.0.113.7",
	     "an edge7.cdn.example. 20 IN A 203.0.113.8",
	     "ns cdn.example. 300 IN NS ns1.cdn.example.",
	     "ar ns1.cdn.example. 300 IN A 198.51.100.53"));
	seed(d, "cname-loop", (struct hdr){ 0 }, LINES(
	     "qd a.example. IN A",
	     "an a.example. 300 IN CNAME b.example.",
	     "an b.example. 300 IN CNAME a.example."));
	seed(d, "cname-two", (struct hdr){ 0 }, LINES(
	     "qd a.example. IN A",
	     "an a.example. 300 IN CNAME b.example.",
	     "an a.example. 300 IN CNAME c.example.",
	     "an c.example. 30 IN A 192.0.2.3"));
	seed(d, "nxdomain-soa", (struct hdr){ .rcode = LDNS_RCODE_NXDOMAIN, .edns = true }, LINES(
	     "qd nope.example. IN A",
	     "ns example. 300 IN SOA ns1.example. host.example. 1 2 3 4 5"));
	seed(d, "servfail", (struct hdr){ .rcode = LDNS_RCODE_SERVFAIL }, LINES(
	     "qd cam.example. IN AAAA"));
	seed(d, "nodata", (struct hdr){ 0 }, LINES(
	     "qd cam.example. IN AAAA",
	     "ns example. 300 IN SOA ns1.example. host.example. 1 2 3 4 5"));
	seed(d, "truncated", (struct hdr){ .tc = true }, LINES(
	     "qd cam.example. IN A",
	     "an cam.example. 300 IN A 192.0.2.1"));
	seed(d, "query", (struct hdr){ .query = true, .edns = true }, LINES(
	     "qd cam.example. IN A"));
	seed(d, "notify", (struct hdr){ .opcode = LDNS_PACKET_NOTIFY }, LINES(
	     "qd example. IN SOA"));
	seed(d, "two-questions", (struct hdr){ 0 }, LINES(
	     "qd a.example. IN A",
	     "qd b.example. IN AAAA",
	     "an a.example. 300 IN A 192.0.2.1"));
	seed(d, "chaos-txt", (struct hdr){ 0 }, LINES(
	     "qd version.bind. CH TXT",
	     "an version.bind. 0 CH TXT \"9.18\""));
	seed(d, "https-question", (struct hdr){ .edns = true }, LINES(
	     "qd cam.example. IN HTTPS",
	     "an cam.example. 300 IN HTTPS 1 . alpn=h2 ipv4hint=192.0.2.1"));
	seed(d, "other-owners", (struct hdr){ 0 }, LINES(
	     "qd ntp.example.org. IN A",
	     "an evil.example. 300 IN A 198.51.100.66",
	     "an ntp.example.org. 2147483648 IN A 192.0.2.123",
	     "an ntp.example.org. 300 IN A 192.0.2.123",
	     "ar ntp.example.org. 300 IN A 198.51.100.1"));
	seed(d, "odd-bytes", (struct hdr){ 0 }, LINES(
	     "qd a\\.b\\000\\255*.Example.COM. IN A",
	     "an a\\.b\\000\\255*.example.com. 300 IN A 192.0.2.1"));

	/* one CNAME link more than the parser follows */
	seed(d, "cname-nine-links", (struct hdr){ 0 }, LINES(
	     "qd n0.example. IN A",
	     "an n0.example. 300 IN CNAME n1.example.",
	     "an n1.example. 300 IN CNAME n2.example.",
	     "an n2.example. 300 IN CNAME n3.example.",
	     "an n3.example. 300 IN CNAME n4.example.",
	     "an n4.example. 300 IN CNAME n5.example.",
	     "an n5.example. 300 IN CNAME n6.example.",
	     "an n6.example. 300 IN CNAME n7.example.",
	     "an n7.example. 300 IN CNAME n8.example.",
	     "an n8.example. 300 IN CNAME n9.example.",
	     "an n9.example. 300 IN A 192.0.2.9"));

	many[0] = "qd many.example.com. IN A";
	for (i = 0; i < 70; i++) {
		snprintf(lines[i], sizeof(lines[i]), "an many.example.com. 60 IN A 198.51.100.%d", i + 1);
		many[i + 1] = lines[i];
	}
	many[71] = NULL;
	seed(d, "many-addresses", (struct hdr){ 0 }, many);
	return 0;
}
