// SPDX-License-Identifier: GPL-2.0
/*
 * The records of include/camfence.h as genl_probe writes them on its command
 * line: key=value, fields split by commas, prefix lengths counting the
 * address bits only. The forms are listed at the top of genl_probe.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "camfence.h"
#include "camfence_genl.h"
#include "genl_records.h"

void probe_die(const char *what)
{
	fprintf(stderr, "genl_probe: %s\n", what);
	exit(2);
}

unsigned long long probe_number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "genl_probe: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

size_t probe_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (s[0] && s[1]) {
		unsigned int byte;

		if (n == max || sscanf(s, "%2x", &byte) != 1)
			probe_die("bad or too long hex");
		out[n++] = byte;
		s += 2;
	}
	if (*s)
		probe_die("odd hex length");
	return n;
}

static uint8_t verdict_of(const char *s)
{
	if (!strcmp(s, "pass"))
		return CAMFENCE_PASS;
	if (!strcmp(s, "drop"))
		return CAMFENCE_DROP;
	return probe_number(s);
}

static uint32_t id_or(const char *s, const char *word, uint32_t value)
{
	return !strcmp(s, word) ? value : (uint32_t)probe_number(s);
}

/* "ADDR/LEN" into addr (4 or 16 bytes); returns LEN, the whole length without one */
static uint32_t prefix(char *s, int family, uint8_t *addr)
{
	char *slash = strchr(s, '/');
	uint32_t len = family == AF_INET ? 32 : 128;

	if (slash) {
		*slash = 0;
		len = probe_number(slash + 1);
	}
	if (inet_pton(family, s, addr) != 1) {
		fprintf(stderr, "genl_probe: bad address %s\n", s);
		exit(2);
	}
	return len;
}

#define FIELDS 8

static int split(char *s, char sep, char **f)
{
	int n = 0;

	f[n++] = s;
	while (n < FIELDS && (s = strchr(s, sep))) {
		*s++ = 0;
		f[n++] = s;
	}
	return n;
}

#define SET(rec, k, v) do {							\
	memcpy((rec)->key, &(k), sizeof(k)); (rec)->klen = sizeof(k);		\
	memcpy((rec)->value, &(v), sizeof(v)); (rec)->vlen = sizeof(v);	\
} while (0)

void probe_record(const char *text, uint32_t slot, struct probe_record *r)
{
	char buf[256], *kv[FIELDS], *k[FIELDS], *v[FIELDS];
	int nk, nv;

	snprintf(buf, sizeof(buf), "%s", text);
	if (split(buf, '=', kv) != 2)
		goto bad;
	nk = split(kv[0], ',', k);
	nv = split(kv[1], ',', v);
	memset(r, 0, sizeof(*r));

	if (!strcmp(k[0], "iface") && nk == 3 && nv == 3) {
		struct camfence_iface_key key = { .slot = slot, .ifindex = probe_number(k[1]) };
		struct camfence_iface val = { .zone_id = probe_number(v[0]) };

		key.vlan = id_or(k[2], "any", CAMFENCE_VLAN_ANY);
		val.unknown_policy = id_or(v[1], "none", CAMFENCE_POLICY_NONE);
		val.unknown_verdict = verdict_of(v[2]);
		r->table = CAMFENCE_TABLE_IFACES;
		SET(r, key, val);
	} else if (!strcmp(k[0], "mac") && nk == 3 && nv == 2) {
		struct camfence_mac_key key = { .scope = camfence_zone_scope(slot, probe_number(k[1])) };
		struct camfence_device val = { probe_number(v[0]), probe_number(v[1]) };
		char *slash = strchr(k[2], '/');
		unsigned int b[6];

		key.prefixlen = 32 + (slash ? probe_number(slash + 1) : 48);
		if (sscanf(k[2], "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
			goto bad;
		for (nk = 0; nk < 6; nk++)
			key.mac[nk] = b[nk];
		r->table = CAMFENCE_TABLE_MACS;
		SET(r, key, val);
	} else if (!strcmp(k[0], "src4") && nk == 3 && nv == 2) {
		struct camfence_src4_key key = { .scope = camfence_zone_scope(slot, probe_number(k[1])) };
		struct camfence_device val = { probe_number(v[0]), probe_number(v[1]) };

		key.prefixlen = 32 + prefix(k[2], AF_INET, key.addr);
		r->table = CAMFENCE_TABLE_SRC4;
		SET(r, key, val);
	} else if (!strcmp(k[0], "src6") && nk == 3 && nv == 2) {
		struct camfence_src6_key key = { .scope = camfence_zone_scope(slot, probe_number(k[1])) };
		struct camfence_device val = { probe_number(v[0]), probe_number(v[1]) };

		key.prefixlen = 32 + prefix(k[2], AF_INET6, key.addr);
		r->table = CAMFENCE_TABLE_SRC6;
		SET(r, key, val);
	} else if (!strcmp(k[0], "vlan") && nk == 3 && nv == 2) {
		struct camfence_vlan_key key = { .scope = camfence_zone_scope(slot, probe_number(k[1])),
						 .vlan = probe_number(k[2]) };
		struct camfence_device val = { probe_number(v[0]), probe_number(v[1]) };

		r->table = CAMFENCE_TABLE_VLANS;
		SET(r, key, val);
	} else if ((!strcmp(k[0], "dst4") || !strcmp(k[0], "dst6")) && nk == 3 && nv == 1) {
		uint32_t val = probe_number(v[0]), scope = camfence_policy_scope(slot, probe_number(k[1]));

		if (k[0][3] == '4') {
			struct camfence_dst4_key key = { .scope = scope };

			key.prefixlen = 32 + prefix(k[2], AF_INET, key.addr);
			r->table = CAMFENCE_TABLE_DST4;
			SET(r, key, val);
		} else {
			struct camfence_dst6_key key = { .scope = scope };

			key.prefixlen = 32 + prefix(k[2], AF_INET6, key.addr);
			r->table = CAMFENCE_TABLE_DST6;
			SET(r, key, val);
		}
	} else if (!strcmp(k[0], "port") && nk == 4 && nv == 3) {
		struct camfence_port_key key = { .scope = camfence_table_scope(slot, probe_number(k[1])) };
		struct camfence_decision val = { .verdict = verdict_of(v[0]) };
		char *slash = strchr(k[3], '/');

		key.proto = id_or(k[2], "any", CAMFENCE_PROTO_ANY);
		key.prefixlen = 48 + (slash ? probe_number(slash + 1) : 16);
		if (slash)
			*slash = 0;
		key.port = htons(probe_number(k[3]));
		val.flags = id_or(v[1], "log", CAMFENCE_DECISION_LOG);
		val.rule_id = id_or(v[2], "default", CAMFENCE_RULE_DEFAULT);
		r->table = CAMFENCE_TABLE_PORTS;
		SET(r, key, val);
	} else if (!strcmp(k[0], "policy") && nk == 2 && nv == 3) {
		uint32_t key = slot * CAMFENCE_MAX_POLICIES + probe_number(k[1]);
		struct camfence_policy val = { .default_verdict = verdict_of(v[0]) };

		val.default_flags = id_or(v[1], "log", CAMFENCE_DECISION_LOG);
		val.flags = id_or(v[2], "replies", CAMFENCE_POLICY_ALLOW_REPLIES);
		r->table = CAMFENCE_TABLE_POLICIES;
		SET(r, key, val);
	} else if (!strcmp(k[0], "learned") && nk == 4 && nv >= 1) {
		struct camfence_learned_key key = { .slot = slot, .device_id = probe_number(k[1]) };
		struct camfence_learned val = { .n = nv };
		unsigned int b[6];
		int i;

		if (nv > CAMFENCE_LEARNED_RULES ||
		    sscanf(k[2], "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
			goto bad;
		for (i = 0; i < 6; i++)
			key.mac[i] = b[i];
		key.family = strchr(k[3], ':') ? AF_INET6 : AF_INET;
		prefix(k[3], key.family, key.addr);
		for (i = 0; i < nv; i++)
			val.table[i] = probe_number(v[i]);
		r->table = CAMFENCE_TABLE_LEARNED;
		SET(r, key, val);
	} else if (!strcmp(k[0], "raw") && nk == 3 && nv == 1) {
		r->table = probe_number(k[1]);
		r->klen = probe_hex(k[2], r->key, sizeof(r->key));
		r->vlen = probe_hex(v[0], r->value, sizeof(r->value));
	} else {
		goto bad;
	}
	return;
bad:
	fprintf(stderr, "genl_probe: bad record %s\n", text);
	exit(2);
}
