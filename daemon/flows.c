// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flows.h"

struct flow_row {
	struct camfence_flow_key key;
	struct camfence_flow flow;
};

struct collect {
	struct flow_row *rows;
	size_t n, cap;
	int filter;
	__u8 mac[6];
};

static int collect(const struct camfence_flow_key *k, const struct camfence_flow *f, void *ctx)
{
	struct collect *c = ctx;

	if (c->filter && memcmp(k->mac, c->mac, 6))
		return 0;
	if (c->n == c->cap) {
		struct flow_row *r = realloc(c->rows, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof(*r));

		if (!r)
			return -1;
		c->rows = r;
	}
	c->rows[c->n].key = *k;
	c->rows[c->n++].flow = *f;
	return 0;
}

static int by_device_then_packets(const void *a, const void *b)
{
	const struct flow_row *x = a, *y = b;
	int d = memcmp(x->key.mac, y->key.mac, 6);

	if (d)
		return d;
	if (x->flow.packets != y->flow.packets)
		return x->flow.packets > y->flow.packets ? -1 : 1;
	return memcmp(x->key.daddr, y->key.daddr, 16);
}

int camfence_flows_print(struct camfence_loader *l, const struct cf_config *cfg,
			 const struct cf_compiled *c, const char *device, FILE *out)
{
	struct collect col = { 0 };
	size_t i;

	if (device) {
		if (camfence_addr_parse_mac(device, col.mac))
			return -1;
		col.filter = 1;
	}
	camfence_loader_flows(l, collect, &col);
	qsort(col.rows, col.n, sizeof(*col.rows), by_device_then_packets);
	fprintf(out, "%-17s  %-12s  %-25s  %-6s  %5s  %-5s  %8s  %10s\n", "DEVICE", "GROUP",
		"DESTINATION", "PROTO", "PORT", "VERDICT", "PACKETS", "BYTES");
	for (i = 0; i < col.n; i++) {
		const struct flow_row *r = &col.rows[i];
		char mac[18], dst[INET6_ADDRSTRLEN], proto[8];
		const char *group = "-";

		if (cfg && c && r->flow.device_id && r->flow.device_id < c->devices.n)
			group = cfg->groups.v[c->devices.v[r->flow.device_id].group].name;
		inet_ntop(r->key.family, r->key.daddr, dst, sizeof(dst));
		fprintf(out, "%-17s  %-12s  %-25s  %-6s  %5u  %-7s  %8llu  %10llu\n",
			camfence_addr_mac_str(r->key.mac, mac), group, dst,
			camfence_policy_proto_name(r->key.proto, proto), r->key.dport,
			r->flow.verdict == CAMFENCE_DROP ? "blocked" : "allowed",
			(unsigned long long)r->flow.packets, (unsigned long long)r->flow.bytes);
	}
	free(col.rows);
	return col.n;
}
