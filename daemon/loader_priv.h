/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What loader.c and loader_pin.c share, and the tests in tests/bpf reach
 * into. Not for the rest of the daemon: it goes through loader.h.
 */
#ifndef CAMFENCE_LOADER_PRIV_H
#define CAMFENCE_LOADER_PRIV_H

#include <stdbool.h>

#include "loader.h"

struct camfence_loader {
	struct camfence_bpf *skel;
	__u64 generation;
	int ncpus;
	char *pin_dir;		/* NULL when nothing is pinned */
	bool took_over;
	/* camfence_loader_flows: entries one batch read asks for; it grows
	 * when a hash bucket holds more */
	__u32 flow_batch;
	/* camfence_loader_flows walks key by key, two syscalls an entry: the
	 * kernel has no batch ops for the flow table, or a test asked for it */
	bool flows_per_key;
};

/* A loader with nothing loaded yet; libbpf's messages go to the log. */
int camfence_loader_alloc(struct camfence_loader **out);
/* Takes the generation the program sees, for a new or a taken-over config. */
int camfence_loader_read_generation(struct camfence_loader *l);

#endif
