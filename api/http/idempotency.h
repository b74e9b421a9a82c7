/*
 * Idempotency-Key for requests that move money (Stripe's semantics). The key is claimed in the
 * database under (tenant, principal, key) with a fingerprint of the request; the SQL function that
 * moves the money stores its answer under the claim in the same transaction, so a retry either
 * replays that answer or, when nothing was committed, runs again.
 *
 * A handler: idempotency_read_key (before anything else), validate the body, idempotency_claim;
 * when not replayed, run the request passing `claim_id` to SQL, then idempotency_finish.
 */
#ifndef CURBSIDE_HTTP_IDEMPOTENCY_H
#define CURBSIDE_HTTP_IDEMPOTENCY_H

#include <stdbool.h>

#include "core/error.h"
#include "core/uuid.h"
#include "http/route.h"

/* Longest key accepted (characters). */
#define IDEMPOTENCY_KEY_MAX 255

/* How long a claim holds off a concurrent request with the same key (seconds). */
#define IDEMPOTENCY_LEASE_SECONDS 60

/* One request's key and, once claimed as new, its claim. */
struct idempotency {
	const char *key;               /* the header's value (borrowed from the request) */
	char claim_id[UUID_TEXT_SIZE]; /* the claim to pass to the SQL function; "" until claimed */
};

/*
 * Read the Idempotency-Key header into `idem`. A missing key (400 idempotency_key_required) or one
 * longer than 255 characters or not printable ASCII (400 invalid_idempotency_key) is replied here
 * and false returned: the handler just returns CS_OK.
 */
bool idempotency_read_key(struct idempotency *idem, struct http_ctx *ctx);

/*
 * Claim the key for this request, fingerprinted by SHA-256 of its method, path and raw body.
 * CS_OK with *replayed false: the request is new; run it with idem->claim_id, then call
 * idempotency_finish. CS_OK with *replayed true: the first answer was replied again (with
 * `Idempotent-Replayed: true`). Otherwise CS_EINVALID (422 idempotency_key_reused: the key came
 * with another request), CS_ECONFLICT (409 idempotency_key_in_use: the first request is still
 * running) or a database error, with the problem recorded.
 */
int idempotency_claim(struct idempotency *idem, bool *replayed, struct http_ctx *ctx) CS_MUST_CHECK;

/*
 * End a claimed request whose outcome is `rc`: when it failed, release the claim so the client may
 * correct the request and retry with the same key. Returns `rc` (the last error is kept).
 */
int idempotency_finish(const struct idempotency *idem, struct http_ctx *ctx, int rc);

/*
 * End a claimed request that failed after it committed work kept under its claim (a payment
 * charged with an unknown outcome): the claim is kept but its lease ends now, so a retry with the
 * same key and body is 'new' again with the SAME claim id and resumes that work. Returns `rc`.
 */
int idempotency_yield(const struct idempotency *idem, struct http_ctx *ctx, int rc);

/*
 * End a claimed request whose work stored its own answer under the claim (a payment or refund
 * through the processor): on success reply `status` and `body` (a problem for 4xx/5xx); on
 * failure yield the claim when the work had reserved something under it, else release it.
 */
int idempotency_reply_work(const struct idempotency *idem, struct http_ctx *ctx, int rc,
                           bool reserved, int status, const char *body);

#endif
