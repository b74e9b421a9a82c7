/*
 * The provider's token endpoint (the authorization-code exchange, authenticated the way
 * discovery allows) and its userinfo endpoint, over oidc_http.
 */
#ifndef CURBSIDE_OIDC_TOKEN_H
#define CURBSIDE_OIDC_TOKEN_H

#include <jansson.h>

#include "core/error.h"
#include "oidc/oidc_client.h"

/* Longest access token kept for the userinfo call (Google's are about 200 characters). */
#define OIDC_ACCESS_TOKEN_MAX 4096

/* What the token endpoint answered (both malloc'd). */
struct oidc_tokens {
	char *id_token;
	char *access_token; /* NULL without a Bearer access token fit for a header */
};

/* Free both tokens and clear `t` (NULL-safe). */
void oidc_tokens_release(struct oidc_tokens *t);

/*
 * Exchange authorization code `code` (with PKCE `verifier` and the `redirect_uri` of the
 * authorization request) at `e->token`, authenticating with the client secret by `e->client_auth`;
 * `*out` gets the tokens (oidc_tokens_release). CS_EUNAUTHORIZED provider_error when the provider
 * refuses the code (an OAuth error answer); CS_EUPSTREAM provider_unreachable when it cannot be
 * reached in time, refuses our client credentials or answers anything else; CS_ENOMEM.
 */
int oidc_exchange_code(struct oidc_tokens *out, const struct oidc_settings *s,
                       const struct oidc_endpoints *e, const char *code, const char *verifier,
                       const char *redirect_uri) CS_MUST_CHECK;

/*
 * The userinfo answer (OIDC Core 5.3) for `access_token` at `e->userinfo` into `*out` (a JSON
 * object the caller json_decref's). Its `sub` is not checked here (oidc_userinfo_claims does).
 * CS_EUPSTREAM provider_unreachable when there is no userinfo endpoint, it cannot be reached in
 * time, or it answers anything but a JSON object with 200; CS_ENOMEM.
 */
int oidc_fetch_userinfo(json_t **out, const struct oidc_settings *s, const struct oidc_endpoints *e,
                        const char *access_token) CS_MUST_CHECK;

#endif
