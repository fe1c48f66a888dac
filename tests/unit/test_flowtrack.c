// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "flowtrack.h"
#include "unit.h"

#define SEC	1000000000ULL
#define WALL	(1700000000LL * (int64_t)SEC)	/* mono 0 is 2023-11-14T22:13:20Z */

static const uint8_t cam[6] = { 0x44, 0x19, 0xb6, 0x10, 0x20, 0x30 };
static const uint8_t cam2[6] = { 0x44, 0x19, 0xb6, 0x10, 0x20, 0x31 };
static const struct cf_flow_names names = { "cam1", "cams", "Hikvision" };

static struct cf_flowtrack *t;

static void setup(void)
{
	t = camfence_flowtrack_new(16, 64);
	ck_assert_ptr_nonnull(t);
}

static void teardown(void)
{
	camfence_flowtrack_free(t);
	t = NULL;
}

static struct camfence_flow_key key(const uint8_t mac[6], const char *src, const char *dst,
				    uint8_t proto, uint16_t dport)
{
	struct camfence_flow_key k = { .ifindex = 3, .proto = proto, .dport = dport };

	memcpy(k.mac, mac, 6);
	k.family = strchr(dst, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(k.family, src, k.saddr), 1);
	ck_assert_int_eq(inet_pton(k.family, dst, k.daddr), 1);
	return k;
}

static struct camfence_flow entry(uint64_t packets, uint64_t bytes, uint64_t first_s, uint8_t verdict)
{
	return (struct camfence_flow){
		.packets = packets, .bytes = bytes, .first_ns = first_s * SEC,
		.last_ns = (first_s + packets) * SEC, .generation = 2, .verdict = verdict,
		.rule_id = verdict == CAMFENCE_DROP ? 7 : CAMFENCE_RULE_DEFAULT,
	};
}

static struct camfence_event event(const struct camfence_flow_key *k, uint64_t ts_s)
{
	struct camfence_event ev = {
		.ts_ns = ts_s * SEC, .generation = 2, .ifindex = k->ifindex, .rule_id = 7,
		.vlan = k->vlan, .family = k->family, .proto = k->proto, .verdict = CAMFENCE_DROP,
		.dport = k->dport, .sport = 40000,
	};

	memcpy(ev.mac, k->mac, 6);
	memcpy(ev.saddr, k->saddr, 16);
	memcpy(ev.daddr, k->daddr, 16);
	return ev;
}

static uint64_t update(const struct camfence_flow_key *k, uint64_t packets, uint64_t bytes,
		       uint64_t first_s, uint8_t verdict)
{
	struct camfence_flow e = entry(packets, bytes, first_s, verdict);

	return camfence_flowtrack_update_xdp(t, k, &e, &names, WALL);
}

/* What a client of camfencectl gets: the text, parsed again. */
static json_object *reparsed(json_object *o)
{
	json_object *back;

	ck_assert_ptr_nonnull(o);
	back = json_tokener_parse(json_object_to_json_string(o));
	json_object_put(o);
	ck_assert_ptr_nonnull(back);
	return back;
}

static json_object *field(json_object *o, const char *name)
{
	json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, name, &v), "no \"%s\" in %s", name,
		      json_object_to_json_string(o));
	return v;
}

static int64_t num(json_object *o, const char *name)
{
	return json_object_get_int64(field(o, name));
}

/* Packets of the listing's rows to this port from mac, or -1 without one. */
static int64_t packets_to(const uint8_t mac[6], uint16_t port)
{
	json_object *root = reparsed(camfence_flowtrack_flows_json(t, mac));
	json_object *rows = field(root, "flows");
	int64_t sum = -1;
	size_t i;

	for (i = 0; i < json_object_array_length(rows); i++) {
		json_object *r = json_object_array_get_idx(rows, i);

		if (num(r, "port") == port)
			sum = (sum < 0 ? 0 : sum) + num(r, "packets");
	}
	json_object_put(root);
	return sum;
}

static int64_t device_num(const uint8_t mac[6], const char *name)
{
	json_object *root = reparsed(camfence_flowtrack_devices_json(t));
	json_object *devs = field(root, "devices");
	char want[18];
	int64_t v = -1;
	size_t i;

	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	for (i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (!strcmp(json_object_get_string(field(d, "mac")), want))
			v = num(d, name);
	}
	json_object_put(root);
	return v;
}

static struct cf_flowtrack_stats stats(void)
{
	struct cf_flowtrack_stats s;

	camfence_flowtrack_stats(t, &s);
	return s;
}

static char *printed(void (*print)(const struct cf_flowtrack *, const uint8_t *, FILE *),
		     const uint8_t *mac)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	print(t, mac, f);
	fclose(f);
	return buf;
}

static void print_devices(const struct cf_flowtrack *ft, const uint8_t *mac, FILE *out)
{
	camfence_flowtrack_print_devices(ft, out);
}

static void assert_matches(const char *text, const char *re)
{
	regex_t r;
	int miss;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
	miss = regexec(&r, text, 0, NULL, 0);
	regfree(&r);
	ck_assert_msg(!miss, "/%s/ not in:\n%s", re, text);
}

START_TEST(deltas_across_updates)
{
	struct camfence_flow_key k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 32100);

	ck_assert_uint_eq(update(&k, 10, 1000, 5, CAMFENCE_DROP), 10);
	ck_assert_uint_eq(update(&k, 15, 1500, 5, CAMFENCE_DROP), 5);
	ck_assert_uint_eq(update(&k, 15, 1500, 5, CAMFENCE_DROP), 0);
	ck_assert_int_eq(packets_to(cam, 32100), 15);
	ck_assert_int_eq(device_num(cam, "blocked_packets"), 15);
	ck_assert_int_eq(device_num(cam, "blocked_bytes"), 1500);
	ck_assert_int_eq(device_num(cam, "passed_packets"), 0);
	ck_assert_uint_eq(stats().flows, 1);
	ck_assert_uint_eq(stats().devices, 1);
}
END_TEST

START_TEST(recreated_entry_keeps_counts)
{
	struct camfence_flow_key k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 32100);

	ck_assert_uint_eq(update(&k, 10, 1000, 5, CAMFENCE_DROP), 10);
	/* evicted by the XDP table and made again: a new first_ns */
	ck_assert_uint_eq(update(&k, 3, 300, 60, CAMFENCE_DROP), 3);
	ck_assert_int_eq(packets_to(cam, 32100), 13);
	/* made again within the same nanosecond tick: its counts went down */
	ck_assert_uint_eq(update(&k, 2, 200, 60, CAMFENCE_DROP), 2);
	ck_assert_uint_eq(update(&k, 4, 400, 60, CAMFENCE_DROP), 2);
	ck_assert_int_eq(packets_to(cam, 32100), 17);
	/* made again and busier than before: only first_ns tells */
	ck_assert_uint_eq(update(&k, 30, 3000, 90, CAMFENCE_DROP), 30);
	ck_assert_int_eq(packets_to(cam, 32100), 47);
	ck_assert_int_eq(device_num(cam, "blocked_bytes"), 4700);
	ck_assert_int_eq(device_num(cam, "first_seen"), 1700000005);
	ck_assert_uint_eq(stats().flows, 1);
}
END_TEST

START_TEST(event_creates_flow_and_device)
{
	struct camfence_flow_key k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 32100);
	struct camfence_event ev = event(&k, 5);

	ck_assert_int_eq(camfence_flowtrack_event(t, &ev, &names, WALL), 1);
	ck_assert_uint_eq(stats().devices, 1);
	ck_assert_uint_eq(stats().flows, 1);
	ck_assert_int_eq(packets_to(cam, 32100), 1);
	ck_assert_int_eq(device_num(cam, "blocked_packets"), 1);
	ck_assert_int_eq(device_num(cam, "last_seen"), 1700000005);
	ck_assert_int_eq(camfence_flowtrack_event(t, &ev, NULL, WALL), 0);
	ck_assert_int_eq(packets_to(cam, 32100), 2);

	/* the XDP entry holds both packets: only the other 3 are new */
	ck_assert_uint_eq(update(&k, 5, 500, 5, CAMFENCE_DROP), 3);
	ck_assert_int_eq(packets_to(cam, 32100), 5);
	/* an event of a flow the walk already counted adds nothing */
	ck_assert_int_eq(camfence_flowtrack_event(t, &ev, NULL, WALL), 0);
	ck_assert_int_eq(packets_to(cam, 32100), 5);
	ck_assert_int_eq(device_num(cam, "blocked_packets"), 5);

	ev.dport = 32101;
	ck_assert_int_eq(camfence_flowtrack_event(t, &ev, NULL, WALL), 1);
	ck_assert_uint_eq(stats().flows, 2);
	ev.family = 0;
	errno = 0;
	ck_assert_int_eq(camfence_flowtrack_event(t, &ev, NULL, WALL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(stats().flows, 2);
}
END_TEST

START_TEST(latest_names_and_verdict)
{
	struct camfence_flow_key k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_TCP, 443);
	struct cf_flow_names regrouped = { NULL, "lobby", NULL };
	struct camfence_flow e = entry(4, 400, 5, CAMFENCE_DROP);
	json_object *root, *d, *r;

	update(&k, 3, 300, 5, CAMFENCE_DROP);
	/* a reload allowed it: generation 3 */
	e.generation = 3;
	e.verdict = CAMFENCE_PASS;
	e.rule_id = CAMFENCE_RULE_DEFAULT;
	camfence_flowtrack_update_xdp(t, &k, &e, &regrouped, WALL);
	root = reparsed(camfence_flowtrack_devices_json(t));
	d = json_object_array_get_idx(field(root, "devices"), 0);
	ck_assert_str_eq(json_object_get_string(field(d, "name")), "cam1");
	ck_assert_str_eq(json_object_get_string(field(d, "group")), "lobby");
	ck_assert_str_eq(json_object_get_string(field(d, "vendor")), "Hikvision");
	json_object_put(root);

	/* a late event of generation 2 does not undo the reload */
	{
		struct camfence_event ev = event(&k, 6);

		camfence_flowtrack_event(t, &ev, NULL, WALL);
	}
	root = reparsed(camfence_flowtrack_flows_json(t, cam));
	ck_assert_int_eq(json_object_array_length(field(root, "flows")), 1);
	r = json_object_array_get_idx(field(root, "flows"), 0);
	ck_assert_str_eq(json_object_get_string(field(r, "verdict")), "allowed");
	ck_assert_int_eq(num(r, "generation"), 3);
	ck_assert_int_eq(num(r, "packets"), 4);
	ck_assert(!json_object_object_get_ex(r, "rule_id", NULL));
	json_object_put(root);
}
END_TEST

START_TEST(lru_evicts_least_recent_flow)
{
	struct camfence_flow_key k[7];
	struct camfence_event ev;
	int i;

	camfence_flowtrack_free(t);
	t = camfence_flowtrack_new(16, 3);
	for (i = 1; i <= 6; i++)
		k[i] = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, i);
	for (i = 1; i <= 3; i++)
		update(&k[i], 1, 100, 5, CAMFENCE_DROP);
	ck_assert_uint_eq(update(&k[1], 2, 200, 5, CAMFENCE_DROP), 1);	/* 2 3 1 */
	update(&k[4], 1, 100, 5, CAMFENCE_DROP);			/* 3 1 4 */
	ck_assert_uint_eq(stats().flows, 3);
	ck_assert_uint_eq(stats().flows_evicted, 1);
	ck_assert_int_eq(packets_to(cam, 2), -1);
	ck_assert_int_eq(packets_to(cam, 1), 2);

	/* a walk that finds nothing new is no touch */
	ck_assert_uint_eq(update(&k[3], 1, 100, 5, CAMFENCE_DROP), 0);
	update(&k[5], 1, 100, 5, CAMFENCE_DROP);			/* 1 4 5 */
	ck_assert_int_eq(packets_to(cam, 3), -1);
	/* an event is */
	ev = event(&k[1], 9);
	ck_assert_int_eq(camfence_flowtrack_event(t, &ev, NULL, WALL), 0);	/* 4 5 1 */
	update(&k[6], 1, 100, 5, CAMFENCE_DROP);			/* 5 1 6 */
	ck_assert_int_eq(packets_to(cam, 4), -1);
	ck_assert_int_eq(packets_to(cam, 1), 2);
	ck_assert_uint_eq(stats().flows, 3);
	ck_assert_uint_eq(stats().flows_evicted, 3);
	/* the device's own counts outlive its evicted flows */
	ck_assert_int_eq(device_num(cam, "blocked_packets"), 7);
}
END_TEST

START_TEST(lru_follows_touch_order)
{
	struct camfence_flow_key k;
	int i, n = 50;

	camfence_flowtrack_free(t);
	t = camfence_flowtrack_new(16, n);
	for (i = 0; i < n; i++) {
		k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, i);
		update(&k, 1, 100, 5, CAMFENCE_DROP);
	}
	/* touched in a shuffled order: evicted in that order */
	for (i = 0; i < n; i++) {
		k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, (i * 17) % n);
		ck_assert_uint_eq(update(&k, 2, 200, 5, CAMFENCE_DROP), 1);
	}
	for (i = 0; i < n; i++) {
		k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 1000 + i);
		update(&k, 1, 100, 5, CAMFENCE_DROP);
		ck_assert_int_eq(packets_to(cam, (i * 17) % n), -1);
		if (i + 1 < n)
			ck_assert_int_eq(packets_to(cam, ((i + 1) * 17) % n), 2);
	}
	ck_assert_uint_eq(stats().flows_evicted, n);
}
END_TEST

START_TEST(device_eviction_takes_flows)
{
	struct camfence_flow_key k;
	uint8_t c[6] = { 0x02, 0, 0, 0, 0, 0xc }, d[6] = { 0x02, 0, 0, 0, 0, 0xd };
	char buf[64];
	int i;

	camfence_flowtrack_free(t);
	t = camfence_flowtrack_new(2, 100);
	for (i = 1; i <= 3; i++) {
		k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, i);
		update(&k, 1, 100, 5, CAMFENCE_DROP);
	}
	k = key(cam2, "192.168.10.205", "203.0.113.7", IPPROTO_UDP, 1);
	update(&k, 1, 100, 5, CAMFENCE_DROP);
	k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 1);
	update(&k, 2, 200, 5, CAMFENCE_DROP);			/* cam2 is least recent */

	k = key(c, "192.168.10.206", "203.0.113.7", IPPROTO_UDP, 1);
	update(&k, 1, 100, 5, CAMFENCE_DROP);
	ck_assert_uint_eq(stats().devices, 2);
	ck_assert_uint_eq(stats().devices_evicted, 1);
	ck_assert_uint_eq(stats().flows, 4);
	ck_assert_uint_eq(stats().flows_evicted, 1);
	ck_assert_int_eq(device_num(cam2, "blocked_packets"), -1);
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam2, buf, sizeof(buf)), "-");

	k = key(d, "192.168.10.207", "203.0.113.7", IPPROTO_UDP, 1);
	update(&k, 1, 100, 5, CAMFENCE_DROP);			/* cam goes, 3 flows */
	ck_assert_uint_eq(stats().devices, 2);
	ck_assert_uint_eq(stats().devices_evicted, 2);
	ck_assert_uint_eq(stats().flows, 2);
	ck_assert_uint_eq(stats().flows_evicted, 4);
	ck_assert_int_eq(packets_to(cam, 1), -1);
	ck_assert_int_eq(packets_to(c, 1), 1);
	/* news of an evicted device is no device */
	camfence_flowtrack_neigh(t, cam, AF_INET, (const uint8_t[4]){ 10, 0, 0, 1 }, false);
	ck_assert_uint_eq(stats().devices, 2);
}
END_TEST

START_TEST(neighbour_addresses)
{
	struct camfence_flow_key k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 32100);
	uint8_t a4[4] = { 10, 0, 0, 0 }, a6[16] = { 0xfe, 0x80 };
	char buf[256];
	int i;

	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam, buf, sizeof(buf)), "-");
	camfence_flowtrack_neigh(t, cam, AF_INET, a4, false);	/* not yet a device */
	ck_assert_uint_eq(stats().devices, 0);
	update(&k, 1, 100, 5, CAMFENCE_DROP);
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam, buf, sizeof(buf)), "192.168.10.204");

	for (i = 1; i <= 5; i++) {
		a4[3] = i;
		camfence_flowtrack_neigh(t, cam, AF_INET, a4, false);
	}
	a6[15] = 1;
	camfence_flowtrack_neigh(t, cam, AF_INET6, a6, false);
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam, buf, sizeof(buf)),
			 "10.0.0.5 10.0.0.4 10.0.0.3 10.0.0.2 fe80::1");
	/* news again of one held: it becomes the newest */
	a4[3] = 3;
	camfence_flowtrack_neigh(t, cam, AF_INET, a4, false);
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam, buf, sizeof(buf)),
			 "10.0.0.3 10.0.0.5 10.0.0.4 10.0.0.2 fe80::1");
	a4[3] = 4;
	camfence_flowtrack_neigh(t, cam, AF_INET, a4, true);
	camfence_flowtrack_neigh(t, cam, AF_INET6, a6, true);
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam, buf, sizeof(buf)),
			 "10.0.0.3 10.0.0.5 10.0.0.2");
	/* the unspecified address (DHCP) and unknown families are not addresses */
	camfence_flowtrack_neigh(t, cam, AF_INET, (const uint8_t[4]){ 0 }, false);
	camfence_flowtrack_neigh(t, cam, AF_PACKET, a4, false);
	/* a short buffer gets whole addresses only */
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam, buf, 18), "10.0.0.3 10.0.0.5");
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam, buf, 17), "10.0.0.3");
	ck_assert_str_eq(camfence_flowtrack_addrs(t, cam2, buf, sizeof(buf)), "-");
}
END_TEST

/* Three flows to one destination: two source addresses, two interfaces. */
static void three_to_one(void)
{
	struct camfence_flow_key k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 32100);

	update(&k, 1, 60, 5, CAMFENCE_DROP);
	k = key(cam, "192.168.10.205", "203.0.113.7", IPPROTO_UDP, 32100);
	update(&k, 1, 60, 7, CAMFENCE_DROP);
	k.ifindex = 4;
	update(&k, 1, 60, 6, CAMFENCE_DROP);
	k = key(cam, "192.168.10.204", "198.51.100.1", IPPROTO_TCP, 443);
	update(&k, 9, 900, 5, CAMFENCE_PASS);
	k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 32101);
	update(&k, 1, 60, 5, CAMFENCE_DROP);
}

START_TEST(listing_merges_sources)
{
	json_object *root, *rows, *r;

	three_to_one();
	ck_assert_uint_eq(stats().flows, 5);
	root = reparsed(camfence_flowtrack_flows_json(t, NULL));
	rows = field(root, "flows");
	ck_assert_int_eq(json_object_array_length(rows), 3);
	r = json_object_array_get_idx(rows, 1);
	ck_assert_int_eq(num(r, "port"), 32100);
	ck_assert_int_eq(num(r, "packets"), 3);
	ck_assert_int_eq(num(r, "bytes"), 180);
	ck_assert_int_eq(num(r, "first_seen"), 1700000005);
	ck_assert_int_eq(num(r, "last_seen"), 1700000008);
	json_object_put(root);
	ck_assert_int_eq(device_num(cam, "destinations_blocked"), 2);
	ck_assert_int_eq(device_num(cam, "destinations_allowed"), 1);
}
END_TEST

START_TEST(print_flows_columns)
{
	struct camfence_flow_key k = key(cam2, "2001:db8::9", "2001:db8::1", IPPROTO_TCP, 80);
	char *out;

	three_to_one();
	update(&k, 2, 120, 5, CAMFENCE_PASS);
	out = printed(camfence_flowtrack_print_flows, NULL);
	assert_matches(out, "^DEVICE +GROUP +DESTINATION +PROTO +PORT +VERDICT +PACKETS +BYTES");
	assert_matches(out, "^44:19:b6:10:20:30 +cams +203\\.0\\.113\\.7 +udp +32100 +blocked +3 +180 ");
	/* by device, then packets descending, ties by destination */
	assert_matches(out, "\n44:19:b6:10:20:30 +cams +198\\.51\\.100\\.1 +tcp +443 +allowed +9 +900 [^\n]*\n"
			    "44:19:b6:10:20:30 [^\n]* 32100 [^\n]*\n"
			    "44:19:b6:10:20:30 [^\n]* 32101 [^\n]*\n"
			    "44:19:b6:10:20:31 +cams +2001:db8::1 +tcp +80 +allowed +2 +120 ");
	free(out);

	out = printed(camfence_flowtrack_print_flows, cam2);
	ck_assert_ptr_null(strstr(out, "44:19:b6:10:20:30"));
	assert_matches(out, "^44:19:b6:10:20:31 ");
	free(out);

	out = printed(print_devices, NULL);
	assert_matches(out, "^DEVICE +NAME +GROUP +VENDOR +ADDRESSES +ALLOWED +BLOCKED +PACKETS +DROPPED +LAST SEEN$");
	assert_matches(out, "^44:19:b6:10:20:30 +cam1 +cams +Hikvision +192\\.168\\.10\\.204 192\\.168\\.10\\.205 "
			    "+1 +2 +9 +4 +20[0-9-]+T[0-9:]+$\n44:19:b6:10:20:31 ");
	free(out);
}
END_TEST

START_TEST(json_parses_back)
{
	struct camfence_flow_key k = key(cam2, "2001:db8::9", "2001:db8::1", IPPROTO_UDP, 53);
	struct cf_flow_names unnamed = { NULL, NULL, NULL };
	struct camfence_flow e = entry(2, 120, 5, CAMFENCE_DROP);
	json_object *root, *d, *r, *addrs;

	three_to_one();
	camfence_flowtrack_update_xdp(t, &k, &e, &unnamed, WALL);

	root = reparsed(camfence_flowtrack_devices_json(t));
	ck_assert_int_eq(num(root, "evicted"), 0);
	ck_assert_int_eq(json_object_array_length(field(root, "devices")), 2);
	d = json_object_array_get_idx(field(root, "devices"), 0);
	ck_assert_str_eq(json_object_get_string(field(d, "mac")), "44:19:b6:10:20:30");
	ck_assert_str_eq(json_object_get_string(field(d, "name")), "cam1");
	addrs = field(d, "addresses");
	ck_assert_int_eq(json_object_array_length(addrs), 2);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(addrs, 0)), "192.168.10.204");
	ck_assert_int_eq(num(d, "first_seen"), 1700000005);
	ck_assert_int_eq(num(d, "last_seen"), 1700000014);
	ck_assert_int_eq(num(d, "passed_packets"), 9);
	ck_assert_int_eq(num(d, "passed_bytes"), 900);
	ck_assert_int_eq(num(d, "blocked_packets"), 4);
	ck_assert_int_eq(num(d, "blocked_bytes"), 240);
	ck_assert_int_eq(num(d, "destinations_allowed"), 1);
	ck_assert_int_eq(num(d, "destinations_blocked"), 2);
	d = json_object_array_get_idx(field(root, "devices"), 1);
	ck_assert(json_object_is_type(field(d, "name"), json_type_null));
	ck_assert(json_object_is_type(field(d, "vendor"), json_type_null));
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(field(d, "addresses"), 0)),
			 "2001:db8::9");
	json_object_put(root);

	root = reparsed(camfence_flowtrack_flows_json(t, cam2));
	ck_assert_int_eq(json_object_array_length(field(root, "flows")), 1);
	r = json_object_array_get_idx(field(root, "flows"), 0);
	ck_assert_str_eq(json_object_get_string(field(r, "mac")), "44:19:b6:10:20:31");
	ck_assert(json_object_is_type(field(r, "group"), json_type_null));
	ck_assert_str_eq(json_object_get_string(field(r, "family")), "ipv6");
	ck_assert_str_eq(json_object_get_string(field(r, "destination")), "2001:db8::1");
	ck_assert_str_eq(json_object_get_string(field(r, "protocol")), "udp");
	ck_assert_int_eq(num(r, "port"), 53);
	ck_assert_str_eq(json_object_get_string(field(r, "verdict")), "blocked");
	ck_assert_int_eq(num(r, "packets"), 2);
	ck_assert_int_eq(num(r, "bytes"), 120);
	ck_assert_int_eq(num(r, "rule_id"), 7);
	ck_assert_int_eq(num(r, "generation"), 2);
	json_object_put(root);

	root = reparsed(camfence_flowtrack_flows_json(t, (const uint8_t[6]){ 2 }));
	ck_assert_int_eq(json_object_array_length(field(root, "flows")), 0);
	json_object_put(root);
}
END_TEST

START_TEST(absurd_inputs)
{
	struct camfence_flow_key k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 1);
	struct camfence_flow e = entry(1, 100, 5, CAMFENCE_DROP);
	char long_group[64], vendor[64], buf[8];
	struct cf_flow_names n = { long_group, long_group, vendor };
	struct cf_flowtrack_stats s;
	struct cf_flowtrack *big;
	json_object *root, *d;

	errno = 0;
	ck_assert_ptr_null(camfence_flowtrack_new(0, 10));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(camfence_flowtrack_new(10, 0));
	ck_assert_int_eq(errno, EINVAL);
	big = camfence_flowtrack_new(SIZE_MAX, SIZE_MAX);	/* a bound, nothing reserved */
	ck_assert_ptr_nonnull(big);
	camfence_flowtrack_free(big);
	camfence_flowtrack_free(NULL);

	ck_assert_uint_eq(camfence_flowtrack_update_xdp(NULL, &k, &e, NULL, 0), 0);
	ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, NULL, &e, NULL, 0), 0);
	ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, &k, NULL, NULL, 0), 0);
	ck_assert_int_eq(camfence_flowtrack_event(t, NULL, NULL, 0), -1);
	k.family = AF_PACKET;
	ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, &k, &e, NULL, 0), 0);
	camfence_flowtrack_neigh(NULL, cam, AF_INET, k.saddr, false);
	camfence_flowtrack_neigh(t, NULL, AF_INET, k.saddr, false);
	ck_assert_str_eq(camfence_flowtrack_addrs(NULL, cam, buf, sizeof(buf)), "-");
	camfence_flowtrack_stats(NULL, &s);
	ck_assert_uint_eq(s.max_flows, 0);
	ck_assert_uint_eq(stats().flows, 0);
	ck_assert_uint_eq(stats().max_flows, 64);

	/* garbage past an IPv4 address is not another flow */
	k.family = AF_INET;
	ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, &k, &e, NULL, 0), 1);
	k.daddr[9] = 0xff;
	e.packets = 2;
	ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, &k, &e, NULL, 0), 1);
	ck_assert_uint_eq(stats().flows, 1);

	/* names cut to their field, never inside a UTF-8 character */
	memset(long_group, 'g', sizeof(long_group) - 1);
	long_group[sizeof(long_group) - 1] = '\0';
	memset(vendor, 'v', 46);
	strcpy(vendor + 46, "\xc3\xa9tag");	/* é at bytes 46..47 */
	e.packets = 3;
	camfence_flowtrack_update_xdp(t, &k, &e, &n, -(int64_t)(10 * SEC));
	root = reparsed(camfence_flowtrack_devices_json(t));
	d = json_object_array_get_idx(field(root, "devices"), 0);
	ck_assert_int_eq(strlen(json_object_get_string(field(d, "group"))), 31);
	ck_assert_int_eq(strlen(json_object_get_string(field(d, "name"))), 31);
	ck_assert_int_eq(strlen(json_object_get_string(field(d, "vendor"))), 46);
	/* a monotonic time before the epoch in wall time is 0, not a wrap */
	ck_assert_int_eq(num(d, "first_seen"), 0);
	json_object_put(root);

	/* one flow kept: each new one replaces the last */
	camfence_flowtrack_free(t);
	t = camfence_flowtrack_new(1, 1);
	k = key(cam, "192.168.10.204", "203.0.113.7", IPPROTO_UDP, 1);
	update(&k, 1, 100, 5, CAMFENCE_DROP);
	k.dport = 2;
	update(&k, 1, 100, 5, CAMFENCE_DROP);
	k = key(cam2, "192.168.10.205", "203.0.113.7", IPPROTO_UDP, 1);
	update(&k, 1, 100, 5, CAMFENCE_DROP);
	s = stats();
	ck_assert_uint_eq(s.devices, 1);
	ck_assert_uint_eq(s.flows, 1);
	ck_assert_uint_eq(s.devices_evicted, 1);
	ck_assert_uint_eq(s.flows_evicted, 2);
	ck_assert_int_eq(packets_to(cam2, 1), 1);
}
END_TEST

static void fill(int devices, int flows_each, int first_device)
{
	struct camfence_flow_key k = { .ifindex = 3, .family = AF_INET, .proto = IPPROTO_TCP };
	struct camfence_flow e = entry(1, 60, 5, CAMFENCE_PASS);
	int i, j;

	k.saddr[0] = 10;
	k.daddr[0] = 198;
	for (i = first_device; i < first_device + devices; i++) {
		k.mac[0] = 0x02;
		k.mac[3] = i >> 16;
		k.mac[4] = i >> 8;
		k.mac[5] = i;
		for (j = 0; j < flows_each; j++) {
			k.dport = 1000 + j;
			ck_assert_uint_eq(camfence_flowtrack_update_xdp(t, &k, &e, &names, WALL), 1);
		}
	}
}

START_TEST(scale_stays_bounded)
{
	struct cf_flowtrack_stats s;

	camfence_flowtrack_free(t);
	t = camfence_flowtrack_new(10000, 100000);
	fill(10000, 10, 0);
	s = stats();
	ck_assert_uint_eq(s.devices, 10000);
	ck_assert_uint_eq(s.flows, 100000);
	ck_assert_uint_eq(s.devices_evicted + s.flows_evicted, 0);
	/* 2,000 devices more: the oldest go, with their flows */
	fill(2000, 10, 10000);
	s = stats();
	ck_assert_uint_eq(s.devices, 10000);
	ck_assert_uint_eq(s.flows, 100000);
	ck_assert_uint_eq(s.devices_evicted, 2000);
	ck_assert_uint_eq(s.flows_evicted, 20000);

	/* flows bound before devices: 20 each over 10,000 devices */
	camfence_flowtrack_free(t);
	t = camfence_flowtrack_new(10000, 100000);
	fill(10000, 20, 0);
	s = stats();
	ck_assert_uint_eq(s.devices, 10000);
	ck_assert_uint_eq(s.flows, 100000);
	ck_assert_uint_eq(s.devices_evicted, 0);
	ck_assert_uint_eq(s.flows_evicted, 100000);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test);
	tcase_set_timeout(tc, 120);	/* the scale test under valgrind */
	suite_add_tcase(s, tc);
}

Suite *flowtrack_suite(void)
{
	Suite *s = suite_create("flowtrack");

	add(s, "deltas", deltas_across_updates);
	add(s, "recreated", recreated_entry_keeps_counts);
	add(s, "event", event_creates_flow_and_device);
	add(s, "latest", latest_names_and_verdict);
	add(s, "lru_flows", lru_evicts_least_recent_flow);
	add(s, "lru_order", lru_follows_touch_order);
	add(s, "lru_devices", device_eviction_takes_flows);
	add(s, "neigh", neighbour_addresses);
	add(s, "merge", listing_merges_sources);
	add(s, "print", print_flows_columns);
	add(s, "json", json_parses_back);
	add(s, "limits", absurd_inputs);
	add(s, "scale", scale_stays_bounded);
	return s;
}
