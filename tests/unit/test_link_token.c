/* Derived link tokens (invitations) and the portal URLs that carry them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/link_token.h"

static const char key[] = "curbside-unit-test-key-0123456789abcdef";
static const char id[] = "685869b5-8248-4065-ae87-b9029e0e07e3";

static void derive_known_answer(void **state)
{
	(void)state;
	char token[LINK_TOKEN_SIZE];

	/* printf 'invitation:%s:n1' "$id" | openssl dgst -sha256 -hmac "$key" -binary |
	 * basenc --base64url | tr -d = */
	assert_int_equal(link_token_derive(token, key, strlen(key), "invitation", id, "n1"), CS_OK);
	assert_int_equal(strlen(token), LINK_TOKEN_SIZE - 1);
	assert_string_equal(token, "06PVpTraUn_kmDnPQvy-6VrAcBqIEC1k7nQaC7H3pqc");
}

static void derive_message_layout(void **state)
{
	(void)state;
	char token[LINK_TOKEN_SIZE];

	/* The message is purpose ":" id ":" nonce, nothing else. */
	assert_int_equal(link_token_derive(token, "key", 3, "The quick brown fox jumps over the",
	                                   "lazy", "dog"),
	                 CS_OK);
	assert_string_equal(token, "tM5Ib9cfT8zS_8J2mzg4VioHjQco4BB-n9wVwp8zEE0");
}

static void derive_changes_with_every_input(void **state)
{
	(void)state;
	char a[LINK_TOKEN_SIZE], b[LINK_TOKEN_SIZE];

	assert_int_equal(link_token_derive(a, key, strlen(key), "invitation", id, "n1"), CS_OK);
	assert_int_equal(link_token_derive(b, key, strlen(key), "invitation", id, "n2"), CS_OK);
	assert_string_not_equal(a, b);
	assert_int_equal(link_token_derive(b, key, strlen(key) - 1, "invitation", id, "n1"), CS_OK);
	assert_string_not_equal(a, b);
	assert_int_equal(link_token_derive(b, key, strlen(key), "pay_link", id, "n1"), CS_OK);
	assert_string_not_equal(a, b);
	/* Same inputs, same token: the URL can be shown again. */
	assert_int_equal(link_token_derive(b, key, strlen(key), "invitation", id, "n1"), CS_OK);
	assert_string_equal(a, b);
}

static void derive_refuses_missing_input(void **state)
{
	(void)state;
	char token[LINK_TOKEN_SIZE];

	assert_int_equal(link_token_derive(token, key, 0, "invitation", id, "n1"), CS_EINVALID);
	assert_string_equal(token, "");
	assert_int_equal(link_token_derive(token, NULL, 3, "invitation", id, "n1"), CS_EINVALID);
	assert_int_equal(link_token_derive(token, key, 3, "invitation", NULL, "n1"), CS_EINVALID);
	assert_int_equal(link_token_derive(token, key, 3, "invitation", id, NULL), CS_EINVALID);
	assert_int_equal(link_token_derive(token, key, 3, NULL, id, "n1"), CS_EINVALID);
}

static void url_cases(void **state)
{
	(void)state;
	static const struct {
		const char *base, *want;
	} cases[] = {
	        {"https://{tenant}.portal.example.com",
	         "https://acme.portal.example.com/invitations/T"},
	        {"https://{tenant}.portal.example.com/",
	         "https://acme.portal.example.com/invitations/T"},
	        {"http://localhost:5173/{tenant}", "http://localhost:5173/acme/invitations/T"},
	        {"http://localhost:5173/{tenant}/", "http://localhost:5173/acme/invitations/T"},
	        {"https://portal.example.com", "https://portal.example.com/invitations/T"},
	        {"https://{tenant}.example.com/p/{tenant}",
	         "https://acme.example.com/p/acme/invitations/T"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *url = NULL;
		assert_int_equal(link_token_url(&url, cases[i].base, "acme", "invitations", "T"),
		                 CS_OK);
		assert_string_equal(url, cases[i].want);
		free(url);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(derive_known_answer),
	        cmocka_unit_test(derive_message_layout),
	        cmocka_unit_test(derive_changes_with_every_input),
	        cmocka_unit_test(derive_refuses_missing_input),
	        cmocka_unit_test(url_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
