// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "camfence.h"
#include "policy.h"
#include "propose.h"

#define PORTS_PER_LINE	16	/* a longer list goes on to another rule */

enum row_kind {
	ROW_ESSENTIAL,		/* DNS or NTP to the router: the rule every proposal has */
	ROW_LOCAL,		/* reached on the local network: allowed */
	ROW_REVIEW,		/* outside, or blocked: commented out for the admin */
};

/* One destination, protocol and port, summed over devices and sources. */
struct row {
	uint8_t family, proto, verdicts;	/* verdicts: 1 << verdict, each seen */
	uint16_t dport;
	uint8_t daddr[16];
	uint64_t packets, bytes;
	uint32_t first_seen, last_seen;
	const char *name, *name_from;
	enum row_kind kind;
};

/* Rows of one destination and protocol: one rule. */
struct line {
	size_t first, n;
	uint64_t packets, bytes;
	uint32_t first_seen, last_seen;
	uint8_t verdicts;
	const char *name, *name_from;
};

static int by_dest(const void *x, const void *y)
{
	const struct row *a = x, *b = y;
	int d;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	d = memcmp(a->daddr, b->daddr, a->family == AF_INET ? 4 : 16);
	if (d)
		return d;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->dport < b->dport ? -1 : a->dport > b->dport;
}

static bool in_list(const struct cf_prefix *v, size_t n, const struct row *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (camfence_addr_prefix_match(&v[i], r->family, r->daddr))
			return true;
	return false;
}

/* Multicast, broadcast and link-local never leave the link. */
static bool on_link(const struct row *r)
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 };

	if (r->family == AF_INET)
		return (r->daddr[0] & 0xf0) == 224 || !memcmp(r->daddr, bcast, 4) ||
		       (r->daddr[0] == 169 && r->daddr[1] == 254);
	return r->daddr[0] == 0xff || (r->daddr[0] == 0xfe && (r->daddr[1] & 0xc0) == 0x80);
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static enum row_kind classify(const struct cf_propose *p, const struct row *r)
{
	bool reached = r->verdicts & (1 << CAMFENCE_PASS | 1 << CAMFENCE_WOULD_DROP);

	if (r->proto == IPPROTO_UDP && (r->dport == 53 || r->dport == 123) &&
	    in_list(p->router, p->nrouter, r))
		return ROW_ESSENTIAL;
	/* a TCP or UDP flow without a port (a fragment) gives no port to allow */
	if (reached && (!has_ports(r->proto) || r->dport) &&
	    (in_list(p->local, p->nlocal, r) || on_link(r)))
		return ROW_LOCAL;
	return ROW_REVIEW;
}

static const char *when(uint32_t s, char buf[32])
{
	time_t t = s;
	struct tm tm;

	if (!s || !localtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm))
		return "-";
	return buf;
}

static void verdicts_print(uint8_t v, FILE *out)
{
	static const char *const words[] = { "allowed", "blocked", "would block" };
	const char *sep = "";
	int i;

	for (i = 0; i < 3; i++)
		if (v & 1 << i) {
			fprintf(out, "%s%s", sep, words[i]);
			sep = ", ";
		}
}

/* "allow to ADDR PROTO [PORTS]" for the rows l covers from row k on, at
 * most PORTS_PER_LINE ports; consecutive ports as a range. Returns the
 * next row. */
static size_t rule_print(const struct row *rows, const struct line *l, size_t k, FILE *out)
{
	const struct row *r = &rows[k];
	char a[INET6_ADDRSTRLEN], pb[8];
	size_t end = l->first + l->n, nports = 0;

	inet_ntop(r->family, r->daddr, a, sizeof(a));
	fprintf(out, "allow to %s %s", a, camfence_policy_proto_name(r->proto, pb));
	if (!has_ports(r->proto))
		return end;
	while (k < end && nports++ < PORTS_PER_LINE) {
		size_t j = k;

		while (j + 1 < end && rows[j + 1].dport == rows[j].dport + 1)
			j++;
		fprintf(out, "%s%u", nports > 1 ? "," : " ", rows[k].dport);
		if (j > k)
			fprintf(out, "-%u", rows[j].dport);
		k = j + 1;
	}
	return k;
}

static void counts_print(const struct line *l, FILE *out)
{
	char f[32], t[32];

	fprintf(out, "%llu packets %llu bytes, first %s, last %s",
		(unsigned long long)l->packets, (unsigned long long)l->bytes,
		when(l->first_seen, f), when(l->last_seen, t));
}

static int by_packets(const void *x, const void *y)
{
	const struct line *a = x, *b = y;

	if (a->packets != b->packets)
		return a->packets > b->packets ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

static void header_print(const struct cf_propose *p, FILE *out)
{
	char mac[18], t[32];
	size_t i;

	fprintf(out, "# camfence policy proposed for %s from the flows camfenced saw", p->subject);
	if (p->since)
		fprintf(out, " since %s", when(p->since, t));
	fprintf(out, ".\n"
		"# A whole file, checked as it is: camfencectl check FILE. To use it, copy the\n"
		"# policy block into the policy file and name it in the group's 'policy' line;\n"
		"# keep 'mode monitor' until nothing would be blocked (docs/monitor.md).\n"
		"# Local destinations that were reached are allowed host by host; those outside,\n"
		"# and local ones the policy in force blocked, are commented out with what was\n"
		"# seen of them: uncomment what the devices need.\n\n");
	for (i = 0; i < p->nzones; i++) {
		fprintf(out, "zone %s {\n\tinterface %s\n", p->zones[i].name, p->zones[i].interfaces);
		if (p->zones[i].vlans && p->zones[i].vlans[0])
			fprintf(out, "\tvlan %s\n", p->zones[i].vlans);
		fprintf(out, "}\n\n");
	}
	fprintf(out, "group %s {\n", p->group);
	for (i = 0; i < p->ndevices; i++) {
		fprintf(out, "\tmac %s", camfence_addr_mac_str(p->devices[i].mac, mac));
		if (p->devices[i].name && p->devices[i].name[0])
			fprintf(out, "\t# %s", p->devices[i].name);
		fprintf(out, "\n");
	}
	fprintf(out, "\tpolicy %s\n}\n\n", p->policy);
}

int camfence_propose_write(const struct cf_propose *p, FILE *out)
{
	struct row *rows = NULL;
	struct line *lines = NULL;
	size_t nrows = 0, nlines = 0, i, k, nlocal = 0;
	uint64_t essentials = 0;

	if (!p || !out || !p->nzones || !p->ndevices || !p->group || !p->policy ||
	    strlen(p->group) >= CF_NAME_MAX || strlen(p->policy) >= CF_NAME_MAX) {
		errno = EINVAL;
		return -1;
	}
	rows = calloc(p->nflows + 1, sizeof(*rows));
	lines = calloc(p->nflows + 1, sizeof(*lines));
	if (!rows || !lines) {
		free(rows);
		free(lines);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < p->nflows; i++) {
		const struct cf_propose_flow *f = &p->flows[i];

		if ((p->since && f->last_seen < p->since) ||
		    (f->family != AF_INET && f->family != AF_INET6) || f->verdict > 2)
			continue;
		rows[nrows] = (struct row){ .family = f->family, .proto = f->proto,
			.verdicts = 1 << f->verdict, .dport = has_ports(f->proto) ? f->dport : 0,
			.packets = f->packets, .bytes = f->bytes, .first_seen = f->first_seen,
			.last_seen = f->last_seen, .name = f->name, .name_from = f->name_from };
		memcpy(rows[nrows++].daddr, f->daddr, 16);
	}
	qsort(rows, nrows, sizeof(*rows), by_dest);
	/* the same destination and port from several devices or sources: one row */
	for (i = 0, k = 0; i < nrows; i++) {
		struct row *m = k ? &rows[k - 1] : NULL;

		if (m && !by_dest(m, &rows[i])) {
			m->packets += rows[i].packets;
			m->bytes += rows[i].bytes;
			m->verdicts |= rows[i].verdicts;
			if (rows[i].first_seen && (!m->first_seen || rows[i].first_seen < m->first_seen))
				m->first_seen = rows[i].first_seen;
			if (rows[i].last_seen > m->last_seen)
				m->last_seen = rows[i].last_seen;
			if (!m->name) {
				m->name = rows[i].name;
				m->name_from = rows[i].name_from;
			}
		} else {
			rows[k++] = rows[i];
		}
	}
	nrows = k;
	for (i = 0; i < nrows; i++)
		rows[i].kind = classify(p, &rows[i]);
	/* rows of one destination, protocol and kind: one rule, its ports together */
	for (i = 0; i < nrows; i++) {
		struct line *l = nlines ? &lines[nlines - 1] : NULL;
		const struct row *r = &rows[i];

		if (r->kind == ROW_ESSENTIAL) {
			essentials += r->packets;
			continue;
		}
		if (!l || rows[l->first].kind != r->kind || rows[l->first].family != r->family ||
		    rows[l->first].proto != r->proto || l->first + l->n != i ||
		    memcmp(rows[l->first].daddr, r->daddr, 16)) {
			l = &lines[nlines++];
			*l = (struct line){ .first = i, .first_seen = r->first_seen };
			nlocal += r->kind == ROW_LOCAL;
		}
		l->n++;
		l->packets += r->packets;
		l->bytes += r->bytes;
		l->verdicts |= r->verdicts;
		if (r->first_seen && (!l->first_seen || r->first_seen < l->first_seen))
			l->first_seen = r->first_seen;
		if (r->last_seen > l->last_seen)
			l->last_seen = r->last_seen;
		if (!l->name) {
			l->name = r->name;
			l->name_from = r->name_from;
		}
	}

	header_print(p, out);
	fprintf(out, "policy %s {\n", p->policy);
	fprintf(out, "\t# DNS and NTP to the router, always: names and time come from there, and\n"
		"\t# 'to name' rules learn only from a resolver the device may ask (%llu packets seen)\n"
		"\tallow to router udp 53,123\n", (unsigned long long)essentials);
	fprintf(out, "\n\t# the local network: %zu destination%s reached\n", nlocal,
		nlocal == 1 ? "" : "s");
	for (i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];

		if (rows[l->first].kind != ROW_LOCAL)
			continue;
		for (k = l->first; k < l->first + l->n;) {
			fprintf(out, "\t");
			k = rule_print(rows, l, k, out);
			fprintf(out, "\t# ");
			counts_print(l, out);
			fprintf(out, "\n");
		}
	}
	/* what to review, the busiest first */
	for (i = 0, k = 0; i < nlines; i++)
		if (rows[lines[i].first].kind == ROW_REVIEW)
			lines[k++] = lines[i];
	nlines = k;
	qsort(lines, nlines, sizeof(*lines), by_packets);
	fprintf(out, "\n\t# outside the local network, or blocked by the policy in force: %zu to review\n",
		nlines);
	for (i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];
		char a[INET6_ADDRSTRLEN];

		inet_ntop(rows[l->first].family, rows[l->first].daddr, a, sizeof(a));
		fprintf(out, "\t# %s", a);
		if (l->name)
			fprintf(out, " %s (%s)", l->name, l->name_from ? l->name_from : "known");
		fprintf(out, ": ");
		counts_print(l, out);
		fprintf(out, "; ");
		verdicts_print(l->verdicts, out);
		fprintf(out, "\n");
		for (k = l->first; k < l->first + l->n;) {
			fprintf(out, "\t#");
			k = rule_print(rows, l, k, out);
			fprintf(out, "\n");
		}
	}
	fprintf(out, "\n\tdefault deny\n}\n");
	free(rows);
	free(lines);
	return ferror(out) ? -1 : 0;
}
