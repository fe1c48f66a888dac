// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink client of camfence.ko.
 *
 * libnl folds the kernel's errno into its own NLE_* codes, and ENOENT (the
 * family does not exist) becomes NLE_OBJ_NOTFOUND along with other causes.
 * So the family is resolved here with a plain CTRL_CMD_GETFAMILY request,
 * and every request keeps the errno of the kernel's NLMSG_ERROR as is.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "camfence_genl.h"
#include "kmod_client.h"

#define REPLY_TIMEOUT_SEC 5

/* State of one request: the reply parser and how the exchange ended. */
struct request {
	int (*parse)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int err;		/* 0 or -errno, once done */
	int done;
	unsigned int received;	/* messages seen: tells a timeout from progress */
};

static int nlerr_to_errno(int nlerr)
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
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_OVERFLOW:
	case NLE_PARSE_ERR:	return -EPROTO;
	default:		return -EIO;
	}
}

static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	req->received++;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	int err;

	if (req->err)
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

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct request *req = arg;

	req->err = e->error < 0 ? e->error : -EPROTO;
	req->done = 1;
	return NL_STOP;
}

/*
 * Send msg (consumed) and read until the kernel's ACK or error. The parser
 * sees each data message in between and returns 0 or -errno.
 */
static int request(struct nl_sock *sk, struct nl_msg *msg,
		   int (*parse)(struct nlmsghdr *, void *), void *arg)
{
	struct request req = { .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int err;

	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return nlerr_to_errno(err);

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, &req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);

	while (!req.done) {
		unsigned int before = req.received;

		err = nl_recvmsgs(sk, cb);
		if (req.done)
			break;
		if (err < 0) {
			req.err = nlerr_to_errno(err);
			break;
		}
		/* nl_recvmsgs() returns 0 without a message on SO_RCVTIMEO. */
		if (req.received == before) {
			req.err = -ETIMEDOUT;
			break;
		}
	}
	nl_cb_put(cb);
	return req.err;
}

static int parse_family(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	int *family = arg;

	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID] ||
	    nla_len(tb[CTRL_ATTR_FAMILY_ID]) != sizeof(uint16_t))
		return -EPROTO;
	*family = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

static int resolve_family(struct nl_sock *sk, int *family)
{
	struct nl_msg *msg;

	msg = nlmsg_alloc();
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
			 CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, CAMFENCE_GENL_NAME) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	*family = -1;
	return request(sk, msg, parse_family, family);
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
	static const struct nla_policy policy[CAMFENCE_A_MAX + 1] = {
		[CAMFENCE_A_VERSION]	= { .type = NLA_STRING, .maxlen = 64 },
		[CAMFENCE_A_API]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[CAMFENCE_A_MAX + 1];
	struct version_reply *r = arg;
	struct genlmsghdr *ghdr;

	if (nlh->nlmsg_type != r->family || !genlmsg_valid_hdr(nlh, 0))
		return -EPROTO;
	ghdr = genlmsg_hdr(nlh);
	if (ghdr->cmd != CAMFENCE_CMD_GET_VERSION ||
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

int camfence_kmod_client_version(char *version, size_t len, unsigned int *api)
{
	struct version_reply reply = { .version = version, .len = len, .api = api };
	struct timeval timeout = { .tv_sec = REPLY_TIMEOUT_SEC };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int err;

	if (version && !len)
		return -ERANGE;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	err = genl_connect(sk);
	if (err < 0) {
		err = nlerr_to_errno(err);
		goto out;
	}
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO,
		       &timeout, sizeof(timeout)) < 0) {
		err = -errno;
		goto out;
	}

	err = resolve_family(sk, &reply.family);
	if (err)
		goto out;
	if (reply.family < 0) {
		err = -EPROTO;
		goto out;
	}

	err = -ENOMEM;
	msg = nlmsg_alloc();
	if (!msg)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, reply.family, 0, 0,
			 CAMFENCE_CMD_GET_VERSION, CAMFENCE_GENL_API)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto out;
	}
	err = request(sk, msg, parse_version, &reply);
	if (!err && !reply.seen)
		err = -EPROTO;
out:
	nl_socket_free(sk);
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
	default:
		return strerror(err < 0 ? -err : err);
	}
}
