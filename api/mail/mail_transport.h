/*
 * Delivering a rendered message: over SMTP with libcurl (CURBSIDE_SMTP_URL), or, with no SMTP URL,
 * into the development mailbox (CURBSIDE_MAIL_DIR) as `<timestamp>-<id>.eml` files. One transport
 * per worker thread (it keeps its SMTP connection open between messages); not thread-safe.
 */
#ifndef CURBSIDE_MAIL_TRANSPORT_H
#define CURBSIDE_MAIL_TRANSPORT_H

#include <stdatomic.h>
#include <stddef.h>

#include "core/error.h"

struct mail_transport;

/*
 * Open a transport: SMTP when `smtp_url` is not empty, else the directory `mail_dir` (created if
 * missing). A send in progress gives up soon after `*cancel` becomes true (`cancel` may be NULL;
 * it must outlive the transport). Strings are copied.
 */
int mail_transport_open(struct mail_transport **out, const char *smtp_url, const char *mail_dir,
                        const atomic_bool *cancel) CS_MUST_CHECK;

/* Close the connection and free the transport (NULL-safe). */
void mail_transport_close(struct mail_transport *t);

/*
 * Send `len` bytes of `message` from envelope sender `from` to `to`; `id` names the file in the
 * mailbox directory. Returns CS_OK; CS_EUNAVAILABLE for a failure worth retrying (network,
 * timeout, a 4xx answer, a full disk); CS_EINVALID when the server refused the message for good
 * (a 5xx answer to the sender, recipient or data). `error` (of `error_size`) receives a short
 * reason for the outbox's last_error.
 */
int mail_transport_send(struct mail_transport *t, char *error, size_t error_size, const char *from,
                        const char *to, const char *message, size_t len,
                        const char *id) CS_MUST_CHECK;

/* "smtp" or "file", for logs. */
const char *mail_transport_kind(const struct mail_transport *t);

#endif
