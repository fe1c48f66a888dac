/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between livegen.bpf.c and livegen.c. */
#ifndef CAMFENCE_LIVEGEN_H
#define CAMFENCE_LIVEGEN_H

#include <linux/types.h>

/* One per CPU: frames this CPU's runs wrote (each run is one frame). */
struct livegen_count {
	__u64 frames;
};

/* Ethernet 14 + IPv4 20 + UDP 8 + payload 18 = 60, 64 on the wire with
 * the FCS: the smallest Ethernet frame. */
#define LIVEGEN_FRAME_LEN	60

#endif
