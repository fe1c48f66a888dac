/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GENL_RECORDS_H
#define GENL_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/* A record of one table, as POLICY_ADD carries it. */
struct probe_record {
	uint8_t table;
	uint8_t key[64], value[64];
	size_t klen, vlen;
};

/* Print "genl_probe: what" and exit 2: the test's arguments are wrong. */
void probe_die(const char *what) __attribute__((noreturn));
unsigned long long probe_number(const char *s);
/* Hex digits into out, at most max bytes: how many. */
size_t probe_hex(const char *s, uint8_t *out, size_t max);
/* A record in genl_probe's notation, its keys written for slot. */
void probe_record(const char *text, uint32_t slot, struct probe_record *r);

#endif
