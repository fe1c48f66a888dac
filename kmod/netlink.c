// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "camfence". Commands, attributes and their
 * tree are documented in include/camfence_genl.h.
 */

#include "netlink.h"

#include "camfence.h"
#include "camfence_genl.h"

#include <linux/kernel.h>
#include <net/genetlink.h>

static struct genl_family genl_family;

/*
 * The request carries no attribute. The ones the reply uses are refused
 * explicitly rather than ignored, so a client that sends them learns it is
 * talking to an interface it does not understand.
 */
static const struct nla_policy get_version_policy[CAMFENCE_A_MAX + 1] = {
	[CAMFENCE_A_VERSION]	= { .type = NLA_REJECT },
	[CAMFENCE_A_API]	= { .type = NLA_REJECT },
};

static int get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(CAMFENCE_VERSION)) +
			  nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &genl_family, 0,
				CAMFENCE_CMD_GET_VERSION);
	if (!hdr)
		goto err_msgsize;

	if (nla_put_string(msg, CAMFENCE_A_VERSION, CAMFENCE_VERSION) ||
	    nla_put_u32(msg, CAMFENCE_A_API, CAMFENCE_GENL_API))
		goto err_msgsize;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msgsize:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * struct genl_ops rather than genl_small_ops: only the former carries a
 * policy per command, and both exist from 5.10 on. Commands missing from
 * this table are refused by genetlink with -EOPNOTSUPP.
 */
static const struct genl_ops genl_ops[] = {
	{
		.cmd		= CAMFENCE_CMD_GET_VERSION,
		.doit		= get_version,
		.policy		= get_version_policy,
		.maxattr	= CAMFENCE_A_MAX,
	},
};

/*
 * resv_start_op is left at 0, as new families should: every command gets
 * strict validation, reserved header fields included.
 */
static struct genl_family genl_family __ro_after_init = {
	.ops		= genl_ops,
	.n_ops		= ARRAY_SIZE(genl_ops),
	.name		= CAMFENCE_GENL_NAME,
	.version	= CAMFENCE_GENL_API,
	.module		= THIS_MODULE,
	.netnsok	= true,
};

int __init camfence_netlink_init(void)
{
	return genl_register_family(&genl_family);
}

void camfence_netlink_uninit(void)
{
	genl_unregister_family(&genl_family);
}
