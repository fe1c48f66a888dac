// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_file.h"
#include "unit.h"

#define SEC	1000000000ULL
#define WALL	(1700000000LL * (int64_t)SEC)
#define NOW	((time_t)1764570000)

static const uint8_t cam[6] = { 0x44, 0x19, 0xb6, 0x10, 0x20, 0x30 };
static const uint8_t cam2[6] = { 0x02, 0x00, 0x00, 0x00, 0x10, 0x02 };
static const struct cf_flow_names names = { "cam1", "cams", "Hikvision" };

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/camfence-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, CF_STATE_FILE);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void flow(struct cf_flowtrack *t, const uint8_t mac[6], const char *src, const char *dst,
		 uint8_t proto, uint16_t port, uint64_t packets, uint8_t verdict)
{
	struct camfence_flow_key k = { .ifindex = 3, .vlan = 10, .proto = proto, .dport = port };
	struct camfence_flow e = { .packets = packets, .bytes = packets * 100, .first_ns = 5 * SEC,
				   .last_ns = (5 + packets) * SEC, .generation = 4,
				   .verdict = verdict, .rule_id = 2 };

	memcpy(k.mac, mac, 6);
	k.family = strchr(dst, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(k.family, src, k.saddr), 1);
	ck_assert_int_eq(inet_pton(k.family, dst, k.daddr), 1);
	camfence_flowtrack_update_xdp(t, &k, &e, &names, WALL);
}

static struct cf_flowtrack *sample(void)
{
	struct cf_flowtrack *t = camfence_flowtrack_new(16, 64);

	ck_assert_ptr_nonnull(t);
	flow(t, cam, "192.168.10.20", "192.168.10.5", IPPROTO_TCP, 554, 30, CAMFENCE_PASS);
	flow(t, cam, "192.168.10.20", "203.0.113.7", IPPROTO_TCP, 443, 4, CAMFENCE_WOULD_DROP);
	flow(t, cam2, "2001:db8:10::20", "2001:db8:ff::1", IPPROTO_UDP, 123, 2, CAMFENCE_DROP);
	flow(t, cam, "192.168.10.20", "198.51.100.9", IPPROTO_ICMP, 0, 1, CAMFENCE_PASS);
	return t;
}

/* Every record of a view, in walk order, as text: two views are the same
 * view when these are equal. */
struct dump {
	char *buf;
	size_t len;
	FILE *f;
};

static int dev_line(const struct cf_flow_device_record *r, void *ctx)
{
	return fwrite(r, sizeof(*r), 1, ((struct dump *)ctx)->f) != 1;
}

static int flow_line(const struct cf_flow_record *r, void *ctx)
{
	return fwrite(r, sizeof(*r), 1, ((struct dump *)ctx)->f) != 1;
}

static struct dump dump(const struct cf_flowtrack *t)
{
	struct dump d = { 0 };

	d.f = open_memstream(&d.buf, &d.len);
	ck_assert_ptr_nonnull(d.f);
	ck_assert_int_eq(camfence_flowtrack_walk(t, dev_line, flow_line, &d), 0);
	fclose(d.f);
	return d;
}

static size_t held_flows(const struct cf_flowtrack *t)
{
	struct cf_flowtrack_stats st;

	camfence_flowtrack_stats(t, &st);
	return st.flows + st.devices;
}

START_TEST(round_trip_keeps_everything)
{
	struct cf_flowtrack *t = sample(), *back = camfence_flowtrack_new(16, 64);
	struct dump a, b;
	char err[256], msg[512];

	ck_assert_int_eq(camfence_state_save(t, dir, NOW, err, sizeof(err)), 0);
	ck_assert_int_eq(camfence_state_load(back, dir, NOW, msg, sizeof(msg)), CF_STATE_LOADED);
	ck_assert_msg(strstr(msg, "2 devices and 4 flows"), "%s", msg);
	a = dump(t);
	b = dump(back);
	/* names, counts, times, addresses, xdp bases, the would-block verdict and the LRU order */
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.buf, b.buf, a.len), 0);
	free(a.buf);
	free(b.buf);
	camfence_flowtrack_free(t);
	camfence_flowtrack_free(back);
}
END_TEST

START_TEST(would_block_survives)
{
	struct cf_flowtrack *t = sample(), *back = camfence_flowtrack_new(16, 64);
	char err[256], msg[512], *text;
	json_object *o;

	ck_assert_int_eq(camfence_state_save(t, dir, NOW, err, sizeof(err)), 0);
	ck_assert_int_eq(camfence_state_load(back, dir, NOW, msg, sizeof(msg)), CF_STATE_LOADED);
	o = json_object_from_file(path);
	ck_assert_ptr_nonnull(o);
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	ck_assert_msg(strstr(text, "\"verdict\":\"would-block\""), "%s", text);
	ck_assert_msg(strstr(text, "\"verdict\":\"blocked\""), "%s", text);
	json_object_put(o);
	free(text);
	camfence_flowtrack_free(t);
	camfence_flowtrack_free(back);
}
END_TEST

/* A camfenced taking over the pinned XDP table after a restart counts only
 * what is new in it. */
START_TEST(restored_flow_is_not_counted_twice)
{
	struct cf_flowtrack *t = camfence_flowtrack_new(16, 64);
	struct camfence_flow_key k = { .ifindex = 3, .family = AF_INET, .proto = IPPROTO_TCP,
				       .dport = 554 };
	struct camfence_flow e = { .packets = 30, .bytes = 3000, .first_ns = 5 * SEC,
				   .last_ns = 9 * SEC, .generation = 4 };
	char err[256], msg[512];

	memcpy(k.mac, cam, 6);
	inet_pton(AF_INET, "192.168.10.20", k.saddr);
	inet_pton(AF_INET, "192.168.10.5", k.daddr);
	ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, &k, &e, &names, WALL), 30);
	ck_assert_int_eq(camfence_state_save(t, dir, NOW, err, sizeof(err)), 0);
	camfence_flowtrack_free(t);
	t = camfence_flowtrack_new(16, 64);
	ck_assert_int_eq(camfence_state_load(t, dir, NOW, msg, sizeof(msg)), CF_STATE_LOADED);
	e.packets = 32;
	e.bytes = 3200;
	e.generation = 5;
	ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, &k, &e, &names, WALL), 2);
	camfence_flowtrack_free(t);
}
END_TEST

START_TEST(file_is_private_and_replaced_whole)
{
	struct cf_flowtrack *t = sample();
	struct stat st1, st2;
	char err[256], old[64] = { 0 };
	struct dirent *de;
	size_t entries = 0;
	DIR *dp;
	int fd;

	ck_assert_int_eq(camfence_state_save(t, dir, NOW, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st1), 0);
	ck_assert_int_eq(st1.st_mode & 07777, 0600);
	/* a reader of the old file keeps reading the old file whole: a new
	 * file was renamed over it, never written in place */
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	flow(t, cam2, "192.168.10.21", "192.168.10.5", IPPROTO_TCP, 554, 3, CAMFENCE_PASS);
	ck_assert_int_eq(camfence_state_save(t, dir, NOW + 60, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_uint_ne(st1.st_ino, st2.st_ino);
	ck_assert_int_eq(st2.st_mode & 07777, 0600);
	ck_assert_int_eq(pread(fd, old, sizeof(old) - 1, 0), sizeof(old) - 1);
	ck_assert_msg(strstr(old, "\"version\":1"), "%s", old);
	close(fd);
	/* no temporary file is left behind */
	dp = opendir(dir);
	ck_assert_ptr_nonnull(dp);
	while ((de = readdir(dp)))
		entries += de->d_name[0] != '.' || strlen(de->d_name) > 2;
	closedir(dp);
	ck_assert_uint_eq(entries, 1);
	/* a directory that is not there: an error naming it, nothing made */
	ck_assert_int_eq(camfence_state_save(t, "/nonexistent/camfence", NOW, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/camfence"), "%s", err);
	camfence_flowtrack_free(t);
}
END_TEST

START_TEST(absent_file_is_a_first_start)
{
	struct cf_flowtrack *t = camfence_flowtrack_new(16, 64);
	char msg[512];

	ck_assert_int_eq(camfence_state_load(t, dir, NOW, msg, sizeof(msg)), CF_STATE_ABSENT);
	ck_assert_uint_eq(held_flows(t), 0);
	camfence_flowtrack_free(t);
}
END_TEST

/* The view's own maximums bound what is read back, the most recent kept. */
START_TEST(bounded_by_the_view)
{
	struct cf_flowtrack *t = sample(), *small = camfence_flowtrack_new(16, 2);
	struct cf_flowtrack_stats st;
	char err[256], msg[512];

	ck_assert_int_eq(camfence_state_save(t, dir, NOW, err, sizeof(err)), 0);
	ck_assert_int_eq(camfence_state_load(small, dir, NOW, msg, sizeof(msg)), CF_STATE_LOADED);
	camfence_flowtrack_stats(small, &st);
	ck_assert_uint_eq(st.flows, 2);
	ck_assert_uint_eq(st.flows_evicted, 2);
	camfence_flowtrack_free(t);
	camfence_flowtrack_free(small);
}
END_TEST

static char *saved_text(void)
{
	struct cf_flowtrack *t = sample();
	char err[256], *text;
	size_t n = 0;
	FILE *f;

	ck_assert_int_eq(camfence_state_save(t, dir, NOW, err, sizeof(err)), 0);
	camfence_flowtrack_free(t);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	text = calloc(1, 1 << 16);
	n = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	ck_assert_uint_gt(n, 100);
	return text;
}

static void replace(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from);

	ck_assert_msg(at, "'%s' not in the saved file", from);
	memmove(at + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	memcpy(at, to, strlen(to));
}

static const struct {
	const char *from, *to;	/* NULL from: cut the file at half its length */
	const char *why;
} corrupt[] = {
	{ NULL, NULL, "truncated" },
	{ "{\"version\":1", "{\"version\":2", "version 2, this camfenced reads version 1 only" },
	{ "{\"version\":1,", "{", "no \"version\"" },
	{ "{\"version\":1", "[\"version\":1", "not JSON" },
	{ "\"port\":554", "\"port\":70000", "\"port\" 70000 is out of range" },
	{ "\"vlan\":10", "\"vlan\":5000", "\"vlan\" 5000 is out of range" },
	{ "\"packets\":30", "\"packets\":-30", "\"packets\" -30 is out of range" },
	{ "\"verdict\":\"would-block\"", "\"verdict\":\"maybe\"", "'maybe' is none of" },
	{ "\"destination\":\"192.168.10.5\"", "\"destination\":\"2001:db8::5\"",
	  "\"source\" '192.168.10.20' is not an IPv6 address" },
	{ "\"mac\":\"44:19:b6:10:20:30\",\"ifindex\"", "\"mac\":\"44:19:b6:10:20:99\",\"ifindex\"",
	  "its device is not in \"devices\"" },
	{ "\"protocol\":6", "\"protocol\":\"tcp\"", "\"protocol\" is missing or not an integer" },
	{ "\"last_seen\":1700000035", "\"last_seen\":1700000001", "first seen after last seen" },
	{ "\"destination\":\"203.0.113.7\",\"protocol\":6,\"port\":443",
	  "\"destination\":\"192.168.10.5\",\"protocol\":6,\"port\":554", "flow 1 is listed twice" },
	{ "\"ipv4\":[\"192.168.10.20\"]", "\"ipv4\":[\"192.168.10.300\"]", "not an IPv4 address" },
};

START_TEST(corrupt_file_is_set_aside)
{
	struct cf_flowtrack *t = camfence_flowtrack_new(16, 64);
	char *text = saved_text(), msg[512], aside[160], *kept;
	size_t n;
	FILE *f;

	if (corrupt[_i].from)
		replace(text, corrupt[_i].from, corrupt[_i].to);
	else
		text[strlen(text) / 2] = '\0';
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(camfence_state_load(t, dir, NOW, msg, sizeof(msg)), CF_STATE_SET_ASIDE);
	ck_assert_msg(strstr(msg, corrupt[_i].why), "case %d: %s", _i, msg);
	snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, (long long)NOW);
	ck_assert_msg(strstr(msg, aside), "%s", msg);
	/* nothing of it was taken in, and it is kept aside as it was */
	ck_assert_uint_eq(held_flows(t), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	f = fopen(aside, "r");
	ck_assert_ptr_nonnull(f);
	kept = calloc(1, 1 << 16);
	n = fread(kept, 1, (1 << 16) - 1, f);
	fclose(f);
	ck_assert_uint_eq(n, strlen(text));
	ck_assert_str_eq(kept, text);
	free(kept);
	free(text);
	camfence_flowtrack_free(t);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

Suite *state_file_suite(void)
{
	Suite *s = suite_create("state_file");
	TCase *tc;

	add(s, "round_trip", round_trip_keeps_everything);
	add(s, "would_block", would_block_survives);
	add(s, "not_twice", restored_flow_is_not_counted_twice);
	add(s, "atomic", file_is_private_and_replaced_whole);
	add(s, "absent", absent_file_is_a_first_start);
	add(s, "bounded", bounded_by_the_view);
	tc = tcase_create("corrupt");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, corrupt_file_is_set_aside, 0, sizeof(corrupt) / sizeof(corrupt[0]));
	suite_add_tcase(s, tc);
	return s;
}
