/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The XDP program and its maps: load, fill a compiled policy into the
 * inactive slot and publish it, attach to and detach from interfaces. Pinned
 * on a bpffs, they outlive the daemon, and the next one takes them over.
 */
#ifndef CAMFENCE_LOADER_H
#define CAMFENCE_LOADER_H

#include "policy_compile.h"

struct camfence_loader;
struct camfence_bpf;

enum camfence_attach_mode {
	CAMFENCE_ATTACH_NATIVE = 1,
	CAMFENCE_ATTACH_GENERIC,
};

int camfence_loader_open(struct camfence_loader **out);
/* As camfence_loader_open, with every map pinned by name under pin_dir, on a
 * bpffs (one is mounted on /sys/fs/bpf first if pin_dir is below it and none
 * is). Maps an earlier camfenced pinned there are reused: the new program
 * shares the live policy, generation, flow table, counters and ring buffer
 * with the one still attached, and attaching it (camfence_loader_attach)
 * replaces that one with no gap. The program is pinned as pin_dir/camfence_xdp.
 * On failure nothing new is left in pin_dir and err says why and what to do:
 * pin_dir not on a bpffs, or maps pinned by an incompatible camfence build
 * (which map, and how it differs). */
int camfence_loader_open_pinned(const char *pin_dir, struct camfence_loader **out, char *err,
				size_t errlen);
/* 1 when camfence_loader_open_pinned reused pinned maps (a takeover). */
int camfence_loader_took_over(const struct camfence_loader *l);
/* Removes the program's and the maps' pins and pin_dir: after this nothing
 * outlives the attached program. For stop --detach, before detaching. */
int camfence_loader_unpin(struct camfence_loader *l);
/* Does not detach nor unpin: an attached program keeps enforcing. */
void camfence_loader_close(struct camfence_loader *l);
struct camfence_bpf *camfence_loader_skel(struct camfence_loader *l);
__u64 camfence_loader_generation(const struct camfence_loader *l);
__u32 camfence_loader_next_slot(const struct camfence_loader *l);
/* Writes c (compiled for camfence_loader_next_slot()) and publishes it. */
int camfence_loader_push(struct camfence_loader *l, struct cf_compiled *c);
/* The same, calling learned (when not NULL) once c's tables are staged and
 * before they are published, to fill c->learned: the staged slot can then
 * be asked which devices are which (camfence_loader_find_device). */
int camfence_loader_push_learned(struct camfence_loader *l, struct cf_compiled *c,
				 int (*learned)(struct cf_compiled *c, void *ctx), void *ctx);

/* loader_learned.c: what DNS told devices, in the live policy */
/* The device a frame from mac (and saddr, on ifindex and vlan: 0 for none)
 * is in slot, found as the XDP program finds it: its id (0: unknown) and
 * policy. -ENOENT when the interface is in no zone of the slot. */
int camfence_loader_find_device(struct camfence_loader *l, __u32 slot, int ifindex, __u16 vlan,
				const __u8 mac[6], int family, const __u8 *saddr,
				__u32 *device_id, __u32 *policy_id);
int camfence_loader_learned_set(struct camfence_loader *l, const struct camfence_learned_key *k,
				const struct camfence_learned *v);
int camfence_loader_learned_del(struct camfence_loader *l, const struct camfence_learned_key *k);
/* Decisions cached before learned entries changed are taken again. */
int camfence_loader_bump_epoch(struct camfence_loader *l);
int camfence_loader_attach(struct camfence_loader *l, int ifindex, enum camfence_attach_mode *mode);
int camfence_loader_detach(struct camfence_loader *l, int ifindex, enum camfence_attach_mode mode);

struct camfence_xdp_attached {
	int ifindex;
	enum camfence_attach_mode mode;
	__u32 prog_id;
};

/* Interfaces whose XDP program (native or generic) is a camfence_xdp, by its
 * name, whichever daemon loaded it: the ones a previous camfenced attached.
 * Fills up to max of out and returns how many there are, or -errno. */
int camfence_loader_find_attached(struct camfence_xdp_attached *out, int max);
int camfence_loader_stats(struct camfence_loader *l, __u64 out[__CAMFENCE_STAT_MAX]);
/* Calls fn for every entry of the flow table (once each, unless the kernel
 * has no batch lookups), with the counts the microflow cache still holds
 * for it added; stops when fn returns non-zero and returns that. Otherwise
 * 0, or -errno when the table could not be read to its end (fn may have
 * seen some entries). */
int camfence_loader_flows(struct camfence_loader *l,
			  int (*fn)(const struct camfence_flow_key *k, const struct camfence_flow *f,
				    void *ctx),
			  void *ctx);
/* Empty the per-CPU microflow cache, after its counts were read with the
 * flow table (camfence_loader_flows adds them) and the flows removed. */
int camfence_loader_micro_reset(struct camfence_loader *l);
/* Packets and bytes the rule rule_id of the live policy decided (one of the
 * first CAMFENCE_MAX_RULE_COUNTERS rules). */
int camfence_loader_rule_counters(struct camfence_loader *l, __u32 rule_id,
				  struct camfence_rule_counters *sum);
int camfence_loader_device_counters(struct camfence_loader *l, __u32 device_id,
				    struct camfence_counters *sum);

#endif
