/*
 * Delivering one text: over HTTP to a Twilio-compatible API (CURBSIDE_SMS_URL: a form-encoded
 * POST of To, From and Body to <url>/Messages.json with basic auth CURBSIDE_SMS_ACCOUNT /
 * CURBSIDE_SMS_TOKEN; a 2xx answer's JSON `sid` is the message's reference), or, with no SMS URL,
 * into the development directory (CURBSIDE_SMS_DIR) as `<timestamp>-<id>.txt` files. One
 * transport per worker thread; not thread-safe. Numbers and the token never reach a log line.
 */
#ifndef CURBSIDE_SMS_TRANSPORT_H
#define CURBSIDE_SMS_TRANSPORT_H

#include <stdatomic.h>
#include <stddef.h>

#include "config.h"
#include "core/error.h"

struct sms_transport;

/*
 * Open the transport `cfg` describes (its strings are copied). A send in progress gives up soon
 * after `*cancel` becomes true (`cancel` may be NULL; it must outlive the transport).
 */
int sms_transport_open(struct sms_transport **out, const struct config *cfg,
                       const atomic_bool *cancel) CS_MUST_CHECK;

/* Free the transport (NULL-safe). */
void sms_transport_close(struct sms_transport *t);

/* One text to send: `id` names the development file; `ref` (of `ref_size`) receives the
 * gateway's reference (or the file name), `error` (of `error_size`) a short reason on failure. */
struct sms_send {
	const char *id;
	const char *to;
	const char *body;
	char *ref;
	size_t ref_size;
	char *error;
	size_t error_size;
};

/*
 * Send one text. CS_OK; CS_EUNAVAILABLE for a failure worth retrying (network, timeout, 429, 5xx,
 * a refused login: configuration, fixed later); CS_EINVALID when the API refused this text for
 * good (another 4xx, e.g. a number it cannot reach).
 */
int sms_transport_send(struct sms_transport *t, struct sms_send *msg) CS_MUST_CHECK;

/* "http" or "file", for logs. */
const char *sms_transport_kind(const struct sms_transport *t);

#endif
