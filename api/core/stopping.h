/*
 * The process-wide "stop waiting" switch of a bounded shutdown. When the server's drain deadline
 * passes with requests still running, it is thrown once: calls to other services (the payment
 * processor, the identity provider, mail and text gateways) give up at their next progress
 * callback, and the work they belonged to ends the way a timeout would end it.
 */
#ifndef CURBSIDE_CORE_STOPPING_H
#define CURBSIDE_CORE_STOPPING_H

#include <curl/curl.h>
#include <stdbool.h>

/* Throw the switch (idempotent). */
void stopping_abandon(void);

/* True once the switch was thrown. */
bool stopping_abandoned(void);

/*
 * The answer of work given up while stopping, wherever it is noticed: records problem
 * `server_stopping` (503, Retry-After 1) and returns CS_EUNAVAILABLE.
 */
int stopping_refuse(void);

/*
 * A CURLOPT_XFERINFOFUNCTION that aborts the transfer once the switch is thrown. Set it with
 * stopping_watch_transfer.
 */
void stopping_watch_transfer(CURL *curl);

#endif
