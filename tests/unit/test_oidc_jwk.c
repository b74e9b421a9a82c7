/* OpenID Connect keys and signatures: JWK to PEM (GnuTLS) and ID token verification (libjwt),
 * with a key pair made once by openssl: the expected PEMs are openssl's own, the tokens were
 * signed with the private keys (RS256, RS512, ES256 in JWS's raw R||S form). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oidc/oidc_jwk.h"
#include "oidc/oidc_signature.h"

static const char RSA_N[] =
        "juZkE6HrekAcV7AAcORPtg4Da9ouu6J-Cxoagk93Ts9KKvdHbIZ3LXdWClBMEmDk3vX_-SpzPmDoAShlhNAqWjx5"
        "fqjg3EenbdvOhPvNX9EbZA7kagMK_YgFh8iuWTBNPDBsdoUyQ6FL2JVFTLv9vhpHKAiOolcDJaIyJ9eYsJjZnbm-"
        "nbNFtkgkC5e_Yn-274dkgs4MsxlzRqC38hnJZfbi-sjyL6n4uYbC61F2M-xM9aSiz6mDsQ2ngdPH3taVErPNM-Cs"
        "fzxNoMracExhskLcXDKVb00oCs1Q6sxXbiO5RuhHH1AdQdCPY9U2Y2gFGKK5aOX8kWruPdIvO74Xiw";

static const char RSA_PEM[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjuZkE6HrekAcV7AAcORP\n"
                              "tg4Da9ouu6J+Cxoagk93Ts9KKvdHbIZ3LXdWClBMEmDk3vX/+SpzPmDoAShlhNAq\n"
                              "Wjx5fqjg3EenbdvOhPvNX9EbZA7kagMK/YgFh8iuWTBNPDBsdoUyQ6FL2JVFTLv9\n"
                              "vhpHKAiOolcDJaIyJ9eYsJjZnbm+nbNFtkgkC5e/Yn+274dkgs4MsxlzRqC38hnJ\n"
                              "Zfbi+sjyL6n4uYbC61F2M+xM9aSiz6mDsQ2ngdPH3taVErPNM+CsfzxNoMracExh\n"
                              "skLcXDKVb00oCs1Q6sxXbiO5RuhHH1AdQdCPY9U2Y2gFGKK5aOX8kWruPdIvO74X\n"
                              "iwIDAQAB\n"
                              "-----END PUBLIC KEY-----\n";

static const char RSA_TOKEN[] =
        "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ2ZWN0b3IiLCJpc3MiOiJo"
        "dHRwczovL2lzc3Vlci5leGFtcGxlIiwiYXVkIjoiY2xpZW50LTEifQ.K-gROhnr_cr0GPNEIrquzqJRiHOTY-OU5"
        "P0eMrIDIP4xsXHFypuN49HDWPPqV9EA1U5OnFMrQNZKgqF6xif_XFQ2Vdq-ylivIKLUS0qWu44LWPLdxiQbKK_7t"
        "lEE_tx-TQ1YOcgEMJNLPyu3KlwTAIjajpJrMeGOWD9H57NQcbi3l4ovPMBJo82WfndEDhH3A9FejDUmgfLBRnokh"
        "qHiZhXzPYYh5L0ktLYOPpmMFCYERvB-PrbNfZSxpMk3QYGLZURzwrQYXVir6KVHDiJmycHIu9peUHQ8xxCMnpOWU"
        "lfF6kKVWa7rnKwwpTL4R6zvwi0HXl2V85FKwtz0_Z3K7A";

static const char RS512_TOKEN[] =
        "eyJhbGciOiJSUzUxMiIsImtpZCI6InJzYS0xIn0.eyJzdWIiOiJ2ZWN0b3IifQ.JilCewhwG4sMqqkuOjYDMxfNn"
        "T119xor7mVy7YjnNjyFHAzf91YIO_7jouJ2xOhd4RDBtoV9857oQk0IMe3KPWtO452W4fOTrkSHlpJUuNiHSxSF7"
        "u9TgOdKohAbtA6gqcyi5IOvDiW-Uek4LiXRWOw_0q7wwOHUgLjAjTbviSxVmNlENFT7jv1DlO_LAamzpbrZET3uM"
        "h7JmrbNga4L6VcaUh9tIp-MBAB_jVm0EPbjN641Stehs66MmBokynCSvvx1qZV9n0Jn9tsg1JXre_LQ505ICHMle"
        "KMwKG_o5buiwL64x7A7fuobI6zEHxVFq1RCWC3TgdIZyrT_W2TYcQ";

static const char EC_X[] = "ncIi2Gc1Wl3D8I6igDLngiOWq_j2TWlnDPEIakUY7oI";
static const char EC_Y[] = "qHG6K7AhLA0jiI9f7cUVi6mLSGmX8godqtwwuvUCgMo";

static const char EC_PEM[] = "-----BEGIN PUBLIC KEY-----\n"
                             "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEncIi2Gc1Wl3D8I6igDLngiOWq/j2\n"
                             "TWlnDPEIakUY7oKocborsCEsDSOIj1/txRWLqYtIaZfyCh2q3DC69QKAyg==\n"
                             "-----END PUBLIC KEY-----\n";

static const char EC_TOKEN[] =
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImVjLTEiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ2ZWN0b3IiLCJpc3MiOiJod"
        "HRwczovL2lzc3Vlci5leGFtcGxlIiwiYXVkIjoiY2xpZW50LTEifQ.7jwgG7t9akfas9ioVqac9bnYAEANFjM_AP"
        "t2eZUZutTZ72iQ4eWf8z4K3THWksf1GVPSSptZkegvBtu2EHjeKQ";

static const unsigned ALL_ALGS =
        OIDC_ALG_BIT(JWT_ALG_RS256) | OIDC_ALG_BIT(JWT_ALG_RS512) | OIDC_ALG_BIT(JWT_ALG_ES256);

static json_t *rsa_jwk(const char *kid)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "kty", "RSA", "n", RSA_N, "e", "AQAB", "kid", kid);
}

static json_t *ec_jwk(const char *kid)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", EC_X, "y",
	                 EC_Y, "kid", kid);
}

/* The provider's key set: the RSA key as rsa-1, the EC key as ec-1. */
static json_t *jwks(void)
{
	return json_pack("{s:[o, o]}", "keys", rsa_jwk("rsa-1"), ec_jwk("ec-1"));
}

static enum oidc_verdict verify(const char *token, json_t *set, unsigned algs)
{
	enum oidc_verdict v = OIDC_OK;
	json_t *claims = NULL;

	assert_int_equal(oidc_signature_verify(&claims, &v, token, set, algs), CS_OK);
	assert_true((v == OIDC_OK) == (claims != NULL));
	if (claims)
		assert_string_equal(json_string_value(json_object_get(claims, "sub")), "vector");
	json_decref(claims);
	json_decref(set);
	return v;
}

static void rsa_jwk_to_pem(void **state)
{
	(void)state;
	json_t *jwk = rsa_jwk("rsa-1");
	char *pem = NULL;

	assert_int_equal(oidc_jwk_pem(&pem, jwk), CS_OK);
	assert_string_equal(pem, RSA_PEM);
	free(pem);
	json_decref(jwk);
}

static void ec_jwk_to_pem(void **state)
{
	(void)state;
	json_t *jwk = ec_jwk("ec-1");
	char *pem = NULL;

	assert_int_equal(oidc_jwk_pem(&pem, jwk), CS_OK);
	assert_string_equal(pem, EC_PEM);
	free(pem);
	json_decref(jwk);
}

static void pem_refused(json_t *jwk)
{
	char *pem = (char *)"unchanged";

	assert_int_equal(oidc_jwk_pem(&pem, jwk), CS_EINVALID);
	assert_null(pem);
	json_decref(jwk);
}

static void refuses_unusable_jwks(void **state)
{
	(void)state;
	char small[172] = "";

	/* A 1024-bit modulus: too weak. */
	memset(small, 'z', 171);
	pem_refused(json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", small, "e", "AQAB"));
	pem_refused(json_pack("{s:s, s:s}", "kty", "RSA", "n", RSA_N));
	pem_refused(json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", RSA_N, "e", "AQ"));
	pem_refused(json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", "not base64!", "e", "AQAB"));
	pem_refused(json_pack("{s:s, s:s}", "kty", "oct", "k", "c2VjcmV0"));
	pem_refused(json_pack("{s:s}", "n", RSA_N));
	pem_refused(json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-384", "x", EC_X, "y",
	                      EC_Y));
	pem_refused(json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "secp256k1", "x", EC_X,
	                      "y", EC_Y));
	pem_refused(json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", "AAAA", "y",
	                      EC_Y));
}

static void verifies_rs256_and_es256(void **state)
{
	(void)state;
	assert_int_equal(verify(RSA_TOKEN, jwks(), ALL_ALGS), OIDC_OK);
	assert_int_equal(verify(EC_TOKEN, jwks(), ALL_ALGS), OIDC_OK);
	assert_int_equal(verify(RS512_TOKEN, jwks(), ALL_ALGS), OIDC_OK);
}

/* `token` with its segment `index` (0 header, 1 payload, 2 signature) replaced by `with`. */
static char *replace_segment(const char *token, int index, const char *with)
{
	const char *dot1 = strchr(token, '.'), *dot2 = strchr(dot1 + 1, '.');
	const char *seg[3][2] = {
	        {token, dot1}, {dot1 + 1, dot2}, {dot2 + 1, token + strlen(token)}};
	size_t size = strlen(token) + strlen(with) + 3;
	char *out = malloc(size);

	assert_non_null(out);
	out[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (i)
			strcat(out, ".");
		if (i == index)
			strcat(out, with);
		else
			strncat(out, seg[i][0], (size_t)(seg[i][1] - seg[i][0]));
	}
	return out;
}

static void refuses_tampered_tokens(void **state)
{
	(void)state;
	/* {"sub":"vector","iss":"https://issuer.example","aud":"someone"}: signature kept. */
	char *t =
	        replace_segment(RSA_TOKEN, 1,
	                        "eyJzdWIiOiJ2ZWN0b3IiLCJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwiY"
	                        "XVkIjoic29tZW9uZSJ9");
	assert_int_equal(verify(t, jwks(), ALL_ALGS), OIDC_BAD_SIGNATURE);
	free(t);
	/* The EC signature on the RSA token's header and payload. */
	t = replace_segment(RSA_TOKEN, 2, strrchr(EC_TOKEN, '.') + 1);
	assert_int_equal(verify(t, jwks(), ALL_ALGS), OIDC_BAD_SIGNATURE);
	free(t);
	/* {"alg":"none"} with and without the signature. */
	t = replace_segment(RSA_TOKEN, 0, "eyJhbGciOiJub25lIn0");
	assert_int_equal(verify(t, jwks(), ALL_ALGS), OIDC_BAD_ALGORITHM);
	free(t);
	t = replace_segment(RSA_TOKEN, 2, "");
	char *none = replace_segment(t, 0, "eyJhbGciOiJub25lIn0");
	assert_int_equal(verify(none, jwks(), ALL_ALGS), OIDC_BAD_ALGORITHM);
	free(none);
	/* No signature at all under RS256. */
	assert_int_equal(verify(t, jwks(), ALL_ALGS), OIDC_BAD_SIGNATURE);
	free(t);
	/* {"alg":"RS256","kid":"rsa-1","crit":["exp"]} */
	t = replace_segment(RSA_TOKEN, 0,
	                    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIiwiY3JpdCI6WyJleHAiXX0");
	assert_int_equal(verify(t, jwks(), ALL_ALGS), OIDC_BAD_ALGORITHM);
	free(t);
	assert_int_equal(verify("not.a-token", jwks(), ALL_ALGS), OIDC_MALFORMED);
	assert_int_equal(verify("", jwks(), ALL_ALGS), OIDC_MALFORMED);
}

/* The classic confusion: HS256 with the provider's public key (its PEM) as the shared secret. */
static void refuses_hs256_with_the_public_key(void **state)
{
	(void)state;
	jwt_t *jwt = NULL;
	char *token = NULL;

	assert_int_equal(jwt_new(&jwt), 0);
	assert_int_equal(jwt_add_grant(jwt, "sub", "vector"), 0);
	assert_int_equal(jwt_add_header(jwt, "kid", "rsa-1"), 0);
	assert_int_equal(jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)RSA_PEM,
	                             (int)strlen(RSA_PEM)),
	                 0);
	assert_non_null(token = jwt_encode_str(jwt));
	assert_int_equal(verify(token, jwks(), ALL_ALGS | OIDC_ALG_BIT(JWT_ALG_HS256)),
	                 OIDC_BAD_ALGORITHM);
	free(token);
	jwt_free(jwt);
}

static void only_advertised_algorithms(void **state)
{
	(void)state;
	assert_int_equal(verify(RSA_TOKEN, jwks(), OIDC_ALG_BIT(JWT_ALG_ES256)),
	                 OIDC_BAD_ALGORITHM);
	assert_int_equal(verify(RS512_TOKEN, jwks(), OIDC_ALG_BIT(JWT_ALG_RS256)),
	                 OIDC_BAD_ALGORITHM);
	assert_int_equal(verify(RSA_TOKEN, jwks(), 0), OIDC_BAD_ALGORITHM);

	json_t *names = json_pack("[s, s, s, s, s]", "none", "HS256", "RS256", "PS256", "ES256");
	assert_int_equal(oidc_signature_algs(names),
	                 OIDC_ALG_BIT(JWT_ALG_RS256) | OIDC_ALG_BIT(JWT_ALG_ES256));
	json_decref(names);
	names = json_pack("[s, s]", "none", "HS256");
	assert_int_equal(oidc_signature_algs(names), 0);
	json_decref(names);
	/* Discovery without the list: OIDC's default, RS256. */
	assert_int_equal(oidc_signature_algs(NULL), OIDC_ALG_BIT(JWT_ALG_RS256));
}

static void keys_by_kid(void **state)
{
	(void)state;
	/* A kid nobody published, and the right kid on a key of the other type. */
	assert_int_equal(verify(RSA_TOKEN,
	                        json_pack("{s:[o, o]}", "keys", rsa_jwk("rsa-2"), ec_jwk("ec-1")),
	                        ALL_ALGS),
	                 OIDC_UNKNOWN_KEY);
	assert_int_equal(verify(RSA_TOKEN, json_pack("{s:[o]}", "keys", ec_jwk("rsa-1")), ALL_ALGS),
	                 OIDC_UNKNOWN_KEY);
	assert_int_equal(verify(RSA_TOKEN, json_pack("{s:[]}", "keys"), ALL_ALGS),
	                 OIDC_UNKNOWN_KEY);
	assert_int_equal(verify(RSA_TOKEN, json_object(), ALL_ALGS), OIDC_UNKNOWN_KEY);
	/* The key found by kid among several. */
	assert_int_equal(verify(RSA_TOKEN,
	                        json_pack("{s:[o, o, o]}", "keys", ec_jwk("ec-1"), rsa_jwk("rsa-0"),
	                                  rsa_jwk("rsa-1")),
	                        ALL_ALGS),
	                 OIDC_OK);
}

static void key_fits_use_and_alg(void **state)
{
	(void)state;
	const json_t *key = NULL;
	json_t *set = jwks();

	/* No kid: the only key of the algorithm's type. */
	assert_int_equal(oidc_jwks_find(&key, set, NULL, JWT_ALG_RS256), CS_OK);
	assert_string_equal(json_string_value(json_object_get(key, "kid")), "rsa-1");
	assert_int_equal(oidc_jwks_find(&key, set, NULL, JWT_ALG_ES256), CS_OK);
	assert_string_equal(json_string_value(json_object_get(key, "kid")), "ec-1");
	assert_int_equal(oidc_jwks_find(&key, set, NULL, JWT_ALG_ES384), CS_ENOTFOUND);
	/* Two RSA keys and no kid: ambiguous. */
	json_array_append_new(json_object_get(set, "keys"), rsa_jwk("rsa-2"));
	assert_int_equal(oidc_jwks_find(&key, set, NULL, JWT_ALG_RS256), CS_ENOTFOUND);
	assert_null(key);
	json_decref(set);
	/* An encryption key, or one bound to another algorithm, does not verify. */
	json_t *enc = rsa_jwk("rsa-1");
	json_object_set_new(enc, "use", json_string("enc"));
	set = json_pack("{s:[o]}", "keys", enc);
	assert_int_equal(oidc_jwks_find(&key, set, "rsa-1", JWT_ALG_RS256), CS_ENOTFOUND);
	json_decref(set);
	json_t *rs384 = rsa_jwk("rsa-1");
	json_object_set_new(rs384, "alg", json_string("RS384"));
	set = json_pack("{s:[o]}", "keys", rs384);
	assert_int_equal(oidc_jwks_find(&key, set, "rsa-1", JWT_ALG_RS256), CS_ENOTFOUND);
	assert_int_equal(oidc_jwks_find(&key, set, "rsa-1", JWT_ALG_RS384), CS_OK);
	json_decref(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(rsa_jwk_to_pem),
	        cmocka_unit_test(ec_jwk_to_pem),
	        cmocka_unit_test(refuses_unusable_jwks),
	        cmocka_unit_test(verifies_rs256_and_es256),
	        cmocka_unit_test(refuses_tampered_tokens),
	        cmocka_unit_test(refuses_hs256_with_the_public_key),
	        cmocka_unit_test(only_advertised_algorithms),
	        cmocka_unit_test(keys_by_kid),
	        cmocka_unit_test(key_fits_use_and_alg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
