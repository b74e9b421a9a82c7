/* SHA-256, constant-time comparison, and tokens kept as their hashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/hash.h"
#include "core/hex.h"
#include "core/random.h"

static void sha256_known_answer(void **state)
{
	(void)state;
	char hex[HASH_SHA256_HEX_SIZE];

	assert_int_equal(hash_sha256_hex(hex, "abc", 3), CS_OK);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void equal_ct(void **state)
{
	(void)state;
	assert_true(hash_equal_ct("token", 5, "token", 5));
	assert_false(hash_equal_ct("token", 5, "tokem", 5));
	assert_false(hash_equal_ct("token", 5, "token2", 6));
	assert_false(hash_equal_ct("", 0, "x", 1));
}

static void hashed_token_keeps_the_hash_of_its_token(void **state)
{
	(void)state;
	struct random_hashed_token a, b;
	char hex[HASH_SHA256_HEX_SIZE];

	assert_int_equal(random_hashed_token(&a), CS_OK);
	assert_int_equal(random_hashed_token(&b), CS_OK);
	assert_int_equal(strlen(a.token), 43); /* 256 bits in base64url, unpadded */
	assert_int_equal(hash_sha256_hex(hex, a.token, strlen(a.token)), CS_OK);
	assert_string_equal(a.hash, hex);
	assert_string_not_equal(a.token, b.token);
}

/* RFC 4231, test case 2: what webhook signatures are made with. */
static void hmac_sha256_known_answer(void **state)
{
	(void)state;
	unsigned char mac[HASH_SHA256_SIZE];
	char hex[2 * HASH_SHA256_SIZE + 1];
	const char *data = "what do ya want for nothing?";

	assert_int_equal(hash_hmac_sha256(mac, "Jefe", 4, data, strlen(data)), CS_OK);
	hex_encode(hex, mac, sizeof(mac));
	assert_string_equal(hex,
	                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(sha256_known_answer),
	        cmocka_unit_test(equal_ct),
	        cmocka_unit_test(hmac_sha256_known_answer),
	        cmocka_unit_test(hashed_token_keeps_the_hash_of_its_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
