/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _CAMFENCE_HOOKS_H
#define _CAMFENCE_HOOKS_H

int camfence_hooks_init(void);
void camfence_hooks_uninit(void);

#endif /* _CAMFENCE_HOOKS_H */
