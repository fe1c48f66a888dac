// SPDX-License-Identifier: GPL-2.0
/*
 * Fail closed through pinning: a camfenced that dies leaves its program and
 * maps pinned, and the next one takes them over, the live policy, the flow
 * table and the events not yet read included.
 *
 * Each test mounts a bpffs of its own in a temporary directory, on a tmpfs
 * over /tmp, in a mount namespace of its own: a test that dies half-way
 * leaves neither pins nor directories. Those that attach or mount on
 * /sys/fs/bpf do it in a child, in a network or mount namespace of its own.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf_tests.h"
#include "camfence.skel.h"
#include "loader.h"
#include "packet.h"

#define YI	{ 0xb0, 0xd5, 0x9d, 0xb9, 0xf0, 0xb4 }
#define V4(s, d, p, sp, dp) .family = AF_INET, .src = s, .dst = d, .proto = p, .sport = sp, .dport = dp

static const char policy_text[] =
	"zone cams {\n\tinterface lo\n\tunknown deny\n}\n"
	"group yi {\n\tmac b0:d5:9d:b9:f0:b4\n\tpolicy lan\n}\n"
	"policy lan {\n\tallow to 192.168.10.0/24\n\tdefault deny\n}\n";

static const struct pkt_spec to_cloud = { YI, V4("192.168.10.204", "47.88.59.209", IPPROTO_UDP, 40000, 32100) };
static const struct pkt_spec to_cloud2 = { YI, V4("192.168.10.204", "47.88.59.209", IPPROTO_UDP, 40000, 32101) };
static const struct pkt_spec to_nvr = { YI, V4("192.168.10.204", "192.168.10.248", IPPROTO_UDP, 40000, 5004) };

static char bpffs[] = "/tmp/camfence-pin.XXXXXX";
static char pin_dir[256];

/* A failed check ends a forked test past its teardown: the mounts go with
 * its mount namespace, and the directories with the tmpfs they are on. */
static void setup(void)
{
	ck_assert_msg(unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS): %s", strerror(errno));
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777"), 0);
	strcpy(bpffs, "/tmp/camfence-pin.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(bpffs));
	ck_assert_msg(mount("bpf", bpffs, "bpf", 0, "mode=0700") == 0, "mount -t bpf: %s",
		      strerror(errno));
	snprintf(pin_dir, sizeof(pin_dir), "%s/camfence", bpffs);
}

static void teardown(void)
{
	umount2(bpffs, MNT_DETACH);
	umount2("/tmp", MNT_DETACH);
}

static struct camfence_loader *open_pinned(int takeover)
{
	struct camfence_loader *l;
	char err[512];
	int ret = camfence_loader_open_pinned(pin_dir, &l, err, sizeof(err));

	ck_assert_msg(ret == 0, "open_pinned: %d: %s", ret, err);
	ck_assert_int_eq(camfence_loader_took_over(l), takeover);
	return l;
}

static int lo_ifindex(const char *name, void *ctx)
{
	return 1;
}

static void push(struct camfence_loader *l)
{
	struct cf_config *cfg = camfence_policy_parse_text("test.conf", policy_text);
	struct cf_compiled *c;
	char why[256];

	ck_assert_int_eq(cfg->nerrors, 0);
	ck_assert_int_eq(camfence_policy_compile(cfg, camfence_loader_next_slot(l), lo_ifindex, NULL,
						 &c, why, sizeof(why)), 0);
	ck_assert_int_eq(camfence_loader_push(l, c), 0);
	camfence_policy_compiled_free(c);
	camfence_policy_free(cfg);
}

static int run(struct camfence_loader *l, const struct pkt_spec *spec)
{
	uint8_t frame[256];
	size_t len = pkt_build(spec, frame, sizeof(frame));
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));

	ck_assert_int_eq(bpf_prog_test_run_opts(bpf_program__fd(camfence_loader_skel(l)->progs.camfence_xdp),
						&opts), 0);
	return opts.retval;
}

static __u32 obj_id(int fd)
{
	struct bpf_map_info info = { 0 };	/* id is where bpf_prog_info has it too */
	__u32 len = sizeof(info);

	ck_assert_int_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

static __u32 prog_id(struct camfence_loader *l)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	ck_assert_int_eq(bpf_obj_get_info_by_fd(bpf_program__fd(camfence_loader_skel(l)->progs.camfence_xdp),
						&info, &len), 0);
	return info.id;
}

static int map_ids(struct camfence_loader *l, __u32 *ids, int max)
{
	struct bpf_map *map;
	int n = 0;

	bpf_object__for_each_map(map, camfence_loader_skel(l)->obj) {
		ck_assert_int_lt(n, max);
		ids[n++] = obj_id(bpf_map__fd(map));
	}
	return n;
}

static int find_port(const struct camfence_flow_key *k, const struct camfence_flow *f, void *ctx)
{
	return k->dport == *(__u16 *)ctx;
}

/* The names in pin_dir, sorted, joined by spaces. */
static const char *listing(void)
{
	static char out[1024];
	struct dirent **ents;
	int n, i;

	out[0] = '\0';
	n = scandir(pin_dir, &ents, NULL, alphasort);
	if (n < 0)
		return strerror(errno);
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, ".."))
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? " " : "",
				 ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return out;
}

START_TEST(takeover_keeps_policy_and_flows)
{
	struct pkt_spec nvr2 = to_nvr;
	struct camfence_loader *a, *b;
	__u32 ids_a[32], ids_b[32];
	char path[512];
	__u16 port = 32100;
	int n, fd;

	a = open_pinned(0);
	push(a);
	ck_assert_uint_eq(camfence_loader_generation(a), 1);
	ck_assert_int_eq(run(a, &to_cloud), XDP_DROP);
	ck_assert_int_eq(run(a, &to_nvr), XDP_PASS);
	ck_assert_int_eq(camfence_loader_flows(a, find_port, &port), 1);
	n = map_ids(a, ids_a, 32);
	ck_assert_int_eq(n, 18);
	camfence_loader_close(a);

	b = open_pinned(1);
	ck_assert_uint_eq(camfence_loader_generation(b), 1);
	ck_assert_int_eq(camfence_loader_flows(b, find_port, &port), 1);
	ck_assert_int_eq(map_ids(b, ids_b, 32), n);
	ck_assert_int_eq(memcmp(ids_a, ids_b, n * sizeof(ids_a[0])), 0);
	/* flows the new program never saw, decided by the policy it took over */
	ck_assert_int_eq(run(b, &to_cloud2), XDP_DROP);
	port = 5005;
	ck_assert_int_eq(camfence_loader_flows(b, find_port, &port), 0);
	nvr2.dport = port;
	ck_assert_int_eq(run(b, &nvr2), XDP_PASS);
	ck_assert_int_eq(camfence_loader_flows(b, find_port, &port), 1);
	/* the pin names the new program */
	snprintf(path, sizeof(path), "%s/camfence_xdp", pin_dir);
	fd = bpf_obj_get(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(obj_id(fd), prog_id(b));
	close(fd);
	ck_assert_str_eq(listing(), "camfence_xdp config device_counters dst4 dst6 events flows ifaces "
				    "learned macs malformed_seen micro policies ports rule_counters src4 src6 stats vlans");
	push(b);
	ck_assert_uint_eq(camfence_loader_generation(b), 2);
	ck_assert_int_eq(run(b, &to_cloud), XDP_DROP);
	camfence_loader_close(b);
}
END_TEST

static struct camfence_event seen[8];
static int nseen;

static int on_event(void *ctx, void *data, size_t size)
{
	if (nseen < 8 && size >= sizeof(seen[0]))
		memcpy(&seen[nseen++], data, sizeof(seen[0]));
	return 0;
}

START_TEST(takeover_reads_the_events_left)
{
	struct camfence_loader *a, *b;
	struct ring_buffer *rb;

	a = open_pinned(0);
	push(a);
	rb = ring_buffer__new(bpf_map__fd(camfence_loader_skel(a)->maps.events), on_event, NULL, NULL);
	ck_assert_ptr_nonnull(rb);
	ck_assert_int_eq(run(a, &to_cloud), XDP_DROP);
	nseen = 0;
	ck_assert_int_eq(ring_buffer__consume(rb), 1);
	ring_buffer__free(rb);
	/* raised after the last read, before the daemon died */
	ck_assert_int_eq(run(a, &to_cloud2), XDP_DROP);
	camfence_loader_close(a);

	b = open_pinned(1);
	rb = ring_buffer__new(bpf_map__fd(camfence_loader_skel(b)->maps.events), on_event, NULL, NULL);
	ck_assert_ptr_nonnull(rb);
	nseen = 0;
	ck_assert_int_eq(ring_buffer__consume(rb), 1);
	ck_assert_int_eq(nseen, 1);
	ck_assert_uint_eq(seen[0].dport, 32101);
	ck_assert_uint_eq(seen[0].generation, 1);
	ring_buffer__free(rb);
	camfence_loader_close(b);
}
END_TEST

START_TEST(unpin_leaves_nothing)
{
	struct camfence_loader *a, *b;
	struct stat st;

	a = open_pinned(0);
	push(a);
	ck_assert_int_eq(camfence_loader_unpin(a), 0);
	ck_assert_int_eq(stat(pin_dir, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	camfence_loader_close(a);

	b = open_pinned(0);
	ck_assert_uint_eq(camfence_loader_generation(b), 0);
	camfence_loader_close(b);
}
END_TEST

START_TEST(not_on_bpffs)
{
	char plain[] = "/tmp/camfence-plain.XXXXXX", dir[64], err[512], want[1024];
	struct camfence_loader *l = NULL;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(plain));
	snprintf(dir, sizeof(dir), "%s/camfence", plain);
	ck_assert_int_eq(camfence_loader_open_pinned(dir, &l, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not on a BPF filesystem (mount -t bpf bpf %s)", dir, plain);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(stat(dir, &st), -1);
}
END_TEST

START_TEST(incompatible_pin)
{
	struct camfence_loader *l = NULL;
	char path[512], err[1024], want[2048];
	__u32 id;
	int fd;

	ck_assert_int_eq(mkdir(pin_dir, 0700), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "flows", 4, sizeof(struct camfence_flow), 64, NULL);
	ck_assert_int_ge(fd, 0);
	id = obj_id(fd);
	snprintf(path, sizeof(path), "%s/flows", pin_dir);
	ck_assert_int_eq(bpf_obj_pin(fd, path), 0);
	close(fd);

	ck_assert_int_eq(camfence_loader_open_pinned(pin_dir, &l, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s: pinned by an incompatible camfence build (key size 4, this build needs %zu): "
		 "stop it with \"camfencectl stop --detach\", or remove %s, then start again",
		 path, sizeof(struct camfence_flow_key), pin_dir);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(l);
	/* nothing half-made: the one pin there, the same map */
	ck_assert_str_eq(listing(), "flows");
	fd = bpf_obj_get(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(obj_id(fd), id);
	close(fd);
}
END_TEST

START_TEST(partial_pins)
{
	struct camfence_loader *l = NULL;
	char path[512], err[1024], want[2048];

	l = open_pinned(0);
	camfence_loader_close(l);
	l = NULL;
	snprintf(path, sizeof(path), "%s/micro", pin_dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(camfence_loader_open_pinned(pin_dir, &l, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "%s: holds camfence's map config but not micro (another build, or an interrupted start): "
		 "stop it with \"camfencectl stop --detach\", or remove %s, then start again",
		 pin_dir, pin_dir);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(l);
	ck_assert_str_eq(listing(), "camfence_xdp config device_counters dst4 dst6 events flows ifaces "
				    "learned macs malformed_seen policies ports rule_counters src4 src6 stats vlans");
}
END_TEST

/* In a child of its own namespaces: 1 and the check on stderr when one
 * fails, or 0. */
#define CHILD_CHECK(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
			return 1;						\
		}								\
	} while (0)

static void in_child(int (*fn)(void), int flags)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (unshare(flags)) {
			perror("unshare");
			_exit(255);
		}
		_exit(fn());
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the child in its namespace failed (status %d): its check is on stderr", status);
}

static int child_prog_id(struct camfence_loader *l)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(camfence_loader_skel(l)->progs.camfence_xdp),
				   &info, &len))
		return -1;
	return info.id;
}

/* lo of a fresh network namespace: the old daemon attaches and dies, the
 * new one attaches over its program, and the one found there is its own. */
static int attach_takes_over(void)
{
	struct camfence_xdp_attached at[4];
	enum camfence_attach_mode ma, mb;
	struct camfence_loader *a, *b;
	int lo = if_nametoindex("lo"), id_a, id_b;
	char err[512];

	CHILD_CHECK(lo > 0);
	CHILD_CHECK(camfence_loader_find_attached(at, 4) == 0);
	CHILD_CHECK(camfence_loader_open_pinned(pin_dir, &a, err, sizeof(err)) == 0);
	CHILD_CHECK(camfence_loader_attach(a, lo, &ma) == 0);
	id_a = child_prog_id(a);
	camfence_loader_close(a);
	/* nothing runs it but the attachment */
	CHILD_CHECK(camfence_loader_find_attached(at, 4) == 1);
	CHILD_CHECK(at[0].ifindex == lo && at[0].mode == ma && (int)at[0].prog_id == id_a);

	CHILD_CHECK(camfence_loader_open_pinned(pin_dir, &b, err, sizeof(err)) == 0);
	CHILD_CHECK(camfence_loader_took_over(b));
	CHILD_CHECK(camfence_loader_attach(b, lo, &mb) == 0);
	CHILD_CHECK(mb == ma);
	id_b = child_prog_id(b);
	CHILD_CHECK(id_b > 0 && id_b != id_a);
	CHILD_CHECK(camfence_loader_find_attached(at, 4) == 1);
	CHILD_CHECK(at[0].ifindex == lo && at[0].mode == mb && (int)at[0].prog_id == id_b);

	/* stop --detach */
	CHILD_CHECK(camfence_loader_unpin(b) == 0);
	CHILD_CHECK(camfence_loader_detach(b, lo, mb) == 0);
	CHILD_CHECK(camfence_loader_find_attached(at, 4) == 0);
	camfence_loader_close(b);
	return 0;
}

START_TEST(attach_replaces_the_old_program)
{
	in_child(attach_takes_over, CLONE_NEWNET);
}
END_TEST

#define TEST_PIN_DIR "/sys/fs/bpf/camfence-test"

static int mounts_bpffs(void)
{
	struct camfence_loader *l;
	struct statfs sfs;
	struct stat st;
	char err[512];

	CHILD_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	/* a private mount namespace: what is undone here is undone here only */
	while (statfs("/sys/fs/bpf", &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		CHILD_CHECK(umount2("/sys/fs/bpf", MNT_DETACH) == 0);
	CHILD_CHECK(camfence_loader_open_pinned(TEST_PIN_DIR, &l, err, sizeof(err)) == 0);
	CHILD_CHECK(statfs("/sys/fs/bpf", &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC);
	CHILD_CHECK(stat(TEST_PIN_DIR "/camfence_xdp", &st) == 0);
	CHILD_CHECK(!camfence_loader_took_over(l));
	camfence_loader_close(l);
	return 0;
}

START_TEST(mounts_bpffs_on_sys_fs_bpf)
{
	in_child(mounts_bpffs, CLONE_NEWNS);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

Suite *pin_suite(void)
{
	Suite *s = suite_create("pin");

	add(s, "takeover", takeover_keeps_policy_and_flows);
	add(s, "events", takeover_reads_the_events_left);
	add(s, "unpin", unpin_leaves_nothing);
	add(s, "not_bpffs", not_on_bpffs);
	add(s, "incompatible", incompatible_pin);
	add(s, "partial", partial_pins);
	add(s, "attach", attach_replaces_the_old_program);
	add(s, "automount", mounts_bpffs_on_sys_fs_bpf);
	return s;
}
