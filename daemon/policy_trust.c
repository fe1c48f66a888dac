// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy_trust.h"

static const char *owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		snprintf(buf, len, "uid %u (%s)", (unsigned int)uid, pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned int)uid);
	return buf;
}

/* "group", "others" or "group and others", and the chmod that fixes it */
static const char *writers(mode_t mode, const char **fix)
{
	if ((mode & S_IWGRP) && (mode & S_IWOTH)) {
		*fix = "go-w";
		return "group and others";
	}
	*fix = mode & S_IWGRP ? "g-w" : "o-w";
	return mode & S_IWGRP ? "group" : "others";
}

int camfence_policy_trust_check(const char *path, const struct stat *st, const char *dir,
				const struct stat *dst, uid_t self, char *why, size_t len)
{
	char who[64];
	const char *fix, *w;

	if (st->st_uid != 0 && st->st_uid != self) {
		snprintf(why, len, "owned by %s, not root: only root may change what camfenced enforces: chown root %s",
			 owner_name(st->st_uid, who, sizeof(who)), path);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		w = writers(st->st_mode, &fix);
		snprintf(why, len, "writable by %s (mode %04o): chmod %s %s", w,
			 (unsigned int)(st->st_mode & 07777), fix, path);
		return -1;
	}
	if (!dst)
		return 0;
	if (dst->st_uid != 0 && dst->st_uid != self) {
		snprintf(why, len, "its directory %s is owned by %s, who could put another file in its place: chown root %s, or keep the policy in a directory of root's",
			 dir, owner_name(dst->st_uid, who, sizeof(who)), dir);
		return -1;
	}
	if ((dst->st_mode & (S_IWGRP | S_IWOTH)) && !(dst->st_mode & S_ISVTX)) {
		w = writers(dst->st_mode, &fix);
		snprintf(why, len, "its directory %s is writable by %s (mode %04o), who could put another file in its place: chmod %s %s",
			 dir, w, (unsigned int)(dst->st_mode & 07777), fix, dir);
		return -1;
	}
	return 0;
}

static int check_dir_of(const char *path, const struct stat *st, uid_t self, char *why,
			size_t len)
{
	char *copy = strdup(path), *dir;
	struct stat dst;
	int ret;

	if (!copy) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	dir = dirname(copy);
	if (stat(dir, &dst)) {
		snprintf(why, len, "its directory %s: %s", dir, strerror(errno));
		free(copy);
		return -1;
	}
	ret = camfence_policy_trust_check(path, st, dir, &dst, self, why, len);
	free(copy);
	return ret;
}

int camfence_policy_trust_fd(const char *path, int fd, uid_t self, char *why, size_t len)
{
	char real[PATH_MAX];
	struct stat st;

	if (fstat(fd, &st)) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	if (check_dir_of(path, &st, self, why, len))
		return -1;
	/* through a symbolic link: where the file really is counts too */
	if (realpath(path, real) && strcmp(real, path))
		return check_dir_of(real, &st, self, why, len);
	return 0;
}
