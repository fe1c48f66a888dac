// SPDX-License-Identifier: GPL-2.0
/*
 * One rtnetlink socket carries notifications (links, and neighbours once
 * followed) and the answers to the dumps asked on it. A notification carries
 * the port id and sequence of whoever caused it (0 for the kernel itself,
 * ip's own for "ip neigh add"), so none is filtered on them; a dump's answer
 * carries this socket's port id and the dump's sequence, which is how its
 * end is recognised. The kernel runs one dump at a time per socket: the
 * others wait in dumps_wanted.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "rtnl.h"

/* the kernel's NUD_VALID, not in the uapi headers: states that hold a MAC */
#define NUD_HOLDS (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

enum {
	DUMP_LINKS = 1,
	DUMP_NEIGH = 2,
};

struct camfence_rtnl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	unsigned int dumps_wanted;
	unsigned int dump_running;	/* DUMP_*, or 0 */
	unsigned int dump_seq;
	bool dump_again;		/* interrupted by a change: run it again */
	camfence_neigh_fn neigh_fn;
	void *neigh_ctx;
	char buf[32768];	/* MNL_SOCKET_BUFFER_SIZE is not constant; the
				 * kernel sizes dump messages to at most this */
};

static int link_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;	/* newer than these headers: not ours to read */
	if (type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;	/* a malformed name is ignored, not trusted */
	tb[type] = attr;
	return MNL_CB_OK;
}

static void link_msg(const struct nlmsghdr *nlh, camfence_link_fn fn, void *ctx)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct camfence_link_event ev = { 0 };
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb) < 0 || !tb[IFLA_IFNAME])
		return;
	ev.ifname = mnl_attr_get_str(tb[IFLA_IFNAME]);
	ev.ifindex = ifm->ifi_index;
	ev.gone = nlh->nlmsg_type == RTM_DELLINK;
	ev.up = ifm->ifi_flags & IFF_UP;
	fn(&ev, ctx);
}

static int neigh_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, NDA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void neigh_msg(struct camfence_rtnl *r, const struct nlmsghdr *nlh)
{
	static const uint8_t zero[6];
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	struct camfence_neigh_event ev = { 0 };
	const struct ndmsg *ndm;
	size_t alen;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)))
		return;
	ndm = mnl_nlmsg_get_payload(nlh);
	/* bridge FDB entries share the messages; proxy entries hold no MAC */
	if (ndm->ndm_family == AF_INET)
		alen = 4;
	else if (ndm->ndm_family == AF_INET6)
		alen = 16;
	else
		return;
	if (ndm->ndm_flags & NTF_PROXY)
		return;
	if (mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr, tb) < 0)
		return;
	if (!tb[NDA_DST] || mnl_attr_get_payload_len(tb[NDA_DST]) != alen)
		return;
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) != sizeof(ev.mac))
		return;	/* not Ethernet */
	ev.ifindex = ndm->ndm_ifindex;
	ev.family = ndm->ndm_family;
	memcpy(ev.addr, mnl_attr_get_payload(tb[NDA_DST]), alen);
	if (tb[NDA_LLADDR])
		memcpy(ev.mac, mnl_attr_get_payload(tb[NDA_LLADDR]), sizeof(ev.mac));
	ev.gone = nlh->nlmsg_type == RTM_DELNEIGH || !(ndm->ndm_state & NUD_HOLDS);
	/* held, but by no one: no address, or a multicast one (NUD_NOARP) */
	if (!ev.gone && (!tb[NDA_LLADDR] || !memcmp(ev.mac, zero, 6) || (ev.mac[0] & 1)))
		return;
	r->neigh_fn(&ev, r->neigh_ctx);
}

/* Sends the next dump wanted, if none runs. */
static int next_dump(struct camfence_rtnl *r)
{
	char buf[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct ifinfomsg))];
	struct nlmsghdr *nlh;
	unsigned int kind;

	if (r->dump_running || !r->dumps_wanted)
		return 0;
	kind = r->dumps_wanted & DUMP_LINKS ? DUMP_LINKS : DUMP_NEIGH;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++r->seq;
	if (kind == DUMP_LINKS) {
		struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

		nlh->nlmsg_type = RTM_GETLINK;
		ifm->ifi_family = AF_UNSPEC;
	} else {
		struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

		nlh->nlmsg_type = RTM_GETNEIGH;
		ndm->ndm_family = AF_UNSPEC;
	}
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	r->dumps_wanted &= ~kind;
	r->dump_running = kind;
	r->dump_seq = nlh->nlmsg_seq;
	r->dump_again = false;
	return 0;
}

static int want_dump(struct camfence_rtnl *r, unsigned int kind)
{
	r->dumps_wanted |= kind;
	return next_dump(r);
}

int camfence_rtnl_parse(struct camfence_rtnl *r, const void *buf, size_t len, camfence_link_fn fn,
			void *ctx)
{
	const struct nlmsghdr *nlh = buf;
	int left = len > 1 << 30 ? 1 << 30 : (int)len, ret = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		bool answer = r->dump_running && nlh->nlmsg_seq == r->dump_seq &&
			      nlh->nlmsg_pid == r->portid;

		if (answer && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			r->dump_again = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
		case NLMSG_ERROR:
			if (!answer)
				break;
			if (r->dump_again)
				r->dumps_wanted |= r->dump_running;
			r->dump_running = 0;
			if (!ret)
				ret = next_dump(r);
			break;
		case RTM_NEWLINK:
		case RTM_DELLINK:
			link_msg(nlh, fn, ctx);
			break;
		case RTM_NEWNEIGH:
		case RTM_DELNEIGH:
			if (r->neigh_fn)
				neigh_msg(r, nlh);
			break;
		}
	}
	return ret;
}

int camfence_rtnl_open(struct camfence_rtnl **out)
{
	struct camfence_rtnl *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!r->nl) {
		ret = -errno;
		free(r);
		return ret;
	}
	if (mnl_socket_bind(r->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(r->nl);
		free(r);
		return ret;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = time(NULL);
	*out = r;
	return 0;
}

int camfence_rtnl_fd(const struct camfence_rtnl *r)
{
	return mnl_socket_get_fd(r->nl);
}

int camfence_rtnl_follow_neighbours(struct camfence_rtnl *r, camfence_neigh_fn fn, void *ctx)
{
	int group = RTNLGRP_NEIGH;

	/* subscribed before the dump: nothing falls between the two */
	if (!r->neigh_fn &&
	    mnl_socket_setsockopt(r->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return -errno;
	r->neigh_fn = fn;
	r->neigh_ctx = ctx;
	return want_dump(r, DUMP_NEIGH);
}

int camfence_rtnl_request_links(struct camfence_rtnl *r)
{
	return want_dump(r, DUMP_LINKS);
}

int camfence_rtnl_read(struct camfence_rtnl *r, camfence_link_fn fn, void *ctx)
{
	struct sockaddr_nl sa;
	socklen_t salen;
	ssize_t n;
	int ret;

	for (;;) {
		salen = sizeof(sa);
		n = recvfrom(mnl_socket_get_fd(r->nl), r->buf, sizeof(r->buf), MSG_TRUNC,
			     (struct sockaddr *)&sa, &salen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			if (r->neigh_fn)
				want_dump(r, DUMP_NEIGH);
			errno = ENOBUFS;
			return -ENOBUFS;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		/* from the kernel only, and whole */
		if (salen != sizeof(sa) || sa.nl_pid != 0 || (size_t)n > sizeof(r->buf))
			continue;
		ret = camfence_rtnl_parse(r, r->buf, n, fn, ctx);
		if (ret)
			return ret;
	}
}

void camfence_rtnl_close(struct camfence_rtnl *r)
{
	if (!r)
		return;
	mnl_socket_close(r->nl);
	free(r);
}
