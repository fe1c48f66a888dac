/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alerts to a remote collector: RFC 5424 messages with the alert's fields
 * as structured data, over UDP (RFC 5426, one datagram each) or TCP
 * (RFC 6587 octet counting, "LEN SP MSG"). Nothing here blocks: the TCP
 * socket is non-blocking, connects lazily, and after a failure waits a
 * few seconds before it tries again. A message that cannot be sent is
 * dropped and counted, never queued without bound.
 */
#ifndef CAMFENCE_SYSLOG_REMOTE_H
#define CAMFENCE_SYSLOG_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* 32473 is the private enterprise number RFC 5612 sets aside for examples. */
#define CAMFENCE_SD_ID		"camfence@32473"
#define CF_SD_NAME_MAX		32	/* RFC 5424 SD-NAME */
#define CF_SD_VALUE_MAX		256	/* with the NUL */

/* One SD-PARAM. A value is UTF-8 and stored unescaped; the formatter
 * escapes it. */
struct cf_sd_param {
	char name[CF_SD_NAME_MAX + 1];
	char value[CF_SD_VALUE_MAX];
};

/*
 * "<PRI>1 TIMESTAMP HOSTNAME APP PROCID MSGID [SD-ID name="value" ...] MSG"
 *
 * facility_severity is LOG_DAEMON | LOG_WARNING and the like (0 to 191).
 * The timestamp is wall in UTC, "2026-11-30T21:00:05.123456Z"; NULL: now.
 * Empty or NULL header fields, and a pid <= 0, become the NILVALUE "-";
 * characters RFC 5424 does not allow there become '_' and long fields are
 * cut to its limits (hostname 255, app 48, msgid 32, SD names 32). An
 * sd_id of NULL gives no structured data ("-"). Values escape '"', '\'
 * and ']'; control characters become spaces.
 *
 * Always NUL-terminates within len. What does not fit is cut: whole
 * SD-PARAMs are left out (the element stays well formed), then the MSG is
 * cut at a character boundary. Returns the length written, or -1 (errno
 * EINVAL) for a bad facility_severity or a len too small for the header.
 */
int camfence_syslog_remote_format(char *buf, size_t len, int facility_severity,
				  const struct timespec *wall, const char *hostname,
				  const char *app, int pid, const char *msgid, const char *sd_id,
				  const struct cf_sd_param *params, size_t nparams, const char *msg);

struct cf_syslog_remote;

/*
 * spec: "udp://HOST[:PORT]" or "tcp://HOST[:PORT]"; HOST is an IPv4
 * address, an IPv6 address in brackets or a name (resolved here, once: this
 * may block on DNS, so call it at start); PORT defaults to 514. NULL with
 * a message in err naming the spec and what is wrong with it.
 */
struct cf_syslog_remote *camfence_syslog_remote_open(const char *spec, char *err, size_t errlen);
void camfence_syslog_remote_close(struct cf_syslog_remote *r);
/*
 * Sends one formatted message (no trailing newline needed). UDP: one
 * datagram now, or dropped. TCP: framed and queued (bounded) while the
 * connection is being made, written at once when it is up; dropped while
 * waiting to reconnect after a failure, and what is queued when a
 * connection fails is dropped too. 0 when sent or queued, -1 when dropped.
 */
int camfence_syslog_remote_send(struct cf_syslog_remote *r, const char *msg, size_t len);
/* TCP: finishes a connect and writes what is queued; call it once a
 * second so a queue does not wait for the next message. */
void camfence_syslog_remote_flush(struct cf_syslog_remote *r);
/* Messages written to the socket, and dropped, since open. */
void camfence_syslog_remote_stats(const struct cf_syslog_remote *r, uint64_t *sent,
				  uint64_t *dropped);
const char *camfence_syslog_remote_spec(const struct cf_syslog_remote *r);
/* How long TCP waits after a failure before it connects again (2000 ms). */
void camfence_syslog_remote_set_retry(struct cf_syslog_remote *r, unsigned int ms);

#endif
