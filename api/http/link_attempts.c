#include "http/link_attempts.h"

#include <stdio.h>

#include "db/throttle.h"
#include "http/env.h"
#include "http/middleware.h"

int link_attempt_begin(struct link_attempt *a, const struct http_ctx *ctx)
{
	char address[64];

	http_client_address(ctx, address, sizeof(address));
	a->by_address = ctx->env->links_by_address;
	snprintf(a->key, sizeof(a->key), "link|%s", address);
	return throttle_admit(a->by_address, a->key, "links that were not valid from this address");
}

void link_attempt_end(const struct link_attempt *a, int rc)
{
	/* A valid link is no reason to forget earlier failures: a guesser may hold one link. */
	throttle_finish(a->by_address, a->key,
	                rc == CS_ENOTFOUND || rc == CS_EGONE ? THROTTLE_FAILED : THROTTLE_NEUTRAL);
}
