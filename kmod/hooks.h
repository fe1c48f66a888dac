/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_HOOKS_H
#define _CAMFENCE_HOOKS_H

struct net;
struct camfence_net;

int camfence_hooks_init(void);
void camfence_hooks_uninit(void);

/* Conntrack (and defragmentation) on in net from now on, until it goes or
 * the module does; under pn->lock. */
int camfence_hooks_track(struct net *net, struct camfence_net *pn);

#endif /* _CAMFENCE_HOOKS_H */
