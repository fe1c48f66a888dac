// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl.h"

struct camfence_rtnl {
	struct mnl_socket *nl;
	char buf[32768];	/* MNL_SOCKET_BUFFER_SIZE is not constant */
};

struct read_ctx {
	camfence_link_fn fn;
	void *ctx;
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

static int link_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct read_ctx *rc = data;
	struct camfence_link_event ev = { 0 };
	const struct ifinfomsg *ifm;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return MNL_CB_OK;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb) < 0 || !tb[IFLA_IFNAME])
		return MNL_CB_OK;
	ev.ifname = mnl_attr_get_str(tb[IFLA_IFNAME]);
	ev.ifindex = ifm->ifi_index;
	ev.gone = nlh->nlmsg_type == RTM_DELLINK;
	rc->fn(&ev, rc->ctx);
	return MNL_CB_OK;
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
	*out = r;
	return 0;
}

int camfence_rtnl_fd(const struct camfence_rtnl *r)
{
	return mnl_socket_get_fd(r->nl);
}

int camfence_rtnl_read(struct camfence_rtnl *r, camfence_link_fn fn, void *ctx)
{
	struct read_ctx rc = { fn, ctx };
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		/* notifications carry sequence 0 and the kernel's port id 0 */
		if (mnl_cb_run(r->buf, n, 0, 0, link_msg, &rc) < 0 && errno != ENOENT)
			return -errno;
	}
}

void camfence_rtnl_close(struct camfence_rtnl *r)
{
	if (!r)
		return;
	mnl_socket_close(r->nl);
	free(r);
}
