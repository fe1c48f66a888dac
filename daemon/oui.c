// SPDX-License-Identifier: GPL-2.0
/*
 * The IEEE MAC address registries, as Debian's ieee-data ships them: one CSV
 * file per block size, "Registry,Assignment,Organization Name,Organization
 * Address", fields quoted when they hold commas, quotes doubled inside them,
 * addresses sometimes running over several lines, records ending in CRLF.
 *
 * Organisations are interned twice: by spelling (whitespace-normalised, what
 * camfence_oui_org returns) and by identity (letters and digits, case
 * folded), because the registry spells one company several ways: "Axis
 * Communications AB" and "AXIS COMMUNICATIONS AB", "Zhejiang Uniview
 * Technologies Co., Ltd." and "Zhejiang Uniview Technologies Co.,Ltd.".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "oui.h"

#define MAX_FILE	(64u << 20)	/* the MA-L file is 3 MB */
#define MAX_NAME	256
#define MAX_LISTED	5
#define MAX_WORD	64

/* Longest prefix first: the order camfence_oui_org tries them in. */
enum { MA_S, MA_M, MA_L, NREG };

static const struct registry {
	const char *file;
	const char *kind;	/* what the Registry column says */
	unsigned int bits;
	bool optional;
} registries[NREG] = {
	[MA_S] = { "oui36.csv", "MA-S", 36, true },
	[MA_M] = { "mam.csv", "MA-M", 28, true },
	[MA_L] = { "oui.csv", "MA-L", 24, false },
};

/*
 * Short names for the camera vendors admins ask for, each spelt out as the
 * registry spells its organisations, one spelling per organisation (every
 * name checked against ieee-data 20220827.1). docs/vendors.md says why each
 * one holds what it holds.
 */
static const struct alias {
	const char *key;
	const char *const orgs[6];
} aliases[] = {
	{ "hikvision", { "Hangzhou Hikvision Digital Technology Co.,Ltd.",
			 "Prama Hikvision India Private Limited" } },
	{ "ezviz", { "Hangzhou Ezviz Software Co.,Ltd." } },
	/* not "Shanghai Dahua Scale Factory", which makes weighing scales */
	{ "dahua", { "Zhejiang Dahua Technology Co., Ltd." } },
	{ "imou", { "hangzhou huacheng network technology co., ltd" } },
	{ "uniview", { "Zhejiang Uniview Technologies Co., Ltd." } },
	{ "axis", { "Axis Communications AB" } },
	{ "hanwha", { "Hanwha Techwin Security Vietnam", "SAMSUNG TECHWIN CO.,LTD" } },
	{ "reolink", { "Reolink Innovation Limited" } },
	{ "amcrest", { "Amcrest Technologies" } },
	{ "tp-link", { "TP-LINK TECHNOLOGIES CO.,LTD.", "TP-Link Corporation Limited" } },
	{ "tplink", { "TP-LINK TECHNOLOGIES CO.,LTD.", "TP-Link Corporation Limited" } },
	{ "xiaomi", { "Xiaomi Communications Co Ltd", "Beijing Xiaomi Mobile Software Co., Ltd",
		      "Beijing Xiaomi Electronics Co., Ltd.", "XIAOMI Electronics,CO.,LTD" } },
	/* Yi cameras are built by Zowee and carry its prefixes (b0:d5:9d) */
	{ "yi", { "Shanghai Xiaoyi Technology Co., Ltd.", "Shenzhen Zowee Technology Co., Ltd",
		  "ZOWEE TECHNOLOGY(HEYUAN) CO., LTD." } },
	{ "zowee", { "Shenzhen Zowee Technology Co., Ltd", "ZOWEE TECHNOLOGY(HEYUAN) CO., LTD." } },
	{ "vivotek", { "Vivotek, Inc." } },
	{ "bosch-security", { "Bosch Security Systems", "Bosch Security Systems BV",
			      "Bosch Security Systems, Inc." } },
	{ "ring", { "Ring LLC" } },
	{ "milesight", { "MileSight Technology Co., Ltd.", "Milesight Taiwan",
			 "Xiamen Milesight IoT Co., Ltd." } },
	{ "jovision", { "Jovision Technology Co., Ltd.",
			"Jinan Jovision Science & Technology Co., Ltd." } },
};

/*
 * Registry names that stand for no one vendor: owners who paid to stay
 * unlisted, and the IEEE's own MA-L blocks, which it carves into MA-M and
 * MA-S assignments of other vendors. Written as identities (see identity()).
 */
static const char *const placeholders[] = { "private", "ieeeregistrationauthority" };

struct entry {
	uint64_t key;		/* the assignment: the top bits of the MAC */
	uint32_t name;		/* spelling */
	uint32_t seq;		/* file order, to keep sorting stable */
};

struct table {
	struct entry *e;
	size_t n, cap;
};

struct strtab {
	uint32_t *slot;		/* id + 1; 0 is empty */
	uint32_t nslot;		/* a power of two, at most half full */
	uint32_t *off;		/* id -> offset into db->strs */
	uint32_t *val;		/* names: the organisation; orgs: its first spelling */
	uint32_t n, cap;
};

struct cf_oui_db {
	struct table reg[NREG];
	char *strs;
	size_t strs_len, strs_cap;
	struct strtab names, orgs;
	uint32_t *org_count;	/* prefixes each organisation holds */
	char *dir;
};

struct csv {
	const char *dir, *file;
	char *p, *end;
	char *bol;		/* beginning of the current line */
	unsigned int line;
	char *err;
	size_t errlen;
};

struct msg {
	char *buf;
	size_t len, pos;
};

static void msg_add(struct msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void msg_add(struct msg *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->pos + 1 >= m->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->pos, m->len - m->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		m->pos += (size_t)n < m->len - m->pos ? (size_t)n : m->len - m->pos - 1;
}

static bool blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Non-ASCII bytes count as letters: names in Cyrillic or CJK are words too. */
static bool wordc(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}


/* Collapses runs of blanks into one space, trims, folds ASCII case if asked.
 * dst may be src: it never writes ahead of what it has read. */
static size_t normalise(char *dst, const char *src, size_t len, bool fold)
{
	size_t i, n = 0;
	bool gap = false;

	for (i = 0; i < len; i++) {
		unsigned char c = src[i];

		if (blank(c)) {
			gap = n > 0;
			continue;
		}
		if (gap)
			dst[n++] = ' ';
		gap = false;
		dst[n++] = fold && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
	}
	dst[n] = '\0';
	return n;
}

/*
 * What tells organisations apart: letters and digits, ASCII case folded,
 * other bytes as they are. dst may be src.
 */
static size_t identity(char *dst, const char *src, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = src[i];

		if (wordc(c))
			dst[n++] = c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
	}
	dst[n] = '\0';
	return n;
}

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static const char *str(const struct cf_oui_db *db, uint32_t off)
{
	return db->strs + off;
}

/* The slot that holds s, or the empty one where it would go. */
static uint32_t strtab_slot(const struct cf_oui_db *db, const struct strtab *t, const char *s, size_t len)
{
	uint32_t i = hash(s, len) & (t->nslot - 1);

	while (t->slot[i]) {
		const char *o = str(db, t->off[t->slot[i] - 1]);

		if (!strncmp(o, s, len) && !o[len])
			break;
		i = (i + 1) & (t->nslot - 1);
	}
	return i;
}

static int strtab_find(const struct cf_oui_db *db, const struct strtab *t, const char *s, size_t len)
{
	return t->nslot ? (int)t->slot[strtab_slot(db, t, s, len)] - 1 : -1;
}

static int strtab_grow(const struct cf_oui_db *db, struct strtab *t)
{
	uint32_t nslot = t->nslot ? t->nslot * 2 : 4096, i, *slot;

	slot = calloc(nslot, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	free(t->slot);
	t->slot = slot;
	t->nslot = nslot;
	for (i = 0; i < t->n; i++) {
		const char *s = str(db, t->off[i]);

		t->slot[strtab_slot(db, t, s, strlen(s))] = i + 1;
	}
	return 0;
}

/* The id of s in t; added with val if it is new (*added says so). */
static int strtab_intern(struct cf_oui_db *db, struct strtab *t, const char *s, size_t len,
			 uint32_t val, bool *added)
{
	uint32_t i;

	*added = false;
	if ((t->n + 1) * 2 > t->nslot && strtab_grow(db, t))
		return -ENOMEM;
	i = strtab_slot(db, t, s, len);
	if (t->slot[i])
		return t->slot[i] - 1;
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 4096;
		uint32_t *off = realloc(t->off, cap * sizeof(*off)), *v;

		if (!off)
			return -ENOMEM;
		t->off = off;
		v = realloc(t->val, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->val = v;
		t->cap = cap;
	}
	if (db->strs_len + len + 1 > db->strs_cap) {
		size_t cap = db->strs_cap ? db->strs_cap * 2 : 1 << 20;
		char *p;

		while (cap < db->strs_len + len + 1)
			cap *= 2;
		p = realloc(db->strs, cap);
		if (!p)
			return -ENOMEM;
		db->strs = p;
		db->strs_cap = cap;
	}
	memcpy(db->strs + db->strs_len, s, len);
	db->strs[db->strs_len + len] = '\0';
	t->off[t->n] = db->strs_len;
	t->val[t->n] = val;
	db->strs_len += len + 1;
	t->slot[i] = ++t->n;
	*added = true;
	return t->n - 1;
}

/* The identity of a name, or if it has no letters nor digits, its folded self. */
static size_t org_key(char *dst, const char *name, size_t len)
{
	size_t n = identity(dst, name, len);

	return n ? n : normalise(dst, name, len, true);
}

/* Interns one spelling and, through its identity, its organisation. */
static int intern_org(struct cf_oui_db *db, const char *name, size_t len)
{
	char key[MAX_NAME];
	bool added;
	int id, org;

	id = strtab_intern(db, &db->names, name, len, 0, &added);
	if (id < 0 || !added)
		return id;
	org = strtab_intern(db, &db->orgs, key, org_key(key, name, len), id, &added);
	if (org < 0)
		return org;
	db->names.val[id] = org;
	return id;
}

static int csv_fail(struct csv *c, unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int csv_fail(struct csv *c, unsigned int line, unsigned int col, const char *fmt, ...)
{
	struct msg m = { c->err, c->errlen, 0 };
	va_list ap;

	msg_add(&m, "%s/%s:%u:%u: ", c->dir, c->file, line, col);
	if (m.pos + 1 < m.len) {
		va_start(ap, fmt);
		vsnprintf(m.buf + m.pos, m.len - m.pos, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static unsigned int csv_col(const struct csv *c, const char *at)
{
	return at - c->bol + 1;
}

/*
 * Splits the next record into fields, in place: each is NUL-terminated with
 * its quotes undone. Returns the number of fields (beyond max they are
 * counted, not kept), 0 at the end of the file, -EINVAL with the message in
 * c->err on bad syntax. Strict on purpose: a registry we misread would make
 * `vendor x` quietly miss devices.
 */
static int csv_record(struct csv *c, char **field, int max)
{
	int n = 0;

	if (c->p >= c->end)
		return 0;
	for (;;) {
		char *start = c->p, *r = start, *w, delim;

		if (*r == '"') {
			unsigned int qline = c->line, qcol = csv_col(c, r);

			w = start;
			for (r++;; ) {
				if (r >= c->end)
					return csv_fail(c, qline, qcol, "quoted field never closed");
				if (*r == '"') {
					if (r + 1 < c->end && r[1] == '"') {
						*w++ = '"';
						r += 2;
						continue;
					}
					r++;
					break;
				}
				if (*r == '\n') {
					c->line++;
					c->bol = r + 1;
				}
				*w++ = *r++;
			}
			if (r < c->end && *r != ',' && *r != '\r' && *r != '\n')
				return csv_fail(c, c->line, csv_col(c, r),
						"'%c' after a closing quote (quotes inside a field are doubled)", *r);
		} else {
			while (r < c->end && *r != ',' && *r != '\r' && *r != '\n') {
				if (*r == '"')
					return csv_fail(c, c->line, csv_col(c, r),
							"quote inside an unquoted field (quote the whole field)");
				r++;
			}
			w = r;
		}
		delim = r < c->end ? *r : '\n';
		*w = '\0';
		if (n < max)
			field[n] = start;
		n++;
		if (delim == ',') {
			c->p = r + 1;
			continue;
		}
		if (delim == '\r') {
			if (r + 1 >= c->end || r[1] != '\n')
				return csv_fail(c, c->line, csv_col(c, r), "carriage return without a line feed");
			r++;
		}
		if (r < c->end) {
			c->bol = ++r;
			c->line++;
		}
		c->p = r;
		return n;
	}
}

static int read_all(int dirfd, const char *file, char **buf, size_t *len)
{
	struct stat st;
	size_t n = 0;
	int fd, ret;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = -errno;
	if (fstat(fd, &st))
		goto out;
	ret = -EISDIR;
	if (S_ISDIR(st.st_mode))
		goto out;
	ret = -EFBIG;
	if (st.st_size > MAX_FILE)
		goto out;
	ret = -ENOMEM;
	*buf = malloc(st.st_size + 1);
	if (!*buf)
		goto out;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + n, st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			free(*buf);
			goto out;
		}
		if (r == 0)
			break;
		n += r;
	}
	(*buf)[n] = '\0';
	*len = n;
	ret = 0;
out:
	close(fd);
	return ret;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int add_entry(struct table *t, uint64_t key, uint32_t name)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct entry *e = realloc(t->e, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	t->e[t->n] = (struct entry){ .key = key, .name = name, .seq = t->n };
	t->n++;
	return 0;
}

/* One data row: the registry it claims, the assignment, the organisation. */
static int load_row(struct cf_oui_db *db, struct csv *c, const struct registry *reg,
		    struct table *t, char **f, unsigned int line, const char *bol)
{
	unsigned int digits = reg->bits / 4, i;
	uint64_t key = 0;
	size_t len;
	int id;

	if (strcmp(f[0], reg->kind))
		return csv_fail(c, line, f[0] - bol + 1, "registry \"%s\" in the %s file (expected %s)",
				f[0], reg->kind, reg->kind);
	for (i = 0; f[1][i]; i++) {
		int v = camfence_addr_hexval(f[1][i]);

		if (v < 0 || i >= digits)
			break;
		key = key << 4 | v;
	}
	if (i != digits || f[1][i])
		return csv_fail(c, line, f[1] - bol + 1, "assignment \"%s\" is not %u hex digits",
				f[1], digits);
	len = normalise(f[2], f[2], strlen(f[2]), false);
	if (!len)
		return csv_fail(c, line, f[2] - bol + 1, "empty organisation name");
	if (len >= MAX_NAME)
		return csv_fail(c, line, f[2] - bol + 1, "organisation name longer than %d bytes",
				MAX_NAME - 1);
	id = intern_org(db, f[2], len);
	if (id < 0)
		return id;
	return add_entry(t, key, id);
}

static int load_registry(struct cf_oui_db *db, int dirfd, const struct registry *reg,
			 struct table *t, char *err, size_t errlen)
{
	struct csv c = { .dir = db->dir, .file = reg->file, .line = 1, .err = err, .errlen = errlen };
	char *buf = NULL, *f[4], *nul;
	size_t len = 0;
	int n, ret;

	ret = read_all(dirfd, reg->file, &buf, &len);
	if (ret == -ENOENT && reg->optional)
		return ret;	/* the caller warns */
	if (ret) {
		snprintf(err, errlen, "%s/%s: %s%s", db->dir, reg->file, strerror(-ret),
			 ret == -ENOENT ? "; install Debian's ieee-data package" : "");
		return ret;
	}
	c.p = c.bol = buf;
	c.end = buf + len;
	/* a byte-order mark is harmless; a NUL would cut fields short unseen */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		c.p = c.bol = buf + 3;
	nul = memchr(buf, '\0', len);
	if (nul) {
		for (; c.p < nul; c.p++)
			if (*c.p == '\n') {
				c.line++;
				c.bol = c.p + 1;
			}
		ret = csv_fail(&c, c.line, csv_col(&c, nul), "NUL byte: not a CSV text file");
		goto out;
	}
	ret = n = csv_record(&c, f, 4);
	if (n < 0)
		goto out;
	if (n != 4 || strcmp(f[0], "Registry") || strcmp(f[1], "Assignment") ||
	    strcmp(f[2], "Organization Name")) {
		ret = csv_fail(&c, 1, 1, "not an IEEE registry file: expected the header "
			       "\"Registry,Assignment,Organization Name,Organization Address\"");
		goto out;
	}
	for (;;) {
		unsigned int line = c.line;
		const char *bol = c.p;

		ret = n = csv_record(&c, f, 4);
		if (n <= 0)
			break;
		if (n != 4) {
			ret = csv_fail(&c, line, 1, "%d field%s, expected 4 (registry, assignment, "
				       "organisation, address)", n, n == 1 ? "" : "s");
			goto out;
		}
		ret = load_row(db, &c, reg, t, f, line, bol);
		if (ret)
			break;
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s/%s: out of memory", db->dir, reg->file);
	if (ret)
		goto out;
	if (!t->n) {
		ret = csv_fail(&c, c.line, 1, "no assignments in the file");
		goto out;
	}
	qsort(t->e, t->n, sizeof(*t->e), entry_cmp);
out:
	free(buf);
	return ret;
}

int camfence_oui_load(const char *dir, struct cf_oui_db **out, char *err, size_t errlen)
{
	static const int order[NREG] = { MA_L, MA_M, MA_S };	/* the one that must be there first */
	char warn[512] = "";
	struct msg w = { warn, sizeof(warn), 0 };
	struct cf_oui_db *db;
	int dirfd, i, ret;
	size_t k;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s; vendor names come from the IEEE registry in "
			 "Debian's ieee-data package", dir, strerror(-ret));
		return ret;
	}
	ret = -ENOMEM;
	db = calloc(1, sizeof(*db));
	if (!db)
		goto err_dir;
	db->dir = strdup(dir);
	if (!db->dir)
		goto err_db;
	for (i = 0; i < NREG; i++) {
		const struct registry *reg = &registries[order[i]];

		ret = load_registry(db, dirfd, reg, &db->reg[order[i]], err, errlen);
		if (ret == -ENOENT && reg->optional) {
			msg_add(&w, "%s%s/%s: %s; %s (%u-bit) prefixes will not be known",
				w.pos ? "; " : "", dir, reg->file, strerror(ENOENT), reg->kind, reg->bits);
			continue;
		}
		if (ret)
			goto err_db;
	}
	ret = -ENOMEM;
	db->org_count = calloc(db->orgs.n, sizeof(*db->org_count));
	if (!db->org_count)
		goto err_db;
	for (i = 0; i < NREG; i++)
		for (k = 0; k < db->reg[i].n; k++)
			db->org_count[db->names.val[db->reg[i].e[k].name]]++;
	close(dirfd);
	snprintf(err, errlen, "%s", warn);
	*out = db;
	return 0;
err_db:
	camfence_oui_free(db);
err_dir:
	if (ret == -ENOMEM && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", dir);
	close(dirfd);
	return ret;
}

void camfence_oui_free(struct cf_oui_db *db)
{
	int i;

	if (!db)
		return;
	for (i = 0; i < NREG; i++)
		free(db->reg[i].e);
	free(db->names.slot);
	free(db->names.off);
	free(db->names.val);
	free(db->orgs.slot);
	free(db->orgs.off);
	free(db->orgs.val);
	free(db->org_count);
	free(db->strs);
	free(db->dir);
	free(db);
}

const char *camfence_oui_org(const struct cf_oui_db *db, const uint8_t mac[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	for (i = 0; i < NREG; i++) {
		const struct table *t = &db->reg[i];
		uint64_t key = v >> (48 - registries[i].bits);
		size_t lo = 0, hi = t->n;

		/* the first of equal keys: the registry lists a few twice */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (t->e[mid].key < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < t->n && t->e[lo].key == key)
			return str(db, db->names.off[t->e[lo].name]);
	}
	return NULL;
}

static const char *org_name(const struct cf_oui_db *db, uint32_t org)
{
	return str(db, db->names.off[db->orgs.val[org]]);
}

static bool placeholder(const struct cf_oui_db *db, uint32_t org)
{
	size_t i;

	for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++)
		if (!strcmp(str(db, db->orgs.off[org]), placeholders[i]))
			return true;
	return false;
}

static bool has_word(const char *hay, const char *word, size_t len)
{
	const char *p;

	for (p = hay; (p = strcasestr(p, word)); p++)
		if ((p == hay || !wordc(p[-1])) && !wordc(p[len]))
			return true;
	return false;
}

/* Optimal string alignment distance: a swapped pair of letters costs 1. */
static unsigned int distance(const char *a, size_t la, const char *b, size_t lb)
{
	unsigned int row[3][MAX_WORD + 1], *pp, *p, *c;
	size_t i, j;

	if (la > MAX_WORD || lb > MAX_WORD)
		return MAX_WORD;
	/* row i lives in row[i % 3] */
	for (j = 0; j <= lb; j++)
		row[0][j] = j;
	for (i = 1; i <= la; i++) {
		pp = row[(i + 1) % 3];
		p = row[(i + 2) % 3];
		c = row[i % 3];
		c[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] != b[j - 1], v = p[j - 1] + cost;

			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
	}
	return row[la % 3][lb];
}

static bool close_to(const char *q, size_t qlen, const char *s, size_t slen)
{
	unsigned int max = qlen < 8 ? 1 : 2;	/* more finds only noise */

	if (qlen < 3 || (slen > qlen ? slen - qlen : qlen - slen) > max)
		return false;
	return distance(q, qlen, s, slen) <= max;
}

/* Has a word (letters, digits and '-') close to q, which is folded. */
static bool has_close_word(const char *name, const char *q, size_t qlen)
{
	const char *p = name;
	char w[MAX_WORD + 1];
	size_t n;

	while (*p) {
		while (*p && !wordc(*p) && *p != '-')
			p++;
		for (n = 0; *p && (wordc(*p) || *p == '-'); p++)
			if (n < MAX_WORD)
				w[n++] = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;
		if (n && n < MAX_WORD && close_to(q, qlen, w, n))
			return true;
	}
	return false;
}

/* Most prefixes first: the likeliest meaning of a name leads the list. */
static int org_cmp(const void *a, const void *b, void *arg)
{
	const struct cf_oui_db *db = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (db->org_count[x] != db->org_count[y])
		return db->org_count[x] > db->org_count[y] ? -1 : 1;
	return strcmp(str(db, db->orgs.off[x]), str(db, db->orgs.off[y]));
}

static void list_orgs(const struct cf_oui_db *db, uint32_t *ids, uint32_t n, struct msg *m)
{
	uint32_t i;

	qsort_r(ids, n, sizeof(*ids), org_cmp, (void *)db);
	for (i = 0; i < n && i < MAX_LISTED; i++)
		msg_add(m, "%s\"%s\" (%u prefix%s)", i ? ", " : "", org_name(db, ids[i]),
			db->org_count[ids[i]], db->org_count[ids[i]] == 1 ? "" : "es");
	if (n > MAX_LISTED)
		msg_add(m, " and %u more", n - MAX_LISTED);
}

/* The caller names the vendor; the advice comes before the list, which may be cut short. */
static void ambiguous(const struct cf_oui_db *db, const char *q, size_t qlen, uint32_t *ids,
		      uint32_t n, struct msg *m)
{
	size_t i;

	msg_add(m, "%u organisations in the IEEE registry match that name; use the full "
		"organisation name in quotes", n);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strncmp(aliases[i].key, q, qlen) && aliases[i].key[qlen] == '-')
			msg_add(m, " (or vendor %s)", aliases[i].key);
	msg_add(m, ": ");
	list_orgs(db, ids, n, m);
}

static void suggest(const struct cf_oui_db *db, const char *q, size_t qlen, uint32_t *ids,
		    struct msg *m)
{
	uint32_t i, n = 0, shown = 0, subs;
	size_t k;

	msg_add(m, "no organisation in the IEEE registry (%s) matches that name", db->dir);
	for (k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++) {
		const char *key = aliases[k].key;

		if (close_to(q, qlen, key, strlen(key)) || (qlen >= 3 && strstr(key, q)))
			msg_add(m, "%s%s", shown++ ? ", " : "; did you mean ", key);
	}
	/* inside a word ("hikvis"), then a word with a typo in it */
	for (i = 0; i < db->orgs.n; i++)
		if (qlen >= 3 && !placeholder(db, i) && strcasestr(org_name(db, i), q))
			ids[n++] = i;
	subs = n;
	if (subs < MAX_LISTED && !strchr(q, ' '))
		for (i = 0; i < db->orgs.n; i++) {
			const char *name = org_name(db, i);

			if (!placeholder(db, i) && !strcasestr(name, q) && has_close_word(name, q, qlen))
				ids[n++] = i;
		}
	qsort_r(ids, subs, sizeof(*ids), org_cmp, (void *)db);
	qsort_r(ids + subs, n - subs, sizeof(*ids), org_cmp, (void *)db);
	for (i = 0; i < n && shown < MAX_LISTED; i++, shown++)
		msg_add(m, "%s\"%s\"", shown ? ", " : "; did you mean ", org_name(db, ids[i]));
	if (shown)
		msg_add(m, "?");
	else
		msg_add(m, "; use a word of the organisation's name as %s/oui.csv spells it", db->dir);
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct cf_oui_prefix *x = a, *y = b;
	int d = memcmp(x->bytes, y->bytes, 6);

	return d ? d : (x->len > y->len) - (x->len < y->len);
}

/* Every prefix of the organisations marked in on, sorted, duplicates dropped. */
static int collect(const struct cf_oui_db *db, const uint8_t *on, struct cf_oui_prefix **out)
{
	struct cf_oui_prefix *p;
	size_t n = 0, k, i, j;
	int r;

	for (r = 0; r < NREG; r++)
		for (k = 0; k < db->reg[r].n; k++)
			n += on[db->names.val[db->reg[r].e[k].name]];
	p = calloc(n ? n : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (n = 0, r = 0; r < NREG; r++) {
		const struct table *t = &db->reg[r];
		unsigned int bits = registries[r].bits;

		for (k = 0; k < t->n; k++) {
			uint64_t v = t->e[k].key << (48 - bits);

			if (!on[db->names.val[t->e[k].name]])
				continue;
			for (i = 0; i < 6; i++)
				p[n].bytes[i] = v >> (40 - 8 * i);
			p[n++].len = bits;
		}
	}
	qsort(p, n, sizeof(*p), prefix_cmp);
	for (i = j = 0; i < n; i++)
		if (!j || prefix_cmp(&p[j - 1], &p[i]))
			p[j++] = p[i];
	*out = p;
	return j;
}

int camfence_oui_vendor(const struct cf_oui_db *db, const char *name, struct cf_oui_prefix **out,
			char *why, size_t whylen)
{
	struct msg m = { why, whylen, 0 };
	uint32_t *ids = NULL, n = 0, i;
	uint8_t *on = NULL;
	char q[MAX_NAME], key[MAX_NAME];
	size_t len = strlen(name), qlen, k;
	int id, ret;

	*out = NULL;
	if (whylen)
		why[0] = '\0';
	ret = -ENOENT;
	if (len >= MAX_NAME) {
		msg_add(&m, "vendor name longer than %d characters", MAX_NAME - 1);
		goto out;
	}
	qlen = normalise(q, name, len, true);
	if (!qlen) {
		msg_add(&m, "empty vendor name");
		goto out;
	}
	ret = -ENOMEM;
	on = calloc(db->orgs.n ? db->orgs.n : 1, 1);
	ids = calloc(db->orgs.n ? db->orgs.n : 1, sizeof(*ids));
	if (!on || !ids)
		goto out;

	for (k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++)
		if (!strcmp(aliases[k].key, q))
			break;
	if (k < sizeof(aliases) / sizeof(aliases[0])) {
		const char *const *o;

		/* the registry may have renamed some; what is left still counts */
		for (o = aliases[k].orgs; *o; o++) {
			id = strtab_find(db, &db->orgs, key, org_key(key, *o, strlen(*o)));
			if (id >= 0 && !on[id]) {
				on[id] = 1;
				n++;
			}
		}
		ret = -ENOENT;
		if (!n) {
			msg_add(&m, "camfence's short name for \"%s\"%s, which the IEEE registry in %s "
				"does not list; update ieee-data or name the organisation in quotes",
				aliases[k].orgs[0], aliases[k].orgs[1] ? " and others" : "", db->dir);
			goto out;
		}
	} else if ((id = strtab_find(db, &db->orgs, key, org_key(key, q, qlen))) >= 0) {
		ret = -EINVAL;
		if (placeholder(db, id)) {
			msg_add(&m, "\"%s\" is what the IEEE registry says for %s, not one vendor; "
				"match those devices by MAC prefix instead", org_name(db, id),
				!strcmp(key, placeholders[0]) ? "owners who keep their name unlisted"
					    : "blocks it divides among other vendors");
			goto out;
		}
		on[id] = 1;
	} else {
		/* every spelling: a word may be written out in one and not another */
		for (i = 0; i < db->names.n; i++) {
			uint32_t org = db->names.val[i];

			if (!on[org] && !placeholder(db, org) && has_word(str(db, db->names.off[i]), q, qlen)) {
				on[org] = 1;
				ids[n++] = org;
			}
		}
		ret = -ENOENT;
		if (!n) {
			suggest(db, q, qlen, ids, &m);
			goto out;
		}
		ret = -EINVAL;
		if (n > 1) {
			ambiguous(db, q, qlen, ids, n, &m);
			goto out;
		}
	}
	ret = collect(db, on, out);
out:
	if (ret == -ENOMEM && !m.pos)
		msg_add(&m, "out of memory");
	free(ids);
	free(on);
	return ret;
}
