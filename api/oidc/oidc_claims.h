/*
 * The pure half of OpenID Connect sign-in (no I/O besides randomness): PKCE, the authorization
 * URL, the redirect-URI allow-list, and the checks of an ID token's claims. The claims are read
 * only from a token whose signature oidc_signature_verify accepted: the token endpoint may be
 * plain http outside production, and TLS alone would not be enough anyway.
 */
#ifndef CURBSIDE_OIDC_CLAIMS_H
#define CURBSIDE_OIDC_CLAIMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/error.h"
#include "core/validate.h"

/* Longest ID token accepted (Google's are about 1 KB). */
#define OIDC_ID_TOKEN_MAX 16384
/* Longest subject kept (OIDC Core: at most 255 ASCII characters). */
#define OIDC_SUBJECT_MAX 255
/* Longest display name taken from a token; longer ones are dropped, not cut. */
#define OIDC_NAME_MAX 800
/* Seconds of clock difference tolerated on `exp` and `iat`. */
#define OIDC_CLOCK_SKEW 120
/* Characters of a PKCE S256 challenge (base64url of 32 bytes) plus the NUL. */
#define OIDC_CHALLENGE_SIZE 44

/* What the ID token must say. */
struct oidc_expect {
	const char *issuer;    /* the configured issuer */
	const char *client_id; /* our client id: the audience */
	const char *nonce;     /* the nonce sent with this sign-in */
	time_t now;
};

/* Who the token names, once its claims passed. */
struct oidc_identity {
	char subject[OIDC_SUBJECT_MAX + 1];
	char email[VALIDATE_EMAIL_MAX + 1]; /* trimmed, lower-cased */
	char name[OIDC_NAME_MAX + 1];       /* "" when absent or unusable */
};

enum oidc_verdict {
	OIDC_OK = 0,
	OIDC_MALFORMED,        /* not a JWT, or a claim has the wrong type */
	OIDC_BAD_ISSUER,       /* iss is not the configured issuer */
	OIDC_BAD_AUDIENCE,     /* aud does not name us (or azp is wrong when several are named) */
	OIDC_EXPIRED,          /* exp has passed */
	OIDC_FUTURE,           /* iat is in the future */
	OIDC_BAD_NONCE,        /* nonce missing or not ours: a replayed or foreign token */
	OIDC_NO_SUBJECT,       /* sub missing, empty or too long */
	OIDC_NO_EMAIL,         /* no usable email address */
	OIDC_EMAIL_UNVERIFIED, /* the provider has not verified the address */
	OIDC_BAD_ALGORITHM,    /* none, HS*, or an algorithm the provider does not advertise */
	OIDC_UNKNOWN_KEY,      /* no published key of that kid fits the algorithm */
	OIDC_BAD_SIGNATURE,    /* the signature does not verify with the provider's key */
	OIDC_USERINFO_SUBJECT, /* the userinfo answer names another subject than the ID token */
};

/*
 * True when issuer identifier `iss` (an ID token's `iss`, or an authorization response's, RFC
 * 9207) names `expected`, the configured issuer: exactly, or Google's documented bare form
 * "accounts.google.com" when that is https://accounts.google.com.
 */
bool oidc_issuer_matches(const char *iss, const char *expected);

/* A short name of a verdict for logs ("bad_nonce"). */
const char *oidc_verdict_name(enum oidc_verdict v);

/*
 * Decode the payload (second segment) of compact JWT `id_token` into `*out` (the caller
 * json_decref's it). CS_EINVALID when it is not three base64url segments, too long, or the payload
 * is not a JSON object; CS_ENOMEM.
 */
int oidc_id_token_payload(json_t **out, const char *id_token) CS_MUST_CHECK;

/* The same for the header (first segment) of `id_token`. */
int oidc_id_token_header(json_t **out, const char *id_token) CS_MUST_CHECK;

/*
 * Check the claims of an ID token payload against `expect` and fill `*who` but its email: OIDC_OK
 * or the first failed check, in the order of OIDC Core 3.1.3.7 (issuer, audience, expiry, issue
 * time, nonce), then subject. The email comes next, from the token (oidc_email_claims) when it
 * carries one (oidc_claims_have_email), else from the userinfo answer (oidc_userinfo_claims).
 */
enum oidc_verdict oidc_claims_check(struct oidc_identity *who, const json_t *claims,
                                    const struct oidc_expect *expect);

/* True when `claims` has an `email` member (a provider may leave it to userinfo: Core 5.4). */
bool oidc_claims_have_email(const json_t *claims);

/*
 * Take `email` (a valid address, into who->email) and `email_verified` (true, or the string
 * "true") from `claims`: OIDC_OK, OIDC_NO_EMAIL or OIDC_EMAIL_UNVERIFIED.
 */
enum oidc_verdict oidc_email_claims(struct oidc_identity *who, const json_t *claims);

/*
 * The same from a userinfo answer, whose `sub` must be who->subject (Core 5.3.2: else none of its
 * values may be used: OIDC_USERINFO_SUBJECT); its `name` fills who->name when that is empty.
 */
enum oidc_verdict oidc_userinfo_claims(struct oidc_identity *who, const json_t *userinfo);

/* The S256 challenge of PKCE verifier `verifier` (base64url of its SHA-256) into `out`. */
int oidc_pkce_challenge(char out[OIDC_CHALLENGE_SIZE], const char *verifier) CS_MUST_CHECK;

/* The parameters of an authorization request. */
struct oidc_authorize {
	const char *endpoint; /* the provider's authorization_endpoint */
	const char *client_id;
	const char *redirect_uri;
	const char *state;
	const char *nonce;
	const char *challenge;  /* PKCE S256 */
	const char *login_hint; /* an email to preselect, or NULL */
};

/* The authorization URL (malloc'd into `*out`; the caller frees). CS_ENOMEM. */
int oidc_authorization_url(char **out, const struct oidc_authorize *req) CS_MUST_CHECK;

/*
 * True when `uri` may receive the provider's redirect for tenant `slug`: it is the tenant's portal
 * URL (`public_url` with "{tenant}" replaced, trailing slashes dropped) followed by "/" or "?"
 * or nothing, and holds no fragment, backslash, blank or control character. Never an open
 * redirect: the scheme, host and port are always the portal's.
 */
bool oidc_redirect_allowed(const char *public_url, const char *slug, const char *uri);

#endif
