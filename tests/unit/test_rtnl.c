// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink parsing on crafted messages (built with libmnl as the kernel
 * would send them, and broken on purpose), then the real thing: a veth and
 * its neighbours in a network namespace of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtnl.h"
#include "unit.h"

#define MAX_EVENTS 64

static struct camfence_rtnl *rtnl;
static struct camfence_neigh_event neighs[MAX_EVENTS];
static struct camfence_link_event links[MAX_EVENTS];
static char names[MAX_EVENTS][IFNAMSIZ];
static int nneighs, nlinks;
static char buf[8192];
static size_t used;

static const uint8_t mac9[6] = { 0x02, 0, 0, 0, 0, 0x09 };

static void on_neigh(const struct camfence_neigh_event *ev, void *ctx)
{
	if (nneighs < MAX_EVENTS)
		neighs[nneighs++] = *ev;
}

static void on_link(const struct camfence_link_event *ev, void *ctx)
{
	if (nlinks == MAX_EVENTS)
		return;
	snprintf(names[nlinks], IFNAMSIZ, "%s", ev->ifname);
	links[nlinks] = *ev;
	links[nlinks].ifname = names[nlinks];
	nlinks++;
}

static void setup(void)
{
	ck_assert_int_eq(camfence_rtnl_open(&rtnl), 0);
	ck_assert_int_eq(camfence_rtnl_follow_neighbours(rtnl, on_neigh, NULL), 0);
	nneighs = nlinks = 0;
	used = 0;
}

static void teardown(void)
{
	camfence_rtnl_close(rtnl);
}

static struct nlmsghdr *put(uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);

	nlh->nlmsg_type = type;
	return nlh;
}

static void done(struct nlmsghdr *nlh)
{
	used += nlh->nlmsg_len;
}

/* A neighbour message; dst and lladdr as text, NULL to leave them out. */
static struct nlmsghdr *neigh(uint16_t type, int family, uint16_t state, const char *dst,
			      const uint8_t *lladdr, size_t lllen)
{
	struct nlmsghdr *nlh = put(type);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	uint8_t a[16];

	ndm->ndm_family = family;
	ndm->ndm_ifindex = 3;
	ndm->ndm_state = state;
	if (dst) {
		ck_assert_int_eq(inet_pton(strchr(dst, ':') ? AF_INET6 : AF_INET, dst, a), 1);
		mnl_attr_put(nlh, NDA_DST, strchr(dst, ':') ? 16 : 4, a);
	}
	if (lladdr)
		mnl_attr_put(nlh, NDA_LLADDR, lllen, lladdr);
	done(nlh);
	return nlh;
}

static struct nlmsghdr *link_msg(uint16_t type, int ifindex, const char *name, unsigned int flags)
{
	struct nlmsghdr *nlh = put(type);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	done(nlh);
	return nlh;
}

static void parse(void)
{
	ck_assert_int_eq(camfence_rtnl_parse(rtnl, buf, used, on_link, NULL), 0);
	used = 0;
}

static void check_addr(const struct camfence_neigh_event *ev, const char *text)
{
	uint8_t a[16] = { 0 };

	ck_assert_int_eq(inet_pton(ev->family, text, a), 1);
	ck_assert_int_eq(memcmp(ev->addr, a, ev->family == AF_INET ? 4 : 16), 0);
}

START_TEST(neighbour_v4)
{
	neigh(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, "192.0.2.9", mac9, 6);
	parse();
	ck_assert_int_eq(nneighs, 1);
	ck_assert_int_eq(neighs[0].family, AF_INET);
	ck_assert_int_eq(neighs[0].ifindex, 3);
	check_addr(&neighs[0], "192.0.2.9");
	ck_assert_int_eq(memcmp(neighs[0].mac, mac9, 6), 0);
	ck_assert(!neighs[0].gone);
}
END_TEST

START_TEST(neighbour_v6)
{
	neigh(RTM_NEWNEIGH, AF_INET6, NUD_STALE, "2001:db8::9", mac9, 6);
	parse();
	ck_assert_int_eq(nneighs, 1);
	ck_assert_int_eq(neighs[0].family, AF_INET6);
	check_addr(&neighs[0], "2001:db8::9");
	ck_assert_int_eq(memcmp(neighs[0].mac, mac9, 6), 0);
	ck_assert(!neighs[0].gone);
}
END_TEST

START_TEST(neighbour_gone)
{
	neigh(RTM_DELNEIGH, AF_INET, NUD_REACHABLE, "192.0.2.9", mac9, 6);
	neigh(RTM_NEWNEIGH, AF_INET, NUD_FAILED, "192.0.2.10", NULL, 0);
	neigh(RTM_NEWNEIGH, AF_INET6, NUD_INCOMPLETE, "2001:db8::11", NULL, 0);
	parse();
	ck_assert_int_eq(nneighs, 3);
	ck_assert(neighs[0].gone && neighs[1].gone && neighs[2].gone);
	check_addr(&neighs[0], "192.0.2.9");
	ck_assert_int_eq(memcmp(neighs[0].mac, mac9, 6), 0);
	check_addr(&neighs[1], "192.0.2.10");
	check_addr(&neighs[2], "2001:db8::11");
}
END_TEST

/* Each malformed message is skipped, and what follows it still counts. */
START_TEST(neighbour_malformed)
{
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	struct nlmsghdr *nlh;
	uint8_t a[16] = { 192, 0, 2, 9 };

	/* NDA_DST of 5 bytes; of 16 for IPv4; of 4 for IPv6 */
	nlh = neigh(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, NULL, mac9, 6);
	used -= nlh->nlmsg_len;
	mnl_attr_put(nlh, NDA_DST, 5, a);
	done(nlh);
	nlh = neigh(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, NULL, mac9, 6);
	used -= nlh->nlmsg_len;
	mnl_attr_put(nlh, NDA_DST, 16, a);
	done(nlh);
	nlh = neigh(RTM_NEWNEIGH, AF_INET6, NUD_REACHABLE, NULL, mac9, 6);
	used -= nlh->nlmsg_len;
	mnl_attr_put(nlh, NDA_DST, 4, a);
	done(nlh);
	/* no NDA_DST; a reachable entry without lladdr; an lladdr not Ethernet */
	neigh(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, NULL, mac9, 6);
	neigh(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, "192.0.2.9", NULL, 0);
	neigh(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, "192.0.2.9", mac9, 4);
	/* a bridge FDB entry, a multicast MAC */
	neigh(RTM_NEWNEIGH, AF_BRIDGE, NUD_REACHABLE, NULL, mac9, 6);
	neigh(RTM_NEWNEIGH, AF_INET, NUD_NOARP, "224.0.0.1", mcast, 6);
	/* shorter than its ndmsg */
	nlh = put(RTM_NEWNEIGH);
	nlh->nlmsg_len = mnl_nlmsg_size(4);
	done(nlh);
	neigh(RTM_NEWNEIGH, AF_INET, NUD_PERMANENT, "192.0.2.77", mac9, 6);
	parse();
	ck_assert_int_eq(nneighs, 1);
	check_addr(&neighs[0], "192.0.2.77");
}
END_TEST

START_TEST(neighbour_truncated)
{
	struct nlmsghdr *nlh;
	size_t whole;

	/* cut inside its attributes: nlmsg_len says more than there is */
	nlh = neigh(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, "192.0.2.9", mac9, 6);
	whole = used;
	ck_assert_int_eq(camfence_rtnl_parse(rtnl, buf, whole - 8, on_link, NULL), 0);
	ck_assert_int_eq(camfence_rtnl_parse(rtnl, buf, 10, on_link, NULL), 0);
	ck_assert_int_eq(camfence_rtnl_parse(rtnl, buf, 0, on_link, NULL), 0);
	/* an attribute longer than its message */
	((struct nlattr *)((char *)nlh + mnl_nlmsg_size(sizeof(struct ndmsg))))->nla_len = 200;
	ck_assert_int_eq(camfence_rtnl_parse(rtnl, buf, whole, on_link, NULL), 0);
	ck_assert_int_eq(nneighs, 0);
}
END_TEST

START_TEST(links_and_renames)
{
	struct nlmsghdr *nlh;

	link_msg(RTM_NEWLINK, 7, "cam0", IFF_UP);
	link_msg(RTM_NEWLINK, 7, "cam0", 0);
	link_msg(RTM_NEWLINK, 7, "cctv0", IFF_UP);
	/* a name not NUL-terminated, and none */
	nlh = put(RTM_NEWLINK);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "bad0");
	done(nlh);
	link_msg(RTM_NEWLINK, 8, NULL, IFF_UP);
	link_msg(RTM_DELLINK, 7, "cctv0", 0);
	parse();
	ck_assert_int_eq(nlinks, 4);
	ck_assert_str_eq(links[0].ifname, "cam0");
	ck_assert_int_eq(links[0].ifindex, 7);
	ck_assert(links[0].up && !links[0].gone);
	ck_assert(!links[1].up && !links[1].gone);
	ck_assert_str_eq(links[2].ifname, "cctv0");
	ck_assert_int_eq(links[2].ifindex, 7);
	ck_assert(links[2].up);
	ck_assert(links[3].gone);
	ck_assert_int_eq(nneighs, 0);
}
END_TEST

/* The real thing, in a child of a network namespace of its own: 1 and
 * the check on stderr when one fails, or 0. */
#define CHILD_CHECK(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
			return 1;						\
		}								\
	} while (0)

static int find_neigh(const char *addr, int gone)
{
	uint8_t a[4];
	int i;

	inet_pton(AF_INET, addr, a);
	for (i = 0; i < nneighs; i++)
		if (neighs[i].family == AF_INET && !memcmp(neighs[i].addr, a, 4) &&
		    neighs[i].gone == gone && (gone || !memcmp(neighs[i].mac, mac9, 5)))
			return i;
	return -1;
}

static int find_link(const char *name, int ifindex, int up)
{
	int i;

	for (i = 0; i < nlinks; i++)
		if (!strcmp(links[i].ifname, name) && (!ifindex || links[i].ifindex == ifindex) &&
		    links[i].up == up && !links[i].gone)
			return i;
	return -1;
}

/* Reads for up to 3 s, until found() holds. */
#define READ_UNTIL(r, found)							\
	({									\
		struct pollfd p = { camfence_rtnl_fd(r), POLLIN, 0 };		\
		int _n, _ok = 0;						\
		for (_n = 0; _n < 30 && !(_ok = (found)); _n++) {		\
			poll(&p, 1, 100);					\
			if (camfence_rtnl_read(r, on_link, NULL) < 0)		\
				break;						\
		}								\
		_ok || (found);							\
	})

static int veth_neighbours(void)
{
	struct camfence_rtnl *r;
	int peer;

	CHILD_CHECK(system("ip link add cfv0 type veth peer name cfv1 && ip link set cfv0 up && "
			   "ip neigh add 192.0.2.8 lladdr 02:00:00:00:00:08 dev cfv0") == 0);
	peer = if_nametoindex("cfv1");
	CHILD_CHECK(peer > 0);
	CHILD_CHECK(camfence_rtnl_open(&r) == 0);
	nneighs = nlinks = 0;
	/* two dumps asked at once: the second waits for the first */
	CHILD_CHECK(camfence_rtnl_request_links(r) == 0);
	CHILD_CHECK(camfence_rtnl_follow_neighbours(r, on_neigh, NULL) == 0);
	CHILD_CHECK(READ_UNTIL(r, find_link("cfv1", peer, 0) >= 0 && find_neigh("192.0.2.8", 0) >= 0));

	CHILD_CHECK(system("ip neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev cfv0") == 0);
	CHILD_CHECK(READ_UNTIL(r, find_neigh("192.0.2.9", 0) >= 0));
	CHILD_CHECK(!memcmp(neighs[find_neigh("192.0.2.9", 0)].mac, mac9, 6));
	CHILD_CHECK(neighs[find_neigh("192.0.2.9", 0)].ifindex == (int)if_nametoindex("cfv0"));
	CHILD_CHECK(system("ip neigh del 192.0.2.9 dev cfv0") == 0);
	CHILD_CHECK(READ_UNTIL(r, find_neigh("192.0.2.9", 1) >= 0));

	CHILD_CHECK(system("ip link set cfv1 name cfcam && ip link set cfcam up") == 0);
	CHILD_CHECK(READ_UNTIL(r, find_link("cfcam", peer, 1) >= 0));
	CHILD_CHECK(system("ip link set cfcam down") == 0);
	nlinks = 0;
	CHILD_CHECK(READ_UNTIL(r, find_link("cfcam", peer, 0) >= 0));
	/* and a dump asked again goes over the links as they are */
	nlinks = 0;
	CHILD_CHECK(camfence_rtnl_request_links(r) == 0);
	CHILD_CHECK(READ_UNTIL(r, find_link("cfcam", peer, 0) >= 0 && find_link("cfv0", 0, 1) >= 0));
	camfence_rtnl_close(r);
	return 0;
}

START_TEST(veth_in_a_netns)
{
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "rtnl: veth_in_a_netns needs root; skipped\n");
		return;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET)) {
			perror("unshare(CLONE_NEWNET)");
			_exit(255);
		}
		_exit(veth_neighbours());
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the child in its netns failed (status %d): its check is on stderr", status);
}
END_TEST

Suite *rtnl_suite(void)
{
	Suite *s = suite_create("rtnl");
	TCase *neigh = tcase_create("neighbours"), *link = tcase_create("links"),
	      *real = tcase_create("netns");

	tcase_add_checked_fixture(neigh, setup, teardown);
	tcase_add_test(neigh, neighbour_v4);
	tcase_add_test(neigh, neighbour_v6);
	tcase_add_test(neigh, neighbour_gone);
	tcase_add_test(neigh, neighbour_malformed);
	tcase_add_test(neigh, neighbour_truncated);
	tcase_add_checked_fixture(link, setup, teardown);
	tcase_add_test(link, links_and_renames);
	tcase_set_timeout(real, 30);
	tcase_add_test(real, veth_in_a_netns);
	suite_add_tcase(s, neigh);
	suite_add_tcase(s, link);
	suite_add_tcase(s, real);
	return s;
}
