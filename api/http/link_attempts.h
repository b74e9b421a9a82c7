/*
 * The per-address throttle of the anonymous link endpoints (reset-password, verify-email,
 * invitation acceptance, pay-link sign-up): each attempt is reserved before the service runs, and
 * one whose link was not found or has expired (404, 410) counts as a failure of the client
 * address. Past CURBSIDE_LINK_MAX_FAILURES in the login window the address gets 429
 * too_many_attempts with Retry-After. In memory, per process, like the login throttle.
 */
#ifndef CURBSIDE_HTTP_LINK_ATTEMPTS_H
#define CURBSIDE_HTTP_LINK_ATTEMPTS_H

#include "http/route.h"

/* One reserved attempt. */
struct link_attempt {
	struct throttle *by_address;
	char key[80];
};

/* Reserve an attempt for the request's client address: CS_OK, or CS_ETHROTTLED with the 429
 * problem set (nothing reserved). */
int link_attempt_begin(struct link_attempt *a, const struct http_ctx *ctx) CS_MUST_CHECK;

/* End the attempt with the service's result `rc`: CS_ENOTFOUND and CS_EGONE count as failures. */
void link_attempt_end(const struct link_attempt *a, int rc);

#endif
