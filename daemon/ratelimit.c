// SPDX-License-Identifier: GPL-2.0
#include "ratelimit.h"

int camfence_ratelimit_allow(struct cf_bucket *b, uint64_t now_ns, unsigned int rate,
			     unsigned int period)
{
	if (!rate || !period)
		return 1;
	if (!b->primed) {
		/* a full bucket: the first burst of a rule is seen whole */
		b->tokens = rate;
		b->last_ns = now_ns;
		b->primed = 1;
	}
	if (now_ns > b->last_ns) {
		b->tokens += (double)(now_ns - b->last_ns) * rate / (period * 1e9);
		if (b->tokens > rate)
			b->tokens = rate;
		b->last_ns = now_ns;
	}
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}
