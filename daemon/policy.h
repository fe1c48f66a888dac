/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy file as parsed: zones, device groups and policies, each with
 * the place in the file it came from so that every later error can name it.
 * docs/policy.md is the grammar.
 */
#ifndef CAMFENCE_POLICY_H
#define CAMFENCE_POLICY_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

#define CF_NAME_MAX	32
#define CF_MAX_ERRORS	50

struct cf_loc {
	unsigned int line;
	unsigned int col;
};

struct cf_zone {
	char name[CF_NAME_MAX];
	struct cf_loc loc;
	char (*ifaces)[IF_NAMESIZE];
	struct cf_loc *iface_locs;
	size_t nifaces;
	uint8_t unknown_verdict;	/* CAMFENCE_PASS or CAMFENCE_DROP */
};

enum cf_member_kind {
	CF_MEMBER_MAC,
	CF_MEMBER_PREFIX,
};

struct cf_member {
	enum cf_member_kind kind;
	uint8_t mac[6];
	struct cf_prefix prefix;
	struct cf_loc loc;
};

struct cf_group {
	char name[CF_NAME_MAX];
	struct cf_loc loc;
	struct cf_member *members;
	size_t nmembers;
	char policy[CF_NAME_MAX];
	struct cf_loc policy_loc;
	int policy_idx;			/* resolved index into cf_config.policies */
};

struct cf_rule {
	struct cf_loc loc;
	uint8_t verdict;
	int has_dst;			/* 0: any destination */
	struct cf_prefix dst;
	uint8_t proto;			/* 0: any protocol */
	uint16_t port_lo, port_hi;	/* 0, 0: any port */
};

struct cf_policy {
	char name[CF_NAME_MAX];
	struct cf_loc loc;
	struct cf_rule *rules;
	size_t nrules;
	uint8_t default_verdict;
};

struct cf_config {
	char *path;
	struct cf_zone *zones;
	size_t nzones;
	struct cf_group *groups;
	size_t ngroups;
	struct cf_policy *policies;
	size_t npolicies;
	/* "FILE:LINE:COL: message" each, then the line and a caret */
	char *errors[CF_MAX_ERRORS];
	size_t nerrors;
	size_t nerrors_dropped;
};

/* Parse a file (path) or, when text is not NULL, text named path. Always
 * returns a config; it is usable only when nerrors is 0. */
struct cf_config *camfence_policy_parse_file(const char *path);
struct cf_config *camfence_policy_parse_text(const char *path, const char *text);
void camfence_policy_free(struct cf_config *cfg);
void camfence_policy_print_errors(const struct cf_config *cfg, FILE *out);
const char *camfence_policy_proto_name(uint8_t proto, char buf[8]);

#endif
