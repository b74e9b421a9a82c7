#include "oidc/oidc_identify.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

#include "oidc/oidc_signature.h"
#include "oidc/oidc_token.h"

/*
 * The claims of `id_token` once its signature verified with the provider's keys (fetched again
 * once when it names a key the cached set lacks); `*verdict` says why not otherwise.
 */
static int verified_claims(json_t **claims, enum oidc_verdict *verdict,
                           const struct oidc_settings *s, const struct oidc_endpoints *e,
                           const char *id_token)
{
	json_t *keys = NULL;
	int rc;

	*claims = NULL;
	*verdict = OIDC_UNKNOWN_KEY;
	if ((rc = oidc_signing_keys(&keys, s, e, false)) != CS_OK ||
	    (rc = oidc_signature_verify(claims, verdict, id_token, keys, e->algs)) != CS_OK)
		goto out;
	if (*verdict == OIDC_UNKNOWN_KEY) {
		json_decref(keys);
		keys = NULL;
		if ((rc = oidc_signing_keys(&keys, s, e, true)) != CS_OK)
			goto out;
		if (keys &&
		    (rc = oidc_signature_verify(claims, verdict, id_token, keys, e->algs)) != CS_OK)
			goto out;
	}
out:
	json_decref(keys);
	return rc;
}

/*
 * The email of the person: the ID token's when it has one, else the userinfo answer's (its `sub`
 * must be the token's). Without an access token or a userinfo endpoint there is none to find.
 */
static int take_email(struct oidc_identity *who, enum oidc_verdict *verdict,
                      const struct oidc_settings *s, const struct oidc_endpoints *e,
                      const json_t *claims, const char *access_token)
{
	json_t *userinfo = NULL;
	int rc;

	if (oidc_claims_have_email(claims)) {
		*verdict = oidc_email_claims(who, claims);
		return CS_OK;
	}
	if (!access_token || !e->userinfo[0]) {
		*verdict = OIDC_NO_EMAIL;
		return CS_OK;
	}
	if ((rc = oidc_fetch_userinfo(&userinfo, s, e, access_token)) == CS_OK)
		*verdict = oidc_userinfo_claims(who, userinfo);
	json_decref(userinfo);
	return rc;
}

int oidc_identify(struct oidc_identity *who, enum oidc_verdict *verdict,
                  const struct oidc_settings *s, const struct oidc_callback *cb)
{
	struct oidc_tokens tokens = {NULL, NULL};
	struct oidc_endpoints endpoints;
	json_t *claims = NULL;
	int rc;

	memset(who, 0, sizeof(*who));
	*verdict = OIDC_MALFORMED;
	if ((rc = oidc_discover(&endpoints, s, false)) != CS_OK ||
	    (rc = oidc_exchange_code(&tokens, s, &endpoints, cb->code, cb->verifier,
	                             cb->redirect_uri)) != CS_OK ||
	    (rc = verified_claims(&claims, verdict, s, &endpoints, tokens.id_token)) != CS_OK ||
	    *verdict != OIDC_OK)
		goto out;
	struct oidc_expect expect = {
	        .issuer = s->issuer,
	        .client_id = s->client_id,
	        .nonce = cb->nonce,
	        .now = time(NULL),
	};
	if ((*verdict = oidc_claims_check(who, claims, &expect)) == OIDC_OK)
		rc = take_email(who, verdict, s, &endpoints, claims, tokens.access_token);
out:
	json_decref(claims);
	oidc_tokens_release(&tokens);
	return rc;
}
