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

#define CAMFENCE_CONTROL_PATH	"/run/camfence/camfenced.sock"
#define CAMFENCE_CONTROL_MAX	256

int camfence_control_listen(const char *path);
/* Accept one client; returns its fd and its request line, or -errno. A
 * client that is not root gets an error reply and -EPERM. */
int camfence_control_accept(int lfd, char *req, size_t len);
/* Send request and copy the reply to out, or an error reply to err as
 * "camfenced: why"; returns 0 when the daemon said "ok", 1 when it
 * answered an error, or -errno when it could not be reached. */
int camfence_control_request(const char *path, const char *req, FILE *out, FILE *err);

#endif
