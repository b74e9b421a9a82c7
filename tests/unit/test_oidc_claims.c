/* OpenID Connect: ID token claim checks, PKCE, the authorization URL and the redirect allow-list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/b64url.h"
#include "oidc/oidc_claims.h"

#define NOW 1700000000

static const struct oidc_expect expect = {
        .issuer = "https://accounts.google.com",
        .client_id = "client-1",
        .nonce = "n-0S6_WzA2Mj",
        .now = NOW,
};

/* Claims that pass, for each test to spoil one way. */
static json_t *good_claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:b, s:s}", "iss",
	                 "https://accounts.google.com", "aud", "client-1", "sub",
	                 "110169484474386276334", "exp", (json_int_t)NOW + 3600, "iat",
	                 (json_int_t)NOW - 10, "nonce", "n-0S6_WzA2Mj", "email",
	                 " Pat@Example.COM ", "email_verified", 1, "name", "Pat Jordan");
}

/* The ID token's checks, then its email (as oidc_identify does when the token carries one). */
static enum oidc_verdict check_all(struct oidc_identity *who, const json_t *claims)
{
	enum oidc_verdict v = oidc_claims_check(who, claims, &expect);

	return v == OIDC_OK ? oidc_email_claims(who, claims) : v;
}

static enum oidc_verdict check(json_t *claims)
{
	struct oidc_identity who;
	enum oidc_verdict v = check_all(&who, claims);

	json_decref(claims);
	return v;
}

static void accepts_good_claims(void **state)
{
	(void)state;
	struct oidc_identity who;
	json_t *claims = good_claims();

	assert_int_equal(check_all(&who, claims), OIDC_OK);
	assert_string_equal(who.subject, "110169484474386276334");
	assert_string_equal(who.email, "pat@example.com");
	assert_string_equal(who.name, "Pat Jordan");
	json_decref(claims);
}

static void checks_issuer(void **state)
{
	(void)state;
	json_t *c = good_claims();

	json_object_set_new(c, "iss", json_string("https://evil.example"));
	assert_int_equal(check(c), OIDC_BAD_ISSUER);
	c = good_claims();
	json_object_del(c, "iss");
	assert_int_equal(check(c), OIDC_BAD_ISSUER);
	/* Google's documented bare form. */
	c = good_claims();
	json_object_set_new(c, "iss", json_string("accounts.google.com"));
	assert_int_equal(check(c), OIDC_OK);
	/* The same comparison for an authorization response's iss (RFC 9207). */
	assert_true(oidc_issuer_matches("https://idp.example", "https://idp.example"));
	assert_false(oidc_issuer_matches("https://idp.example/", "https://idp.example"));
	assert_false(oidc_issuer_matches("idp.example", "https://idp.example"));
	assert_false(oidc_issuer_matches(NULL, "https://idp.example"));
}

static void checks_audience(void **state)
{
	(void)state;
	json_t *c = good_claims();

	json_object_set_new(c, "aud", json_string("someone-else"));
	assert_int_equal(check(c), OIDC_BAD_AUDIENCE);
	c = good_claims();
	json_object_set_new(c, "aud", json_pack("[s]", "client-1"));
	assert_int_equal(check(c), OIDC_OK);
	/* Several audiences: azp must name us. */
	c = good_claims();
	json_object_set_new(c, "aud", json_pack("[ss]", "client-1", "other"));
	assert_int_equal(check(c), OIDC_BAD_AUDIENCE);
	c = good_claims();
	json_object_set_new(c, "aud", json_pack("[ss]", "client-1", "other"));
	json_object_set_new(c, "azp", json_string("client-1"));
	assert_int_equal(check(c), OIDC_OK);
	c = good_claims();
	json_object_set_new(c, "aud", json_pack("[ss]", "other", "more"));
	json_object_set_new(c, "azp", json_string("client-1"));
	assert_int_equal(check(c), OIDC_BAD_AUDIENCE);
	c = good_claims();
	json_object_set_new(c, "azp", json_string("other"));
	assert_int_equal(check(c), OIDC_BAD_AUDIENCE);
	c = good_claims();
	json_object_set_new(c, "aud", json_integer(1));
	assert_int_equal(check(c), OIDC_BAD_AUDIENCE);
}

static void checks_times(void **state)
{
	(void)state;
	json_t *c = good_claims();

	json_object_set_new(c, "exp", json_integer(NOW - OIDC_CLOCK_SKEW - 1));
	assert_int_equal(check(c), OIDC_EXPIRED);
	c = good_claims();
	json_object_set_new(c, "exp", json_integer(NOW - 5)); /* within the skew */
	assert_int_equal(check(c), OIDC_OK);
	c = good_claims();
	json_object_set_new(c, "iat", json_integer(NOW + OIDC_CLOCK_SKEW + 1));
	assert_int_equal(check(c), OIDC_FUTURE);
	c = good_claims();
	json_object_del(c, "iat");
	assert_int_equal(check(c), OIDC_MALFORMED);
	c = good_claims();
	json_object_set_new(c, "exp", json_string("tomorrow"));
	assert_int_equal(check(c), OIDC_MALFORMED);
}

static void checks_nonce(void **state)
{
	(void)state;
	json_t *c = good_claims();

	json_object_set_new(c, "nonce", json_string("n-0S6_WzA2Mk"));
	assert_int_equal(check(c), OIDC_BAD_NONCE);
	c = good_claims();
	json_object_del(c, "nonce");
	assert_int_equal(check(c), OIDC_BAD_NONCE);
}

static void checks_identity(void **state)
{
	(void)state;
	json_t *c = good_claims();

	json_object_set_new(c, "email_verified", json_false());
	assert_int_equal(check(c), OIDC_EMAIL_UNVERIFIED);
	c = good_claims();
	json_object_del(c, "email_verified");
	assert_int_equal(check(c), OIDC_EMAIL_UNVERIFIED);
	c = good_claims();
	json_object_set_new(c, "email_verified", json_string("true"));
	assert_int_equal(check(c), OIDC_OK);
	c = good_claims();
	json_object_set_new(c, "email", json_string("not an email"));
	assert_int_equal(check(c), OIDC_NO_EMAIL);
	c = good_claims();
	json_object_set_new(c, "sub", json_string(""));
	assert_int_equal(check(c), OIDC_NO_SUBJECT);
	/* A name with a control character is dropped, not refused. */
	struct oidc_identity who;
	c = good_claims();
	json_object_set_new(c, "name", json_string("Pat\x01"));
	assert_int_equal(check_all(&who, c), OIDC_OK);
	assert_string_equal(who.name, "");
	json_decref(c);
}

/* A provider at its defaults leaves email out of the ID token (Core 5.4): userinfo has it. */
static void email_from_userinfo(void **state)
{
	(void)state;
	struct oidc_identity who;
	json_t *c = good_claims(), *info;

	json_object_del(c, "email");
	json_object_del(c, "email_verified");
	json_object_del(c, "name");
	assert_false(oidc_claims_have_email(c));
	assert_int_equal(oidc_claims_check(&who, c, &expect), OIDC_OK);
	assert_string_equal(who.email, "");
	info = json_pack("{s:s, s:s, s:b, s:s}", "sub", "110169484474386276334", "email",
	                 "Pat@Example.com", "email_verified", 1, "name", "Pat Info");
	assert_int_equal(oidc_userinfo_claims(&who, info), OIDC_OK);
	assert_string_equal(who.email, "pat@example.com");
	assert_string_equal(who.name, "Pat Info");
	/* Another subject's answer is not used at all. */
	memset(&who, 0, sizeof(who));
	assert_int_equal(oidc_claims_check(&who, c, &expect), OIDC_OK);
	json_object_set_new(info, "sub", json_string("someone-else"));
	assert_int_equal(oidc_userinfo_claims(&who, info), OIDC_USERINFO_SUBJECT);
	assert_string_equal(who.email, "");
	json_object_del(info, "sub");
	assert_int_equal(oidc_userinfo_claims(&who, info), OIDC_USERINFO_SUBJECT);
	/* Its email must be verified, and an address. */
	json_object_set_new(info, "sub", json_string("110169484474386276334"));
	json_object_set_new(info, "email_verified", json_false());
	assert_int_equal(oidc_userinfo_claims(&who, info), OIDC_EMAIL_UNVERIFIED);
	json_object_del(info, "email");
	assert_int_equal(oidc_userinfo_claims(&who, info), OIDC_NO_EMAIL);
	assert_string_equal(oidc_verdict_name(OIDC_USERINFO_SUBJECT), "userinfo_subject_mismatch");
	json_decref(info);
	json_decref(c);
}

static char *jwt_of(const char *payload)
{
	char head[64], *body = malloc(strlen(payload) * 2 + 8), *out = NULL;

	b64url_encode(head, (const unsigned char *)"{\"alg\":\"none\"}", 14);
	b64url_encode(body, (const unsigned char *)payload, strlen(payload));
	assert_true(asprintf(&out, "%s.%s.sig", head, body) > 0);
	free(body);
	return out;
}

static void decodes_payload(void **state)
{
	(void)state;
	json_t *doc = NULL;
	char *token = jwt_of("{\"sub\":\"42\"}");

	assert_int_equal(oidc_id_token_payload(&doc, token), CS_OK);
	assert_string_equal(json_string_value(json_object_get(doc, "sub")), "42");
	json_decref(doc);
	free(token);
	token = jwt_of("[1]");
	assert_int_equal(oidc_id_token_payload(&doc, token), CS_EINVALID);
	free(token);
	assert_int_equal(oidc_id_token_payload(&doc, "a.b"), CS_EINVALID);
	assert_int_equal(oidc_id_token_payload(&doc, "a.b.c.d"), CS_EINVALID);
	assert_int_equal(oidc_id_token_payload(&doc, "a.!!.c"), CS_EINVALID);
	assert_int_equal(oidc_id_token_payload(&doc, ""), CS_EINVALID);
	assert_null(doc);
}

static void pkce_rfc7636_vector(void **state)
{
	(void)state;
	char challenge[OIDC_CHALLENGE_SIZE];

	assert_int_equal(
	        oidc_pkce_challenge(challenge, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
	        CS_OK);
	assert_string_equal(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void builds_authorization_url(void **state)
{
	(void)state;
	char *url = NULL;
	struct oidc_authorize req = {
	        .endpoint = "https://idp.example/auth",
	        .client_id = "c 1",
	        .redirect_uri = "https://acme.portal.example/auth/google?x=1",
	        .state = "S",
	        .nonce = "N",
	        .challenge = "C",
	        .login_hint = "pat+1@example.com",
	};

	assert_int_equal(oidc_authorization_url(&url, &req), CS_OK);
	assert_string_equal(
	        url, "https://idp.example/auth?response_type=code&client_id=c%201"
	             "&redirect_uri=https%3A%2F%2Facme.portal.example%2Fauth%2Fgoogle%3Fx%3D1"
	             "&scope=openid%20email%20profile&state=S&nonce=N&code_challenge=C"
	             "&code_challenge_method=S256&login_hint=pat%2B1%40example.com");
	free(url);
	req.endpoint = "https://idp.example/auth?hd=x";
	req.login_hint = NULL;
	assert_int_equal(oidc_authorization_url(&url, &req), CS_OK);
	assert_non_null(strstr(url, "/auth?hd=x&response_type=code&"));
	assert_null(strstr(url, "login_hint"));
	free(url);
}

static void redirect_allow_list(void **state)
{
	(void)state;
	const char *sub = "https://{tenant}.portal.example/";
	const char *path = "http://localhost:5173/{tenant}";

	assert_true(oidc_redirect_allowed(sub, "acme", "https://acme.portal.example/auth/google"));
	assert_true(oidc_redirect_allowed(sub, "acme", "https://acme.portal.example"));
	assert_true(oidc_redirect_allowed(sub, "acme", "https://acme.portal.example?x=1"));
	assert_true(oidc_redirect_allowed(path, "acme", "http://localhost:5173/acme/callback"));
	/* Another tenant, another host, a look-alike host, userinfo tricks, fragments. */
	assert_false(oidc_redirect_allowed(sub, "acme", "https://other.portal.example/cb"));
	assert_false(oidc_redirect_allowed(sub, "acme", "https://evil.example/cb"));
	assert_false(
	        oidc_redirect_allowed(sub, "acme", "https://acme.portal.example.evil.example/"));
	assert_false(
	        oidc_redirect_allowed(sub, "acme", "https://acme.portal.example@evil.example/"));
	assert_false(oidc_redirect_allowed(path, "acme", "http://localhost:5173/acmeX/cb"));
	assert_false(oidc_redirect_allowed(sub, "acme", "https://acme.portal.example/cb#x"));
	assert_false(oidc_redirect_allowed(sub, "acme", "https://acme.portal.example/c b"));
	assert_false(oidc_redirect_allowed(sub, "acme", "https://acme.portal.example\\@evil"));
	assert_false(oidc_redirect_allowed(sub, "Bad Slug", "https://acme.portal.example/"));
	assert_false(oidc_redirect_allowed(sub, "acme", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(accepts_good_claims), cmocka_unit_test(checks_issuer),
	        cmocka_unit_test(checks_audience),     cmocka_unit_test(checks_times),
	        cmocka_unit_test(checks_nonce),        cmocka_unit_test(checks_identity),
	        cmocka_unit_test(email_from_userinfo), cmocka_unit_test(decodes_payload),
	        cmocka_unit_test(pkce_rfc7636_vector), cmocka_unit_test(builds_authorization_url),
	        cmocka_unit_test(redirect_allow_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
