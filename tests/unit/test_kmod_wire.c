// SPDX-License-Identifier: GPL-2.0
/*
 * The camfence.ko client on the wire: events and extended acks from crafted
 * messages, the events read loop on a socket of the test's, a real extack
 * from the kernel's nlctrl, and -ENOENT, quickly, where the family "camfence"
 * does not exist. Part of the kmod_client suite.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>

#include "kmod_priv.h"
#include "unit.h"

#define FAMILY 0x20		/* any id: nothing leaves the process */

/* ---- events ---- */

static struct camfence_event events_seen[8];
static int nevents, stop_after;

static int on_event(void *ctx, void *data, size_t size)
{
	ck_assert_uint_eq(size, sizeof(struct camfence_event));
	ck_assert_int_lt(nevents, 8);
	memcpy(&events_seen[nevents++], data, size);
	return stop_after && nevents == stop_after ? -ECANCELED : 0;
}

static void events_setup(void)
{
	nevents = stop_after = 0;
}

static struct camfence_event sample_event(__u32 device)
{
	struct camfence_event ev = {
		.ts_ns = 123456789, .generation = 4, .ifindex = 10, .device_id = device,
		.policy_id = 2, .rule_id = 3, .mac = { 2, 0, 0, 0, 0, 9 }, .vlan = 7,
		.family = AF_INET, .proto = 6, .verdict = CAMFENCE_DROP,
		.reason = CAMFENCE_REASON_RULE, .sport = 40000, .dport = 443,
		.saddr = { 192, 168, 1, 9 }, .daddr = { 203, 0, 113, 5 },
	};

	return ev;
}

/* Appends a message to buf: type, cmd, and attr of len bytes (attr < 0: none). */
static size_t append(char *buf, size_t used, int type, __u8 cmd, int attr, const void *data,
		     size_t len)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsghdr *nlh;

	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 0, type, 0, 0, cmd, 1));
	if (attr >= 0)
		ck_assert_int_eq(nla_put(msg, attr, len, data), 0);
	nlh = nlmsg_hdr(msg);
	memcpy(buf + used, nlh, nlh->nlmsg_len);
	used += NLMSG_ALIGN(nlh->nlmsg_len);
	nlmsg_free(msg);
	return used;
}

static size_t append_event(char *buf, size_t used, const struct camfence_event *ev)
{
	return append(buf, used, FAMILY, CAMFENCE_CMD_EVENT, CAMFENCE_A_EVENT, ev, sizeof(*ev));
}

START_TEST(events_skip_what_is_malformed)
{
	static union { struct nlmsghdr h; char b[4096]; } u;
	struct camfence_kmod_event_stats st = { 0 };
	struct camfence_event ev1 = sample_event(1), ev2 = sample_event(2);
	struct nlmsghdr *noop;
	size_t used = 0;

	used = append_event(u.b, used, &ev1);
	/* one byte short */
	used = append(u.b, used, FAMILY, CAMFENCE_CMD_EVENT, CAMFENCE_A_EVENT, &ev1,
		      sizeof(ev1) - 1);
	/* no event attribute */
	used = append(u.b, used, FAMILY, CAMFENCE_CMD_EVENT, CAMFENCE_A_PAD, NULL, 0);
	/* another command */
	used = append(u.b, used, FAMILY, CAMFENCE_CMD_GET_VERSION, CAMFENCE_A_EVENT, &ev1,
		      sizeof(ev1));
	/* another family */
	used = append(u.b, used, FAMILY + 1, CAMFENCE_CMD_EVENT, CAMFENCE_A_EVENT, &ev1,
		      sizeof(ev1));
	noop = (struct nlmsghdr *)(u.b + used);
	*noop = (struct nlmsghdr){ .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP };
	used += NLMSG_HDRLEN;
	used = append_event(u.b, used, &ev2);
	/* a header cut short */
	memset(u.b + used, 0xff, 8);
	used += 8;

	ck_assert_int_eq(camfence_kmod_events_parse(FAMILY, u.b, used, &st, on_event, NULL), 2);
	ck_assert_int_eq(nevents, 2);
	ck_assert_mem_eq(&events_seen[0], &ev1, sizeof(ev1));
	ck_assert_mem_eq(&events_seen[1], &ev2, sizeof(ev2));
	ck_assert_uint_eq(st.delivered, 2);
	ck_assert_uint_eq(st.malformed, 4);
	ck_assert_uint_eq(st.ignored, 2);
	ck_assert_uint_eq(st.overruns, 0);
}
END_TEST

START_TEST(event_callback_stops_the_read)
{
	static union { struct nlmsghdr h; char b[4096]; } u;
	struct camfence_kmod_event_stats st = { 0 };
	struct camfence_event ev = sample_event(1);
	size_t used = 0;
	struct nlmsghdr *nlh = &u.h;

	used = append_event(u.b, used, &ev);
	used = append_event(u.b, used, &ev);
	stop_after = 1;
	ck_assert_int_eq(camfence_kmod_events_parse(FAMILY, u.b, used, &st, on_event, NULL),
			 -ECANCELED);
	ck_assert_int_eq(nevents, 1);

	/* a length beyond the datagram */
	nevents = stop_after = 0;
	memset(&st, 0, sizeof(st));
	nlh->nlmsg_len = used + 4;
	ck_assert_int_eq(camfence_kmod_events_parse(FAMILY, u.b, used, &st, on_event, NULL), 0);
	ck_assert_uint_eq(st.malformed, 1);
	ck_assert_int_eq(nevents, 0);
}
END_TEST

/* The read loop on a datagram socket of the test's: every datagram waiting,
 * one too big for the buffer counted as malformed, then nothing. */
START_TEST(events_read_drains_the_socket)
{
	static union { struct nlmsghdr h; char b[16384]; } u;
	struct camfence_kmod_event_stats st;
	struct camfence_kmod_events *e;
	struct camfence_event ev = sample_event(5);
	int sv[2];
	size_t used;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(camfence_kmod_events_wrap(sv[0], FAMILY, &e), 0);
	ck_assert_int_eq(camfence_kmod_events_fd(e), sv[0]);

	used = append_event(u.b, 0, &ev);
	ck_assert_int_eq(send(sv[1], u.b, used, 0), used);
	used = append_event(u.b, used, &ev);
	ck_assert_int_eq(send(sv[1], u.b, used, 0), used);
	memset(u.b, 0, sizeof(u.b));
	ck_assert_int_eq(send(sv[1], u.b, 9000, 0), 9000);

	ck_assert_int_eq(camfence_kmod_events_read(e, on_event, NULL), 3);
	ck_assert_int_eq(camfence_kmod_events_read(e, on_event, NULL), 0);
	camfence_kmod_events_stats(e, &st);
	ck_assert_uint_eq(st.delivered, 3);
	ck_assert_uint_eq(st.malformed, 1);
	ck_assert_mem_eq(&events_seen[2], &ev, sizeof(ev));
	camfence_kmod_events_close(e);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* ---- extended acks ---- */

static union { struct nlmsghdr h; char b[1024]; } ack;

static void put_tlv(__u16 type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(ack.b + NLMSG_ALIGN(ack.h.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	ack.h.nlmsg_len = NLMSG_ALIGN(ack.h.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* An NLMSG_ERROR for err, echoing echo_payload bytes of request unless capped. */
static void error_msg(int err, int flags, size_t echo_payload)
{
	struct nlmsgerr *e = NLMSG_DATA(&ack.h);

	memset(&ack, 0, sizeof(ack));
	ack.h.nlmsg_type = NLMSG_ERROR;
	ack.h.nlmsg_flags = flags;
	e->error = err;
	e->msg.nlmsg_len = NLMSG_HDRLEN + (flags & NLM_F_CAPPED ? 1000 : echo_payload);
	e->msg.nlmsg_type = FAMILY;
	memset((char *)(e + 1), 0x5a, flags & NLM_F_CAPPED ? 0 : echo_payload);
	ack.h.nlmsg_len = NLMSG_LENGTH(sizeof(*e) + (flags & NLM_F_CAPPED ? 0 : echo_payload));
}

START_TEST(extack_message_is_read)
{
	static const char text[] = "table 3: key of 20 bytes, expected 24";
	__u32 offs = 40;
	char msg[128], small[8];

	error_msg(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0);
	put_tlv(NLMSGERR_ATTR_MSG, text, sizeof(text));
	put_tlv(NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, text);
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, small, sizeof(small)), -EINVAL);
	ck_assert_str_eq(small, "table 3");

	/* the request echoed before the TLVs, an odd length of it */
	error_msg(-ERANGE, NLM_F_ACK_TLVS, 22);
	put_tlv(NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	put_tlv(NLMSGERR_ATTR_MSG, text, sizeof(text));
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -ERANGE);
	ck_assert_str_eq(msg, text);

	/* a message without its NUL */
	error_msg(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0);
	put_tlv(NLMSGERR_ATTR_MSG, "abc", 3);
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "abc");
}
END_TEST

START_TEST(extack_absent_or_broken)
{
	static const char text[] = "never read";
	char msg[64];
	struct nlattr *a;

	/* TLVs there, the flag not */
	error_msg(-EPERM, NLM_F_CAPPED, 0);
	put_tlv(NLMSGERR_ATTR_MSG, text, sizeof(text));
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EPERM);
	ck_assert_str_eq(msg, "");

	/* an attribute longer than the message */
	error_msg(-EINVAL, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0);
	put_tlv(NLMSGERR_ATTR_MSG, text, sizeof(text));
	a = (struct nlattr *)(ack.b + NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	a->nla_len += 4;
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "");

	/* an echoed request longer than the message */
	error_msg(-EINVAL, NLM_F_ACK_TLVS, 16);
	((struct nlmsgerr *)NLMSG_DATA(&ack.h))->msg.nlmsg_len = 4000;
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EINVAL);

	/* an ACK */
	error_msg(0, NLM_F_CAPPED, 0);
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), 0);

	/* too short for an nlmsgerr, or not an error at all */
	ack.h.nlmsg_len = NLMSG_HDRLEN + 4;
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EPROTO);
	ack.h.nlmsg_type = FAMILY;
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EPROTO);
}
END_TEST

START_TEST(dump_done_carries_errno_and_extack)
{
	static const char text[] = "dump failed";
	int err = -EMSGSIZE;
	char msg[64];

	memset(&ack, 0, sizeof(ack));
	ack.h.nlmsg_type = NLMSG_DONE;
	ack.h.nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	memcpy(NLMSG_DATA(&ack.h), &err, sizeof(err));
	ack.h.nlmsg_len = NLMSG_LENGTH(sizeof(err));
	put_tlv(NLMSGERR_ATTR_MSG, text, sizeof(text));
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), -EMSGSIZE);
	ck_assert_str_eq(msg, text);

	err = 0;
	memcpy(NLMSG_DATA(&ack.h), &err, sizeof(err));
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), 0);
	ack.h.nlmsg_len = NLMSG_HDRLEN;
	ck_assert_int_eq(camfence_kmod_extack(&ack.h, msg, sizeof(msg)), 0);
}
END_TEST

/* The real request path: nlctrl refuses a family name longer than its
 * policy allows, with an extack that must come through. */
START_TEST(kernel_extack_comes_through)
{
	char name[64], ext[KMOD_EXTACK_MAX];
	struct nl_sock *sk;
	struct nl_msg *msg;
	int err;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(camfence_kmod_socket(&sk), 0);
	msg = nlmsg_alloc();
	ck_assert_ptr_nonnull(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0,
					  CTRL_CMD_GETFAMILY, 1));
	ck_assert_int_eq(nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, name), 0);
	err = camfence_kmod_request(sk, msg, NULL, NULL, ext, sizeof(ext));
	ck_assert_msg(err == -ERANGE || err == -EINVAL, "nlctrl answered %d", err);
	ck_assert_msg(ext[0], "no extack message with %d", err);
	/* the socket is still usable: the next answer is the next request's */
	err = camfence_kmod_request(sk, msg, NULL, NULL, ext, sizeof(ext));
	ck_assert_msg(err == -ERANGE || err == -EINVAL, "nlctrl answered %d", err);
	nlmsg_free(msg);
	nl_socket_free(sk);
}
END_TEST

/* ---- without the module ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(no_module_is_enoent)
{
	struct camfence_kmod_events *e = NULL;
	struct camfence_kmod *k = NULL;
	char version[16];
	double start = now();

	ck_assert_int_eq(camfence_kmod_open(&k), -ENOENT);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(camfence_kmod_events_open(&e), -ENOENT);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(camfence_kmod_client_version(version, sizeof(version), NULL), -ENOENT);
	ck_assert_double_lt(now() - start, 1.0);
	ck_assert_str_eq(camfence_kmod_client_strerror(-ENOENT), "camfence.ko is not loaded");
	camfence_kmod_close(NULL);
	camfence_kmod_events_close(NULL);
}
END_TEST

void kmod_client_wire_tcases(Suite *s)
{
	TCase *tc;

	tc = tcase_create("events");
	tcase_add_checked_fixture(tc, events_setup, NULL);
	tcase_add_test(tc, events_skip_what_is_malformed);
	tcase_add_test(tc, event_callback_stops_the_read);
	tcase_add_test(tc, events_read_drains_the_socket);
	suite_add_tcase(s, tc);

	tc = tcase_create("extack");
	tcase_add_test(tc, extack_message_is_read);
	tcase_add_test(tc, extack_absent_or_broken);
	tcase_add_test(tc, dump_done_carries_errno_and_extack);
	tcase_add_test(tc, kernel_extack_comes_through);
	suite_add_tcase(s, tc);

	tc = tcase_create("no_module");
	tcase_add_test(tc, no_module_is_enoent);
	suite_add_tcase(s, tc);
}
