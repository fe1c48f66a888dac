// SPDX-License-Identifier: GPL-2.0
/*
 * Learned destinations to camfence.ko, one record at a time, against the
 * live policy: LEARNED_SET and LEARNED_DEL (include/camfence_genl.h). Each
 * names the generation it is meant for, so an update that crosses a push
 * is refused (-ESTALE) instead of landing in the new policy.
 */
#include <errno.h>

#include "kmod_priv.h"

static int learned_request(struct camfence_kmod *k, __u8 cmd, __u64 generation,
			   const struct camfence_learned_key *key,
			   const struct camfence_learned *value)
{
	char ext[KMOD_EXTACK_MAX];
	struct nl_msg *msg = camfence_kmod_msg(k->family, 0, cmd);
	int err;

	if (!msg || nla_put_u64(msg, CAMFENCE_A_GENERATION, generation) < 0 ||
	    nla_put(msg, CAMFENCE_A_LEARNED_KEY, sizeof(*key), key) < 0 ||
	    (value && nla_put(msg, CAMFENCE_A_LEARNED_VALUE, sizeof(*value), value) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = k->transact(k, msg, NULL, NULL, ext, sizeof(ext));
	nlmsg_free(msg);
	return err;
}

int camfence_kmod_learned_set(struct camfence_kmod *k, __u64 generation,
			      const struct camfence_learned_key *key,
			      const struct camfence_learned *value)
{
	return learned_request(k, CAMFENCE_CMD_LEARNED_SET, generation, key, value);
}

int camfence_kmod_learned_del(struct camfence_kmod *k, __u64 generation,
			      const struct camfence_learned_key *key)
{
	return learned_request(k, CAMFENCE_CMD_LEARNED_DEL, generation, key, NULL);
}
