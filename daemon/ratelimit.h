/* SPDX-License-Identifier: GPL-2.0 */
/* Token buckets for `log RATE` in a policy: at most rate alerts per period
 * seconds for each rule, the rest counted as suppressed. */
#ifndef CAMFENCE_RATELIMIT_H
#define CAMFENCE_RATELIMIT_H

#include <stdint.h>

struct cf_bucket {
	double tokens;
	uint64_t last_ns;
	int primed;
};

/* 1 when an alert may go out now; rate 0 means no limit. */
int camfence_ratelimit_allow(struct cf_bucket *b, uint64_t now_ns, unsigned int rate,
			     unsigned int period);

#endif
