/*
 * The callback's half of an OpenID Connect sign-in: from the authorization code to the person
 * it names. The code is exchanged, the ID token's signature verified with the provider's keys,
 * its claims checked, and the email read from the token or, when the provider leaves it out
 * (OIDC Core 5.4), from the userinfo endpoint.
 */
#ifndef CURBSIDE_OIDC_IDENTIFY_H
#define CURBSIDE_OIDC_IDENTIFY_H

#include "core/error.h"
#include "oidc/oidc_claims.h"
#include "oidc/oidc_client.h"

/* What the start of the sign-in recorded, and the code the provider sent back. */
struct oidc_callback {
	const char *code;
	const char *verifier;     /* PKCE */
	const char *redirect_uri; /* of the authorization request */
	const char *nonce;
};

/*
 * Identify the person of `cb`: CS_OK with `*verdict` OIDC_OK and `*who` filled, or CS_OK with the
 * first failed check in `*verdict` (the caller answers it). CS_EUNAUTHORIZED provider_error (the
 * provider refused the code); CS_EUPSTREAM provider_unreachable; CS_ENOMEM.
 */
int oidc_identify(struct oidc_identity *who, enum oidc_verdict *verdict,
                  const struct oidc_settings *s, const struct oidc_callback *cb) CS_MUST_CHECK;

#endif
