/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Generic netlink interface of camfence.ko, family "camfence".
 *
 * CAMFENCE_CMD_GET_VERSION
 * ------------------------
 * Request: no attributes. Reply:
 *
 *    CAMFENCE_A_VERSION: NLA_NUL_STRING, the module's version, e.g. "0.1.0"
 *    CAMFENCE_A_API:     NLA_U32, CAMFENCE_GENL_API, bumped on incompatible
 *                        changes of this interface
 *
 * Any other command is refused with -EOPNOTSUPP.
 */
#ifndef CAMFENCE_GENL_H
#define CAMFENCE_GENL_H

#define CAMFENCE_GENL_NAME	"camfence"
#define CAMFENCE_GENL_API	1

enum camfence_cmd {
	CAMFENCE_CMD_UNSPEC,
	CAMFENCE_CMD_GET_VERSION,
	__CAMFENCE_CMD_MAX,
};
#define CAMFENCE_CMD_MAX (__CAMFENCE_CMD_MAX - 1)

enum camfence_attr {
	CAMFENCE_A_UNSPEC,
	CAMFENCE_A_VERSION,
	CAMFENCE_A_API,
	__CAMFENCE_A_MAX,
};
#define CAMFENCE_A_MAX (__CAMFENCE_A_MAX - 1)

#endif /* CAMFENCE_GENL_H */
