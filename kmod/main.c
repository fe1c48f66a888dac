// SPDX-License-Identifier: GPL-2.0
/*
 * camfence.ko: the stateful half of camfence, on the FORWARD hook.
 *
 * Module init is a ladder: each step is undone, in reverse order, by the
 * labels below it, and module exit walks the same ladder top to bottom.
 */

#include "hooks.h"
#include "net.h"
#include "netlink.h"

#include "camfence.h"

#include <linux/init.h>
#include <linux/module.h>

static int __init camfence_mod_init(void)
{
	int ret;

	ret = camfence_net_init();
	if (ret < 0)
		goto err_net;

	ret = camfence_hooks_init();
	if (ret < 0)
		goto err_hooks;

	/* Last, so userspace cannot reach us before the data path is up. */
	ret = camfence_netlink_init();
	if (ret < 0)
		goto err_netlink;

	pr_info("camfence " CAMFENCE_VERSION " loaded\n");
	return 0;

err_netlink:
	camfence_hooks_uninit();
err_hooks:
	camfence_net_uninit();
err_net:
	return ret;
}

static void __exit camfence_mod_exit(void)
{
	camfence_netlink_uninit();
	camfence_hooks_uninit();
	camfence_net_uninit();
}

module_init(camfence_mod_init);
module_exit(camfence_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("camfence: keeps untrusted IP cameras from phoning home");
MODULE_AUTHOR("camfence");
MODULE_VERSION(CAMFENCE_VERSION);
