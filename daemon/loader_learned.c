// SPDX-License-Identifier: GPL-2.0
/*
 * The learned map (what DNS told each device) and the lookups camfenced
 * needs to key it: the device a frame is, found in the maps exactly as the
 * XDP program finds it, so both agree on device ids in either slot.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "camfence.skel.h"
#include "loader_priv.h"

int camfence_loader_find_device(struct camfence_loader *l, __u32 slot, int ifindex, __u16 vlan,
				const __u8 mac[6], int family, const __u8 *saddr,
				__u32 *device_id, __u32 *policy_id)
{
	struct camfence_bpf *s = l->skel;
	struct camfence_iface_key ik = { .slot = slot, .ifindex = ifindex, .vlan = vlan };
	struct camfence_mac_key mk = { .prefixlen = 80 };
	struct camfence_vlan_key vk = { .vlan = vlan };
	struct camfence_iface iface;
	struct camfence_device dev;
	__u32 scope;

	if (bpf_map_lookup_elem(bpf_map__fd(s->maps.ifaces), &ik, &iface)) {
		ik.vlan = CAMFENCE_VLAN_ANY;
		if (bpf_map_lookup_elem(bpf_map__fd(s->maps.ifaces), &ik, &iface))
			return -ENOENT;
	}
	scope = camfence_zone_scope(slot, iface.zone_id);
	mk.scope = scope;
	memcpy(mk.mac, mac, 6);
	if (!bpf_map_lookup_elem(bpf_map__fd(s->maps.macs), &mk, &dev))
		goto found;
	if (family == AF_INET) {
		struct camfence_src4_key k = { .prefixlen = 64, .scope = scope };

		memcpy(k.addr, saddr, 4);
		if (!bpf_map_lookup_elem(bpf_map__fd(s->maps.src4), &k, &dev))
			goto found;
	} else if (family == AF_INET6) {
		struct camfence_src6_key k = { .prefixlen = 160, .scope = scope };

		memcpy(k.addr, saddr, 16);
		if (!bpf_map_lookup_elem(bpf_map__fd(s->maps.src6), &k, &dev))
			goto found;
	}
	vk.scope = scope;
	if (!bpf_map_lookup_elem(bpf_map__fd(s->maps.vlans), &vk, &dev))
		goto found;
	*device_id = 0;
	*policy_id = iface.unknown_policy;
	return 0;
found:
	*device_id = dev.device_id;
	*policy_id = dev.policy_id & ~CAMFENCE_DEVICE_MONITOR;
	return 0;
}

int camfence_loader_learned_set(struct camfence_loader *l, const struct camfence_learned_key *k,
				const struct camfence_learned *v)
{
	return bpf_map_update_elem(bpf_map__fd(l->skel->maps.learned), k, v, BPF_ANY) ? -errno : 0;
}

int camfence_loader_learned_del(struct camfence_loader *l, const struct camfence_learned_key *k)
{
	if (bpf_map_delete_elem(bpf_map__fd(l->skel->maps.learned), k) && errno != ENOENT)
		return -errno;
	return 0;
}

int camfence_loader_bump_epoch(struct camfence_loader *l)
{
	int fd = bpf_map__fd(l->skel->maps.config);
	struct camfence_config cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, &cfg))
		return -errno;
	/* the generation is written back as it was: a packet reading it
	 * while this lands sees the same one */
	cfg.generation = l->generation;
	cfg.epoch++;
	return bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}
