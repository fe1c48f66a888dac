// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks on IPv4 and IPv6 FORWARD, in every network namespace.
 *
 * Only forwarded traffic matters: a camera's packets to the internet cross
 * the router, they are never addressed to it. For now every packet is
 * accepted; the verdict comes with the policy.
 */

#include "hooks.h"

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

static unsigned int ipv4_forward(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

static unsigned int ipv6_forward(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	return NF_ACCEPT;
}

/*
 * Conntrack has no FORWARD hook: it attached its entry in PRE_ROUTING, so at
 * any FORWARD priority skb_nfct() is already set and "allow replies" can be
 * answered. What the priority does decide is our place among the other
 * FORWARD hooks. Right after conntrack's slot puts us ahead of mangle (-150),
 * the filter table and nftables' default filter chains (0): a camera's
 * packet is dropped before the admin's ruleset spends any work on it, and
 * those rulesets only ever see traffic that camfence let through.
 */
static const struct nf_hook_ops hook_ops[] = {
	{
		.hook		= ipv4_forward,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook		= ipv6_forward,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
#endif
};

/*
 * Netfilter hooks belong to one namespace. Through pernet_operations every
 * namespace, existing or created later, gets ours, and a namespace that goes
 * away takes them along.
 */
static int __net_init hooks_net_init(struct net *net)
{
	return nf_register_net_hooks(net, hook_ops, ARRAY_SIZE(hook_ops));
}

static void __net_exit hooks_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, hook_ops, ARRAY_SIZE(hook_ops));
}

static struct pernet_operations hooks_net_ops = {
	.init = hooks_net_init,
	.exit = hooks_net_exit,
};

int __init camfence_hooks_init(void)
{
	return register_pernet_subsys(&hooks_net_ops);
}

void camfence_hooks_uninit(void)
{
	unregister_pernet_subsys(&hooks_net_ops);
}
