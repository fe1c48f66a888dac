/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket between camfencectl and camfenced: a Unix stream
 * socket only root may open. A request is one line, "COMMAND [ARG]
 * [--json] [--since=@EPOCH] [--detach]"; the reply is text (JSON with
 * --json) up to the end of the connection, its first line "ok" or
 * "error: <why>".
 */
#ifndef CAMFENCE_CONTROL_H
#define CAMFENCE_CONTROL_H

#include <stdio.h>
#include <sys/types.h>

#define CAMFENCE_CONTROL_PATH	"/run/camfence/camfenced.sock"
#define CAMFENCE_CONTROL_MAX	256

/* Before anything else starts: a socket directory that someone other than
 * root could write to (not sticky) or that someone else owns is refused,
 * -errno and why says which and what to do; they could put a socket of
 * their own where camfencectl looks. A missing one is made 0700 by listen. */
int camfence_control_check_dir(const char *path, char *why, size_t len);
int camfence_control_listen(const char *path);
/* Accept one client; returns its fd and its request line, or -errno. A
 * client that is not root, by SO_PEERCRED whatever the socket's mode, gets
 * "error: camfenced answers root only; uid N is refused", and -EPERM with
 * its uid in *peer. */
int camfence_control_accept(int lfd, char *req, size_t len, uid_t *peer);
/* Send request and copy the reply to out, or an error reply to err as
 * "camfenced: why"; returns 0 when the daemon said "ok", 1 when it
 * answered an error, or -errno when it could not be reached. */
int camfence_control_request(const char *path, const char *req, FILE *out, FILE *err);

#endif
