// SPDX-License-Identifier: GPL-2.0
/*
 * genl_probe CMD [ATTR]: send command CMD, with a u32 attribute of type ATTR
 * if given, to the generic netlink family "camfence" and print the errno the
 * kernel acknowledges it with (0, -95...). Lets tests/vm/tests.sh check
 * what camfencectl never sends: unknown commands, unexpected attributes.
 * Plain sockets, no library, so the VM needs nothing more than libc.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "camfence_genl.h"

#define NLA_ALIGN4(len) (((len) + 3) & ~3)

struct request {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[64];
};

static void put_attr(struct request *req, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *nla = (struct nlattr *)((char *)req + NLMSG_ALIGN(req->nlh.nlmsg_len));

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	req->nlh.nlmsg_len = NLMSG_ALIGN(req->nlh.nlmsg_len) + NLA_ALIGN4(nla->nla_len);
}

/*
 * Send the request, read the answer into buf. Returns the errno of the
 * NLMSG_ERROR that ends the exchange (0 for an ACK), the reply to a
 * CTRL_CMD_GETFAMILY being left in buf for the caller.
 */
static int transact(int fd, struct request *req, char *buf, size_t len, int *family)
{
	static uint32_t seq;
	struct nlmsghdr *nlh;
	ssize_t n;

	req->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->nlh.nlmsg_seq = ++seq;
	if (send(fd, req, req->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, len, 0);
		if (n < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			if (nlh->nlmsg_type == GENL_ID_CTRL && family) {
				struct nlattr *nla = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
				int rest = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

				for (; rest >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN && nla->nla_len <= rest;
				     rest -= NLA_ALIGN4(nla->nla_len),
				     nla = (struct nlattr *)((char *)nla + NLA_ALIGN4(nla->nla_len)))
					if (nla->nla_type == CTRL_ATTR_FAMILY_ID)
						*family = *(uint16_t *)((char *)nla + NLA_HDRLEN);
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct request req;
	char buf[8192];
	int fd, family = -1, ret;
	uint32_t value = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: genl_probe CMD [ATTR]\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || connect(fd, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		perror("genl_probe: netlink socket");
		return 2;
	}

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nlh.nlmsg_type = GENL_ID_CTRL;
	req.genl.cmd = CTRL_CMD_GETFAMILY;
	req.genl.version = 1;
	put_attr(&req, CTRL_ATTR_FAMILY_NAME, CAMFENCE_GENL_NAME, sizeof(CAMFENCE_GENL_NAME));
	ret = transact(fd, &req, buf, sizeof(buf), &family);
	if (ret || family < 0) {
		printf("%d\n", ret ? ret : -ENOENT);
		return 0;
	}

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.nlh.nlmsg_type = family;
	req.genl.cmd = atoi(argv[1]);
	req.genl.version = CAMFENCE_GENL_API;
	if (argc == 3)
		put_attr(&req, atoi(argv[2]), &value, sizeof(value));
	printf("%d\n", transact(fd, &req, buf, sizeof(buf), NULL));
	close(fd);
	return 0;
}
