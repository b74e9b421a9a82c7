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

static enum password_admission admit(int slots, int queue, int login_active, int other_active,
                                     int login_waiting, int other_waiting, enum password_use use)
{
	struct password_gate_counts c = {
	        .slots = slots,
	        .queue = queue,
	        .active =
	                {[PASSWORD_FOR_LOGIN] = login_active, [PASSWORD_FOR_OTHER] = other_active},
	        .waiting = {[PASSWORD_FOR_LOGIN] = login_waiting,
	                    [PASSWORD_FOR_OTHER] = other_waiting},
	};
	return password_gate_admit(&c, use);
}

/* Other hashing (sign-ups, resets) cannot take the share of the gate that sign-ins keep. */
static void other_hashing_leaves_sign_ins_their_share(void **state)
{
	(void)state;
	/* 2 slots, queue 4: other hashing runs in 1 slot and queues in 2 places. */
	assert_int_equal(admit(2, 4, 0, 0, 0, 0, PASSWORD_FOR_OTHER), PASSWORD_ENTER);
	assert_int_equal(admit(2, 4, 0, 1, 0, 0, PASSWORD_FOR_OTHER), PASSWORD_WAIT);
	assert_int_equal(admit(2, 4, 0, 1, 0, 2, PASSWORD_FOR_OTHER), PASSWORD_REFUSE);
	/* ... while a sign-in still finds the free slot, then the rest of the queue. */
	assert_int_equal(admit(2, 4, 0, 1, 0, 2, PASSWORD_FOR_LOGIN), PASSWORD_ENTER);
	assert_int_equal(admit(2, 4, 1, 1, 0, 2, PASSWORD_FOR_LOGIN), PASSWORD_WAIT);
	assert_int_equal(admit(2, 4, 1, 1, 1, 2, PASSWORD_FOR_LOGIN), PASSWORD_WAIT);
	assert_int_equal(admit(2, 4, 1, 1, 2, 2, PASSWORD_FOR_LOGIN), PASSWORD_REFUSE);
	/* Sign-ins may use every slot; other hashing then waits for its own. */
	assert_int_equal(admit(2, 4, 2, 0, 0, 0, PASSWORD_FOR_LOGIN), PASSWORD_WAIT);
	assert_int_equal(admit(2, 4, 1, 0, 0, 0, PASSWORD_FOR_OTHER), PASSWORD_ENTER);
}

static void sign_ins_waiting_go_first(void **state)
{
	(void)state;
	/* A free slot with a sign-in queued is the sign-in's. */
	assert_int_equal(admit(2, 4, 0, 0, 1, 0, PASSWORD_FOR_OTHER), PASSWORD_WAIT);
	/* One core: other hashing may use the only slot, and queues in one place. */
	assert_int_equal(admit(1, 2, 0, 0, 0, 0, PASSWORD_FOR_OTHER), PASSWORD_ENTER);
	assert_int_equal(admit(1, 2, 0, 1, 0, 0, PASSWORD_FOR_OTHER), PASSWORD_WAIT);
	assert_int_equal(admit(1, 2, 0, 1, 0, 1, PASSWORD_FOR_OTHER), PASSWORD_REFUSE);
	assert_int_equal(admit(1, 2, 0, 1, 0, 1, PASSWORD_FOR_LOGIN), PASSWORD_WAIT);
}

static void sign_ins_are_counted_apart(void **state)
{
	(void)state;
	struct password_stats before, after;
	bool match = true;

	password_stats_read(&before);
	assert_int_equal(password_verify_login(&match, NULL, "a password"), CS_OK);
	assert_false(match);
	password_stats_read(&after);
	assert_int_equal(after.hashes[PASSWORD_FOR_LOGIN], before.hashes[PASSWORD_FOR_LOGIN] + 1);
	assert_int_equal(after.hashes[PASSWORD_FOR_OTHER], before.hashes[PASSWORD_FOR_OTHER]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(hash_verifies_and_uses_owasp_parameters),
	        cmocka_unit_test(same_password_gets_different_salts),
	        cmocka_unit_test(unknown_account_never_matches),
	        cmocka_unit_test(other_hashing_leaves_sign_ins_their_share),
	        cmocka_unit_test(sign_ins_waiting_go_first),
	        cmocka_unit_test(sign_ins_are_counted_apart),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
