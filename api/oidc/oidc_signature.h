/*
 * Verifying an ID token's signature (JWS, RFC 7515) against the provider's published keys, with
 * an algorithm the provider advertises. Never "none", never a shared-secret (HS*) algorithm, in
 * any environment. Pure (no I/O): the keys come from the caller.
 */
#ifndef CURBSIDE_OIDC_SIGNATURE_H
#define CURBSIDE_OIDC_SIGNATURE_H

#include <jansson.h>
#include <jwt.h>

#include "core/error.h"
#include "oidc/oidc_claims.h"

/* The bit of algorithm `alg` in a set of algorithms. */
#define OIDC_ALG_BIT(alg) (1u << (unsigned)(alg))

/*
 * The algorithms we verify among the names in `names` (discovery's
 * id_token_signing_alg_values_supported): RS256, RS384, RS512, ES256, ES384 and ES512; others
 * ("none", HS*, PS*, EdDSA …) are left out. When `names` is absent (not an array), RS256, the
 * OIDC default. 0 when none of them is one we verify.
 */
unsigned oidc_signature_algs(const json_t *names);

/*
 * Verify the signature of compact JWS `id_token` with a key of JWK Set `jwks` and an algorithm
 * of the set `algs` (OIDC_ALG_BIT); `*verdict` gets OIDC_OK and `*claims` its payload (the caller
 * json_decref's it), or OIDC_MALFORMED, OIDC_BAD_ALGORITHM (none, HS*, not in `algs`, a `crit`
 * header), OIDC_UNKNOWN_KEY (no fitting key: the caller may fetch the keys again once) or
 * OIDC_BAD_SIGNATURE, and `*claims` NULL. CS_ENOMEM.
 */
int oidc_signature_verify(json_t **claims, enum oidc_verdict *verdict, const char *id_token,
                          const json_t *jwks, unsigned algs) CS_MUST_CHECK;

#endif
