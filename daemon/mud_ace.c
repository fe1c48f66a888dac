// SPDX-License-Identifier: GPL-2.0
/*
 * One access control entry (RFC 8519, with the augmentations of RFC 8520's
 * ietf-mud and ietf-acldns modules) of a from-device ACL as one camfence
 * rule. camfence judges the packets a device sends by destination,
 * protocol and destination port, so those are what it takes; every other
 * field is refused with the reason and, where there is one, what to write
 * instead.
 *
 * The names of the drafts MUD files were written against before the RFCs
 * are taken too: "ipv4-acl"/"ipv6-acl" containers, ports inside them as
 * "destination-port-range(-or-operator)", and matches written flat.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mud_import_priv.h"

/* Where a field sits, which decides the fields it may hold. */
enum box {
	BOX_FLAT,			/* directly under "matches" (drafts) */
	BOX_L3,				/* "ipv4", "ipv6" */
	BOX_L4,				/* "tcp", "udp" */
};

#define FIELD_MAX 160		/* "matches.ipv6.ietf-acldns:dst-dnsname" and the like */

struct ace_state {
	struct mud_ctx *m;
	const char *acl, *ace;
	unsigned int errors;
	struct mud_rule *r;
	int l3_family;			/* of the ipv4 or ipv6 container; 0: none */
	char l3_field[FIELD_MAX];
	int l3_proto;			/* the protocol field; -1: none */
	char l3_proto_field[FIELD_MAX];
	int l4_proto;			/* 6 tcp, 17 udp, 1 icmp (either); -1: none */
	char l4_field[FIELD_MAX];
	int prefix_family;
	char dst_field[FIELD_MAX];	/* the field that gave the destination */
	char port_field[FIELD_MAX];	/* "": no port */
	int verdict_set;
};

static void ace_error(struct ace_state *s, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ace_error(struct ace_state *s, const char *field, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	camfence_mud_error(s->m, s->acl, s->ace, field, "%s", msg);
	s->errors++;
}

static int set_destination(struct ace_state *s, const char *field, enum mud_dst dst)
{
	if (s->r->dst != MUD_DST_NONE) {
		ace_error(s, field, "a second destination (%s gave one): camfence takes one per rule; split the entry",
			  s->dst_field);
		return -1;
	}
	s->r->dst = dst;
	snprintf(s->dst_field, sizeof(s->dst_field), "%s", field);
	return 0;
}

static void protocol(struct ace_state *s, const char *field, struct json_object *v)
{
	unsigned long p;
	char buf[100];

	if (camfence_mud_uint(v, 255, &p) || p == 0) {
		ace_error(s, field, "'%s' is not a protocol number 1-255",
			  camfence_mud_clean(json_object_get_string(v), buf, sizeof(buf)));
		return;
	}
	s->l3_proto = p;
	snprintf(s->l3_proto_field, sizeof(s->l3_proto_field), "%s", field);
}

static void network(struct ace_state *s, const char *field, struct json_object *v, int family)
{
	struct cf_prefix p;
	const char *why, *text = json_object_get_string(v);
	char buf[100];

	if (!json_object_is_type(v, json_type_string)) {
		ace_error(s, field, "must be a prefix in a string");
		return;
	}
	if (camfence_addr_parse_prefix(text, &p, &why)) {
		ace_error(s, field, "'%s': %s", camfence_mud_clean(text, buf, sizeof(buf)), why);
		return;
	}
	if ((p.family == AF_INET) != (family == 4)) {
		ace_error(s, field, "'%s' is not an IPv%d prefix", camfence_mud_clean(text, buf, sizeof(buf)),
			  family);
		return;
	}
	if (set_destination(s, field, MUD_DST_PREFIX))
		return;
	camfence_addr_prefix_str(&p, s->r->prefix, sizeof(s->r->prefix));
	s->prefix_family = family;
}

static void dnsname(struct ace_state *s, const char *field, struct json_object *v)
{
	const char *text = json_object_get_string(v), *why;
	char host[CF_HOST_MAX], buf[300];
	size_t len, i;

	if (!json_object_is_type(v, json_type_string)) {
		ace_error(s, field, "must be a host name in a string");
		return;
	}
	len = strlen(text);
	if (len && text[len - 1] == '.')
		len--;		/* the root's dot is implied */
	why = camfence_policy_host_error(text);
	if (why) {
		ace_error(s, field, "'%s' is no host name camfence can resolve: %s",
			  camfence_mud_clean(text, buf, sizeof(buf)), why);
		return;
	}
	if (set_destination(s, field, MUD_DST_HOST))
		return;
	for (i = 0; i < len; i++)
		host[i] = tolower((unsigned char)text[i]);
	host[len] = '\0';
	for (i = 0; i < s->m->hosts.n; i++)
		if (!strcmp(s->m->hosts.v[i], host))
			break;
	if (i == s->m->hosts.n) {
		*CF_VEC_PUSH(s->m->hosts) = strdup(host);
		if (!s->m->hosts.v[i])
			abort();
	}
	s->r->host = i;
}

/* {"operator": OP, "port": N} or {"lower-port": LO, "upper-port": HI};
 * drafts left upper-port out for a single port. */
static void port(struct ace_state *s, const char *field, struct json_object *v)
{
	struct json_object *op = NULL, *p = NULL, *lo = NULL, *hi = NULL;
	unsigned long n, l, h;
	const char *ops = "eq";
	char buf[100];

	if (s->port_field[0]) {
		ace_error(s, field, "a second destination port (%s gave one)", s->port_field);
		return;
	}
	if (!json_object_is_type(v, json_type_object)) {
		ace_error(s, field, "must be an object: {\"operator\": \"eq\", \"port\": N} or {\"lower-port\": N, \"upper-port\": M}");
		return;
	}
	json_object_object_foreach(v, key, val) {
		if (!strcmp(key, "operator"))
			op = val;
		else if (!strcmp(key, "port"))
			p = val;
		else if (!strcmp(key, "lower-port"))
			lo = val;
		else if (!strcmp(key, "upper-port"))
			hi = val;
		else
			ace_error(s, field, "'%s' is neither operator, port, lower-port nor upper-port",
				  camfence_mud_clean(key, buf, sizeof(buf)));
	}
	if ((op || p) && (lo || hi)) {
		ace_error(s, field, "an operator and a range at once");
		return;
	}
	if (lo || hi) {
		if (!lo || camfence_mud_uint(lo, 65535, &l)) {
			ace_error(s, field, "lower-port must be a number from 0 to 65535");
			return;
		}
		h = l;
		if (hi && camfence_mud_uint(hi, 65535, &h)) {
			ace_error(s, field, "upper-port must be a number from 0 to 65535");
			return;
		}
		if (h < l) {
			ace_error(s, field, "the range %lu-%lu runs backwards", l, h);
			return;
		}
		if (h == 0) {
			ace_error(s, field, "port 0 is no port a rule can name");
			return;
		}
		/* no service listens on port 0: the rule starts at 1 */
		s->r->lo = l ? l : 1;
		s->r->hi = h;
		snprintf(s->port_field, sizeof(s->port_field), "%s", field);
		return;
	}
	if (op)
		ops = json_object_is_type(op, json_type_string) ? json_object_get_string(op) : "";
	if (!p || camfence_mud_uint(p, 65535, &n)) {
		ace_error(s, field, "port must be a number from 1 to 65535");
		return;
	}
	if (!strcmp(ops, "eq") && n) {
		s->r->lo = s->r->hi = n;
	} else if (!strcmp(ops, "lte") && n) {
		s->r->lo = 1;
		s->r->hi = n;
	} else if (!strcmp(ops, "gte")) {
		s->r->lo = n ? n : 1;
		s->r->hi = 65535;
	} else if (!strcmp(ops, "neq")) {
		ace_error(s, field, "operator neq: camfence cannot match every port but one; write two entries with ranges either side of %lu",
			  n);
		return;
	} else if (!strcmp(ops, "eq") || !strcmp(ops, "lte")) {
		ace_error(s, field, "port 0 is no port a rule can name");
		return;
	} else {
		ace_error(s, field, "operator '%s': expected eq, lte, gte or a lower-port/upper-port range",
			  camfence_mud_clean(ops, buf, sizeof(buf)));
		return;
	}
	snprintf(s->port_field, sizeof(s->port_field), "%s", field);
}

static void direction(struct ace_state *s, const char *field, struct json_object *v)
{
	const char *d = json_object_get_string(v);
	char buf[100];

	if (json_object_is_type(v, json_type_string) && !strcmp(d, "from-device"))
		return;		/* the device's own connections: what camfence judges */
	if (json_object_is_type(v, json_type_string) && !strcmp(d, "to-device"))
		ace_error(s, field, "to-device: in a from-device ACL this admits only the device's answers to connections opened towards it; camfence admits those statefully with 'allow replies' (camfence.ko): leave the entry out and write 'allow replies' in the policy");
	else
		ace_error(s, field, "'%s': expected from-device or to-device", camfence_mud_clean(d, buf, sizeof(buf)));
}

static const char *const header_fields[] = {
	"dscp", "ecn", "length", "ttl", "hop-limit", "ihl", "flags", "offset", "identification",
	"flow-label", "sequence-number", "acknowledgement-number", "data-offset", "reserved",
	"window-size", "urgent-pointer", "options", NULL,
};

static void refuse_field(struct ace_state *s, const char *field, const char *key)
{
	size_t i;

	if (!strncmp(key, "source-port", 11)) {
		ace_error(s, field, "camfence matches destination ports only");
		return;
	}
	if (!strcmp(key, "source-ipv4-network") || !strcmp(key, "source-ipv6-network") ||
	    !strcmp(key, "ietf-acldns:src-dnsname")) {
		ace_error(s, field, "the source of what a device sends is the device: camfence finds it by its group (MAC, address or VLAN), not by a rule; leave the field out");
		return;
	}
	for (i = 0; header_fields[i]; i++) {
		if (!strcmp(key, header_fields[i])) {
			ace_error(s, field, "camfence matches destination, protocol and destination port only");
			return;
		}
	}
	ace_error(s, field, "not a match camfence translates (docs/mud.md lists them)");
}

static void field(struct ace_state *s, enum box box, int family, const char *where,
		  const char *key, struct json_object *v)
{
	int l3ish = box == BOX_FLAT || box == BOX_L3;
	char f[FIELD_MAX], k[100];

	snprintf(f, sizeof(f), "%s.%s", where, camfence_mud_clean(key, k, sizeof(k)));
	if (!strcmp(key, "protocol") && l3ish)
		protocol(s, f, v);
	else if (!strcmp(key, "destination-ipv4-network") && l3ish && family != 6)
		network(s, f, v, 4);
	else if (!strcmp(key, "destination-ipv6-network") && l3ish && family != 4)
		network(s, f, v, 6);
	else if ((!strcmp(key, "destination-ipv4-network") || !strcmp(key, "destination-ipv6-network")) &&
		 box == BOX_L3)
		ace_error(s, f, "an IPv%d network in an IPv%d match", family == 4 ? 6 : 4, family);
	else if (!strcmp(key, "ietf-acldns:dst-dnsname") && l3ish)
		dnsname(s, f, v);
	else if (!strcmp(key, "destination-port") && box == BOX_L4)
		port(s, f, v);
	else if (!strcmp(key, "destination-port-range") ||
		 !strcmp(key, "destination-port-range-or-operator"))
		port(s, f, v);
	else if (!strcmp(key, "ietf-mud:direction-initiated") && box != BOX_L3)
		direction(s, f, v);
	else
		refuse_field(s, f, key);
}

static int want_object(struct ace_state *s, const char *f, struct json_object *v)
{
	if (json_object_is_type(v, json_type_object))
		return 0;
	ace_error(s, f, "must be an object");
	return -1;
}

/* The controller classes RFC 8520 registers as well-known values: the network's
 * DNS and NTP servers. Which they are is the site's to say, so they are
 * refused too, with the rule that usually says it. Returns whether it was
 * one of them. */
static int well_known_controller(struct ace_state *s, const char *f, const char *urn)
{
	if (!strcmp(urn, "urn:ietf:params:mud:dns"))
		ace_error(s, f, "'%s' means the network's DNS servers, which camfence cannot look up: write 'allow to router udp 53' in place of this entry when the router answers DNS, else allow to a set or device of the servers",
			  urn);
	else if (!strcmp(urn, "urn:ietf:params:mud:ntp"))
		ace_error(s, f, "'%s' means the network's NTP servers, which camfence cannot look up: write 'allow to router udp 123' in place of this entry when the router serves time, else allow to a set or device of the servers",
			  urn);
	else
		return 0;
	return 1;
}

/* RFC 8520's own matches: only local-networks names addresses camfence
 * knows (the zone's subnets); the others name devices or controllers
 * only a MUD controller could look up. */
static void mud_matches(struct ace_state *s, struct json_object *o)
{
	static const struct {
		const char *key, *means;
	} others[] = {
		{ "manufacturer", "every device of the manufacturer this names" },
		{ "same-manufacturer", "every device of this device's manufacturer" },
		{ "model", "every device of the model this names" },
		{ "controller", "the controllers of the class this names" },
		{ "my-controller", "the controller the network configures for this device" },
	};
	char f[FIELD_MAX], k[100];
	size_t i;

	if (want_object(s, "matches.ietf-mud:mud", o))
		return;
	json_object_object_foreach(o, key, v) {
		snprintf(f, sizeof(f), "matches.ietf-mud:mud.%s", camfence_mud_clean(key, k, sizeof(k)));
		if (!strcmp(key, "local-networks")) {
			set_destination(s, f, MUD_DST_LOCAL);
			continue;
		}
		if (!strcmp(key, "controller") && json_object_is_type(v, json_type_string) &&
		    well_known_controller(s, f, json_object_get_string(v)))
			continue;
		for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
			if (!strcmp(key, others[i].key))
				break;
		if (i < sizeof(others) / sizeof(others[0]))
			ace_error(s, f, "means %s: camfence cannot look up their addresses; write them in a set (or as devices) and allow to that in place of this entry",
				  others[i].means);
		else
			ace_error(s, f, "not a match camfence translates (docs/mud.md lists them)");
	}
}

static void l3(struct ace_state *s, int family, const char *f, struct json_object *o)
{
	if (want_object(s, f, o))
		return;
	if (s->l3_family) {
		ace_error(s, f, "a second network layer match (%s): one entry is IPv4 or IPv6", s->l3_field);
		return;
	}
	s->l3_family = family;
	snprintf(s->l3_field, sizeof(s->l3_field), "%s", f);
	json_object_object_foreach(o, key, v)
		field(s, BOX_L3, family, f, key, v);
}

static void l4(struct ace_state *s, int proto, const char *f, struct json_object *o)
{
	char sub[FIELD_MAX], k[100];

	if (want_object(s, f, o))
		return;
	if (s->l4_proto >= 0) {
		ace_error(s, f, "a second transport match (%s)", s->l4_field);
		return;
	}
	s->l4_proto = proto;
	snprintf(s->l4_field, sizeof(s->l4_field), "%s", f);
	json_object_object_foreach(o, key, v) {
		if (proto != IPPROTO_ICMP) {
			field(s, BOX_L4, 0, f, key, v);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s.%s", f, camfence_mud_clean(key, k, sizeof(k)));
		ace_error(s, sub, "camfence matches ICMP by protocol only, not by type or code");
	}
}

static void matches(struct ace_state *s, struct json_object *o)
{
	char f[FIELD_MAX], k[100];

	if (want_object(s, "matches", o))
		return;
	json_object_object_foreach(o, key, v) {
		snprintf(f, sizeof(f), "matches.%s", camfence_mud_clean(key, k, sizeof(k)));
		if (!strcmp(key, "ipv4") || !strcmp(key, "ipv4-acl"))
			l3(s, 4, f, v);
		else if (!strcmp(key, "ipv6") || !strcmp(key, "ipv6-acl"))
			l3(s, 6, f, v);
		else if (!strcmp(key, "tcp"))
			l4(s, IPPROTO_TCP, f, v);
		else if (!strcmp(key, "udp"))
			l4(s, IPPROTO_UDP, f, v);
		else if (!strcmp(key, "icmp"))
			l4(s, IPPROTO_ICMP, f, v);
		else if (!strcmp(key, "ietf-mud:mud"))
			mud_matches(s, v);
		else if (!strcmp(key, "eth") || !strcmp(key, "l2-acl"))
			ace_error(s, f, "camfence judges IP packets by destination, protocol and port: Ethernet matches are not translated");
		else if (!strcmp(key, "egress-interface") || !strcmp(key, "ingress-interface"))
			ace_error(s, f, "camfence rules name no interface: zones do");
		else
			field(s, BOX_FLAT, 0, "matches", key, v);
	}
}

static void set_verdict(struct ace_state *s, const char *f, int allow)
{
	if (s->verdict_set) {
		ace_error(s, f, "a second action: an entry accepts or drops");
		return;
	}
	s->verdict_set = 1;
	s->r->allow = allow;
}

static void actions(struct ace_state *s, struct json_object *o)
{
	char f[FIELD_MAX], k[100], buf[100];
	int forwarding = 0;

	if (want_object(s, "actions", o))
		return;
	json_object_object_foreach(o, key, v) {
		const char *id = json_object_is_type(v, json_type_string) ?
				 camfence_mud_identity(json_object_get_string(v)) : "";

		snprintf(f, sizeof(f), "actions.%s", camfence_mud_clean(key, k, sizeof(k)));
		if (!strcmp(key, "forwarding")) {
			forwarding = 1;
			if (!strcmp(id, "accept"))
				set_verdict(s, f, 1);
			else if (!strcmp(id, "drop") || !strcmp(id, "reject"))
				set_verdict(s, f, 0);
			else
				ace_error(s, f, "'%s': expected accept, drop or reject",
					  camfence_mud_clean(json_object_get_string(v), buf, sizeof(buf)));
		} else if (!strcmp(key, "permit") || !strcmp(key, "deny")) {
			set_verdict(s, f, key[0] == 'p');	/* drafts: "permit": [null] */
		} else if (!strcmp(key, "logging")) {
			if (!strcmp(id, "log-syslog"))
				s->r->log = 1;
			else if (!strcmp(id, "log-none"))
				s->r->log = 0;
			else
				ace_error(s, f, "'%s': expected log-syslog or log-none",
					  camfence_mud_clean(json_object_get_string(v), buf, sizeof(buf)));
		} else {
			ace_error(s, f, "not an action camfence translates: forwarding and logging");
		}
	}
	if (!s->verdict_set && !forwarding)
		ace_error(s, "actions.forwarding", "missing: accept, drop or reject");
}

/* What the fields say together: one family, one protocol, ports only on
 * TCP and UDP. */
static void combine(struct ace_state *s, int acl_family)
{
	struct mud_rule *r = s->r;
	int family = acl_family;

	if (s->l3_family && family && s->l3_family != family)
		ace_error(s, s->l3_field, "an IPv%d match in an IPv%d ACL", s->l3_family, family);
	else if (s->l3_family)
		family = s->l3_family;
	if (s->prefix_family && family && s->prefix_family != family)
		ace_error(s, s->dst_field, "an IPv%d destination in an IPv%d match", s->prefix_family,
			  family);
	else if (s->prefix_family)
		family = s->prefix_family;
	r->family = family;

	r->proto = s->l3_proto;
	if (s->l4_proto == IPPROTO_ICMP) {
		int icmp = family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

		if (!family && s->l3_proto < 0)
			ace_error(s, s->l4_field, "ICMP or ICMPv6? the entry has neither an ipv4 nor an ipv6 match to say");
		else if (r->proto >= 0 && r->proto != IPPROTO_ICMP && r->proto != IPPROTO_ICMPV6)
			ace_error(s, s->l4_field, "contradicts %s (protocol %d)", s->l3_proto_field, r->proto);
		else if (r->proto < 0)
			r->proto = icmp;
	} else if (s->l4_proto >= 0) {
		if (r->proto >= 0 && r->proto != s->l4_proto)
			ace_error(s, s->l4_field, "contradicts %s (protocol %d)", s->l3_proto_field, r->proto);
		r->proto = s->l4_proto;
	}
	if (r->proto == IPPROTO_ICMP && family == 6)
		ace_error(s, s->l3_proto_field[0] ? s->l3_proto_field : s->l4_field,
			  "protocol 1 (ICMP) in an IPv6 match: ICMPv6 is 58");
	if (r->proto == IPPROTO_ICMPV6 && family == 4)
		ace_error(s, s->l3_proto_field[0] ? s->l3_proto_field : s->l4_field,
			  "protocol 58 (ICMPv6) in an IPv4 match: ICMP is 1");
	if (s->port_field[0] && r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		ace_error(s, s->port_field, "a destination port needs protocol 6 (tcp) or 17 (udp)");
}

int camfence_mud_ace_translate(struct mud_ctx *m, const char *acl, int family,
			       struct json_object *ace, size_t idx, struct mud_rule *r,
			       const char **ace_name, char *name_buf, size_t name_len)
{
	struct ace_state s = { .m = m, .acl = acl, .r = r, .l3_proto = -1, .l4_proto = -1 };
	struct json_object *name = NULL, *match = NULL, *act = NULL;
	char k[100];

	memset(r, 0, sizeof(*r));
	r->proto = -1;
	r->log = -1;
	snprintf(name_buf, name_len, "#%zu", idx + 1);
	s.ace = name_buf;
	if (!json_object_is_type(ace, json_type_object)) {
		ace_error(&s, NULL, "an entry must be an object");
		*ace_name = name_buf;
		return -1;
	}
	if (!json_object_object_get_ex(ace, "name", &name))
		json_object_object_get_ex(ace, "rule-name", &name);	/* drafts */
	if (name && json_object_is_type(name, json_type_string))
		camfence_mud_clean(json_object_get_string(name), name_buf, name_len);
	*ace_name = name_buf;
	json_object_object_foreach(ace, key, v) {
		if (!strcmp(key, "matches"))
			match = v;
		else if (!strcmp(key, "actions"))
			act = v;
		else if (strcmp(key, "name") && strcmp(key, "rule-name"))
			ace_error(&s, camfence_mud_clean(key, k, sizeof(k)),
				  "not part of an entry camfence translates: name, matches and actions");
	}
	if (match)
		matches(&s, match);
	if (act)
		actions(&s, act);
	else
		ace_error(&s, "actions.forwarding", "missing: accept, drop or reject");
	if (!s.errors)
		combine(&s, family);
	return s.errors ? -1 : 0;
}
