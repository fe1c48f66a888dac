/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who could have written a policy file. camfenced enforces, as root, what
 * the file and its includes say: a file that someone other than root could
 * change, or one in a directory where someone else could put another file
 * in its place, would let that someone open the gate. The daemon refuses
 * such a file (CF_TRUST_REQUIRE); `camfencectl check` only warns
 * (CF_TRUST_WARN), so an admin can check a draft of their own before
 * installing it; explain, audit and the tests do not ask.
 */
#ifndef CAMFENCE_POLICY_TRUST_H
#define CAMFENCE_POLICY_TRUST_H

#include <stddef.h>
#include <sys/types.h>

struct stat;	/* <sys/stat.h>: not pulled into every user of policy.h */

enum cf_trust {
	CF_TRUST_IGNORE,
	CF_TRUST_WARN,
	CF_TRUST_REQUIRE,
};

/*
 * Judges a file by its own stat (st, of the open file) and its directory's
 * (dst, of dir). Trusted: owned by root or by self (the daemon's own uid),
 * writable by its owner only; its directory owned by root or self and not
 * writable by group or others unless sticky (as /tmp: nobody may rename or
 * remove another's file there). Returns 0 when trusted, else -1 with the
 * first problem and what to do in why: "writable by group and others
 * (mode 0666): chmod go-w PATH".
 */
int camfence_policy_trust_check(const char *path, const struct stat *st, const char *dir,
				const struct stat *dst, uid_t self, char *why, size_t len);

/* The same for an open file: fstat of fd, stat of path's directory and,
 * when path leads there through a symbolic link, of the real file's. */
int camfence_policy_trust_fd(const char *path, int fd, uid_t self, char *why, size_t len);

#endif
