// SPDX-License-Identifier: GPL-2.0
/*
 * The DNS snooper's loader: camfence_dns_tc as a TC egress filter on the
 * zone interfaces, its ring buffer drained into a callback.
 *
 * The filter sits at one fixed priority and handle (camfence_dns.h). A
 * camfenced that died without closing leaves its filter attached, still
 * copying into a ring buffer nobody reads; the next one replaces it there
 * instead of adding a second. Detaching removes only the filter, never the
 * clsact qdisc: other filters (tc, other programs) may hang on it, and
 * telling whether any do would race with whoever adds one.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "camfence_dns.skel.h"
#include "dns_snoop.h"

struct attached {
	int ifindex;
	__u32 prog_id;
};

struct camfence_dns_snoop {
	struct camfence_dns_bpf *skel;
	struct ring_buffer *rb;
	camfence_dns_snoop_fn fn;
	void *ctx;
	unsigned long malformed;
	__u32 prog_id;
	int ncpus;
	struct attached *attached;
	size_t nattached;
};

static void say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "lan0 (ifindex 3)", or "ifindex 3" once the interface is gone */
static const char *ifname(int ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(ifindex, name))
		snprintf(buf, len, "%s (ifindex %d)", name, ifindex);
	else
		snprintf(buf, len, "ifindex %d", ifindex);
	return buf;
}

/* What a failed netlink or bpf() call on an interface means to the admin. */
static void say_tc_error(char *err, size_t errlen, int ifindex, const char *what, int ret)
{
	char name[IF_NAMESIZE + 32];

	ifname(ifindex, name, sizeof(name));
	switch (ret) {
	case -ENODEV:
		say(err, errlen, "%s: %s: the interface is gone", name, what);
		break;
	case -EPERM:
	case -EACCES:
		say(err, errlen, "%s: %s: not permitted (needs CAP_NET_ADMIN and CAP_BPF, or root)",
		    name, what);
		break;
	case -EOPNOTSUPP:
	case -ENOENT:
		say(err, errlen, "%s: %s: %s (the kernel needs the clsact qdisc, CONFIG_NET_SCH_INGRESS, "
		    "and BPF classifiers, CONFIG_NET_CLS_BPF)", name, what, strerror(-ret));
		break;
	default:
		say(err, errlen, "%s: %s: %s", name, what, strerror(-ret));
		break;
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct camfence_dns_snoop *s = ctx;
	const struct camfence_dns_record *rec = data;

	/* the program writes exactly this; anything else is not trusted */
	if (size < sizeof(*rec) || size != sizeof(*rec) + rec->copied ||
	    rec->copied > CAMFENCE_DNS_MSG_MAX || rec->copied > rec->msg_len) {
		s->malformed++;
		return 0;
	}
	return s->fn(rec, (const __u8 *)(rec + 1), s->ctx);
}

int camfence_dns_snoop_open(struct camfence_dns_snoop **out, camfence_dns_snoop_fn fn, void *ctx,
			    char *err, size_t errlen)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	struct camfence_dns_snoop *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s) {
		say(err, errlen, "DNS snooper: out of memory");
		return -ENOMEM;
	}
	s->fn = fn;
	s->ctx = ctx;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		ret = s->ncpus ? s->ncpus : -EINVAL;
		say(err, errlen, "DNS snooper: cannot count the CPUs: %s", strerror(-ret));
		goto err;
	}
	s->skel = camfence_dns_bpf__open();
	if (!s->skel) {
		ret = -errno;
		say(err, errlen, "DNS snooper: cannot open its BPF object: %s", strerror(-ret));
		goto err;
	}
	ret = camfence_dns_bpf__load(s->skel);
	if (ret) {
		/* asked only now: without privileges the probe fails too */
		if (ret == -EPERM || ret == -EACCES)
			say(err, errlen, "DNS snooper: loading %s: not permitted (needs CAP_BPF and "
			    "CAP_NET_ADMIN, or root)", CAMFENCE_DNS_PROG_NAME);
		else if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 0)
			say(err, errlen, "DNS snooper: the kernel has no BPF ring buffer "
			    "(Linux 5.8 or later needed)");
		else
			say(err, errlen, "DNS snooper: loading %s: %s (refused by this kernel's verifier, "
			    "or the kernel lacks what it needs: Linux 6.1 or later is tested)",
			    CAMFENCE_DNS_PROG_NAME, strerror(-ret));
		goto err;
	}
	if (bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.camfence_dns_tc), &info, &info_len)) {
		ret = -errno;
		say(err, errlen, "DNS snooper: reading its program's id: %s", strerror(-ret));
		goto err;
	}
	s->prog_id = info.id;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.dns_records), on_record, s, NULL);
	if (!s->rb) {
		ret = -errno;
		say(err, errlen, "DNS snooper: opening its ring buffer: %s", strerror(-ret));
		goto err;
	}
	*out = s;
	return 0;
err:
	camfence_dns_snoop_close(s);
	return ret;
}

static struct attached *find_attached(struct camfence_dns_snoop *s, int ifindex)
{
	size_t i;

	for (i = 0; i < s->nattached; i++)
		if (s->attached[i].ifindex == ifindex)
			return &s->attached[i];
	return NULL;
}

/* The id of the program at the snooper's place on ifindex's egress: 0 when
 * there is none, or -errno. */
static long filter_there(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = CAMFENCE_DNS_TC_HANDLE,
		    .priority = CAMFENCE_DNS_TC_PRIORITY);
	int ret;

	ret = bpf_tc_query(&hook, &q);
	if (ret == -ENOENT || ret == -EINVAL)
		return 0;	/* no filter there, or no clsact qdisc at all */
	return ret ? ret : (long)q.prog_id;
}

/* 1 when program id is a snooper's (of this camfenced or an earlier one). */
static int is_snooper(__u32 id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, ret;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return 0;
	ret = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	return !ret && !strcmp(info.name, CAMFENCE_DNS_PROG_NAME);
}

int camfence_dns_snoop_attach(struct camfence_dns_snoop *s, int ifindex, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = CAMFENCE_DNS_TC_HANDLE,
		    .priority = CAMFENCE_DNS_TC_PRIORITY,
		    .prog_fd = bpf_program__fd(s->skel->progs.camfence_dns_tc));
	char name[IF_NAMESIZE + 32];
	struct attached *a;
	long there;
	int ret;

	if (ifindex <= 0) {
		say(err, errlen, "DNS snooper: ifindex %d is no interface", ifindex);
		return -EINVAL;
	}
	if (find_attached(s, ifindex))
		return 0;
	a = realloc(s->attached, (s->nattached + 1) * sizeof(*a));
	if (!a) {
		say(err, errlen, "DNS snooper: out of memory");
		return -ENOMEM;
	}
	s->attached = a;
	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST) {
		say_tc_error(err, errlen, ifindex, "creating its clsact qdisc", ret);
		return ret;
	}
	/* first as a new filter: nothing to read when the place is free */
	ret = bpf_tc_attach(&hook, &opts);
	if (ret == -EEXIST) {
		there = filter_there(ifindex);
		if (there < 0) {
			say_tc_error(err, errlen, ifindex, "reading its egress filters", (int)there);
			return (int)there;
		}
		/* no program id: a classic BPF filter, or one gone meanwhile */
		if (!there || !is_snooper((__u32)there)) {
			char dev[IF_NAMESIZE];

			if (!if_indextoname(ifindex, dev))
				strcpy(dev, "IFACE");
			say(err, errlen, "%s: another filter, not a DNS snooper, holds egress pref %u "
			    "handle 0x%x: remove it (tc filter del dev %s egress pref %u handle 0x%x bpf) "
			    "and start again",
			    ifname(ifindex, name, sizeof(name)), CAMFENCE_DNS_TC_PRIORITY,
			    CAMFENCE_DNS_TC_HANDLE, dev, CAMFENCE_DNS_TC_PRIORITY, CAMFENCE_DNS_TC_HANDLE);
			return -EBUSY;
		}
		opts.flags = BPF_TC_F_REPLACE;
		ret = bpf_tc_attach(&hook, &opts);
	}
	if (ret) {
		say_tc_error(err, errlen, ifindex, "attaching the TC egress filter", ret);
		return ret;
	}
	s->attached[s->nattached].ifindex = ifindex;
	s->attached[s->nattached].prog_id = opts.prog_id;
	s->nattached++;
	return 0;
}

int camfence_dns_snoop_detach(struct camfence_dns_snoop *s, int ifindex, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = CAMFENCE_DNS_TC_HANDLE,
		    .priority = CAMFENCE_DNS_TC_PRIORITY);
	char name[IF_NAMESIZE + 32];
	struct attached *a;
	long there;
	int ret = 0;

	a = find_attached(s, ifindex);
	if (!a) {
		say(err, errlen, "DNS snooper: %s: not attached there", ifname(ifindex, name, sizeof(name)));
		return -ENOENT;
	}
	there = filter_there(ifindex);
	if (there == -ENODEV) {
		there = 0;	/* the filter went with the interface */
	} else if (there < 0) {
		say_tc_error(err, errlen, ifindex, "reading its egress filters", (int)there);
		return (int)there;
	}
	/* another camfenced's snooper took the place over: it stays */
	if (there && (__u32)there == a->prog_id) {
		ret = bpf_tc_detach(&hook, &opts);
		if (ret && ret != -ENOENT && ret != -ENODEV) {
			say_tc_error(err, errlen, ifindex, "detaching the TC egress filter", ret);
			return ret;
		}
		ret = 0;
	}
	*a = s->attached[--s->nattached];
	return ret;
}

int camfence_dns_snoop_fd(const struct camfence_dns_snoop *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

int camfence_dns_snoop_consume(struct camfence_dns_snoop *s)
{
	return ring_buffer__consume(s->rb);
}

int camfence_dns_snoop_counters(const struct camfence_dns_snoop *s,
				struct camfence_dns_counters *out)
{
	struct camfence_dns_counters *cpu;
	__u32 zero = 0;
	int i, ret = 0;

	cpu = calloc(s->ncpus, sizeof(*cpu));
	if (!cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.dns_counters), &zero, cpu)) {
		ret = -errno;
		goto out;
	}
	memset(out, 0, sizeof(*out));
	for (i = 0; i < s->ncpus; i++) {
		out->copied += cpu[i].copied;
		out->lost += cpu[i].lost;
		out->fragments += cpu[i].fragments;
		out->truncated += cpu[i].truncated;
	}
out:
	free(cpu);
	return ret;
}

unsigned long camfence_dns_snoop_malformed(const struct camfence_dns_snoop *s)
{
	return s->malformed;
}

__u32 camfence_dns_snoop_prog_id(const struct camfence_dns_snoop *s)
{
	return s->prog_id;
}

int camfence_dns_snoop_prog_fd(const struct camfence_dns_snoop *s)
{
	return bpf_program__fd(s->skel->progs.camfence_dns_tc);
}

void camfence_dns_snoop_close(struct camfence_dns_snoop *s)
{
	if (!s)
		return;
	/* nothing to tell anyone on the way out: a filter that cannot be
	 * removed is gone with its interface, or replaced by the next one */
	while (s->nattached)
		if (camfence_dns_snoop_detach(s, s->attached[0].ifindex, NULL, 0))
			s->attached[0] = s->attached[--s->nattached];
	free(s->attached);
	ring_buffer__free(s->rb);
	camfence_dns_bpf__destroy(s->skel);
	free(s);
}
