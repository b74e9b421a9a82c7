/*
 * The OpenID Connect provider's discovery document and signing keys, cached per process. Every
 * call carries connect and total timeouts (oidc_http); any failure to get a proper answer is
 * CS_EUPSTREAM provider_unreachable (502), and is never cached.
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

/* How the client authenticates at the token endpoint (RFC 6749 2.3.1, OIDC Core 9). */
enum oidc_client_auth {
	OIDC_AUTH_BASIC, /* client_secret_basic: HTTP Basic with the form-encoded id and secret */
	OIDC_AUTH_POST,  /* client_secret_post: both in the form body */
};

/* The provider's endpoints, from its discovery document. */
struct oidc_endpoints {
	char authorization[OIDC_URL_MAX];
	char token[OIDC_URL_MAX];
	char jwks[OIDC_URL_MAX];
	char userinfo[OIDC_URL_MAX]; /* "" when the provider has none */
	unsigned algs; /* the ID token algorithms advertised that we verify (OIDC_ALG_BIT) */
	enum oidc_client_auth client_auth; /* the method to use among those advertised */
};

/* Prepare libcurl (call once at start, before any thread uses it). CS_EINTERNAL. */
int oidc_client_init(void) CS_MUST_CHECK;

/* Undo oidc_client_init and forget the cached discovery. */
void oidc_client_release(void);

/*
 * The endpoints of `s->issuer` from `<issuer>/.well-known/openid-configuration`, fetched at most
 * once per OIDC_DISCOVERY_TTL, or now with `fresh` (the start of a sign-in: the provider is up
 * before anyone is sent to it). A failed fetch is not cached. The document's `issuer` must be the
 * configured one; it must name a `jwks_uri`, advertise an ID token algorithm we verify and a
 * client authentication we use. CS_EUPSTREAM provider_unreachable.
 */
int oidc_discover(struct oidc_endpoints *out, const struct oidc_settings *s,
                  bool fresh) CS_MUST_CHECK;

/*
 * The provider's signing keys (its JWK Set at `e->jwks`) into `*keys` (a copy the caller
 * json_decref's), fetched once and kept for OIDC_DISCOVERY_TTL while discovery names the same
 * `jwks_uri`. With `refetch` (a token named a
 * key the cached set lacks) they are fetched again, unless that was done less than
 * OIDC_JWKS_REFETCH_INTERVAL seconds ago: then `*keys` is NULL. A failed fetch is not cached.
 * CS_EUPSTREAM provider_unreachable; CS_ENOMEM.
 */
int oidc_signing_keys(json_t **keys, const struct oidc_settings *s, const struct oidc_endpoints *e,
                      bool refetch) CS_MUST_CHECK;

#endif
