/* The webhook secret, the signature header and the URL rules (webhooks/webhooks_sender), against
 * values computed independently (Python's hmac). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "webhooks/webhooks_sender.h"

#define KEY   "development-only-webhook-signing-key-do-not-deploy-0123"
#define NONCE "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void derives_the_secret_from_key_and_nonce(void **state)
{
	(void)state;
	char secret[WEBHOOKS_SECRET_SIZE];

	assert_int_equal(webhooks_secret(secret, KEY, NONCE), CS_OK);
	assert_string_equal(secret, "whsec_UNsAF1Mg3o6SJnR356B0gU5C4A5yjgOEy8P2xVcPyRM");
	assert_int_equal(webhooks_secret(secret, KEY, "not hex"), CS_EINVALID);
}

static void fresh_nonces_differ(void **state)
{
	(void)state;
	char a[2 * WEBHOOKS_NONCE_BYTES + 1], b[2 * WEBHOOKS_NONCE_BYTES + 1];

	assert_int_equal(webhooks_new_nonce(a), CS_OK);
	assert_int_equal(webhooks_new_nonce(b), CS_OK);
	assert_int_equal(strlen(a), 64);
	assert_string_not_equal(a, b);
}

static void signs_with_every_secret_given(void **state)
{
	(void)state;
	const char *secrets[] = {"whsec_UNsAF1Mg3o6SJnR356B0gU5C4A5yjgOEy8P2xVcPyRM", "whsec_old"};
	char *header = NULL;

	assert_int_equal(webhooks_signature(&header, 1700000000, "{\"id\":\"e1\"}", secrets, 1),
	                 CS_OK);
	assert_string_equal(header,
	                    "t=1700000000,v1=315669a74e63c644893c84c0ad81ce21ffda2276e0a5df8a"
	                    "3220124c05ef7654");
	free(header);
	assert_int_equal(webhooks_signature(&header, 1700000000, "{\"id\":\"e1\"}", secrets, 2),
	                 CS_OK);
	assert_string_equal(header,
	                    "t=1700000000,v1=315669a74e63c644893c84c0ad81ce21ffda2276e0a5df8a"
	                    "3220124c05ef7654,v1=b1a94e283628635ad00388d8d72b4c2b3698708216a6"
	                    "7a541f2abc7e9173be74");
	free(header);
}

/* The problem code of webhooks_url_check, or "ok". */
static const char *url_verdict(const char *url, bool production, bool allow_private)
{
	if (webhooks_url_check(url, production, allow_private) == CS_OK)
		return "ok";
	return cs_error_last()->code;
}

static void judges_urls(void **state)
{
	(void)state;
	assert_string_equal(url_verdict("https://hooks.example.com/in", false, true), "ok");
	assert_string_equal(url_verdict("http://127.0.0.1:8080/in", false, true), "ok");
	assert_string_equal(url_verdict("http://localhost/in", false, true), "ok");
	assert_string_equal(url_verdict("http://[::1]:9/in", false, true), "ok");
	assert_string_equal(url_verdict("http://127.0.0.1/in", true, false),
	                    "webhook_url_not_https");
	assert_string_equal(url_verdict("http://hooks.example.com/in", false, true),
	                    "webhook_url_not_https");
	assert_string_equal(url_verdict("ftp://hooks.example.com/in", false, true),
	                    "webhook_url_not_https");
	assert_string_equal(url_verdict("https://u:p@hooks.example.com/in", false, true),
	                    "webhook_url_invalid");
	assert_string_equal(url_verdict("https://hooks.example.com/in#x", false, true),
	                    "webhook_url_invalid");
	assert_string_equal(url_verdict("hooks.example.com/in", false, true),
	                    "webhook_url_invalid");
	assert_string_equal(url_verdict("https://10.0.0.1/in", true, false),
	                    "webhook_url_not_public");
	assert_string_equal(url_verdict("https://[::ffff:169.254.169.254]/in", true, false),
	                    "webhook_url_not_public");
	assert_string_equal(url_verdict("https://localhost/in", true, false),
	                    "webhook_url_not_public");
	assert_string_equal(url_verdict("https://10.0.0.1/in", false, true), "ok");
	assert_string_equal(url_verdict("https://8.8.8.8/in", true, false), "ok");
	/* A refusal names the member at fault. */
	assert_int_equal(webhooks_url_check("https://192.168.0.9/", true, false), CS_EINVALID);
	assert_string_equal(cs_error_last()->field, "url");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(derives_the_secret_from_key_and_nonce),
	        cmocka_unit_test(fresh_nonces_differ),
	        cmocka_unit_test(signs_with_every_secret_given),
	        cmocka_unit_test(judges_urls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
