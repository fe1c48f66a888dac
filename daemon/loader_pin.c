// SPDX-License-Identifier: GPL-2.0
/*
 * Pinning. Every map of the object is pinned by name under pin_dir, and
 * all of them are reused by the next camfenced: the policy slots and the
 * config (the old program goes on reading its live slot while the new
 * daemon fills the other one), the flow table and microflow cache (the old
 * program's cached verdicts and counts are not lost), the counters and the
 * ring buffer (events the old program raised while no daemon read them are
 * read by the next). The object has no global data (.data, .bss, .rodata),
 * whose maps libbpf fills from the object at load: if it grows one, leave
 * it unpinned.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "camfence.skel.h"
#include "loader.h"
#include "loader_priv.h"
#include "log.h"

#define BPFFS_ROOT	"/sys/fs/bpf"
#define PROG_PIN	"camfence_xdp"

static bool on_bpffs(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

/* Mounts a bpffs on /sys/fs/bpf when the pins belong there and none is
 * mounted, then makes pin_dir (*made) if it does not exist yet. */
static int prepare_dir(const char *dir, bool *made, char *err, size_t errlen)
{
	size_t rootlen = strlen(BPFFS_ROOT);
	char parent[PATH_MAX];
	struct stat st;
	char *slash;
	bool exists;
	int ret;

	if (!strncmp(dir, BPFFS_ROOT, rootlen) && (!dir[rootlen] || dir[rootlen] == '/') &&
	    !on_bpffs(BPFFS_ROOT)) {
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
			ret = -errno;
			snprintf(err, errlen,
				 "%s: cannot mount a BPF filesystem: %s (mount -t bpf bpf %s)",
				 BPFFS_ROOT, strerror(-ret), BPFFS_ROOT);
			return ret;
		}
		camfence_log(LOG_NOTICE, "mounted a BPF filesystem on %s", BPFFS_ROOT);
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(parent, ".");
	exists = stat(dir, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if (!on_bpffs(exists ? dir : parent)) {
		if (stat(parent, &st)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", parent, strerror(-ret));
			return ret;
		}
		snprintf(err, errlen, "%s: not on a BPF filesystem (mount -t bpf bpf %s)", dir, parent);
		return -EINVAL;
	}
	if (!exists) {
		if (mkdir(dir, 0700)) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
			return ret;
		}
		*made = true;
	}
	return 0;
}

static bool is_map_fd(int fd)
{
	char path[64], line[128];
	bool map = true;	/* without /proc, leave it to the map info */
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return map;
	map = false;
	while (!map && fgets(line, sizeof(line), f))
		map = !strncmp(line, "map_type:", 9);
	fclose(f);
	return map;
}

/* What of info does not match map, or NULL. */
static const char *differs(const struct bpf_map *map, const struct bpf_map_info *info,
			   unsigned long long *have, unsigned long long *want)
{
	const struct { const char *what; __u64 have, want; } f[] = {
		{ "map type", info->type, bpf_map__type(map) },
		{ "key size", info->key_size, bpf_map__key_size(map) },
		{ "value size", info->value_size, bpf_map__value_size(map) },
		{ "max entries", info->max_entries, bpf_map__max_entries(map) },
		{ "map flags", info->map_flags, bpf_map__map_flags(map) },
		{ "map extra", info->map_extra, bpf_map__map_extra(map) },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].have != f[i].want) {
			*have = f[i].have;
			*want = f[i].want;
			return f[i].what;
		}
	}
	return NULL;
}

/* 1 when a map that can stand for map is pinned at its path, 0 when none
 * is, -errno (err says which map and why) when the one pinned cannot. libbpf
 * would refuse it too, with "parameter mismatch" and no more. */
static int check_pinned(const struct bpf_map *map, const char *pin_dir, char *err, size_t errlen)
{
	const char *path = bpf_map__pin_path(map), *what;
	unsigned long long have = 0, want = 0;
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	size_t n;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = -errno;
		if (fd != -ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(-fd));
		return fd == -ENOENT ? 0 : fd;
	}
	if (!is_map_fd(fd) || bpf_obj_get_info_by_fd(fd, &info, &len))
		what = "not a map";
	else
		what = differs(map, &info, &have, &want);
	close(fd);
	if (!what)
		return 1;
	n = snprintf(err, errlen, "%s: pinned by an incompatible camfence build (%s", path, what);
	if (have != want && n < errlen)
		n += snprintf(err + n, errlen - n, " %llu, this build needs %llu", have, want);
	if (n < errlen)
		snprintf(err + n, errlen - n,
			 "): stop it with \"camfencectl stop --detach\", or remove %s, then start again",
			 pin_dir);
	return -EINVAL;
}

/* Every map takes its pin path; all are pinned already (a takeover) or none
 * is: a partial set is from another build or an interrupted start, and
 * mixing it with new maps would let two programs disagree on the live slot. */
static int set_pins(struct camfence_loader *l, char *err, size_t errlen)
{
	const char *missing = NULL, *found = NULL;
	char path[PATH_MAX];
	struct bpf_map *map;
	int ret;

	bpf_object__for_each_map(map, l->skel->obj) {
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, bpf_map__name(map));
		ret = bpf_map__set_pin_path(map, path);
		if (ret) {
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			return ret;
		}
		ret = check_pinned(map, l->pin_dir, err, errlen);
		if (ret < 0)
			return ret;
		if (ret && !found)
			found = bpf_map__name(map);
		else if (!ret && !missing)
			missing = bpf_map__name(map);
	}
	if (found && missing) {
		snprintf(err, errlen,
			 "%s: holds camfence's map %s but not %s (another build, or an interrupted start): "
			 "stop it with \"camfencectl stop --detach\", or remove %s, then start again",
			 l->pin_dir, found, missing, l->pin_dir);
		return -ENOENT;
	}
	l->took_over = found != NULL;
	return 0;
}

static void unpin_maps(struct camfence_loader *l)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, l->skel->obj)
		bpf_map__unpin(map, NULL);
}

/* Pinned beside and renamed over the old program's pin: the name is never
 * missing, and a failure leaves the old pin. bpffs refuses names with dots. */
static int pin_prog(struct camfence_loader *l, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd = bpf_program__fd(l->skel->progs.camfence_xdp);

	snprintf(path, sizeof(path), "%s/" PROG_PIN, l->pin_dir);
	snprintf(tmp, sizeof(tmp), "%s/" PROG_PIN "_new", l->pin_dir);
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp) || rename(tmp, path)) {
		fd = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-fd));
		unlink(tmp);
		return fd;
	}
	return 0;
}

int camfence_loader_open_pinned(const char *pin_dir, struct camfence_loader **out, char *err,
				size_t errlen)
{
	struct camfence_loader *l;
	bool made = false;
	size_t n;
	int ret;

	if (errlen)
		err[0] = '\0';
	ret = camfence_loader_alloc(&l);
	if (ret)
		return ret;
	l->pin_dir = strdup(pin_dir);
	if (!l->pin_dir) {
		ret = -ENOMEM;
		goto err;
	}
	for (n = strlen(l->pin_dir); n > 1 && l->pin_dir[n - 1] == '/'; n--)
		l->pin_dir[n - 1] = '\0';
	ret = prepare_dir(l->pin_dir, &made, err, errlen);
	if (ret)
		goto err;
	l->skel = camfence_bpf__open();
	if (!l->skel) {
		ret = -errno;
		snprintf(err, errlen, "the XDP program: cannot open its object: %s", strerror(-ret));
		goto err_dir;
	}
	ret = set_pins(l, err, errlen);
	if (ret)
		goto err_dir;
	/* on failure, libbpf unpins the maps it pinned and keeps those it reused */
	ret = camfence_bpf__load(l->skel);
	if (ret) {
		snprintf(err, errlen, "the XDP program: cannot load it: %s", strerror(-ret));
		goto err_dir;
	}
	ret = camfence_loader_read_generation(l);
	if (ret) {
		snprintf(err, errlen, "%s/config: %s", l->pin_dir, strerror(-ret));
		goto err_unpin;
	}
	ret = pin_prog(l, err, errlen);
	if (ret)
		goto err_unpin;
	*out = l;
	return 0;
err_unpin:
	if (!l->took_over)
		unpin_maps(l);
err_dir:
	if (made)
		rmdir(l->pin_dir);
err:
	if (errlen && !err[0])
		snprintf(err, errlen, "%s: %s", pin_dir, strerror(-ret));
	camfence_loader_close(l);
	return ret;
}

int camfence_loader_took_over(const struct camfence_loader *l)
{
	return l->took_over;
}

/* Only the names camfence pins are removed: a directory that holds more is
 * not all camfence's, and is left with what is not. */
int camfence_loader_unpin(struct camfence_loader *l)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int ret = 0, r;

	if (!l->pin_dir)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/" PROG_PIN, l->pin_dir);
	if (unlink(path) && errno != ENOENT)
		ret = -errno;
	bpf_object__for_each_map(map, l->skel->obj) {
		r = bpf_map__unpin(map, NULL);
		if (r && r != -ENOENT && !ret)
			ret = r;
	}
	if (rmdir(l->pin_dir) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

static bool prog_is_camfence(__u32 id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	bool ret;
	int fd;

	if (!id)
		return false;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;	/* replaced or detached since the query */
	ret = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_PROG_TYPE_XDP &&
	      !strcmp(info.name, PROG_PIN);
	close(fd);
	return ret;
}

int camfence_loader_find_attached(struct camfence_xdp_attached *out, int max)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		const struct camfence_xdp_attached found[] = {
			{ i->if_index, CAMFENCE_ATTACH_NATIVE, 0 },
			{ i->if_index, CAMFENCE_ATTACH_GENERIC, 0 },
		};
		__u32 ids[2];
		int m;

		if (bpf_xdp_query(i->if_index, 0, &q))
			continue;	/* gone since the list was made */
		ids[0] = q.drv_prog_id;
		ids[1] = q.skb_prog_id;
		for (m = 0; m < 2; m++) {
			if (!prog_is_camfence(ids[m]))
				continue;
			if (n < max) {
				out[n] = found[m];
				out[n].prog_id = ids[m];
			}
			n++;
		}
	}
	if_freenameindex(ifs);
	return n;
}
