#include "oidc/oidc_signature.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "oidc/oidc_jwk.h"

/* The asymmetric algorithms libjwt verifies that we accept when the provider advertises them. */
static const jwt_alg_t verifiable[] = {JWT_ALG_RS256, JWT_ALG_RS384, JWT_ALG_RS512,
                                       JWT_ALG_ES256, JWT_ALG_ES384, JWT_ALG_ES512};

/* The verifiable algorithm named `name`, or JWT_ALG_INVAL (none, HS*, unknown names). */
static jwt_alg_t verifiable_alg(const char *name)
{
	for (size_t i = 0; name && i < sizeof(verifiable) / sizeof(verifiable[0]); i++)
		if (!strcmp(jwt_alg_str(verifiable[i]), name))
			return verifiable[i];
	return JWT_ALG_INVAL;
}

unsigned oidc_signature_algs(const json_t *names)
{
	unsigned algs = 0;
	size_t i;
	json_t *name;

	if (!json_is_array(names))
		return OIDC_ALG_BIT(JWT_ALG_RS256);
	json_array_foreach(names, i, name)
	{
		jwt_alg_t alg = verifiable_alg(json_string_value(name));
		if (alg != JWT_ALG_INVAL)
			algs |= OIDC_ALG_BIT(alg);
	}
	return algs;
}

/*
 * Read the header of `id_token`: its algorithm (one of `algs`) and key id (borrowed from
 * `*header`, or NULL). A verdict.
 */
static enum oidc_verdict read_header(jwt_alg_t *alg, const char **kid, json_t *header,
                                     unsigned algs)
{
	const json_t *kid_v = json_object_get(header, "kid");
	const char *name = json_string_value(json_object_get(header, "alg"));

	*alg = JWT_ALG_INVAL;
	*kid = NULL;
	if (!name || (kid_v && !json_is_string(kid_v)))
		return OIDC_MALFORMED;
	/* We understand no critical extension (RFC 7515 4.1.11). */
	if (json_object_get(header, "crit"))
		return OIDC_BAD_ALGORITHM;
	*alg = verifiable_alg(name);
	if (*alg == JWT_ALG_INVAL || !(algs & OIDC_ALG_BIT(*alg)))
		return OIDC_BAD_ALGORITHM;
	*kid = json_string_value(kid_v);
	return OIDC_OK;
}

/* Check the signature of `id_token` with PEM key `pem` and algorithm `alg`. */
static enum oidc_verdict check_with(const char *id_token, const char *pem, jwt_alg_t alg)
{
	jwt_t *jwt = NULL;
	enum oidc_verdict v = OIDC_BAD_SIGNATURE;

	/* libjwt takes the algorithm from the header: it was checked above, and is checked again
	 * on what libjwt decoded. */
	if (jwt_decode(&jwt, id_token, (const unsigned char *)pem, (int)strlen(pem)) == 0 && jwt &&
	    jwt_get_alg(jwt) == alg)
		v = OIDC_OK;
	jwt_free(jwt);
	return v;
}

int oidc_signature_verify(json_t **claims, enum oidc_verdict *verdict, const char *id_token,
                          const json_t *jwks, unsigned algs)
{
	json_t *header = NULL;
	const json_t *key = NULL;
	const char *kid = NULL;
	char *pem = NULL;
	jwt_alg_t alg;
	int rc;

	*claims = NULL;
	*verdict = OIDC_MALFORMED;
	if ((rc = oidc_id_token_header(&header, id_token)) != CS_OK)
		return rc == CS_ENOMEM ? rc : CS_OK;
	if ((*verdict = read_header(&alg, &kid, header, algs)) != OIDC_OK)
		goto out;
	if (oidc_jwks_find(&key, jwks, kid, alg) != CS_OK) {
		*verdict = OIDC_UNKNOWN_KEY;
		goto out;
	}
	if ((rc = oidc_jwk_pem(&pem, key)) != CS_OK) {
		/* A published key we cannot use verifies nothing. */
		*verdict = OIDC_UNKNOWN_KEY;
		rc = rc == CS_ENOMEM ? rc : CS_OK;
		goto out;
	}
	if ((*verdict = check_with(id_token, pem, alg)) != OIDC_OK)
		goto out;
	if ((rc = oidc_id_token_payload(claims, id_token)) != CS_OK) {
		*verdict = OIDC_MALFORMED;
		rc = rc == CS_ENOMEM ? rc : CS_OK;
	}
out:
	free(pem);
	json_decref(header);
	return rc;
}
