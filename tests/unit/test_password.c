/* argon2id hashing and the gate that bounds concurrent hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/password.h"

static int setup(void **state)
{
	(void)state;
	return password_gate_init(1, 0);
}

static void hash_verifies_and_uses_owasp_parameters(void **state)
{
	(void)state;
	char hash[PASSWORD_HASH_SIZE];
	bool match = false;

	assert_int_equal(password_hash(hash, "correct horse battery"), CS_OK);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_non_null(strstr(hash, "m=19456,t=2,p=1"));
	assert_int_equal(password_verify(&match, hash, "correct horse battery"), CS_OK);
	assert_true(match);
	assert_int_equal(password_verify(&match, hash, "wrong horse battery"), CS_OK);
	assert_false(match);
}

static void same_password_gets_different_salts(void **state)
{
	(void)state;
	char a[PASSWORD_HASH_SIZE], b[PASSWORD_HASH_SIZE];

	assert_int_equal(password_hash(a, "correct horse battery"), CS_OK);
	assert_int_equal(password_hash(b, "correct horse battery"), CS_OK);
	assert_string_not_equal(a, b);
}

static void unknown_account_never_matches(void **state)
{
	(void)state;
	bool match = true;

	assert_int_equal(password_verify(&match, NULL, "not-a-real-password-only-for-timing"),
	                 CS_OK);
	assert_false(match);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(hash_verifies_and_uses_owasp_parameters),
	        cmocka_unit_test(same_password_gets_different_salts),
	        cmocka_unit_test(unknown_account_never_matches),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
