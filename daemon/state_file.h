/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The learning state: the flow view (flowtrack.h) kept on disk, so that
 * what each device reached or tried survives a restart of camfenced and
 * `camfencectl propose` has the whole history to work from.
 *
 * One JSON file, DIR/learned-flows.json, mode 0600 (it names every
 * device's destinations), replaced atomically: written to a temporary file
 * in the same directory, synced, renamed over the old one, the directory
 * synced. A file that cannot be trusted (unparsable, truncated, of another
 * version, a value out of range) is renamed aside and nothing of it is
 * used. The format is in docs/daemon.md, "Learning state".
 */
#ifndef CAMFENCE_STATE_FILE_H
#define CAMFENCE_STATE_FILE_H

#include <stddef.h>
#include <time.h>

#include "flowtrack.h"

#define CF_STATE_FILE		"learned-flows.json"
#define CF_STATE_VERSION	1

/* Write the view to dir/learned-flows.json. 0, or -1 and why in err. */
int camfence_state_save(const struct cf_flowtrack *t, const char *dir, time_t now, char *err,
			size_t errlen);

enum cf_state_load {
	CF_STATE_LOADED,	/* msg: how many devices and flows */
	CF_STATE_ABSENT,	/* no file: a first start */
	CF_STATE_SET_ASIDE,	/* msg: why, and the name it now has */
	CF_STATE_UNREADABLE,	/* msg: why; left where it is (e.g. EACCES) */
};

/* Read dir/learned-flows.json into t, which should be empty. The whole file
 * is checked before any of it goes in: a file set aside leaves t as it was.
 * now names the file set aside (learned-flows.json.corrupt-EPOCH). */
enum cf_state_load camfence_state_load(struct cf_flowtrack *t, const char *dir, time_t now,
				       char *msg, size_t msglen);

#endif
