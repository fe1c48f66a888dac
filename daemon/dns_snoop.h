/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DNS snooper: camfence_dns_tc (bpf/camfence_dns.bpf.c) loaded, attached
 * as a TC egress filter to zone interfaces, and the DNS responses it copies
 * handed to a callback one record at a time (docs/dns-snoop.md).
 *
 * Functions returning int give 0 (or a count) on success, -errno on failure
 * with err filled with what went wrong and what to do.
 */
#ifndef CAMFENCE_DNS_SNOOP_H
#define CAMFENCE_DNS_SNOOP_H

#include <stddef.h>

#include "camfence_dns.h"

struct camfence_dns_snoop;

/* One response: rec, then msg, rec->copied bytes of the message (valid only
 * during the call). A negative return (-errno) stops
 * camfence_dns_snoop_consume, which returns it. */
typedef int (*camfence_dns_snoop_fn)(const struct camfence_dns_record *rec, const __u8 *msg,
				     void *ctx);

/* Loads the program and its maps; attaches nothing. */
int camfence_dns_snoop_open(struct camfence_dns_snoop **out, camfence_dns_snoop_fn fn, void *ctx,
			    char *err, size_t errlen);
/*
 * Attaches to ifindex's clsact egress, creating the clsact qdisc if the
 * interface has none, at the fixed priority and handle of camfence_dns.h:
 * a snooper filter left there (by a camfenced that did not close) is
 * replaced, so filters never stack. A filter of another program at that
 * place is refused, not replaced. Attaching again where attached is a no-op.
 */
int camfence_dns_snoop_attach(struct camfence_dns_snoop *s, int ifindex, char *err, size_t errlen);
/* Removes the filter this snooper attached to ifindex, if it is still
 * there and still its own; the clsact qdisc stays (others may use it). */
int camfence_dns_snoop_detach(struct camfence_dns_snoop *s, int ifindex, char *err, size_t errlen);
/* The ring buffer's epoll fd: readable when records wait. */
int camfence_dns_snoop_fd(const struct camfence_dns_snoop *s);
/* Calls fn for every waiting record; returns how many, or fn's negative
 * return, or -errno. Never blocks. */
int camfence_dns_snoop_consume(struct camfence_dns_snoop *s);
/* The program's counters, summed over CPUs. */
int camfence_dns_snoop_counters(const struct camfence_dns_snoop *s,
				struct camfence_dns_counters *out);
/* Records consume refused as malformed (shorter than they say). */
unsigned long camfence_dns_snoop_malformed(const struct camfence_dns_snoop *s);
/* The loaded program's id, to tell its filter from another's. */
__u32 camfence_dns_snoop_prog_id(const struct camfence_dns_snoop *s);
/* Its fd, for BPF_PROG_TEST_RUN. */
int camfence_dns_snoop_prog_fd(const struct camfence_dns_snoop *s);
/* Detaches from every interface it is attached to, then unloads. */
void camfence_dns_snoop_close(struct camfence_dns_snoop *s);

#endif
