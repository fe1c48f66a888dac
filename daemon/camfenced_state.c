// SPDX-License-Identifier: GPL-2.0
/*
 * camfenced: the learning state on disk (state_file.h): read back into the
 * flow view at start, written every CAMFENCED_STATE_INTERVAL seconds and
 * at stop. A file that cannot be trusted is set aside, never a reason not
 * to start.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "camfenced.h"
#include "log.h"
#include "state_file.h"

static void save(struct daemon *d, time_t now)
{
	char err[512];

	if (camfence_state_save(d->flows, d->state_dir, now, err, sizeof(err))) {
		if (!d->state_failing)
			camfence_log(LOG_ERR, "learning state not saved: %s; retried every %d s",
				     err, CAMFENCED_STATE_INTERVAL);
		d->state_failing = 1;
		return;
	}
	if (d->state_failing)
		camfence_log(LOG_NOTICE, "learning state saved again in %s", d->state_dir);
	d->state_failing = 0;
}

void camfenced_state_start(struct daemon *d)
{
	char msg[1024];
	time_t now = time(NULL);

	if (!d->state_dir[0])
		return;
	d->state_due = now + CAMFENCED_STATE_INTERVAL;
	/* one level, root's alone: the file names every device's destinations */
	if (mkdir(d->state_dir, 0700) && errno != EEXIST)
		camfence_log(LOG_WARNING, "learning state: cannot create %s: %s", d->state_dir,
			     strerror(errno));
	switch (camfence_state_load(d->flows, d->state_dir, now, msg, sizeof(msg))) {
	case CF_STATE_LOADED:
	case CF_STATE_ABSENT:
		camfence_log(LOG_INFO, "learning state %s", msg);
		break;
	case CF_STATE_SET_ASIDE:
		camfence_log(LOG_WARNING, "learning state %s", msg);
		break;
	case CF_STATE_UNREADABLE:
		camfence_log(LOG_ERR, "learning state %s; the next write replaces it", msg);
		break;
	}
}

void camfenced_state_tick(struct daemon *d)
{
	time_t now = time(NULL);

	if (!d->state_dir[0] || now < d->state_due)
		return;
	d->state_due = now + CAMFENCED_STATE_INTERVAL;
	save(d, now);
}

void camfenced_state_stop(struct daemon *d)
{
	if (!d->state_dir[0] || !d->flows)
		return;
	save(d, time(NULL));
}
