#include "oidc/oidc_jwk.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"

/* Largest JWK member decoded: an OIDC_RSA_MAX_BITS modulus. */
#define JWK_MEMBER_MAX (OIDC_RSA_MAX_BITS / 8 + 1)

/* The curves we verify ES* signatures on, with their JWK names and coordinate sizes. */
static const struct curve {
	const char *crv;
	gnutls_ecc_curve_t id;
	size_t size;
	jwt_alg_t alg;
} curves[] = {
        {"P-256", GNUTLS_ECC_CURVE_SECP256R1, 32, JWT_ALG_ES256},
        {"P-384", GNUTLS_ECC_CURVE_SECP384R1, 48, JWT_ALG_ES384},
        {"P-521", GNUTLS_ECC_CURVE_SECP521R1, 66, JWT_ALG_ES512},
};

static const struct curve *curve_named(const char *crv)
{
	for (size_t i = 0; crv && i < sizeof(curves) / sizeof(curves[0]); i++)
		if (!strcmp(curves[i].crv, crv))
			return &curves[i];
	return NULL;
}

/* Decode base64url member `name` of `jwk` into `buf` (JWK_MEMBER_MAX bytes). */
static bool member(gnutls_datum_t *out, unsigned char *buf, const json_t *jwk, const char *name)
{
	const char *v = json_string_value(json_object_get(jwk, name));
	size_t len = 0;

	if (!v || !*v || b64url_decode(buf, JWK_MEMBER_MAX, &len, v, strlen(v)) != CS_OK)
		return false;
	out->data = buf;
	out->size = (unsigned)len;
	return true;
}

/* Bits of a big-endian unsigned integer. */
static size_t bit_length(const gnutls_datum_t *n)
{
	size_t i = 0;

	while (i < n->size && n->data[i] == 0)
		i++;
	if (i == n->size)
		return 0;
	size_t bits = (n->size - i - 1) * 8;
	for (unsigned char top = n->data[i]; top; top >>= 1)
		bits++;
	return bits;
}

static int import_rsa(gnutls_pubkey_t key, const json_t *jwk)
{
	unsigned char nbuf[JWK_MEMBER_MAX], ebuf[JWK_MEMBER_MAX];
	gnutls_datum_t n, e;

	if (!member(&n, nbuf, jwk, "n") || !member(&e, ebuf, jwk, "e") || e.size > 8)
		return CS_EINVALID;
	size_t bits = bit_length(&n);
	if (bits < OIDC_RSA_MIN_BITS || bits > OIDC_RSA_MAX_BITS || bit_length(&e) < 2)
		return CS_EINVALID;
	return gnutls_pubkey_import_rsa_raw(key, &n, &e) == 0 ? CS_OK : CS_EINVALID;
}

static int import_ec(gnutls_pubkey_t key, const json_t *jwk)
{
	const struct curve *c = curve_named(json_string_value(json_object_get(jwk, "crv")));
	unsigned char xbuf[JWK_MEMBER_MAX], ybuf[JWK_MEMBER_MAX];
	gnutls_datum_t x, y;

	if (!c || !member(&x, xbuf, jwk, "x") || !member(&y, ybuf, jwk, "y") || x.size != c->size ||
	    y.size != c->size)
		return CS_EINVALID;
	/* GnuTLS checks that the point is on the curve when the key is used; libjwt's OpenSSL does
	 * on import. */
	return gnutls_pubkey_import_ecc_raw(key, c->id, &x, &y) == 0 ? CS_OK : CS_EINVALID;
}

int oidc_jwk_pem(char **pem, const json_t *jwk)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	gnutls_pubkey_t key = NULL;
	gnutls_datum_t out = {NULL, 0};
	int rc;

	*pem = NULL;
	if (!kty)
		return CS_EINVALID;
	if (gnutls_pubkey_init(&key) != 0)
		return CS_ENOMEM;
	if (!strcmp(kty, "RSA"))
		rc = import_rsa(key, jwk);
	else if (!strcmp(kty, "EC"))
		rc = import_ec(key, jwk);
	else
		rc = CS_EINVALID;
	if (rc != CS_OK)
		goto out;
	if (gnutls_pubkey_export2(key, GNUTLS_X509_FMT_PEM, &out) != 0) {
		rc = CS_EINVALID;
		goto out;
	}
	if (!(*pem = malloc(out.size + 1))) {
		rc = CS_ENOMEM;
		goto out;
	}
	memcpy(*pem, out.data, out.size);
	(*pem)[out.size] = '\0';
out:
	gnutls_free(out.data);
	gnutls_pubkey_deinit(key);
	return rc;
}

/* True when `key` may verify signatures of `alg`: its type, curve, use and alg fit. */
static bool key_fits(const json_t *key, jwt_alg_t alg)
{
	const char *kty = json_string_value(json_object_get(key, "kty"));
	const json_t *use = json_object_get(key, "use");
	const json_t *key_alg = json_object_get(key, "alg");

	if (!kty || (use && !(json_is_string(use) && !strcmp(json_string_value(use), "sig"))))
		return false;
	if (key_alg &&
	    !(json_is_string(key_alg) && !strcmp(json_string_value(key_alg), jwt_alg_str(alg))))
		return false;
	if (alg == JWT_ALG_RS256 || alg == JWT_ALG_RS384 || alg == JWT_ALG_RS512)
		return !strcmp(kty, "RSA");
	const struct curve *c = curve_named(json_string_value(json_object_get(key, "crv")));
	return !strcmp(kty, "EC") && c && c->alg == alg;
}

int oidc_jwks_find(const json_t **key, const json_t *jwks, const char *kid, jwt_alg_t alg)
{
	const json_t *keys = json_object_get(jwks, "keys"), *found = NULL;
	size_t i, fitting = 0;
	json_t *k;

	*key = NULL;
	json_array_foreach(keys, i, k)
	{
		const char *k_kid = json_string_value(json_object_get(k, "kid"));
		if (!key_fits(k, alg) || (kid && (!k_kid || strcmp(k_kid, kid))))
			continue;
		fitting++;
		if (!found)
			found = k;
	}
	/* Without a kid the key must be unambiguous; with one, the first match (kids are unique
	 * within a set, RFC 7517 4.5). */
	if (!found || (!kid && fitting != 1))
		return CS_ENOTFOUND;
	*key = found;
	return CS_OK;
}
