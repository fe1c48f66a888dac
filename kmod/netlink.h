/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_NETLINK_H
#define _CAMFENCE_NETLINK_H

int camfence_netlink_init(void);
void camfence_netlink_uninit(void);

#endif /* _CAMFENCE_NETLINK_H */
