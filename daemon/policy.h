/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy file as parsed and resolved: zones, named devices, address
 * sets, device groups and policies, each with the place in the file it came
 * from so that every later error can name it. docs/policy.md is the grammar.
 */
#ifndef CAMFENCE_POLICY_H
#define CAMFENCE_POLICY_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "policy_trust.h"

#define CF_NAME_MAX	32
#define CF_MAX_ERRORS	50
#define CF_MAX_WARNINGS	50
#define CF_MAX_INCLUDE_DEPTH 16
#define CF_MAX_EXPANDED	(1 << 20)	/* members of a group, includes followed */

#define CF_VEC(type) struct { type *v; size_t n, cap; }

/* Appends a zeroed element to a CF_VEC and returns it; exits when out of memory. */
#define CF_VEC_PUSH(vec) \
	((__typeof__((vec).v))camfence_policy_vec_grow((void **)&(vec).v, &(vec).n, &(vec).cap, \
						       sizeof(*(vec).v)))
void *camfence_policy_vec_grow(void **v, size_t *n, size_t *cap, size_t size);

struct cf_loc {
	unsigned int file;	/* index into cf_config.files */
	unsigned int line;
	unsigned int col;
};

/* `mode`: the most specific one set wins (device, group, zone); enforce
 * when none is. */
enum cf_mode {
	CF_MODE_UNSET = 0,
	CF_MODE_ENFORCE,
	CF_MODE_MONITOR,
};

struct cf_zone {
	char name[CF_NAME_MAX];
	enum cf_mode mode;
	struct cf_loc loc;
	CF_VEC(char *) ifaces;
	CF_VEC(struct cf_loc) iface_locs;
	CF_VEC(uint16_t) vlans;		/* empty: the whole interface */
	uint8_t unknown_verdict;	/* CAMFENCE_PASS or CAMFENCE_DROP ... */
	char unknown_policy[CF_NAME_MAX]; /* ... unless a policy is named */
	struct cf_loc unknown_loc;
	int unknown_policy_idx;		/* resolved, -1 when none */
};

struct cf_mac_prefix {
	uint8_t mac[6];
	unsigned int len;		/* bits, 1 to 48 */
};

enum cf_member_kind {
	CF_MEMBER_MAC,			/* a MAC or a MAC prefix */
	CF_MEMBER_VENDOR,		/* every MAC prefix the registry gives a vendor */
	CF_MEMBER_PREFIX,		/* an IPv4 or IPv6 source prefix */
	CF_MEMBER_VLAN,
	CF_MEMBER_DEVICE,		/* a named device: its MAC and addresses */
	CF_MEMBER_GROUP,		/* every member of another group */
};

struct cf_member {
	enum cf_member_kind kind;
	struct cf_loc loc;
	struct cf_mac_prefix mac;
	struct cf_prefix prefix;
	uint16_t vlan;
	char name[256];			/* vendor, device or group name */
	int ref;			/* resolved device or group index */
	CF_VEC(struct cf_mac_prefix) vendor_macs;	/* resolved vendor prefixes */
};

struct cf_device {
	char name[CF_NAME_MAX];
	enum cf_mode mode;
	struct cf_loc loc;
	CF_VEC(struct cf_mac_prefix) macs;
	CF_VEC(struct cf_prefix) addrs;
};

#define CF_HOST_MAX	254		/* a DNS name, 253 characters, and its NUL */

/* A name in a set: camfenced resolves it and keeps its addresses for their
 * TTL (camfence_policy_bind_names()). */
struct cf_set_name {
	char host[CF_HOST_MAX];		/* lower case, no trailing dot */
	struct cf_loc loc;
};

struct cf_set {
	char name[CF_NAME_MAX];
	struct cf_loc loc;
	CF_VEC(struct cf_prefix) prefixes;
	CF_VEC(struct cf_set_name) names;	/* `resolve HOST...` */
};

struct cf_group {
	char name[CF_NAME_MAX];
	enum cf_mode mode;
	struct cf_loc loc;
	CF_VEC(struct cf_member) members;
	char zone[CF_NAME_MAX];		/* only on this zone's interfaces */
	struct cf_loc zone_loc;
	int zone_idx;			/* resolved, -1: every zone */
	char policy[CF_NAME_MAX];
	struct cf_loc policy_loc;
	int policy_idx;			/* resolved, -1 when none */
	int used;			/* has a policy or is included */
};

struct cf_port_range {
	uint16_t lo, hi;
};

enum cf_dst_kind {
	CF_DST_ANY,
	CF_DST_PREFIX,			/* a host or prefix written in the rule */
	CF_DST_NAME,			/* a set or a named device */
	CF_DST_LOCAL,			/* the subnets of the zone interfaces */
	CF_DST_ROUTER,			/* the router's own addresses on them */
	CF_DST_LEARNED,			/* `to name PATTERN`: what DNS told the device */
};

#define CF_LOG_DEFAULT	-1		/* deny logs, allow does not */

struct cf_rule {
	struct cf_loc loc;
	uint8_t verdict;
	enum cf_dst_kind dst_kind;
	struct cf_prefix dst;		/* CF_DST_PREFIX */
	char dst_name[CF_NAME_MAX];	/* CF_DST_NAME */
	char *dst_host;			/* CF_DST_LEARNED: a host, or *.suffix; lower case */
	struct cf_loc dst_loc;
	CF_VEC(struct cf_prefix) dsts;	/* resolved: the prefixes it matches */
	size_t static_dsts;		/* of them, those the file writes; then resolved names' */
	int dst_set;			/* the set it names, -1: none */
	uint8_t proto;			/* 0: any protocol */
	CF_VEC(struct cf_port_range) ports;	/* empty: any port */
	int log;			/* 1, 0 or CF_LOG_DEFAULT */
	unsigned int log_rate;		/* at most this many alerts ... */
	unsigned int log_period;	/* ... per this many seconds; 0: no limit */
	int shadowed_by;		/* resolved: an earlier rule that covers it, or -1 */
};

struct cf_policy {
	char name[CF_NAME_MAX];
	struct cf_loc loc;
	CF_VEC(struct cf_rule) rules;
	uint8_t default_verdict;
	int default_log;
	unsigned int default_log_rate, default_log_period;
	struct cf_loc default_loc;
	int allow_replies;
};

/* Addresses of the router's zone interfaces, for `local` and `router`. */
struct cf_iface_addr {
	char ifname[IF_NAMESIZE];
	struct cf_prefix addr;		/* the address with its subnet's length */
};

struct cf_config {
	char *path;
	CF_VEC(char *) files;		/* files[0] is path, then every include */
	CF_VEC(struct cf_zone) zones;
	CF_VEC(struct cf_device) devices;
	CF_VEC(struct cf_set) sets;
	CF_VEC(struct cf_group) groups;
	CF_VEC(struct cf_policy) policies;
	CF_VEC(struct cf_prefix) local;	/* bound: see camfence_policy_bind() */
	CF_VEC(struct cf_prefix) router;
	int bound;
	/* "FILE:LINE:COL: message" each, then the line and a caret */
	char *errors[CF_MAX_ERRORS];
	size_t nerrors;
	size_t nerrors_dropped;
	char *warnings[CF_MAX_WARNINGS];
	size_t nwarnings;
};

/* Parse a file, or text named path. Always returns a config; it is usable
 * only when nerrors is 0. Includes are read relative to the file that names
 * them; vendor names are looked up in the registry under CAMFENCE_OUI_DIR
 * (default /usr/share/ieee-data). */
struct cf_config *camfence_policy_parse_file(const char *path);
/* The same, judging each file read, the top one and every include, by who
 * could have written it (policy_trust.h): an error or a warning naming the
 * file, its owner or mode, and what to do. */
struct cf_config *camfence_policy_parse_file_trust(const char *path, enum cf_trust trust);
struct cf_config *camfence_policy_parse_text(const char *path, const char *text);
void camfence_policy_free(struct cf_config *cfg);
void camfence_policy_print_errors(const struct cf_config *cfg, FILE *out);
void camfence_policy_print_warnings(const struct cf_config *cfg, FILE *out);
/* Fill `local` and `router` from the addresses of the zone interfaces, and
 * resolve the rules that name them. */
void camfence_policy_bind(struct cf_config *cfg, const struct cf_iface_addr *addrs, size_t n);
/* The addresses a name resolves to now; returns how many it wrote to out
 * (at most max). */
typedef size_t (*cf_name_lookup_fn)(const char *host, struct cf_prefix *out, size_t max, void *ctx);
/* Give the rules that name a set with `resolve` lines the addresses their
 * names have now, in place of those they had. Returns how many rules changed
 * destinations. */
size_t camfence_policy_bind_names(struct cf_config *cfg, cf_name_lookup_fn lookup, void *ctx);
/* Why h is no host name as DNS carries it (RFC 1123 labels of letters,
 * digits and hyphens; a final dot allowed), or NULL: for `resolve` lines,
 * `to name` and MUD's dns names alike. */
const char *camfence_policy_host_error(const char *h);
/* Whether any rule is a `to name` rule. */
int camfence_policy_uses_learned(const struct cf_config *cfg);
/* Whether any set has names to resolve. */
int camfence_policy_uses_names(const struct cf_config *cfg);
/* Whether any rule names `local` or `router`. */
int camfence_policy_uses_local(const struct cf_config *cfg);
const char *camfence_policy_proto_name(uint8_t proto, char buf[8]);
const char *camfence_policy_file(const struct cf_config *cfg, struct cf_loc loc);
int camfence_policy_rule_logs(const struct cf_rule *r);

#endif
