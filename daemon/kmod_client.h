/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client of camfence.ko's generic netlink family (include/camfence_genl.h),
 * over libnl-genl-3. Callers see errno values only, never libnl types.
 */
#ifndef CAMFENCE_KMOD_CLIENT_H
#define CAMFENCE_KMOD_CLIENT_H

#include <stddef.h>

/*
 * Ask the loaded module for its version ("0.1.0", written NUL-terminated
 * into version[len]) and its netlink API number (CAMFENCE_GENL_API).
 * Returns 0, -ENOENT when the family "camfence" does not exist (the module
 * is not loaded), -ERANGE when version[] is too short, -EPROTO on a reply
 * that does not follow camfence_genl.h, -ETIMEDOUT when the kernel does not
 * answer, or another negative errno from the socket.
 */
int camfence_kmod_client_version(char *version, size_t len, unsigned int *api);

/* A message for a value returned above; "camfence.ko is not loaded" for -ENOENT. */
const char *camfence_kmod_client_strerror(int err);

#endif
