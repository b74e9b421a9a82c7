/*
 * An OpenID provider's signing keys (a JWK Set, RFC 7517): choosing the key of an ID token and
 * turning it into the PEM public key libjwt takes. Pure (no I/O); GnuTLS does the encoding.
 */
#ifndef CURBSIDE_OIDC_JWK_H
#define CURBSIDE_OIDC_JWK_H

#include <jansson.h>
#include <jwt.h>

#include "core/error.h"

/* Smallest RSA modulus accepted, in bits (NIST: 2048 since 2013). */
#define OIDC_RSA_MIN_BITS 2048
/* Largest RSA modulus accepted, in bits (bounds the work a hostile key set can cause). */
#define OIDC_RSA_MAX_BITS 8192

/*
 * The public key of JWK `jwk` as a PEM SubjectPublicKeyInfo (malloc'd, NUL-terminated, into
 * `*pem`; the caller frees): kty "RSA" (n, e; OIDC_RSA_MIN_BITS to OIDC_RSA_MAX_BITS) or "EC"
 * (crv P-256, P-384 or P-521; x, y). CS_EINVALID for any other or malformed key; CS_ENOMEM.
 */
int oidc_jwk_pem(char **pem, const json_t *jwk) CS_MUST_CHECK;

/*
 * The key of JWK Set `jwks` that may verify a signature of algorithm `alg` (RS256/384/512,
 * ES256/384/512) under key id `kid` (NULL: the token names none): its kty (and crv) fit `alg`,
 * its `use` is absent or "sig", its `alg` absent or `alg`, and its `kid` is `kid`; without a
 * `kid` there must be exactly one such key. `*key` is borrowed from `jwks`. CS_ENOTFOUND.
 */
int oidc_jwks_find(const json_t **key, const json_t *jwks, const char *kid,
                   jwt_alg_t alg) CS_MUST_CHECK;

#endif
