/* SPDX-License-Identifier: GPL-2.0 */
/* Messages of the daemon: to syslog (facility daemon), and to stderr too
 * when it runs in the foreground. */
#ifndef CAMFENCE_LOG_H
#define CAMFENCE_LOG_H

#include <syslog.h>

void camfence_log_open(const char *ident, int to_stderr);
void camfence_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
