// SPDX-License-Identifier: GPL-2.0
/*
 * camfence.ko's "events" multicast group: one blocked connection per
 * CAMFENCE_CMD_EVENT, read from a non-blocking socket the daemon polls
 * beside the XDP ring buffer, and handed to the same callback.
 *
 * Datagrams are read with recvmsg() rather than libnl so that a socket
 * overrun (ENOBUFS) is counted and reading goes on, and so the parser
 * works on plain buffers the tests can craft.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "kmod_priv.h"

/* Room for a burst while the daemon is busy: 1000 events a second at most
 * (CAMFENCE_GENL_EVENT_RATE), about a kilobyte each in socket memory.
 * The kernel caps it at net.core.rmem_max. */
#define EVENTS_RCVBUF (1 << 20)
/* One datagram: the kernel sends an event per message, one per skb. */
#define EVENTS_BUF 8192

struct camfence_kmod_events {
	struct nl_sock *sk;	/* NULL: fd is the caller's (the tests) */
	int fd;
	int family;
	struct camfence_kmod_event_stats stats;
	char buf[EVENTS_BUF];
};

enum verdict { EV_EVENT, EV_MALFORMED, EV_IGNORED };

static enum verdict parse_one(int family, const struct nlmsghdr *nlh, struct camfence_event *ev)
{
	struct nlattr *tb[CAMFENCE_A_MAX + 1];
	struct nlmsghdr *m = (struct nlmsghdr *)nlh;

	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return EV_IGNORED;	/* NOOP, DONE, ERROR: nothing to tell */
	if (nlh->nlmsg_type != family || !genlmsg_valid_hdr(m, 0))
		return EV_MALFORMED;
	if (genlmsg_hdr(m)->cmd != CAMFENCE_CMD_EVENT)
		return EV_IGNORED;
	if (genlmsg_parse(m, 0, tb, CAMFENCE_A_MAX, NULL) < 0 || !tb[CAMFENCE_A_EVENT] ||
	    nla_len(tb[CAMFENCE_A_EVENT]) != sizeof(*ev))
		return EV_MALFORMED;
	/* the attribute is 4-aligned, the event holds u64s */
	memcpy(ev, nla_data(tb[CAMFENCE_A_EVENT]), sizeof(*ev));
	return EV_EVENT;
}

int camfence_kmod_events_parse(int family, const void *buf, size_t len,
			       struct camfence_kmod_event_stats *st, camfence_kmod_event_fn fn,
			       void *ctx)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len, n = 0, err;
	struct camfence_event ev;

	for (; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
		switch (parse_one(family, nlh, &ev)) {
		case EV_MALFORMED:
			st->malformed++;
			continue;
		case EV_IGNORED:
			st->ignored++;
			continue;
		case EV_EVENT:
			break;
		}
		st->delivered++;
		n++;
		err = fn(ctx, &ev, sizeof(ev));
		if (err < 0)
			return err;
	}
	/* bytes left that do not make a message: a header cut short or lying */
	if (rem > 0)
		st->malformed++;
	return n;
}

static struct camfence_kmod_events *events_new(void)
{
	struct camfence_kmod_events *e = malloc(sizeof(*e));

	if (e)
		memset(e, 0, offsetof(struct camfence_kmod_events, buf));
	return e;
}

int camfence_kmod_events_open(struct camfence_kmod_events **out)
{
	struct camfence_kmod_events *e = events_new();
	int rcvbuf = EVENTS_RCVBUF, err;
	__u32 group;

	if (!e)
		return -ENOMEM;
	err = camfence_kmod_connect(&e->sk, &e->family, &group);
	if (err)
		goto err_free;
	e->fd = nl_socket_get_fd(e->sk);
	err = nl_socket_add_membership(e->sk, group);
	if (!err)
		err = nl_socket_set_nonblocking(e->sk);
	if (err < 0) {
		err = camfence_kmod_errno(err);
		goto err_sock;
	}
	setsockopt(e->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	*out = e;
	return 0;

err_sock:
	nl_socket_free(e->sk);
err_free:
	free(e);
	return err;
}

int camfence_kmod_events_wrap(int fd, int family, struct camfence_kmod_events **out)
{
	struct camfence_kmod_events *e = events_new();

	if (!e)
		return -ENOMEM;
	e->fd = fd;
	e->family = family;
	*out = e;
	return 0;
}

int camfence_kmod_events_fd(const struct camfence_kmod_events *e)
{
	return e->fd;
}

int camfence_kmod_events_read(struct camfence_kmod_events *e, camfence_kmod_event_fn fn,
			      void *ctx)
{
	int delivered = 0, overrun = 0, n;

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { e->buf, sizeof(e->buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t len = recvmsg(e->fd, &mh, MSG_DONTWAIT);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno != ENOBUFS)
				return -errno;
			/* the kernel dropped what did not fit: say so, read on */
			e->stats.overruns++;
			overrun = 1;
			continue;
		}
		/* only the kernel speaks for camfence.ko; any process can
		 * send to our port */
		if ((mh.msg_flags & MSG_TRUNC) ||
		    (mh.msg_namelen == sizeof(from) && from.nl_family == AF_NETLINK &&
		     from.nl_pid)) {
			e->stats.malformed++;
			continue;
		}
		n = camfence_kmod_events_parse(e->family, e->buf, len, &e->stats, fn, ctx);
		if (n < 0)
			return n;
		delivered += n;
	}
	return overrun ? -ENOBUFS : delivered;
}

void camfence_kmod_events_stats(const struct camfence_kmod_events *e,
				struct camfence_kmod_event_stats *out)
{
	*out = e->stats;
}

void camfence_kmod_events_close(struct camfence_kmod_events *e)
{
	if (!e)
		return;
	if (e->sk)
		nl_socket_free(e->sk);
	free(e);
}
