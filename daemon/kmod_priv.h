/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the camfence.ko client (kmod_client.c, kmod_policy.c,
 * kmod_counters.c, kmod_events.c), and what the unit tests drive without the module:
 * message building and parsing on plain buffers, and a replaceable
 * transport under struct camfence_kmod.
 */
#ifndef CAMFENCE_KMOD_PRIV_H
#define CAMFENCE_KMOD_PRIV_H

#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "camfence_genl.h"
#include "kmod_client.h"

#define KMOD_EXTACK_MAX 256

/* Parses one data message of an answer: 0 or -errno, which ends it. */
typedef int (*kmod_parse_fn)(struct nlmsghdr *nlh, void *arg);

struct camfence_kmod {
	struct nl_sock *sk;
	int family;
	/* Sends msg (not consumed) and reads the answer to its end: the ACK,
	 * the NLMSG_DONE of a dump, or an error, whose extack message goes to
	 * ext. camfence_kmod_open() sets the real one; the tests a fake. */
	int (*transact)(struct camfence_kmod *k, struct nl_msg *msg, kmod_parse_fn parse,
			void *arg, char *ext, size_t extlen);
	void *priv;		/* the fake's */
};

/* kmod_client.c */
int camfence_kmod_errno(int nlerr);
/* A generic netlink socket asking for extacks, that waits 5 s at most. */
int camfence_kmod_socket(struct nl_sock **out);
/* Same, with the id of the family "camfence" (-ENOENT: the module is not
 * loaded), and of its events group when asked (-EPROTO: there is none). */
int camfence_kmod_connect(struct nl_sock **sk, int *family, __u32 *events_group);
/* The real transact: send msg (not consumed), read the answer to its end. */
int camfence_kmod_request(struct nl_sock *sk, struct nl_msg *msg, kmod_parse_fn parse, void *arg,
			  char *ext, size_t extlen);
struct nl_msg *camfence_kmod_msg(int family, int flags, __u8 cmd);
/* A request without attributes: its ACK, or the dump that parse reads. */
int camfence_kmod_send(struct camfence_kmod *k, __u8 cmd, int flags, kmod_parse_fn parse,
		       void *arg);
/* 0 for a message of the family with a valid genl header and this command. */
int camfence_kmod_check_reply(struct nlmsghdr *nlh, int family, __u8 cmd);
const char *camfence_kmod_cmd_name(__u8 cmd);
/* The errno of an NLMSG_ERROR or of the NLMSG_DONE ending a dump, and the
 * extack message in msg ("" when none). -EPROTO when nlh is neither. */
int camfence_kmod_extack(const struct nlmsghdr *nlh, char *msg, size_t len);

/* kmod_policy.c: where the builder is in a cf_compiled's tables. */
struct camfence_kmod_cursor {
	unsigned int table;	/* enum camfence_table */
	size_t index;
};

/* Which message of a push the sink gets: records [first, first + n) of total. */
struct camfence_kmod_chunk {
	__u8 cmd;
	size_t first, n, total;
};

typedef int (*camfence_kmod_sink)(struct nl_msg *msg, const struct camfence_kmod_chunk *ch,
				  void *ctx);

size_t camfence_kmod_policy_records(const struct cf_compiled *c);
/* CAMFENCE_A_ENTRIES with up to max records from cur on: how many, or -EMSGSIZE. */
int camfence_kmod_policy_put_entries(struct nl_msg *msg, const struct cf_compiled *c,
				     struct camfence_kmod_cursor *cur, size_t max);
/* BEGIN, the ADDs and COMMIT of a push, each given to sink in turn (and
 * freed after); sink returns 0 to go on, -errno to stop, returned here. */
int camfence_kmod_policy_build(const struct cf_compiled *c, __u64 gen, int family,
			       camfence_kmod_sink sink, void *ctx);

/* kmod_events.c: the datagram in buf, counted into st. Returns the number
 * of events delivered, or fn's negative return. */
int camfence_kmod_events_parse(int family, const void *buf, size_t len,
			       struct camfence_kmod_event_stats *st, camfence_kmod_event_fn fn,
			       void *ctx);
/* Events read from fd, a socket the caller keeps: for the tests. */
int camfence_kmod_events_wrap(int fd, int family, struct camfence_kmod_events **out);

#endif
