// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "state_file.h"

static const char *const verdict_names[] = {
	[CAMFENCE_PASS] = "allowed",
	[CAMFENCE_DROP] = "blocked",
	[CAMFENCE_WOULD_DROP] = "would-block",
};

#define NVERDICTS (sizeof(verdict_names) / sizeof(verdict_names[0]))

/* ---- writing ----
 *
 * Streamed with fprintf, not built as json-c objects: a full view (100,000
 * flows) is written in a fraction of the time, and the loop that writes it
 * is camfenced's only one. The text is the same compact JSON. */

static unsigned long long u64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : v;	/* what a JSON reader takes as an integer */
}

/* A name from the policy or the OUI registry, escaped as JSON. */
static int put_str(FILE *f, const char *s)
{
	json_object *o = json_object_new_string(s);
	int ret = o ? fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE), f) : -1;

	json_object_put(o);
	return ret < 0 ? -ENOMEM : 0;
}

struct writer {
	FILE *f;
	size_t n;	/* records written to the current array */
};

static int device_out(const struct cf_flow_device_record *r, void *ctx)
{
	struct writer *w = ctx;
	char mac[18], a[INET6_ADDRSTRLEN];
	int i;

	fprintf(w->f, "%s{\"mac\":\"%s\",\"name\":", w->n++ ? "," : "",
		camfence_addr_mac_str(r->mac, mac));
	if (put_str(w->f, r->name) || fputs(",\"group\":", w->f) < 0 || put_str(w->f, r->group) ||
	    fputs(",\"vendor\":", w->f) < 0 || put_str(w->f, r->vendor))
		return -ENOMEM;
	fprintf(w->f, ",\"first_seen\":%u,\"last_seen\":%u,\"passed_packets\":%llu,"
		"\"passed_bytes\":%llu,\"blocked_packets\":%llu,\"blocked_bytes\":%llu,\"ipv4\":[",
		r->first_seen, r->last_seen, u64(r->pass_pkts), u64(r->pass_bytes),
		u64(r->drop_pkts), u64(r->drop_bytes));
	for (i = 0; i < r->n4; i++)
		fprintf(w->f, "%s\"%s\"", i ? "," : "", inet_ntop(AF_INET, r->v4[i], a, sizeof(a)));
	fputs("],\"ipv6\":[", w->f);
	for (i = 0; i < r->n6; i++)
		fprintf(w->f, "%s\"%s\"", i ? "," : "", inet_ntop(AF_INET6, r->v6[i], a, sizeof(a)));
	return fputs("]}", w->f) < 0 ? -EIO : 0;
}

static int flow_out(const struct cf_flow_record *r, void *ctx)
{
	struct writer *w = ctx;
	char mac[18], src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	inet_ntop(r->family, r->saddr, src, sizeof(src));
	inet_ntop(r->family, r->daddr, dst, sizeof(dst));
	return fprintf(w->f, "%s{\"mac\":\"%s\",\"ifindex\":%u,\"vlan\":%u,\"source\":\"%s\","
		       "\"destination\":\"%s\",\"protocol\":%u,\"port\":%u,\"verdict\":\"%s\","
		       "\"packets\":%llu,\"bytes\":%llu,\"first_seen\":%u,\"last_seen\":%u,"
		       "\"xdp_first\":%u,\"xdp_packets\":%llu,\"xdp_bytes\":%llu}",
		       w->n++ ? "," : "", camfence_addr_mac_str(r->mac, mac), r->ifindex, r->vlan,
		       src, dst, r->proto, r->dport,
		       r->verdict < NVERDICTS && verdict_names[r->verdict] ? verdict_names[r->verdict] : "?",
		       u64(r->packets), u64(r->bytes), r->first_seen, r->last_seen, r->xdp_first,
		       u64(r->xdp_packets), u64(r->xdp_bytes)) < 0 ? -EIO : 0;
}

int camfence_state_save(const struct cf_flowtrack *t, const char *dir, time_t now, char *err,
			size_t errlen)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	struct writer w = { 0 };
	int fd, dfd, bad;

	if (snprintf(path, sizeof(path), "%s/%s", dir, CF_STATE_FILE) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, CF_STATE_FILE) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	/* mkstemp makes it 0600: never readable by others, even for a moment */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file in %s: %s", dir, strerror(errno));
		return -1;
	}
	w.f = fdopen(fd, "w");
	if (!w.f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	fprintf(w.f, "{\"version\":%d,\"written\":%lld,\"devices\":[", CF_STATE_VERSION,
		(long long)(now < 0 ? 0 : now));
	bad = camfence_flowtrack_walk(t, device_out, NULL, &w);
	fputs("],\"flows\":[", w.f);
	w.n = 0;
	if (!bad)
		bad = camfence_flowtrack_walk(t, NULL, flow_out, &w);
	fputs("]}\n", w.f);
	errno = 0;
	if (bad || fflush(w.f) || ferror(w.f) || fchmod(fd, 0600) || fsync(fd)) {
		snprintf(err, errlen, "%s: %s", tmp, errno ? strerror(errno) : "out of memory");
		fclose(w.f);
		unlink(tmp);
		return -1;
	}
	if (fclose(w.f)) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* the rename itself survives a power cut only once the directory is synced */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ---- reading: every value is checked before anything is used ---- */

struct loaded {
	struct cf_flow_device_record *devs;
	struct cf_flow_record *flows;
	size_t ndevs, nflows;
};

static json_object *member(json_object *o, const char *key, enum json_type type, const char *what,
			   size_t i, char *why, size_t len)
{
	json_object *x;

	if (!json_object_object_get_ex(o, key, &x) || !json_object_is_type(x, type)) {
		snprintf(why, len, "%s %zu: \"%s\" is missing or not a%s %s", what, i, key,
			 type == json_type_int ? "n" : "",
			 type == json_type_int ? "integer" : type == json_type_string ? "string" :
			 "array");
		return NULL;
	}
	return x;
}

static int get_uint(json_object *o, const char *key, uint64_t max, uint64_t *out,
		    const char *what, size_t i, char *why, size_t len)
{
	json_object *x = member(o, key, json_type_int, what, i, why, len);
	int64_t v;

	if (!x)
		return -1;
	errno = 0;
	v = json_object_get_int64(x);
	if (errno || v < 0 || (uint64_t)v > max) {
		snprintf(why, len, "%s %zu: \"%s\" %s is out of range (0 to %" PRIu64 ")", what, i,
			 key, json_object_get_string(x), max);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

static int get_text(json_object *o, const char *key, char *dst, size_t cap, const char *what,
		    size_t i, char *why, size_t len)
{
	json_object *x = member(o, key, json_type_string, what, i, why, len);

	if (!x)
		return -1;
	if ((size_t)json_object_get_string_len(x) >= cap ||
	    strlen(json_object_get_string(x)) != (size_t)json_object_get_string_len(x)) {
		snprintf(why, len, "%s %zu: \"%s\" is longer than %zu bytes", what, i, key, cap - 1);
		return -1;
	}
	strcpy(dst, json_object_get_string(x));
	return 0;
}

static int get_mac(json_object *o, uint8_t mac[6], const char *what, size_t i, char *why,
		   size_t len)
{
	json_object *x = member(o, "mac", json_type_string, what, i, why, len);

	if (!x)
		return -1;
	if (camfence_addr_parse_mac(json_object_get_string(x), mac)) {
		snprintf(why, len, "%s %zu: \"mac\" '%.40s' is not a MAC address", what, i,
			 json_object_get_string(x));
		return -1;
	}
	return 0;
}

/* An address of family (0: either, set to the one found). */
static int get_addr(json_object *o, const char *key, int *family, uint8_t *out, const char *what,
		    size_t i, char *why, size_t len)
{
	json_object *x = member(o, key, json_type_string, what, i, why, len);
	const char *s;

	if (!x)
		return -1;
	s = json_object_get_string(x);
	if ((!*family || *family == AF_INET) && inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if ((!*family || *family == AF_INET6) && inet_pton(AF_INET6, s, out) == 1) {
		*family = AF_INET6;
		return 0;
	}
	snprintf(why, len, "%s %zu: \"%s\" '%.48s' is not an %saddress", what, i, key, s,
		 *family == AF_INET ? "IPv4 " : *family == AF_INET6 ? "IPv6 " : "IP ");
	return -1;
}

static int addr_list(json_object *o, const char *key, int family, uint8_t *out, uint8_t *n,
		     size_t i, char *why, size_t len)
{
	json_object *arr = member(o, key, json_type_array, "device", i, why, len);
	size_t k, alen = family == AF_INET ? 4 : 16;

	if (!arr)
		return -1;
	if (json_object_array_length(arr) > 4) {
		snprintf(why, len, "device %zu: more than 4 addresses in \"%s\"", i, key);
		return -1;
	}
	for (k = 0; k < json_object_array_length(arr); k++) {
		json_object *x = json_object_array_get_idx(arr, k);
		int fam = family;

		if (!json_object_is_type(x, json_type_string) ||
		    inet_pton(fam, json_object_get_string(x), out + k * alen) != 1) {
			snprintf(why, len, "device %zu: \"%s\" holds something not an %s address", i,
				 key, family == AF_INET ? "IPv4" : "IPv6");
			return -1;
		}
	}
	*n = k;
	return 0;
}

static int parse_device(json_object *o, size_t i, struct cf_flow_device_record *r, char *why,
			size_t len)
{
	uint64_t first, last;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, len, "device %zu is not an object", i);
		return -1;
	}
	if (get_mac(o, r->mac, "device", i, why, len) ||
	    get_text(o, "name", r->name, sizeof(r->name), "device", i, why, len) ||
	    get_text(o, "group", r->group, sizeof(r->group), "device", i, why, len) ||
	    get_text(o, "vendor", r->vendor, sizeof(r->vendor), "device", i, why, len) ||
	    get_uint(o, "first_seen", UINT32_MAX, &first, "device", i, why, len) ||
	    get_uint(o, "last_seen", UINT32_MAX, &last, "device", i, why, len) ||
	    get_uint(o, "passed_packets", INT64_MAX, &r->pass_pkts, "device", i, why, len) ||
	    get_uint(o, "passed_bytes", INT64_MAX, &r->pass_bytes, "device", i, why, len) ||
	    get_uint(o, "blocked_packets", INT64_MAX, &r->drop_pkts, "device", i, why, len) ||
	    get_uint(o, "blocked_bytes", INT64_MAX, &r->drop_bytes, "device", i, why, len) ||
	    addr_list(o, "ipv4", AF_INET, r->v4[0], &r->n4, i, why, len) ||
	    addr_list(o, "ipv6", AF_INET6, r->v6[0], &r->n6, i, why, len))
		return -1;
	if (first > last) {
		snprintf(why, len, "device %zu: first seen after last seen", i);
		return -1;
	}
	r->first_seen = first;
	r->last_seen = last;
	return 0;
}

static int parse_flow(json_object *o, size_t i, struct cf_flow_record *r, char *why, size_t len)
{
	uint64_t ifindex, vlan, proto, port, first, last, xfirst;
	int family = 0;
	json_object *v;
	size_t k;

	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, len, "flow %zu is not an object", i);
		return -1;
	}
	if (get_mac(o, r->mac, "flow", i, why, len) ||
	    get_uint(o, "ifindex", INT32_MAX, &ifindex, "flow", i, why, len) ||
	    get_uint(o, "vlan", 4095, &vlan, "flow", i, why, len) ||
	    get_addr(o, "destination", &family, r->daddr, "flow", i, why, len) ||
	    get_addr(o, "source", &family, r->saddr, "flow", i, why, len) ||
	    get_uint(o, "protocol", 255, &proto, "flow", i, why, len) ||
	    get_uint(o, "port", 65535, &port, "flow", i, why, len) ||
	    get_uint(o, "packets", INT64_MAX, &r->packets, "flow", i, why, len) ||
	    get_uint(o, "bytes", INT64_MAX, &r->bytes, "flow", i, why, len) ||
	    get_uint(o, "first_seen", UINT32_MAX, &first, "flow", i, why, len) ||
	    get_uint(o, "last_seen", UINT32_MAX, &last, "flow", i, why, len) ||
	    get_uint(o, "xdp_first", UINT32_MAX, &xfirst, "flow", i, why, len) ||
	    get_uint(o, "xdp_packets", INT64_MAX, &r->xdp_packets, "flow", i, why, len) ||
	    get_uint(o, "xdp_bytes", INT64_MAX, &r->xdp_bytes, "flow", i, why, len) ||
	    !(v = member(o, "verdict", json_type_string, "flow", i, why, len)))
		return -1;
	for (k = 0; k < NVERDICTS; k++)
		if (verdict_names[k] && !strcmp(json_object_get_string(v), verdict_names[k]))
			break;
	if (k == NVERDICTS) {
		snprintf(why, len, "flow %zu: \"verdict\" '%.20s' is none of allowed, blocked, would-block",
			 i, json_object_get_string(v));
		return -1;
	}
	if (first > last) {
		snprintf(why, len, "flow %zu: first seen after last seen", i);
		return -1;
	}
	r->verdict = k;
	r->family = family;
	r->ifindex = ifindex;
	r->vlan = vlan;
	r->proto = proto;
	r->dport = port;
	r->first_seen = first;
	r->last_seen = last;
	r->xdp_first = xfirst;
	return 0;
}

static int by_mac(const void *a, const void *b)
{
	return memcmp(((const struct cf_flow_device_record *)a)->mac,
		      ((const struct cf_flow_device_record *)b)->mac, 6);
}

/* A flow's key in the view: the same key twice is no file camfenced wrote. */
static int by_flow_key(const void *x, const void *y)
{
	const struct cf_flow_record *a = *(const struct cf_flow_record *const *)x;
	const struct cf_flow_record *b = *(const struct cf_flow_record *const *)y;
	int c = memcmp(a->mac, b->mac, 6);

	if (!c)
		c = (a->ifindex > b->ifindex) - (a->ifindex < b->ifindex);
	if (!c)
		c = (int)a->vlan - (int)b->vlan;
	if (!c)
		c = (int)a->family - (int)b->family;
	if (!c)
		c = (int)a->proto - (int)b->proto;
	if (!c)
		c = (int)a->dport - (int)b->dport;
	if (!c)
		c = memcmp(a->saddr, b->saddr, 16);
	if (!c)
		c = memcmp(a->daddr, b->daddr, 16);
	return c;
}

static int flows_unique(const struct loaded *l, char *why, size_t len)
{
	const struct cf_flow_record **v = calloc(l->nflows + 1, sizeof(*v));
	size_t i;
	int ret = 0;

	if (!v) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	for (i = 0; i < l->nflows; i++)
		v[i] = &l->flows[i];
	qsort(v, l->nflows, sizeof(*v), by_flow_key);
	for (i = 1; i < l->nflows && !ret; i++)
		if (!by_flow_key(&v[i - 1], &v[i])) {
			/* the later of the two in the file */
			snprintf(why, len, "flow %zu is listed twice",
				 (size_t)(v[i] > v[i - 1] ? v[i] - l->flows : v[i - 1] - l->flows));
			ret = -1;
		}
	free(v);
	return ret;
}

static int parse_root(json_object *root, struct loaded *l, char *why, size_t len)
{
	json_object *devs, *flows, *v;
	struct cf_flow_device_record *sorted;
	size_t i;

	if (!json_object_is_type(root, json_type_object)) {
		snprintf(why, len, "not a JSON object");
		return -1;
	}
	if (!json_object_object_get_ex(root, "version", &v) || !json_object_is_type(v, json_type_int)) {
		snprintf(why, len, "no \"version\"");
		return -1;
	}
	if (json_object_get_int64(v) != CF_STATE_VERSION) {
		snprintf(why, len, "version %s, this camfenced reads version %d only",
			 json_object_get_string(v), CF_STATE_VERSION);
		return -1;
	}
	if (!(devs = member(root, "devices", json_type_array, "file", 0, why, len)) ||
	    !(flows = member(root, "flows", json_type_array, "file", 0, why, len)))
		return -1;
	l->ndevs = json_object_array_length(devs);
	l->nflows = json_object_array_length(flows);
	l->devs = calloc(l->ndevs + 1, sizeof(*l->devs));
	l->flows = calloc(l->nflows + 1, sizeof(*l->flows));
	sorted = calloc(l->ndevs + 1, sizeof(*sorted));
	if (!l->devs || !l->flows || !sorted) {
		free(sorted);
		snprintf(why, len, "out of memory");
		return -1;
	}
	for (i = 0; i < l->ndevs; i++)
		if (parse_device(json_object_array_get_idx(devs, i), i, &l->devs[i], why, len))
			goto bad;
	memcpy(sorted, l->devs, l->ndevs * sizeof(*sorted));
	qsort(sorted, l->ndevs, sizeof(*sorted), by_mac);
	for (i = 1; i < l->ndevs; i++)
		if (!by_mac(&sorted[i - 1], &sorted[i])) {
			snprintf(why, len, "a device is listed twice");
			goto bad;
		}
	for (i = 0; i < l->nflows; i++) {
		struct cf_flow_device_record key;

		if (parse_flow(json_object_array_get_idx(flows, i), i, &l->flows[i], why, len))
			goto bad;
		memcpy(key.mac, l->flows[i].mac, 6);
		if (!bsearch(&key, sorted, l->ndevs, sizeof(*sorted), by_mac)) {
			snprintf(why, len, "flow %zu: its device is not in \"devices\"", i);
			goto bad;
		}
	}
	free(sorted);
	return flows_unique(l, why, len);
bad:
	free(sorted);
	return -1;
}

/* The file's text, whole; NULL and errno when it cannot be read. */
static char *read_whole(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (!errno)
			errno = EINVAL;
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += r;
	}
	close(fd);
	if (buf)
		buf[got] = '\0';
	*n = got;
	return buf;
}

static enum cf_state_load set_aside(const char *path, time_t now, const char *why, char *msg,
				    size_t msglen)
{
	char aside[PATH_MAX + 32];

	snprintf(aside, sizeof(aside), "%s.corrupt-%lld", path, (long long)now);
	if (rename(path, aside))
		snprintf(msg, msglen, "%s: %s; cannot set it aside as %s (%s): starting with no learned flows",
			 path, why, aside, strerror(errno));
	else
		snprintf(msg, msglen, "%s: %s; set aside as %s, starting with no learned flows",
			 path, why, aside);
	return CF_STATE_SET_ASIDE;
}

enum cf_state_load camfence_state_load(struct cf_flowtrack *t, const char *dir, time_t now,
				       char *msg, size_t msglen)
{
	struct loaded l = { 0 };
	json_tokener *tok = NULL;
	json_object *root = NULL;
	enum cf_state_load ret;
	char path[PATH_MAX], why[200];
	size_t n = 0, i, left = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, CF_STATE_FILE);
	text = read_whole(path, &n);
	if (!text) {
		if (errno == ENOENT) {
			snprintf(msg, msglen, "%s: none yet, starting with no learned flows", path);
			return CF_STATE_ABSENT;
		}
		snprintf(msg, msglen, "%s: %s; starting with no learned flows", path, strerror(errno));
		return CF_STATE_UNREADABLE;
	}
	tok = json_tokener_new();
	if (tok)
		root = json_tokener_parse_ex(tok, text, n);
	if (!tok) {
		snprintf(why, sizeof(why), "out of memory");
	} else if (!root) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		if (e == json_tokener_continue)
			snprintf(why, sizeof(why), "truncated after %zu bytes", n);
		else
			snprintf(why, sizeof(why), "not JSON at byte %zu: %s",
				 (size_t)json_tokener_get_parse_end(tok), json_tokener_error_desc(e));
	} else if (text[json_tokener_get_parse_end(tok) + strspn(text + json_tokener_get_parse_end(tok), " \t\r\n")]) {
		snprintf(why, sizeof(why), "something after the JSON object at byte %zu",
			 (size_t)json_tokener_get_parse_end(tok));
	} else if (!parse_root(root, &l, why, sizeof(why))) {
		why[0] = '\0';
	}
	if (why[0] && strcmp(why, "out of memory")) {
		ret = set_aside(path, now, why, msg, msglen);
		goto out;
	}
	if (why[0]) {
		snprintf(msg, msglen, "%s: %s; starting with no learned flows", path, why);
		ret = CF_STATE_UNREADABLE;
		goto out;
	}
	for (i = 0; i < l.ndevs; i++)
		if (camfence_flowtrack_restore_device(t, &l.devs[i]) < 0)
			left++;
	for (i = 0; i < l.nflows; i++)
		if (camfence_flowtrack_restore_flow(t, &l.flows[i]))
			left++;
	snprintf(msg, msglen, "%s: %zu devices and %zu flows learned before this start%s", path,
		 l.ndevs, l.nflows, left ? ", some left out to stay within --max-devices and --max-flows" : "");
	ret = CF_STATE_LOADED;
out:
	if (tok)
		json_tokener_free(tok);
	json_object_put(root);
	free(l.devs);
	free(l.flows);
	free(text);
	return ret;
}
