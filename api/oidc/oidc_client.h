/*
 * The OpenID Connect provider over libcurl: discovery and its signing keys (cached) and the
 * authorization-code exchange at the token endpoint. Every call carries connect and total
 * timeouts; any failure to get a proper answer is CS_EUPSTREAM provider_unreachable (502).
 */
#ifndef CURBSIDE_OIDC_CLIENT_H
#define CURBSIDE_OIDC_CLIENT_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"

/* Longest endpoint URL accepted from a discovery document. */
#define OIDC_URL_MAX 1024
/* How long a discovery document (and the key set fetched with it) is reused. */
#define OIDC_DISCOVERY_TTL 3600
/* Seconds between two fetches of the key set asked for by tokens with an unknown key id. */
#define OIDC_JWKS_REFETCH_INTERVAL 60

/* How to reach the provider (strings borrowed from the configuration). */
struct oidc_settings {
	const char *issuer;
	const char *client_id;
	const char *client_secret;
	int timeout_ms;
};

/* The provider's endpoints, from its discovery document. */
struct oidc_endpoints {
	char authorization[OIDC_URL_MAX];
	char token[OIDC_URL_MAX];
	char jwks[OIDC_URL_MAX];
	unsigned algs; /* the ID token algorithms advertised that we verify (OIDC_ALG_BIT) */
};

/* Prepare libcurl (call once at start, before any thread uses it). CS_EINTERNAL. */
int oidc_client_init(void) CS_MUST_CHECK;

/* Undo oidc_client_init and forget the cached discovery. */
void oidc_client_release(void);

/*
 * The endpoints of `s->issuer` from `<issuer>/.well-known/openid-configuration`, fetched at most
 * once per OIDC_DISCOVERY_TTL (a failed fetch is not cached). The document's `issuer` must be the
 * configured one, it must name a `jwks_uri` and advertise an ID token algorithm we verify.
 * CS_EUPSTREAM provider_unreachable.
 */
int oidc_discover(struct oidc_endpoints *out, const struct oidc_settings *s) CS_MUST_CHECK;

/*
 * The provider's signing keys (its JWK Set at `e->jwks`) into `*keys` (a copy the caller
 * json_decref's), fetched once per discovery and kept with it. With `refetch` (a token named a
 * key the cached set lacks) they are fetched again, unless that was done less than
 * OIDC_JWKS_REFETCH_INTERVAL seconds ago: then `*keys` is NULL. A failed fetch is not cached.
 * CS_EUPSTREAM provider_unreachable; CS_ENOMEM.
 */
int oidc_signing_keys(json_t **keys, const struct oidc_settings *s, const struct oidc_endpoints *e,
                      bool refetch) CS_MUST_CHECK;

/*
 * Exchange authorization code `code` (with PKCE `verifier` and the `redirect_uri` of the
 * authorization request) at `token_endpoint`, authenticating with the client secret; `*id_token`
 * gets the ID token (malloc'd; the caller frees). CS_EUNAUTHORIZED provider_error when the
 * provider refuses the code (an OAuth error answer); CS_EUPSTREAM provider_unreachable when it
 * cannot be reached in time, refuses our client credentials or answers anything else; CS_ENOMEM.
 */
int oidc_exchange_code(char **id_token, const struct oidc_settings *s, const char *token_endpoint,
                       const char *code, const char *verifier,
                       const char *redirect_uri) CS_MUST_CHECK;

#endif
