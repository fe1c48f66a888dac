// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client of camfence.ko: the socket, requests and their
 * answers, the version. Policies are pushed and dumped in kmod_policy.c,
 * counters read in kmod_counters.c, events in kmod_events.c.
 *
 * libnl folds the kernel's errno into its own NLE_* codes, and ENOENT (the
 * family does not exist) becomes NLE_OBJ_NOTFOUND along with other causes.
 * So the family is resolved here with a plain CTRL_CMD_GETFAMILY request,
 * and every request keeps the errno of the kernel's NLMSG_ERROR as is.
 * libnl 3.7 knows nothing of extended acks either: the socket asks for
 * them and camfence_kmod_extack() reads them after the nlmsgerr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "kmod_priv.h"

#define REPLY_TIMEOUT_SEC 5

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* State of one request: the reply parser and how the exchange ended. */
struct request {
	kmod_parse_fn parse;
	void *arg;
	char *ext;
	size_t extlen;
	__u32 seq;
	int err;		/* 0 or -errno, once done */
	int done;
	int interrupted;	/* a dump the kernel flagged inconsistent */
	unsigned int received;	/* messages seen: tells a timeout from progress */
};

int camfence_kmod_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_BUSY:		return -EBUSY;
	case NLE_DUMP_INTR:	return -EAGAIN;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
	case NLE_PARSE_ERR:	return -EPROTO;
	default:		return -EIO;
	}
}

/* Where the TLVs of an NLMSG_ERROR start: after the nlmsgerr and, unless
 * NLM_F_CAPPED, after the request echoed in it. 0 when that is garbled. */
static size_t error_tlv_offset(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN)
			return 0;
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	return NLMSG_HDRLEN + NLMSG_ALIGN(off);
}

int camfence_kmod_extack(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	size_t off, end = nlh->nlmsg_len;
	int err;

	if (len)
		msg[0] = '\0';
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (end < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			return -EPROTO;
		err = ((const struct nlmsgerr *)NLMSG_DATA(nlh))->error;
		off = error_tlv_offset(nlh);
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		/* a dump's end: an int errno, absent from very old kernels */
		if (end < NLMSG_LENGTH(sizeof(int)))
			return 0;
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
	} else {
		return -EPROTO;
	}
	if (err > 0)
		err = -EPROTO;
	if (!off || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return err;

	while (off + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const void *)((const char *)nlh + off);
		const char *data = (const char *)a + NLA_HDRLEN;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - off)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && len)
			snprintf(msg, len, "%.*s",
				 (int)strnlen(data, a->nla_len - NLA_HDRLEN), data);
		off += NLA_ALIGN(a->nla_len);
	}
	return err;
}

static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	req->received++;
	return NL_OK;
}

/* The answer to an earlier request that timed out or failed half-way may
 * still come in: it is not this one's. */
static int on_seq_check(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == req->seq ? NL_OK : NL_SKIP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	int err;

	if (req->err || !req->parse)
		return NL_SKIP;
	err = req->parse(nlmsg_hdr(msg), req->arg);
	if (err) {
		req->err = err;
		req->done = 1;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	req->done = 1;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	int err = camfence_kmod_extack(nlmsg_hdr(msg), req->ext, req->extlen);

	if (err < 0 && !req->err)
		req->err = err;
	req->done = 1;
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	req->interrupted = 1;
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands over the nlmsgerr only; the TLVs follow it in the
	 * message, which starts right before it */
	const struct nlmsghdr *nlh = (const void *)((const char *)e - NLMSG_HDRLEN);
	struct request *req = arg;
	int err = camfence_kmod_extack(nlh, req->ext, req->extlen);

	if (!req->err)
		req->err = err < 0 ? err : -EPROTO;
	req->done = 1;
	return NL_STOP;
}

int camfence_kmod_request(struct nl_sock *sk, struct nl_msg *msg, kmod_parse_fn parse, void *arg,
			  char *ext, size_t extlen)
{
	struct request req = { .parse = parse, .arg = arg, .ext = ext, .extlen = extlen };
	struct nl_cb *cb;
	int err;

	if (extlen)
		ext[0] = '\0';
	err = nl_send_auto(sk, msg);
	if (err < 0)
		return camfence_kmod_errno(err);
	req.seq = nlmsg_hdr(msg)->nlmsg_seq;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, &req);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);

	while (!req.done) {
		unsigned int before = req.received;

		err = nl_recvmsgs(sk, cb);
		if (req.done)
			break;
		/* on SO_RCVTIMEO, libnl returns NLE_AGAIN or 0 with no message */
		if (err == -NLE_AGAIN || (err >= 0 && req.received == before)) {
			req.err = -ETIMEDOUT;
			break;
		}
		if (err < 0) {
			req.err = camfence_kmod_errno(err);
			break;
		}
	}
	nl_cb_put(cb);
	if (!req.err && req.interrupted)
		req.err = -EAGAIN;
	return req.err;
}

static int transact(struct camfence_kmod *k, struct nl_msg *msg, kmod_parse_fn parse, void *arg,
		    char *ext, size_t extlen)
{
	return camfence_kmod_request(k->sk, msg, parse, arg, ext, extlen);
}

struct family_reply {
	int id;
	__u32 *group;		/* "events", when asked for */
	int group_found;
};

static void find_events_group(struct nlattr *groups, struct family_reply *r)
{
	struct nlattr *g, *gb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	int rem;

	nla_for_each_nested(g, groups, rem) {
		if (nla_parse_nested(gb, CTRL_ATTR_MCAST_GRP_MAX, g, NULL) < 0 ||
		    !gb[CTRL_ATTR_MCAST_GRP_NAME] || !gb[CTRL_ATTR_MCAST_GRP_ID] ||
		    nla_len(gb[CTRL_ATTR_MCAST_GRP_ID]) != sizeof(__u32))
			continue;
		if (nla_strcmp(gb[CTRL_ATTR_MCAST_GRP_NAME], CAMFENCE_GENL_MCGRP_EVENTS))
			continue;
		*r->group = nla_get_u32(gb[CTRL_ATTR_MCAST_GRP_ID]);
		r->group_found = 1;
	}
}

static int parse_family(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct family_reply *r = arg;

	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID] ||
	    nla_len(tb[CTRL_ATTR_FAMILY_ID]) != sizeof(uint16_t))
		return -EPROTO;
	r->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (r->group && tb[CTRL_ATTR_MCAST_GROUPS])
		find_events_group(tb[CTRL_ATTR_MCAST_GROUPS], r);
	return 0;
}

static int resolve_family(struct nl_sock *sk, struct family_reply *r)
{
	struct nl_msg *msg;
	int err;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, CAMFENCE_GENL_NAME) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	r->id = -1;
	err = camfence_kmod_request(sk, msg, parse_family, r, NULL, 0);
	nlmsg_free(msg);
	if (!err && r->id < 0)
		err = -EPROTO;
	return err;
}

int camfence_kmod_socket(struct nl_sock **out)
{
	struct timeval timeout = { .tv_sec = REPLY_TIMEOUT_SEC };
	struct nl_sock *sk;
	int one = 1, err;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	err = genl_connect(sk);
	if (err < 0) {
		nl_socket_free(sk);
		return camfence_kmod_errno(err);
	}
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO,
		       &timeout, sizeof(timeout)) < 0) {
		err = -errno;
		nl_socket_free(sk);
		return err;
	}
	/* Extack messages say why the module refused; errors without the
	 * request echoed keep a refused POLICY_ADD's answer small. Kernels
	 * without them (before 4.12) still answer with the errno. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	*out = sk;
	return 0;
}

int camfence_kmod_connect(struct nl_sock **out, int *family, __u32 *events_group)
{
	struct family_reply r = { .group = events_group };
	struct nl_sock *sk;
	int err;

	err = camfence_kmod_socket(&sk);
	if (err)
		return err;
	err = resolve_family(sk, &r);
	if (!err && events_group && !r.group_found)
		err = -EPROTO;
	if (err) {
		nl_socket_free(sk);
		return err;
	}
	*family = r.id;
	*out = sk;
	return 0;
}

struct nl_msg *camfence_kmod_msg(int family, int flags, __u8 cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd,
				CAMFENCE_GENL_API)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

const char *camfence_kmod_cmd_name(__u8 cmd)
{
	static const char *const names[] = {
		[CAMFENCE_CMD_GET_VERSION]	= "GET_VERSION",
		[CAMFENCE_CMD_POLICY_BEGIN]	= "POLICY_BEGIN",
		[CAMFENCE_CMD_POLICY_ADD]	= "POLICY_ADD",
		[CAMFENCE_CMD_POLICY_COMMIT]	= "POLICY_COMMIT",
		[CAMFENCE_CMD_POLICY_ABORT]	= "POLICY_ABORT",
		[CAMFENCE_CMD_POLICY_GET]	= "POLICY_GET",
		[CAMFENCE_CMD_COUNTERS_GET]	= "COUNTERS_GET",
		[CAMFENCE_CMD_COUNTERS_RESET]	= "COUNTERS_RESET",
		[CAMFENCE_CMD_EVENT]		= "EVENT",
	};

	return cmd < sizeof(names) / sizeof(names[0]) && names[cmd] ? names[cmd] : "?";
}

int camfence_kmod_open(struct camfence_kmod **out)
{
	struct camfence_kmod *k = calloc(1, sizeof(*k));
	int err;

	if (!k)
		return -ENOMEM;
	err = camfence_kmod_connect(&k->sk, &k->family, NULL);
	if (err) {
		free(k);
		return err;
	}
	k->transact = transact;
	*out = k;
	return 0;
}

void camfence_kmod_close(struct camfence_kmod *k)
{
	if (!k)
		return;
	nl_socket_free(k->sk);
	free(k);
}

int camfence_kmod_send(struct camfence_kmod *k, __u8 cmd, int flags, kmod_parse_fn parse,
		       void *arg)
{
	struct nl_msg *msg = camfence_kmod_msg(k->family, flags, cmd);
	int err;

	if (!msg)
		return -ENOMEM;
	err = k->transact(k, msg, parse, arg, NULL, 0);
	nlmsg_free(msg);
	return err;
}

int camfence_kmod_check_reply(struct nlmsghdr *nlh, int family, __u8 cmd)
{
	if (nlh->nlmsg_type != family || !genlmsg_valid_hdr(nlh, 0) ||
	    genlmsg_hdr(nlh)->cmd != cmd)
		return -EPROTO;
	return 0;
}

struct version_reply {
	int family;
	char *version;
	size_t len;
	unsigned int *api;
	int seen;
};

static int parse_version(struct nlmsghdr *nlh, void *arg)
{
	static struct nla_policy policy[CAMFENCE_A_MAX + 1] = {
		[CAMFENCE_A_VERSION]	= { .type = NLA_STRING, .maxlen = 64 },
		[CAMFENCE_A_API]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[CAMFENCE_A_MAX + 1];
	struct version_reply *r = arg;

	if (camfence_kmod_check_reply(nlh, r->family, CAMFENCE_CMD_GET_VERSION) ||
	    genlmsg_parse(nlh, 0, tb, CAMFENCE_A_MAX, policy) < 0 ||
	    !tb[CAMFENCE_A_VERSION] || !tb[CAMFENCE_A_API])
		return -EPROTO;
	if (r->version &&
	    (size_t)snprintf(r->version, r->len, "%s",
			     nla_get_string(tb[CAMFENCE_A_VERSION])) >= r->len)
		return -ERANGE;
	if (r->api)
		*r->api = nla_get_u32(tb[CAMFENCE_A_API]);
	r->seen = 1;
	return 0;
}

int camfence_kmod_version(struct camfence_kmod *k, char *version, size_t len, unsigned int *api)
{
	struct version_reply reply = { .family = k->family, .version = version, .len = len,
				       .api = api };
	int err;

	if (version && !len)
		return -ERANGE;
	err = camfence_kmod_send(k, CAMFENCE_CMD_GET_VERSION, 0, parse_version, &reply);
	if (!err && !reply.seen)
		err = -EPROTO;
	return err;
}

int camfence_kmod_client_version(char *version, size_t len, unsigned int *api)
{
	struct camfence_kmod *k;
	int err;

	if (version && !len)
		return -ERANGE;
	err = camfence_kmod_open(&k);
	if (err)
		return err;
	err = camfence_kmod_version(k, version, len, api);
	camfence_kmod_close(k);
	return err;
}

const char *camfence_kmod_client_strerror(int err)
{
	switch (err) {
	case -ENOENT:
		return "camfence.ko is not loaded";
	case -EPROTO:
		return "unexpected reply from camfence.ko (module and tools of different versions?)";
	case -ETIMEDOUT:
		return "camfence.ko did not answer";
	case -ERANGE:
		return "version string too long for the buffer";
	case -EPERM:
		return "not permitted: changing camfence.ko's policy or counters needs CAP_NET_ADMIN";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
