/* Access tokens: what is issued verifies; everything tampered, expired or foreign is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/b64url.h"
#include "core/jwt.h"

#define SECRET       "unit-test-secret-that-is-long-enough-0123456789"
#define OTHER_SECRET "another-secret-that-is-also-long-enough-98765"
#define NOW          1800000000

static struct access_token_keys keys;

static int setup(void **state)
{
	(void)state;
	return access_token_keys_init(&keys, SECRET, NULL);
}

static char *issue(const char *aud, time_t now)
{
	struct access_claims c = {0};
	char *token = NULL;
	int rc;

	strcpy(c.audience, aud);
	strcpy(c.subject, "11111111-1111-4111-8111-111111111111");
	strcpy(c.tenant_id, "22222222-2222-4222-8222-222222222222");
	strcpy(c.session_id, "33333333-3333-4333-8333-333333333333");
	strcpy(c.role, "admin");
	rc = access_token_issue(&token, &keys, &c, now);
	assert_int_equal(rc, CS_OK);
	return token;
}

static void issued_token_verifies(void **state)
{
	(void)state;
	struct access_claims c;
	char *token = issue("staff", NOW);

	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW + 10), CS_OK);
	assert_string_equal(c.subject, "11111111-1111-4111-8111-111111111111");
	assert_string_equal(c.tenant_id, "22222222-2222-4222-8222-222222222222");
	assert_string_equal(c.session_id, "33333333-3333-4333-8333-333333333333");
	assert_string_equal(c.role, "admin");
	assert_int_equal(c.expires_at, NOW + ACCESS_TOKEN_TTL);
	free(token);
}

static void expired_and_future_tokens_are_refused(void **state)
{
	(void)state;
	struct access_claims c;
	char *token = issue("staff", NOW);

	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW + ACCESS_TOKEN_TTL),
	                 CS_EUNAUTHORIZED);
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW - 3600),
	                 CS_EUNAUTHORIZED);
	free(token);
}

static void wrong_audience_is_refused(void **state)
{
	(void)state;
	struct access_claims c;
	char *token = issue("portal", NOW);

	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_EUNAUTHORIZED);
	free(token);
}

/* Without an audience, a staff or a portal token verifies and says which it is; nothing else. */
static void either_person_verifies_without_an_audience(void **state)
{
	(void)state;
	struct access_claims c;
	char *portal = issue("portal", NOW), *staff = issue("staff", NOW), *other = issue("x", NOW);

	assert_int_equal(access_token_verify(&c, &keys, portal, NULL, NOW), CS_OK);
	assert_string_equal(c.audience, "portal");
	assert_int_equal(access_token_verify(&c, &keys, staff, NULL, NOW), CS_OK);
	assert_string_equal(c.audience, "staff");
	assert_int_equal(access_token_verify(&c, &keys, other, NULL, NOW), CS_EUNAUTHORIZED);
	free(portal);
	free(staff);
	free(other);
}

static void tampered_signature_and_payload_are_refused(void **state)
{
	(void)state;
	struct access_claims c;
	char *token = issue("staff", NOW);
	size_t signature = strlen(token) - 10, payload = strcspn(token, ".") + 5;

	char original = token[signature];

	token[signature] = original == 'A' ? 'B' : 'A';
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_EUNAUTHORIZED);
	token[signature] = original;
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_OK);
	token[payload] = token[payload] == 'A' ? 'B' : 'A';
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_EUNAUTHORIZED);
	free(token);
}

static void other_secret_is_refused_unless_rotating(void **state)
{
	(void)state;
	struct access_token_keys old, rotated;
	struct access_claims c = {0};
	char *token = NULL;

	assert_int_equal(access_token_keys_init(&old, OTHER_SECRET, NULL), CS_OK);
	strcpy(c.audience, "staff");
	strcpy(c.subject, "s");
	strcpy(c.tenant_id, "t");
	strcpy(c.session_id, "x");
	assert_int_equal(access_token_issue(&token, &old, &c, NOW), CS_OK);
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_EUNAUTHORIZED);
	assert_int_equal(access_token_keys_init(&rotated, SECRET, OTHER_SECRET), CS_OK);
	assert_int_equal(access_token_verify(&c, &rotated, token, "staff", NOW), CS_OK);
	free(token);
}

/* Build "header.payload.signature" from raw JSON parts. */
static void forge(char *out, const char *header, const char *payload, const char *signature)
{
	char h[512], p[512];

	b64url_encode(h, (const unsigned char *)header, strlen(header));
	b64url_encode(p, (const unsigned char *)payload, strlen(payload));
	sprintf(out, "%s.%s.%s", h, p, signature);
}

static void alg_none_and_other_algorithms_are_refused(void **state)
{
	(void)state;
	struct access_claims c;
	char token[2048], header[128];
	const char *payload = "{\"iss\":\"curbside\",\"aud\":\"staff\",\"typ\":\"access\",\"sub\":"
	                      "\"s\",\"tid\":\"t\",\"sid\":\"x\",\"iat\":1800000000,\"exp\":"
	                      "1800000100}";

	sprintf(header, "{\"alg\":\"none\",\"kid\":\"%s\"}", keys.kid);
	forge(token, header, payload, "");
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_EUNAUTHORIZED);
	sprintf(header, "{\"alg\":\"HS512\",\"kid\":\"%s\"}", keys.kid);
	forge(token, header, payload, "c2lnbmF0dXJl");
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_EUNAUTHORIZED);
	forge(token, "{\"alg\":\"HS256\"}", payload, "c2lnbmF0dXJl");
	assert_int_equal(access_token_verify(&c, &keys, token, "staff", NOW), CS_EUNAUTHORIZED);
}

static void garbage_and_overlong_tokens_are_refused(void **state)
{
	(void)state;
	struct access_claims c;
	char *big = malloc(ACCESS_TOKEN_MAX_LEN + 2);

	assert_int_equal(access_token_verify(&c, &keys, "", "staff", NOW), CS_EUNAUTHORIZED);
	assert_int_equal(access_token_verify(&c, &keys, "abc", "staff", NOW), CS_EUNAUTHORIZED);
	assert_int_equal(access_token_verify(&c, &keys, "a.b.c", "staff", NOW), CS_EUNAUTHORIZED);
	memset(big, 'a', ACCESS_TOKEN_MAX_LEN + 1);
	big[ACCESS_TOKEN_MAX_LEN + 1] = '\0';
	assert_int_equal(access_token_verify(&c, &keys, big, "staff", NOW), CS_EUNAUTHORIZED);
	free(big);
}

static void short_secrets_are_refused(void **state)
{
	(void)state;
	struct access_token_keys k;

	assert_int_equal(access_token_keys_init(&k, "short", NULL), CS_EINVALID);
	assert_int_equal(access_token_keys_init(&k, SECRET, "short"), CS_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(issued_token_verifies),
	        cmocka_unit_test(expired_and_future_tokens_are_refused),
	        cmocka_unit_test(wrong_audience_is_refused),
	        cmocka_unit_test(either_person_verifies_without_an_audience),
	        cmocka_unit_test(tampered_signature_and_payload_are_refused),
	        cmocka_unit_test(other_secret_is_refused_unless_rotating),
	        cmocka_unit_test(alg_none_and_other_algorithms_are_refused),
	        cmocka_unit_test(garbage_and_overlong_tokens_are_refused),
	        cmocka_unit_test(short_secrets_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
