/* SPDX-License-Identifier: GPL-2.0 */
/* Opening an Ethernet capture, with errors an admin can act on. Shared by
 * `camfencectl audit` and the test tool camgen. */
#ifndef CAMFENCE_PCAP_OPEN_H
#define CAMFENCE_PCAP_OPEN_H

#include <pcap/pcap.h>
#include <stdio.h>

/* who prefixes the messages ("audit", "camgen"); nano asks for nanosecond
 * timestamps. NULL, with the reason written to err, when the file cannot
 * be read or is not an Ethernet capture. */
pcap_t *camfence_pcap_open(const char *path, const char *who, int nano, FILE *err);

#endif
