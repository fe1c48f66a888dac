// SPDX-License-Identifier: GPL-2.0
/*
 * genl_probe: talks to the generic netlink family "camfence" with plain
 * sockets and no library, so the VM needs nothing more than libc, and sends
 * what camfencectl never would: unknown commands, stray or missing
 * attributes, records of the wrong size. Every request prints the errno the
 * kernel acknowledges it with (0, -22...) on stdout, and the kernel's
 * extack message, if any, on stderr as "extack: ...".
 *
 *   genl_probe CMD [ATTR]          command CMD (a number), with a u32
 *                                  attribute of type ATTR if given
 *   genl_probe [-U] [-s SLOT] REQUEST...
 *
 *   -U          drop CAP_NET_ADMIN first: requests as an unprivileged user
 *   -s SLOT     the slot written into the keys of ENTRYs (default 0)
 *
 * REQUEST is one of
 *
 *   send CMD ATTR...       any command, any attributes: ATTR is
 *                          NAME:TYPE=VALUE (TYPE u8, u16, u32, u64, hex, str)
 *                          or NAME:nest, then ATTRs, then "end"; NAME is a
 *                          number or gen, slot, entries, entry, table, key,
 *                          value, version, api, event, lkey, lvalue
 *   begin GEN SLOT | add GEN ENTRY... | commit GEN | abort | reset
 *   learned-set GEN ENTRY  LEARNED_SET of the ENTRY's key and value
 *   learned-del GEN ENTRY  LEARNED_DEL of the ENTRY's key
 *   push GEN SLOT ENTRY... BEGIN, ADDs of at most CAMFENCE_GENL_ENTRIES_MAX
 *                          records, COMMIT; ENTRY "-" reads more from stdin,
 *                          one a line
 *   dump                   POLICY_GET: "generation G slot S", then one
 *                          "entry TABLE KEY VALUE" (hex) a record
 *   counters               COUNTERS_GET: "generation G", "stat NAME N",
 *                          "device ID PASS_PKTS PASS_BYTES DROP_PKTS
 *                          DROP_BYTES", "rule ID PKTS BYTES"
 *   listen SECONDS [N]     join the group "events", print "listening", then
 *                          one line an event, until N events or SECONDS
 *   udp ADDR PORT COUNT [SIZE [SPORT]]
 *                          COUNT datagrams of SIZE bytes (default 16) from
 *                          one socket (bound to SPORT if given) as fast as
 *                          it goes: new connections for conntrack as long
 *                          as the router drops them
 *
 * ENTRY is a record of include/camfence.h, key=value, lengths counting the
 * address bits only (the scope's 32 are added):
 *
 *   iface,IFINDEX,VLAN|any=ZONE,POLICY|none,pass|drop
 *   mac,ZONE,MAC/LEN=DEVICE,POLICY      src4,ZONE,ADDR/LEN=DEVICE,POLICY
 *   src6,ZONE,ADDR/LEN=DEVICE,POLICY    vlan,ZONE,VLAN=DEVICE,POLICY
 *   dst4,POLICY,ADDR/LEN=PORT_TABLE     dst6,POLICY,ADDR/LEN=PORT_TABLE
 *   port,PORT_TABLE,PROTO|any,PORT/BITS=pass|drop,log|0,RULE|default
 *   policy,ID=pass|drop,log|0,replies|0
 *   learned,DEVICE,MAC,ADDR=PORT_TABLE[,PORT_TABLE...]   (n: the tables given)
 *   raw,TABLE,KEYHEX=VALUEHEX
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "camfence.h"
#include "camfence_genl.h"
#include "genl_records.h"

#define ALIGN4(len) (((len) + 3) & ~3)
#define MSG_MAX 16384
#define NEST_MAX 8

struct msg {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[MSG_MAX];
	size_t nests[NEST_MAX];	/* offsets of the open nests */
	int depth;
};

static int fd = -1, family = -1, events_group = -1;
static uint32_t seq, slot;

static void msg_init(struct msg *m, uint16_t type, uint8_t cmd, uint8_t version)
{
	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->genl.cmd = cmd;
	m->genl.version = version;
}

static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *nla = (struct nlattr *)((char *)m + NLMSG_ALIGN(m->nlh.nlmsg_len));

	if (NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_HDRLEN + len > sizeof(*m) - sizeof(m->nests) - sizeof(int))
		probe_die("message too long");
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + ALIGN4(nla->nla_len);
}

static void nest_start(struct msg *m, uint16_t type)
{
	if (m->depth == NEST_MAX)
		probe_die("nests too deep");
	m->nests[m->depth++] = NLMSG_ALIGN(m->nlh.nlmsg_len);
	put(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m)
{
	struct nlattr *nla;

	if (!m->depth)
		probe_die("\"end\" without a nest");
	nla = (struct nlattr *)((char *)m + m->nests[--m->depth]);
	nla->nla_len = m->nlh.nlmsg_len - m->nests[m->depth];
}

static const char *extack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (nlh->nlmsg_type == NLMSG_DONE)
		off = sizeof(int);
	else if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	while (NLMSG_HDRLEN + off + NLA_HDRLEN <= nlh->nlmsg_len) {
		a = (const struct nlattr *)((const char *)NLMSG_DATA(nlh) + off);
		if (a->nla_len < NLA_HDRLEN || NLMSG_HDRLEN + off + a->nla_len > nlh->nlmsg_len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			return (const char *)a + NLA_HDRLEN;
		off += ALIGN4(a->nla_len);
	}
	return NULL;
}

/*
 * Send m, read until the NLMSG_ERROR or NLMSG_DONE that ends the answer;
 * each data message in between goes to fn. Returns that errno.
 */
static int transact(struct msg *m, int flags, void (*fn)(const struct nlmsghdr *))
{
	static char buf[65536];
	struct nlmsghdr *nlh;
	const char *text;
	ssize_t n;
	int err;

	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	m->nlh.nlmsg_seq = ++seq;
	if (send(fd, m, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				err = nlh->nlmsg_type == NLMSG_ERROR ?
				      ((struct nlmsgerr *)NLMSG_DATA(nlh))->error :
				      *(int *)NLMSG_DATA(nlh);
				text = extack(nlh);
				if (text)
					fprintf(stderr, "extack: %s\n", text);
				return err;
			}
			if (fn)
				fn(nlh);
		}
	}
}

static const struct nlattr *attr_next(const struct nlattr *a, int *rest)
{
	*rest -= ALIGN4(a->nla_len);
	return (const struct nlattr *)((const char *)a + ALIGN4(a->nla_len));
}

#define for_each_attr(a, start, len, rest)						\
	for ((rest) = (len), (a) = (const struct nlattr *)(start);			\
	     (rest) >= NLA_HDRLEN && (a)->nla_len >= NLA_HDRLEN && (a)->nla_len <= (rest); \
	     (a) = attr_next((a), &(rest)))

#define DATA(a) ((const void *)((const char *)(a) + NLA_HDRLEN))
#define LEN(a) ((int)(a)->nla_len - NLA_HDRLEN)
#define TYPE(a) ((a)->nla_type & NLA_TYPE_MASK)
#define GENL_ATTRS(nlh) ((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN)
#define GENL_LEN(nlh) ((int)(nlh)->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))

static void on_family(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *g, *f;
	int rest, grest, frest, id;

	for_each_attr(a, GENL_ATTRS(nlh), GENL_LEN(nlh), rest) {
		if (TYPE(a) == CTRL_ATTR_FAMILY_ID)
			family = *(const uint16_t *)DATA(a);
		if (TYPE(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for_each_attr(g, DATA(a), LEN(a), grest) {
			const char *name = NULL;

			id = -1;
			for_each_attr(f, DATA(g), LEN(g), frest) {
				if (TYPE(f) == CTRL_ATTR_MCAST_GRP_NAME)
					name = DATA(f);
				if (TYPE(f) == CTRL_ATTR_MCAST_GRP_ID)
					id = *(const uint32_t *)DATA(f);
			}
			if (name && !strcmp(name, CAMFENCE_GENL_MCGRP_EVENTS))
				events_group = id;
		}
	}
}

/* 0, or the errno (-ENOENT: the module is not loaded) to print. */
static int open_family(void)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct msg m;
	int one = 1, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || connect(fd, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		perror("genl_probe: netlink socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	put(&m, CTRL_ATTR_FAMILY_NAME, CAMFENCE_GENL_NAME, sizeof(CAMFENCE_GENL_NAME));
	ret = transact(&m, 0, on_family);
	return ret ? ret : family < 0 ? -ENOENT : 0;
}

/* Effective, permitted and inheritable: gone for good. */
static void drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		probe_die("capget failed");
	data[0].effective &= ~(1u << CAP_NET_ADMIN);
	data[0].permitted &= ~(1u << CAP_NET_ADMIN);
	data[0].inheritable &= ~(1u << CAP_NET_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		probe_die("capset failed");
}

static const struct { const char *name; int type; } attr_names[] = {
	{ "version", CAMFENCE_A_VERSION }, { "api", CAMFENCE_A_API },
	{ "gen", CAMFENCE_A_GENERATION }, { "slot", CAMFENCE_A_SLOT },
	{ "entries", CAMFENCE_A_ENTRIES }, { "event", CAMFENCE_A_EVENT },
	{ "entry", CAMFENCE_A_ENTRY }, { "table", CAMFENCE_ENTRY_A_TABLE },
	{ "key", CAMFENCE_ENTRY_A_KEY }, { "value", CAMFENCE_ENTRY_A_VALUE },
	{ "lkey", CAMFENCE_A_LEARNED_KEY }, { "lvalue", CAMFENCE_A_LEARNED_VALUE },
};

static const char *const cmd_names[] = {
	[CAMFENCE_CMD_GET_VERSION] = "version", [CAMFENCE_CMD_POLICY_BEGIN] = "begin",
	[CAMFENCE_CMD_POLICY_ADD] = "add", [CAMFENCE_CMD_POLICY_COMMIT] = "commit",
	[CAMFENCE_CMD_POLICY_ABORT] = "abort", [CAMFENCE_CMD_POLICY_GET] = "dump",
	[CAMFENCE_CMD_COUNTERS_GET] = "counters", [CAMFENCE_CMD_COUNTERS_RESET] = "reset",
	[CAMFENCE_CMD_EVENT] = "event", [CAMFENCE_CMD_LEARNED_SET] = "learned-set",
	[CAMFENCE_CMD_LEARNED_DEL] = "learned-del",
};

static int lookup(const char *s, int is_cmd)
{
	size_t i;

	if (isdigit((unsigned char)*s))
		return probe_number(s);
	if (is_cmd) {
		for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
			if (cmd_names[i] && !strcmp(s, cmd_names[i]))
				return i;
	} else {
		for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
			if (!strcmp(s, attr_names[i].name))
				return attr_names[i].type;
	}
	fprintf(stderr, "genl_probe: unknown name %s\n", s);
	exit(2);
}

/* NAME:TYPE=VALUE, NAME:nest or end */
static void put_spec(struct msg *m, const char *spec)
{
	char name[32], type[8];
	const char *value;
	uint8_t bytes[4096];
	int t;

	if (!strcmp(spec, "end")) {
		nest_end(m);
		return;
	}
	if (sscanf(spec, "%31[^:]:%7[a-z0-9]", name, type) != 2)
		probe_die("attribute is NAME:TYPE=VALUE or NAME:nest");
	t = lookup(name, 0);
	if (!strcmp(type, "nest")) {
		nest_start(m, t);
		return;
	}
	value = strchr(spec, '=');
	if (!value)
		probe_die("attribute without =VALUE");
	value++;
	if (!strcmp(type, "u8")) {
		uint8_t v = probe_number(value);
		put(m, t, &v, 1);
	} else if (!strcmp(type, "u16")) {
		uint16_t v = probe_number(value);
		put(m, t, &v, 2);
	} else if (!strcmp(type, "u32")) {
		uint32_t v = probe_number(value);
		put(m, t, &v, 4);
	} else if (!strcmp(type, "u64")) {
		uint64_t v = probe_number(value);
		put(m, t, &v, 8);
	} else if (!strcmp(type, "hex")) {
		put(m, t, bytes, probe_hex(value, bytes, sizeof(bytes)));
	} else if (!strcmp(type, "str")) {
		put(m, t, value, strlen(value) + 1);
	} else {
		probe_die("attribute type is u8, u16, u32, u64, hex, str or nest");
	}
}

static void put_record(struct msg *m, const struct probe_record *r)
{
	nest_start(m, CAMFENCE_A_ENTRY);
	put(m, CAMFENCE_ENTRY_A_TABLE, &r->table, 1);
	put(m, CAMFENCE_ENTRY_A_KEY, r->key, r->klen);
	put(m, CAMFENCE_ENTRY_A_VALUE, r->value, r->vlen);
	nest_end(m);
}

static int simple(uint8_t cmd, const uint64_t *gen, const uint32_t *s)
{
	struct msg m;

	msg_init(&m, family, cmd, CAMFENCE_GENL_API);
	if (gen)
		put(&m, CAMFENCE_A_GENERATION, gen, sizeof(*gen));
	if (s)
		put(&m, CAMFENCE_A_SLOT, s, sizeof(*s));
	return transact(&m, 0, NULL);
}

/* LEARNED_SET or LEARNED_DEL of a record: its key, and for a set its value. */
static int learned(uint8_t cmd, uint64_t gen, const char *text)
{
	struct probe_record r;
	struct msg m;

	probe_record(text, slot, &r);
	msg_init(&m, family, cmd, CAMFENCE_GENL_API);
	put(&m, CAMFENCE_A_GENERATION, &gen, sizeof(gen));
	put(&m, CAMFENCE_A_LEARNED_KEY, r.key, r.klen);
	if (cmd == CAMFENCE_CMD_LEARNED_SET)
		put(&m, CAMFENCE_A_LEARNED_VALUE, r.value, r.vlen);
	return transact(&m, 0, NULL);
}

/* Records from the arguments, "-" for stdin, in ADDs of at most max. */
static int add_records(uint64_t gen, char **args, int n, int max)
{
	char line[256];
	struct probe_record r;
	struct msg m;
	int i = 0, in_msg = 0, ret, from_stdin = 0;

	for (;;) {
		const char *text = NULL;

		if (from_stdin) {
			if (fgets(line, sizeof(line), stdin)) {
				line[strcspn(line, "\r\n")] = 0;
				if (!*line)
					continue;
				text = line;
			} else {
				from_stdin = 0;
				continue;
			}
		} else if (i < n) {
			if (!strcmp(args[i], "-")) {
				from_stdin = 1;
				i++;
				continue;
			}
			text = args[i++];
		}
		if (text && !in_msg) {
			msg_init(&m, family, CAMFENCE_CMD_POLICY_ADD, CAMFENCE_GENL_API);
			put(&m, CAMFENCE_A_GENERATION, &gen, sizeof(gen));
			nest_start(&m, CAMFENCE_A_ENTRIES);
		}
		if (text) {
			probe_record(text, slot, &r);
			put_record(&m, &r);
			in_msg++;
		}
		if (in_msg && (in_msg == max || !text)) {
			nest_end(&m);
			ret = transact(&m, 0, NULL);
			if (ret)
				return ret;
			in_msg = 0;
		}
		if (!text)
			return 0;
	}
}

static int push(uint64_t gen, uint32_t s, char **args, int n)
{
	int ret;

	slot = s;
	ret = simple(CAMFENCE_CMD_POLICY_BEGIN, &gen, &s);
	if (ret) {
		fprintf(stderr, "genl_probe: POLICY_BEGIN failed\n");
		return ret;
	}
	ret = add_records(gen, args, n, CAMFENCE_GENL_ENTRIES_MAX);
	if (ret) {
		fprintf(stderr, "genl_probe: POLICY_ADD failed\n");
		simple(CAMFENCE_CMD_POLICY_ABORT, NULL, NULL);
		return ret;
	}
	ret = simple(CAMFENCE_CMD_POLICY_COMMIT, &gen, NULL);
	if (ret)
		fprintf(stderr, "genl_probe: POLICY_COMMIT failed\n");
	return ret;
}

/* ---- dumps and events ---- */

static void print_hex(const void *p, int len)
{
	const uint8_t *b = p;
	int i;

	for (i = 0; i < len; i++)
		printf("%02x", b[i]);
}

static uint64_t get_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	memcpy(&v, DATA(a), LEN(a) < 8 ? LEN(a) : 8);
	return v;
}

static void on_policy(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *e, *f;
	int rest, erest, frest;
	uint64_t gen = 0;
	uint32_t s = 0;

	for_each_attr(a, GENL_ATTRS(nlh), GENL_LEN(nlh), rest) {
		if (TYPE(a) == CAMFENCE_A_GENERATION)
			gen = get_u64(a);
		else if (TYPE(a) == CAMFENCE_A_SLOT)
			s = *(const uint32_t *)DATA(a);
	}
	printf("generation %llu slot %u\n", (unsigned long long)gen, s);
	for_each_attr(a, GENL_ATTRS(nlh), GENL_LEN(nlh), rest) {
		if (TYPE(a) != CAMFENCE_A_ENTRIES)
			continue;
		for_each_attr(e, DATA(a), LEN(a), erest) {
			printf("entry");
			for_each_attr(f, DATA(e), LEN(e), frest) {
				putchar(' ');
				if (TYPE(f) == CAMFENCE_ENTRY_A_TABLE)
					printf("%u", *(const uint8_t *)DATA(f));
				else
					print_hex(DATA(f), LEN(f));
			}
			putchar('\n');
		}
	}
}

static const char *const stat_names[__CAMFENCE_STAT_MAX] = {
	"pass_pkts", "pass_bytes", "drop_pkts", "drop_bytes", "events", "events_lost",
	"malformed", "unmanaged", "flow_cache_hits",
};

static void on_counters(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *f;
	int rest, frest;

	for_each_attr(a, GENL_ATTRS(nlh), GENL_LEN(nlh), rest) {
		uint64_t c[CAMFENCE_COUNTER_A_MAX + 1] = { 0 };

		switch (TYPE(a)) {
		case CAMFENCE_A_GENERATION:
			printf("generation %llu\n", (unsigned long long)get_u64(a));
			break;
		case CAMFENCE_A_STATS:
			for_each_attr(f, DATA(a), LEN(a), frest)
				if (TYPE(f) >= 1 && TYPE(f) <= __CAMFENCE_STAT_MAX)
					printf("stat %s %llu\n", stat_names[TYPE(f) - 1],
					       (unsigned long long)get_u64(f));
			break;
		case CAMFENCE_A_DEVICE:
		case CAMFENCE_A_RULE:
			for_each_attr(f, DATA(a), LEN(a), frest)
				if (TYPE(f) <= CAMFENCE_COUNTER_A_MAX)
					c[TYPE(f)] = TYPE(f) == CAMFENCE_COUNTER_A_ID ?
						     *(const uint32_t *)DATA(f) : get_u64(f);
			if (TYPE(a) == CAMFENCE_A_DEVICE)
				printf("device %llu %llu %llu %llu %llu\n",
				       (unsigned long long)c[CAMFENCE_COUNTER_A_ID],
				       (unsigned long long)c[CAMFENCE_COUNTER_A_PASS_PKTS],
				       (unsigned long long)c[CAMFENCE_COUNTER_A_PASS_BYTES],
				       (unsigned long long)c[CAMFENCE_COUNTER_A_DROP_PKTS],
				       (unsigned long long)c[CAMFENCE_COUNTER_A_DROP_BYTES]);
			else
				printf("rule %llu %llu %llu\n",
				       (unsigned long long)c[CAMFENCE_COUNTER_A_ID],
				       (unsigned long long)c[CAMFENCE_COUNTER_A_PKTS],
				       (unsigned long long)c[CAMFENCE_COUNTER_A_BYTES]);
			break;
		}
	}
}

static int dump(uint8_t cmd, void (*fn)(const struct nlmsghdr *))
{
	struct msg m;

	msg_init(&m, family, cmd, CAMFENCE_GENL_API);
	return transact(&m, NLM_F_DUMP, fn);
}

static void print_event(const struct camfence_event *ev)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = ev->family == AF_INET ? AF_INET : AF_INET6;

	inet_ntop(af, ev->saddr, src, sizeof(src));
	inet_ntop(af, ev->daddr, dst, sizeof(dst));
	printf("event gen=%llu if=%u dev=%u policy=%u rule=%d "
	       "mac=%02x:%02x:%02x:%02x:%02x:%02x vlan=%u proto=%u "
	       "src=%s sport=%u dst=%s dport=%u verdict=%u reason=%u\n",
	       (unsigned long long)ev->generation, ev->ifindex, ev->device_id, ev->policy_id,
	       (int)ev->rule_id, ev->mac[0], ev->mac[1], ev->mac[2], ev->mac[3], ev->mac[4],
	       ev->mac[5], ev->vlan, ev->proto, src, ev->sport, dst, ev->dport, ev->verdict,
	       ev->reason);
}

static int listen_events(int seconds, long max)
{
	static char buf[65536];
	struct timespec start, now;
	long seen = 0;
	ssize_t n;

	if (events_group < 0)
		return -ENOENT;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &events_group,
		       sizeof(events_group)) < 0)
		return -errno;
	printf("listening\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (max <= 0 || seen < max) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		long left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = seconds * 1000L - ((now.tv_sec - start.tv_sec) * 1000L +
					  (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == ENOBUFS) {
			printf("overrun\n");	/* the kernel counted those lost */
			continue;
		}
		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			const struct nlattr *a;
			int rest;

			if (nlh->nlmsg_type != family)
				continue;
			for_each_attr(a, GENL_ATTRS(nlh), GENL_LEN(nlh), rest)
				if (TYPE(a) == CAMFENCE_A_EVENT &&
				    LEN(a) == sizeof(struct camfence_event)) {
					struct camfence_event ev;

					memcpy(&ev, DATA(a), sizeof(ev));
					print_event(&ev);
					seen++;
				}
		}
		fflush(stdout);
	}
	printf("events %ld\n", seen);
	return 0;
}

static int udp(const char *addr, int port, long count, size_t size, int sport)
{
	struct sockaddr_storage ss = { 0 };
	static char payload[65000];
	socklen_t len;
	long i;
	int s;

	if (size > sizeof(payload))
		probe_die("datagram too long");
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else {
		probe_die("bad address");
	}
	s = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (sport) {
		struct sockaddr_storage local = { .ss_family = ss.ss_family };

		/* the port sits at the same offset in both families */
		((struct sockaddr_in *)&local)->sin_port = htons(sport);
		if (bind(s, (struct sockaddr *)&local, len)) {
			close(s);
			return -errno;
		}
	}
	for (i = 0; i < count; i++)
		if (sendto(s, payload, size, 0, (struct sockaddr *)&ss, len) < 0 && errno != ENOBUFS) {
			close(s);
			return -errno;
		}
	close(s);
	return 0;
}

static int legacy(int argc, char **argv)
{
	uint32_t value = 1;
	struct msg m;

	if (argc > 3)
		probe_die("usage: genl_probe CMD [ATTR]");
	msg_init(&m, family, probe_number(argv[1]), CAMFENCE_GENL_API);
	if (argc == 3)
		put(&m, probe_number(argv[2]), &value, sizeof(value));
	return transact(&m, 0, NULL);
}

static int request(int argc, char **argv)
{
	const char *r = argv[0];
	struct msg m;
	int i;

	if (!strcmp(r, "send") && argc >= 2) {
		msg_init(&m, family, lookup(argv[1], 1), CAMFENCE_GENL_API);
		for (i = 2; i < argc; i++)
			put_spec(&m, argv[i]);
		return transact(&m, 0, NULL);
	}
	if (!strcmp(r, "begin") && argc == 3) {
		uint64_t gen = probe_number(argv[1]);
		uint32_t s = probe_number(argv[2]);

		return simple(CAMFENCE_CMD_POLICY_BEGIN, &gen, &s);
	}
	if (!strcmp(r, "add") && argc >= 2)
		return add_records(probe_number(argv[1]), argv + 2, argc - 2, 1 << 30);
	if (!strcmp(r, "commit") && argc == 2) {
		uint64_t gen = probe_number(argv[1]);

		return simple(CAMFENCE_CMD_POLICY_COMMIT, &gen, NULL);
	}
	if (!strcmp(r, "learned-set") && argc == 3)
		return learned(CAMFENCE_CMD_LEARNED_SET, probe_number(argv[1]), argv[2]);
	if (!strcmp(r, "learned-del") && argc == 3)
		return learned(CAMFENCE_CMD_LEARNED_DEL, probe_number(argv[1]), argv[2]);
	if (!strcmp(r, "abort") && argc == 1)
		return simple(CAMFENCE_CMD_POLICY_ABORT, NULL, NULL);
	if (!strcmp(r, "reset") && argc == 1)
		return simple(CAMFENCE_CMD_COUNTERS_RESET, NULL, NULL);
	if (!strcmp(r, "push") && argc >= 3)
		return push(probe_number(argv[1]), probe_number(argv[2]), argv + 3, argc - 3);
	if (!strcmp(r, "dump") && argc == 1)
		return dump(CAMFENCE_CMD_POLICY_GET, on_policy);
	if (!strcmp(r, "counters") && argc == 1)
		return dump(CAMFENCE_CMD_COUNTERS_GET, on_counters);
	if (!strcmp(r, "listen") && (argc == 2 || argc == 3))
		return listen_events(probe_number(argv[1]), argc == 3 ? (long)probe_number(argv[2]) : 0);
	if (!strcmp(r, "udp") && argc >= 4 && argc <= 6)
		return udp(argv[1], probe_number(argv[2]), probe_number(argv[3]),
			   argc >= 5 ? probe_number(argv[4]) : 16, argc == 6 ? probe_number(argv[5]) : 0);
	probe_die("unknown request or wrong number of arguments (see the top of genl_probe.c)");
	return 0;
}

int main(int argc, char **argv)
{
	int opt, ret;

	while ((opt = getopt(argc, argv, "+Us:")) != -1) {
		switch (opt) {
		case 'U':
			drop_net_admin();
			break;
		case 's':
			slot = probe_number(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc)
		probe_die("usage: genl_probe [-U] [-s SLOT] REQUEST... | genl_probe CMD [ATTR]");
	ret = open_family();
	if (!ret)
		ret = isdigit((unsigned char)argv[optind][0]) ?
		      legacy(argc - optind + 1, argv + optind - 1) :
		      request(argc - optind, argv + optind);
	printf("%d\n", ret);
	return 0;
}
