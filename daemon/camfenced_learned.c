// SPDX-License-Identifier: GPL-2.0
/*
 * `allow|deny to name PATTERN`: camfenced learns what DNS tells each device.
 * The DNS snooper (dns_snoop.c) copies every response leaving a zone
 * interface; each is read (dns_answer.c), believed only when the device's
 * policy lets it ask that resolver (another device cannot plant answers),
 * and its addresses are kept for the device that was told (learned.c) for
 * their TTL plus a grace. Each (device, address) becomes a learned map
 * entry, in XDP and in camfence.ko, listing the name rules that name it;
 * a new policy generation gets the entries found again in its own devices
 * before it is published.
 */
#include <errno.h>
#include <json-c/json.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>
#include <time.h>

#include "camfenced.h"
#include "dns_answer.h"
#include "dns_snoop.h"
#include "kmod_client.h"
#include "learned.h"
#include "log.h"
#include "policy_compile.h"
#include "policy_match.h"
#include "ratelimit.h"

#define LEARNED_GRACE	10	/* seconds a learned address outlives its TTL */

static const char *const drop_names[] = {
	[LEARN_UNMANAGED] = "not to a managed device",
	[LEARN_RESOLVER] = "from a resolver the device may not ask",
	[LEARN_NO_RULE] = "for a name no rule of the device names",
	[LEARN_FULL] = "the learned table is full",
	[LEARN_MAP] = "the learned map refused the entry",
};

static uint64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static __u32 live_slot(const struct daemon *d)
{
	return camfence_loader_generation(d->loader) & 1;
}

static void key_of(struct camfence_learned_key *k, __u32 slot, __u32 device_id,
		   const struct cf_learned_dest *dest)
{
	memset(k, 0, sizeof(*k));
	k->slot = slot;
	k->device_id = device_id;
	memcpy(k->mac, dest->dev.mac, 6);
	k->family = dest->dst.family;
	memcpy(k->addr, dest->dst.addr, 16);
}

/* The learned map's value for dest under compiled c (slot c->slot, its
 * maps staged or live): 0 and *k filled, or -ENOENT when the device is
 * unknown there or no rule names what it was told. */
static int value_of(struct daemon *d, const struct cf_compiled *c, const struct cf_config *cfg,
		    const struct cf_learned_dest *dest, struct camfence_learned_key *k,
		    struct camfence_learned *v)
{
	const char *names[CF_LEARNED_NAMES];
	__u32 device_id, policy;
	size_t n;

	if (camfence_loader_find_device(d->loader, c->slot, dest->dev.ifindex, dest->dev.vlan,
					dest->dev.mac, dest->dev.family, dest->dev.addr, &device_id,
					&policy) || !device_id)
		return -ENOENT;
	key_of(k, c->slot, device_id, dest);
	n = camfence_learned_names(dest, names, CF_LEARNED_NAMES);
	if (!camfence_policy_learned_value(c, cfg, policy, names, n, v))
		return -ENOENT;
	return 0;
}

/* Take dest out of the live policy, XDP and module alike, by the device
 * id it has there, if the device is still known. */
static void remove_dest(struct daemon *d, const struct cf_learned_dest *dest)
{
	struct camfence_learned_key k;
	__u32 device_id, policy;

	if (camfence_loader_find_device(d->loader, live_slot(d), dest->dev.ifindex, dest->dev.vlan,
					dest->dev.mac, dest->dev.family, dest->dev.addr, &device_id,
					&policy) || !device_id)
		return;
	key_of(&k, live_slot(d), device_id, dest);
	camfence_loader_learned_del(d->loader, &k);
	if (d->kmod && d->cur.kmod_number)
		camfence_kmod_learned_del(d->kmod, d->cur.kmod_number, &k);
	d->learned_dirty = 1;
}

/* Write what dest holds now into the live policy, XDP and module alike;
 * a dest with nothing left (or nothing a rule names) is removed. */
static void apply(struct daemon *d, const struct cf_learned_dest *dest)
{
	struct camfence_learned_key k;
	struct camfence_learned v;
	int ret;

	if (!d->cur.compiled)
		return;
	if (!dest->nnames || value_of(d, d->cur.compiled, d->cur.cfg, dest, &k, &v)) {
		remove_dest(d, dest);
		return;
	}
	ret = camfence_loader_learned_set(d->loader, &k, &v);
	if (ret) {
		d->learn_drops[LEARN_MAP]++;
		camfence_log(LOG_WARNING, "learned map: %s; the device stays blocked there",
			     strerror(-ret));
		return;
	}
	if (d->kmod && d->cur.kmod_number) {
		ret = camfence_kmod_learned_set(d->kmod, d->cur.kmod_number, &k, &v);
		if (ret && ret != -ESTALE)
			camfence_log(LOG_WARNING, "camfence.ko: learned destination refused: %s",
				     strerror(-ret));
	}
	d->learned_dirty = 1;
}

/* Would the device's policy let it ask this resolver (UDP 53)? An answer
 * from anyone else is not believed. */
static int resolver_allowed(struct daemon *d, const struct camfence_dns_record *rec)
{
	struct cf_packet pkt = { .vlan = rec->vlan, .family = rec->family,
				 .proto = IPPROTO_UDP, .sport = rec->dport, .dport = 53,
				 .icmp6_type = -1, .routed = 1 };
	char ifname[IF_NAMESIZE];
	struct cf_decision dec;

	if (!if_indextoname(rec->ifindex, ifname))
		return 0;
	pkt.ifname = ifname;
	memcpy(pkt.mac, rec->dst_mac, 6);
	memcpy(pkt.saddr, rec->daddr, 16);
	memcpy(pkt.daddr, rec->saddr, 16);
	camfence_policy_match(d->cur.cfg, &pkt, &dec);
	return dec.verdict == CAMFENCE_PASS;
}

static void dropped(struct daemon *d, int why, const struct camfence_dns_record *rec,
		    const char *detail)
{
	static struct cf_bucket bucket;
	char mac[18];
	struct timespec ts;

	d->learn_drops[why]++;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* a device that floods forged answers must not flood the log */
	if (why == LEARN_RESOLVER &&
	    camfence_ratelimit_allow(&bucket, ts.tv_sec * 1000000000ULL + ts.tv_nsec, 10, 60))
		camfence_log(LOG_WARNING, "DNS answer to %s not believed: %s%s%s",
			     camfence_addr_mac_str(rec->dst_mac, mac), drop_names[why],
			     detail ? ": " : "", detail ? detail : "");
}

static int on_response(const struct camfence_dns_record *rec, const __u8 *msg, void *ctx)
{
	struct daemon *d = ctx;
	struct cf_learned_device dev = { .ifindex = rec->ifindex, .vlan = rec->vlan,
					 .family = rec->family };
	struct camfence_learned v;
	struct cf_dns_answer a;
	__u32 device_id, policy;
	const char *names[1];
	uint64_t now = now_s();
	int ret;
	size_t i;

	if (!d->cur.compiled)
		return 0;
	ret = camfence_dns_answer_parse(msg, rec->copied, &a, NULL);
	d->dns_results[ret < CF_DNS_NRESULTS ? ret : CF_DNS_MALFORMED]++;
	if (ret != CF_DNS_OK)
		goto out;
	if (camfence_loader_find_device(d->loader, live_slot(d), rec->ifindex, rec->vlan,
					rec->dst_mac, rec->family, rec->daddr, &device_id, &policy) ||
	    !device_id) {
		dropped(d, LEARN_UNMANAGED, rec, NULL);
		goto out;
	}
	names[0] = a.qname;
	if (!camfence_policy_learned_value(d->cur.compiled, d->cur.cfg, policy, names, 1, &v)) {
		dropped(d, LEARN_NO_RULE, rec, NULL);
		goto out;
	}
	if (!resolver_allowed(d, rec)) {
		dropped(d, LEARN_RESOLVER, rec, a.qname);
		goto out;
	}
	memcpy(dev.mac, rec->dst_mac, 6);
	memcpy(dev.addr, rec->daddr, 16);
	for (i = 0; i < a.naddrs; i++) {
		const struct cf_learned_dest *dest;
		int added;

		dest = camfence_learned_add(d->learned, &dev, &a.addrs[i].addr, a.qname,
					    a.addrs[i].ttl, now, &added);
		if (!dest) {
			dropped(d, LEARN_FULL, rec, NULL);
			continue;
		}
		d->learned_answers++;
		if (added)
			apply(d, dest);
	}
out:
	camfence_dns_answer_free(&a);
	return 0;
}

/* The snooper goes where the policy's zone interfaces are, when a rule
 * names names; elsewhere, or without such rules, it is taken away. */
void camfenced_learned_reconcile(struct daemon *d)
{
	const struct cf_compiled *c = d->cur.compiled;
	int want = c && camfence_policy_uses_learned(d->cur.cfg);
	char err[256];
	size_t i, j;

	if (!d->snoop)
		return;
	for (i = 0; want && i < c->ifaces.n; i++) {
		int ifindex = c->ifaces.v[i].key.ifindex;

		for (j = 0; j < d->nsnooped; j++)
			if (d->snooped[j] == ifindex)
				break;
		if (j < d->nsnooped || !ifindex || d->nsnooped == CAMFENCE_MAX_IFACES)
			continue;
		if (camfence_dns_snoop_attach(d->snoop, ifindex, err, sizeof(err))) {
			camfence_log(LOG_ERR, "%s; devices there learn nothing from DNS: name rules match nothing of theirs",
				     err);
			continue;
		}
		d->snooped[d->nsnooped++] = ifindex;
	}
	for (i = 0; i < d->nsnooped;) {
		for (j = 0; want && j < c->ifaces.n; j++)
			if ((int)c->ifaces.v[j].key.ifindex == d->snooped[i])
				break;
		if (want && j < c->ifaces.n) {
			i++;
			continue;
		}
		camfence_dns_snoop_detach(d->snoop, d->snooped[i], err, sizeof(err));
		d->snooped[i] = d->snooped[--d->nsnooped];
	}
}

int camfenced_learned_start(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = CAMFENCED_TAG_DNS_SNOOP };
	char err[256];

	d->learned = camfence_learned_new(CAMFENCE_MAX_LEARNED / 2, LEARNED_GRACE);
	if (!d->learned) {
		camfence_log(LOG_ERR, "out of memory");
		return -1;
	}
	if (camfence_dns_snoop_open(&d->snoop, on_response, d, err, sizeof(err))) {
		/* the rest of the policy is enforced; name rules match nothing */
		camfence_log(LOG_WARNING, "%s; 'to name' rules match nothing", err);
		d->snoop = NULL;
		return 0;
	}
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, camfence_dns_snoop_fd(d->snoop), &ev)) {
		camfence_log(LOG_ERR, "cannot watch the DNS snooper: %s", strerror(errno));
		return -1;
	}
	camfenced_learned_reconcile(d);
	return 0;
}

static void bump(struct daemon *d)
{
	if (!d->learned_dirty)
		return;
	d->learned_dirty = 0;
	camfence_loader_bump_epoch(d->loader);
}

void camfenced_learned_read(struct daemon *d)
{
	camfence_dns_snoop_consume(d->snoop);
	bump(d);
}

static void expired(const struct cf_learned_dest *dest, void *ctx)
{
	apply(ctx, dest);
}

void camfenced_learned_tick(struct daemon *d)
{
	if (!d->learned)
		return;
	camfence_learned_expire(d->learned, now_s(), expired, d);
	bump(d);
}

struct restage {
	struct daemon *d;
	struct cf_compiled *c;
	const struct cf_config *cfg;
};

static void restage_one(const struct cf_learned_dest *dest, void *arg)
{
	struct restage *r = arg;
	struct cf_learned_entry e;

	if (value_of(r->d, r->c, r->cfg, dest, &e.key, &e.val))
		return;
	*CF_VEC_PUSH(r->c->learned) = e;
}

int camfenced_learned_stage(struct daemon *d, struct cf_compiled *c, const struct cf_config *cfg)
{
	struct restage r = { d, c, cfg };

	c->learned.n = 0;
	if (d->learned && camfence_policy_uses_learned(cfg))
		camfence_learned_foreach(d->learned, restage_one, &r);
	return 0;
}

static void forget(const struct cf_learned_dest *dest, void *ctx)
{
	remove_dest(ctx, dest);
}

void camfenced_learned_stop(struct daemon *d)
{
	/* nobody is left to expire what was learned: it goes now, and what
	 * only DNS allowed is blocked until camfenced learns it again */
	if (d->learned && d->loader && d->cur.compiled)
		camfence_learned_foreach(d->learned, forget, d);
	if (d->loader)
		bump(d);
	camfence_dns_snoop_close(d->snoop);
	d->snoop = NULL;
	d->nsnooped = 0;
	camfence_learned_free(d->learned);
	d->learned = NULL;
}

struct listing {
	struct daemon *d;
	json_object *arr;
	uint64_t now;
};

static void list_one(const struct cf_learned_dest *dest, void *arg)
{
	struct listing *l = arg;
	json_object *x = json_object_new_object(), *names = json_object_new_array();
	char buf[INET6_ADDRSTRLEN + 8], mac[18], ifname[IF_NAMESIZE];
	struct cf_prefix dev = { .family = dest->dev.family, .len = dest->dev.family == AF_INET ? 32 : 128 };
	size_t i;

	json_object_object_add(x, "mac", json_object_new_string(camfence_addr_mac_str(dest->dev.mac, mac)));
	memcpy(dev.addr, dest->dev.addr, 16);
	camfence_addr_prefix_str(&dev, buf, sizeof(buf));
	buf[strcspn(buf, "/")] = '\0';
	json_object_object_add(x, "device_address", json_object_new_string(buf));
	json_object_object_add(x, "interface", if_indextoname(dest->dev.ifindex, ifname) ?
			       json_object_new_string(ifname) : NULL);
	camfence_addr_prefix_str(&dest->dst, buf, sizeof(buf));
	buf[strcspn(buf, "/")] = '\0';
	json_object_object_add(x, "address", json_object_new_string(buf));
	for (i = 0; i < dest->nnames; i++) {
		json_object *n = json_object_new_object();

		json_object_object_add(n, "name", json_object_new_string(dest->names[i].name));
		json_object_object_add(n, "ttl", json_object_new_int64(dest->names[i].ttl));
		json_object_object_add(n, "expires_in",
				       json_object_new_int64(dest->names[i].expires - l->now));
		json_object_array_add(names, n);
	}
	json_object_object_add(x, "names", names);
	json_object_array_add(l->arr, x);
}

static const char *const result_keys[CF_DNS_NRESULTS] = {
	[CF_DNS_OK] = "learned", [CF_DNS_NO_ADDRESS] = "no_address",
	[CF_DNS_OTHER_QUESTION] = "other_question", [CF_DNS_NOT_RESPONSE] = "not_response",
	[CF_DNS_NOT_QUERY] = "not_query", [CF_DNS_QUESTION_COUNT] = "question_count",
	[CF_DNS_TRUNCATED] = "truncated", [CF_DNS_RCODE] = "rcode",
	[CF_DNS_MALFORMED] = "malformed", [CF_DNS_NOMEM] = "no_memory",
};

static const char *const drop_keys[LEARN_NDROPS] = {
	[LEARN_UNMANAGED] = "unmanaged_device", [LEARN_RESOLVER] = "resolver_not_allowed",
	[LEARN_NO_RULE] = "no_rule_names_it", [LEARN_FULL] = "table_full",
	[LEARN_MAP] = "map_refused",
};

json_object *camfenced_learned_json(struct daemon *d)
{
	struct listing l = { d, json_object_new_array(), now_s() };
	json_object *o = json_object_new_object(), *cnt = json_object_new_object();
	struct camfence_dns_counters sc = { 0 };
	size_t i;

	if (d->learned)
		camfence_learned_foreach(d->learned, list_one, &l);
	json_object_object_add(o, "snooping", json_object_new_int64(d->nsnooped));
	json_object_object_add(o, "learned", l.arr);
	if (d->snoop)
		camfence_dns_snoop_counters(d->snoop, &sc);
	json_object_object_add(cnt, "responses_copied", json_object_new_int64(sc.copied));
	json_object_object_add(cnt, "responses_lost", json_object_new_int64(sc.lost));
	json_object_object_add(cnt, "fragments", json_object_new_int64(sc.fragments));
	json_object_object_add(cnt, "cut", json_object_new_int64(sc.truncated));
	for (i = 0; i < CF_DNS_NRESULTS; i++)
		if (result_keys[i])
			json_object_object_add(cnt, result_keys[i],
					       json_object_new_int64(d->dns_results[i]));
	for (i = 0; i < LEARN_NDROPS; i++)
		json_object_object_add(cnt, drop_keys[i], json_object_new_int64(d->learn_drops[i]));
	json_object_object_add(o, "counters", cnt);
	return o;
}

void camfenced_learned_print(json_object *o, FILE *f)
{
	json_object *arr = json_object_object_get(o, "learned");
	json_object_iter it;
	size_t i, j;

	fprintf(f, "ok\n");
	if (!json_object_array_length(arr))
		fprintf(f, "no device was told a name a rule names\n");
	for (i = 0; i < json_object_array_length(arr); i++) {
		json_object *x = json_object_array_get_idx(arr, i);
		json_object *names = json_object_object_get(x, "names");

		fprintf(f, "%s %s -> %s\n", json_object_get_string(json_object_object_get(x, "mac")),
			json_object_get_string(json_object_object_get(x, "device_address")),
			json_object_get_string(json_object_object_get(x, "address")));
		for (j = 0; j < json_object_array_length(names); j++) {
			json_object *n = json_object_array_get_idx(names, j);

			fprintf(f, "  %s  TTL %lld s  kept %lld s more\n",
				json_object_get_string(json_object_object_get(n, "name")),
				(long long)json_object_get_int64(json_object_object_get(n, "ttl")),
				(long long)json_object_get_int64(json_object_object_get(n, "expires_in")));
		}
	}
	fprintf(f, "counters:");
	json_object_object_foreachC(json_object_object_get(o, "counters"), it)
		fprintf(f, " %s %lld", it.key, (long long)json_object_get_int64(it.val));
	fprintf(f, "\n");
	json_object_put(o);
}

/* `camfencectl devices`: each device's learned destinations beside it. */
void camfenced_learned_devices_json(struct daemon *d, json_object *root)
{
	json_object *devs = json_object_object_get(root, "devices");
	json_object *all = camfenced_learned_json(d), *learned;
	size_t i, j;

	learned = json_object_object_get(all, "learned");
	for (i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *dev = json_object_array_get_idx(devs, i), *mine = json_object_new_array();
		const char *mac = json_object_get_string(json_object_object_get(dev, "mac"));

		for (j = 0; mac && j < json_object_array_length(learned); j++) {
			json_object *x = json_object_array_get_idx(learned, j);

			if (strcmp(json_object_get_string(json_object_object_get(x, "mac")), mac))
				continue;
			json_object_array_add(mine, json_object_get(x));
		}
		json_object_object_add(dev, "learned", mine);
	}
	json_object_put(all);
}

void camfenced_learned_devices_text(struct daemon *d, FILE *f)
{
	json_object *all = camfenced_learned_json(d), *learned;
	size_t i, j;

	learned = json_object_object_get(all, "learned");
	if (json_object_array_length(learned))
		fprintf(f, "\nlearned from DNS (`to name` rules):\n");
	for (i = 0; i < json_object_array_length(learned); i++) {
		json_object *x = json_object_array_get_idx(learned, i);
		json_object *names = json_object_object_get(x, "names");

		for (j = 0; j < json_object_array_length(names); j++) {
			json_object *n = json_object_array_get_idx(names, j);

			fprintf(f, "%s was told %s is %s, %lld s left\n",
				json_object_get_string(json_object_object_get(x, "mac")),
				json_object_get_string(json_object_object_get(x, "address")),
				json_object_get_string(json_object_object_get(n, "name")),
				(long long)json_object_get_int64(json_object_object_get(n, "expires_in")));
		}
	}
	json_object_put(all);
}
