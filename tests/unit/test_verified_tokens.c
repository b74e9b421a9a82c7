/* The verified-token cache: a token is found only by its exact text and only until it expires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/verified_tokens.h"

#define NOW 1800000000

static struct access_claims claims_for(const char *subject, time_t expires_at)
{
	struct access_claims c = {0};

	strcpy(c.audience, "portal");
	snprintf(c.subject, sizeof(c.subject), "%s", subject);
	c.expires_at = expires_at;
	return c;
}

static int clear(void **state)
{
	(void)state;
	verified_tokens_clear();
	return 0;
}

static void a_stored_token_is_found_with_its_claims(void **state)
{
	(void)state;
	struct access_claims stored = claims_for("alice", NOW + 900), found;

	verified_tokens_store("header.payload.signature", &stored);
	assert_true(verified_tokens_lookup(&found, "header.payload.signature", NOW));
	assert_string_equal(found.subject, "alice");
	assert_string_equal(found.audience, "portal");
}

/* A token one byte away, of the same length, a prefix or an extension, is another token. */
static void only_the_exact_text_matches(void **state)
{
	(void)state;
	struct access_claims stored = claims_for("alice", NOW + 900), found;

	verified_tokens_store("header.payload.signature", &stored);
	assert_false(verified_tokens_lookup(&found, "header.payload.signaturf", NOW));
	assert_false(verified_tokens_lookup(&found, "header.payload.signatur", NOW));
	assert_false(verified_tokens_lookup(&found, "header.payload.signature2", NOW));
	assert_false(verified_tokens_lookup(&found, "", NOW));
}

static void an_expired_token_is_not_found(void **state)
{
	(void)state;
	struct access_claims stored = claims_for("alice", NOW + 900), found;

	verified_tokens_store("header.payload.signature", &stored);
	assert_true(verified_tokens_lookup(&found, "header.payload.signature", NOW + 899));
	assert_false(verified_tokens_lookup(&found, "header.payload.signature", NOW + 900));
}

static void an_overlong_token_is_not_kept(void **state)
{
	(void)state;
	char token[VERIFIED_TOKEN_MAX_LEN + 2];
	struct access_claims stored = claims_for("alice", NOW + 900), found;

	memset(token, 'a', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	verified_tokens_store(token, &stored);
	assert_false(verified_tokens_lookup(&found, token, NOW));
	token[VERIFIED_TOKEN_MAX_LEN] = '\0';
	verified_tokens_store(token, &stored);
	assert_true(verified_tokens_lookup(&found, token, NOW));
}

/* Many more tokens than slots: the last ones stored are found, each with its own claims, and a
 * newer token replaces the one nearest its end, not a longer-lived one. */
static void a_full_cache_keeps_the_newest_tokens_apart(void **state)
{
	(void)state;
	char token[64], subject[32];
	struct access_claims found;

	for (int i = 0; i < 20000; i++) {
		snprintf(token, sizeof(token), "token-%d", i);
		snprintf(subject, sizeof(subject), "user-%d", i);
		struct access_claims c = claims_for(subject, NOW + 1000 + i);
		verified_tokens_store(token, &c);
	}
	int newest_found = 0;
	for (int i = 19900; i < 20000; i++) {
		snprintf(token, sizeof(token), "token-%d", i);
		snprintf(subject, sizeof(subject), "user-%d", i);
		if (verified_tokens_lookup(&found, token, NOW)) {
			assert_string_equal(found.subject, subject);
			newest_found++;
		}
	}
	assert_int_equal(newest_found, 100);
	assert_false(verified_tokens_lookup(&found, "token-0", NOW));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(a_stored_token_is_found_with_its_claims, clear),
	        cmocka_unit_test_setup(only_the_exact_text_matches, clear),
	        cmocka_unit_test_setup(an_expired_token_is_not_found, clear),
	        cmocka_unit_test_setup(an_overlong_token_is_not_kept, clear),
	        cmocka_unit_test_setup(a_full_cache_keeps_the_newest_tokens_apart, clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
