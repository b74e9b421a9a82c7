/*
 * The webhook's outside call: the endpoint's signing secret (derived from the server key and the
 * secret's nonce, never stored), the Curbside-Signature header, the check of a URL a hauler
 * registers, and one POST of an event with libcurl (no redirects, no proxy, timeouts, and a socket
 * that refuses a non-public address when private destinations are not allowed).
 */
#ifndef CURBSIDE_WEBHOOKS_SENDER_H
#define CURBSIDE_WEBHOOKS_SENDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Random bytes of a secret's nonce: the secret has as many bits (256). */
#define WEBHOOKS_NONCE_BYTES 32
/* "whsec_", 43 base64url characters and the NUL. */
#define WEBHOOKS_SECRET_SIZE 64
/* The first bytes of an endpoint's answer kept in the attempt's log. */
#define WEBHOOKS_EXCERPT_BYTES 1024

/* The secret of nonce `nonce_hex` (hex) under server key `key`: "whsec_" + base64url of
 * HMAC-SHA256(key, nonce). CS_EINVALID for a nonce that is not hex. */
int webhooks_secret(char out[WEBHOOKS_SECRET_SIZE], const char *key,
                    const char *nonce_hex) CS_MUST_CHECK;

/* A fresh nonce as hex (2 * WEBHOOKS_NONCE_BYTES + 1 bytes). */
int webhooks_new_nonce(char out[2 * WEBHOOKS_NONCE_BYTES + 1]) CS_MUST_CHECK;

/*
 * The Curbside-Signature value of `body` at unix time `t`: "t=<t>,v1=<hex>[,v1=<hex>]", one v1
 * per secret of `secrets` (`count` of them: the current one, then the previous one during a
 * rotation), each HMAC-SHA256(secret, "<t>.<body>"). *out: the caller frees.
 */
int webhooks_signature(char **out, long long t, const char *body, const char *const *secrets,
                       size_t count) CS_MUST_CHECK;

/*
 * Whether a hauler may register `url`: https (http only to a loopback host outside production),
 * no credentials or fragment, and, unless `allow_private`, a host that resolves to public
 * addresses only. CS_EINVALID with a problem code (webhook_url_invalid, webhook_url_not_https,
 * webhook_url_not_public, webhook_url_unresolvable) on field `url`.
 */
int webhooks_url_check(const char *url, bool production, bool allow_private) CS_MUST_CHECK;

/* How a delivery is made. */
struct webhooks_send_options {
	int connect_timeout_ms;
	int timeout_ms;
	bool allow_private;  /* false: a socket to a non-public address is refused */
	atomic_bool *cancel; /* set: the transfer stops (the worker is stopping); may be NULL */
};

/* One delivery attempt: what to send, and what came of it. */
struct webhooks_attempt {
	const char *url;
	const char *body;
	const char *event_id;
	const char *event_type;
	const char *signature;
	long http_status; /* 0 when no answer came */
	long latency_ms;
	bool success;   /* a 2xx */
	bool refused;   /* the address connected to was not public */
	bool cancelled; /* stopped by `cancel`: not an attempt to record */
	char error[256];
	char excerpt[WEBHOOKS_EXCERPT_BYTES + 1]; /* the answer's first bytes, NUL-terminated */
};

/* Make attempt `a` (its outcome in `a`: a failure is an outcome, not an error). CS_ENOMEM or
 * CS_EINTERNAL when it could not even be tried. */
int webhooks_send(struct webhooks_attempt *a,
                  const struct webhooks_send_options *opt) CS_MUST_CHECK;

/* Once per process, before the first webhooks_send (and webhooks_sender_cleanup at the end). */
int webhooks_sender_init(void) CS_MUST_CHECK;

/* Undo webhooks_sender_init. */
void webhooks_sender_cleanup(void);

#endif
