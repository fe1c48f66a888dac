// SPDX-License-Identifier: GPL-2.0
/*
 * The state camfence keeps in each network namespace (struct camfence_net),
 * allocated by the pernet core beside the namespace (.id, .size) for those
 * that exist at load time and those created later.
 *
 * Registered before the hooks and unregistered after them: when a
 * namespace goes, or the module, its hooks are gone and a grace period has
 * passed before this state is freed.
 */

#include "net.h"
#include "policy.h"

#include <linux/rcupdate.h>

unsigned int camfence_net_id __read_mostly;

static int __net_init net_init(struct net *net)
{
	struct camfence_net *pn = camfence_net(net);

	mutex_init(&pn->lock);
	RCU_INIT_POINTER(pn->live, NULL);
	pn->staged = NULL;
	camfence_events_init(&pn->events);
	return camfence_counters_init(&pn->counters);
}

static void __net_exit net_exit(struct net *net)
{
	struct camfence_net *pn = camfence_net(net);

	/* no hook left to read it, none in flight */
	camfence_policy_free(rcu_dereference_protected(pn->live, true));
	RCU_INIT_POINTER(pn->live, NULL);
	camfence_policy_free(pn->staged);
	pn->staged = NULL;
	camfence_counters_uninit(&pn->counters);
	mutex_destroy(&pn->lock);
}

static struct pernet_operations net_ops = {
	.init = net_init,
	.exit = net_exit,
	.id   = &camfence_net_id,
	.size = sizeof(struct camfence_net),
};

int __init camfence_net_init(void)
{
	return register_pernet_subsys(&net_ops);
}

void camfence_net_uninit(void)
{
	unregister_pernet_subsys(&net_ops);
	/* generations replaced by commits, still waiting for their grace period */
	rcu_barrier();
}
