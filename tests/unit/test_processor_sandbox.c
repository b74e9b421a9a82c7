/* The sandbox payment processor: test tokens, charges deterministic by idempotency key, bank
 * payments pending until the settle delay has passed, declines as outcomes (not errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "processors/processor.h"

/* A sandbox whose bank payments settle after `settle` seconds. */
/* CURBSIDE_TEST_WAIT_SCALE (tests/lib/procs.bash; scripts/test exports it): how many times longer
 * than on an idle machine to allow. 1 when unset. */
static int wait_scale(void)
{
	const char *s = getenv("CURBSIDE_TEST_WAIT_SCALE");
	int n = s ? atoi(s) : 1;

	return n > 0 && n <= 60 ? n : 1;
}

static struct processor *sandbox(int settle)
{
	struct config cfg;
	struct processor *p = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.payments = "sandbox";
	cfg.sandbox_ach_settle_seconds = settle;
	assert_int_equal(processor_open(&p, &cfg), CS_OK);
	assert_string_equal(processor_name(p), "sandbox");
	return p;
}

static void method(struct processor *p, struct processor_method *m, const char *token)
{
	assert_int_equal(processor_create_method(p, m, token), CS_OK);
}

static void cards_and_banks_are_described(void **state)
{
	(void)state;
	struct processor *p = sandbox(120);
	struct processor_method m, again;

	method(p, &m, "tok_visa");
	assert_string_equal(m.type, "card");
	assert_string_equal(m.brand, "visa");
	assert_string_equal(m.last4, "4242");
	assert_int_equal(m.exp_month, 12);
	assert_true(m.exp_year >= 2030);
	assert_string_equal(m.bank_name, "");
	assert_true(strncmp(m.ref, "pm_sandbox_visa_", 16) == 0);
	method(p, &again, "tok_visa");
	assert_string_not_equal(m.ref, again.ref); /* each save is a method of its own */

	method(p, &m, "tok_mastercard");
	assert_string_equal(m.brand, "mastercard");
	method(p, &m, "tok_amex");
	assert_string_equal(m.brand, "amex");

	method(p, &m, "tok_bank_account");
	assert_string_equal(m.type, "bank_account");
	assert_string_equal(m.brand, "");
	assert_int_equal(m.exp_month, 0);
	assert_int_equal(m.exp_year, 0);
	assert_true(strlen(m.bank_name) > 0);
	assert_int_equal(strlen(m.last4), 4);
	processor_close(p);
}

static void unknown_tokens_are_refused(void **state)
{
	(void)state;
	struct processor *p = sandbox(120);
	struct processor_method m;
	const char *bad[] = {"tok_nope", "visa", "", "tok_", "pm_sandbox_visa_0123456789abcdef"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(processor_create_method(p, &m, bad[i]), CS_EINVALID);
		assert_string_equal(cs_error_last()->code, "invalid_payment_token");
	}
	processor_close(p);
}

static void the_same_key_is_the_same_charge(void **state)
{
	(void)state;
	struct processor *p = sandbox(120), *other = sandbox(120);
	struct processor_method m;
	struct processor_charge a, b, c;

	method(p, &m, "tok_visa");
	assert_int_equal(processor_charge(p, &a, m.ref, 2500, "USD", "key-1"), CS_OK);
	assert_int_equal(a.status, PROCESSOR_SUCCEEDED);
	assert_int_equal(processor_charge(p, &b, m.ref, 2500, "usd", "key-1"), CS_OK);
	assert_string_equal(a.ref, b.ref);
	/* Another process (no shared memory) answers the same charge for the key. */
	assert_int_equal(processor_charge(other, &c, m.ref, 2500, "usd", "key-1"), CS_OK);
	assert_string_equal(a.ref, c.ref);
	assert_int_equal(processor_charge(p, &c, m.ref, 2500, "usd", "key-2"), CS_OK);
	assert_string_not_equal(a.ref, c.ref);
	/* The same key for another amount is a mistake, not a second charge. */
	assert_int_equal(processor_charge(p, &c, m.ref, 9900, "usd", "key-1"), CS_EINVALID);
	assert_string_equal(cs_error_last()->code, "idempotency_key_reused");
	assert_int_equal(processor_lookup_charge(other, &c, a.ref), CS_OK);
	assert_int_equal(c.status, PROCESSOR_SUCCEEDED);
	assert_string_equal(c.ref, a.ref);
	processor_close(p);
	processor_close(other);
}

static void declines_are_outcomes(void **state)
{
	(void)state;
	struct processor *p = sandbox(120);
	struct processor_method m;
	struct processor_charge c, again;

	method(p, &m, "tok_chargeDeclined");
	assert_int_equal(processor_charge(p, &c, m.ref, 1000, "usd", "d-1"), CS_OK);
	assert_int_equal(c.status, PROCESSOR_FAILED);
	assert_string_equal(c.failure_code, "card_declined");
	assert_string_equal(c.failure_message, "Your card was declined.");
	assert_int_equal(processor_charge(p, &again, m.ref, 1000, "usd", "d-1"), CS_OK);
	assert_string_equal(again.ref, c.ref);
	assert_int_equal(again.status, PROCESSOR_FAILED);

	method(p, &m, "tok_insufficientFunds");
	assert_int_equal(processor_charge(p, &c, m.ref, 1000, "usd", "d-2"), CS_OK);
	assert_int_equal(c.status, PROCESSOR_FAILED);
	assert_string_equal(c.failure_code, "insufficient_funds");
	assert_int_equal(processor_lookup_charge(p, &again, c.ref), CS_OK);
	assert_string_equal(again.failure_code, "insufficient_funds");

	/* A declined charge cannot be refunded. */
	struct processor_refund r;
	assert_int_equal(processor_refund(p, &r, c.ref, 1000, "r-1"), CS_EINVALID);
	processor_close(p);
}

static void bank_payments_settle_after_the_delay(void **state)
{
	(void)state;
	/* 1 s, scaled: the "pending" checks below come before it passes on a loaded machine too. */
	int settle = wait_scale();
	struct processor *p = sandbox(settle);
	struct processor_method ok, returned;
	struct processor_charge a, b, look;

	method(p, &ok, "tok_bank_account");
	method(p, &returned, "tok_bank_account_returned");
	assert_int_equal(processor_charge(p, &a, ok.ref, 5000, "usd", "ach-1"), CS_OK);
	assert_int_equal(a.status, PROCESSOR_PENDING);
	assert_int_equal(processor_charge(p, &b, returned.ref, 5000, "usd", "ach-2"), CS_OK);
	assert_int_equal(b.status, PROCESSOR_PENDING);
	assert_int_equal(processor_lookup_charge(p, &look, a.ref), CS_OK);
	assert_int_equal(look.status, PROCESSOR_PENDING);
	struct processor_refund r;
	assert_int_equal(processor_refund(p, &r, a.ref, 5000, "r-0"), CS_EINVALID);

	sleep((unsigned)settle + 1);
	assert_int_equal(processor_lookup_charge(p, &look, a.ref), CS_OK);
	assert_int_equal(look.status, PROCESSOR_SUCCEEDED);
	assert_int_equal(processor_lookup_charge(p, &look, b.ref), CS_OK);
	assert_int_equal(look.status, PROCESSOR_FAILED);
	assert_string_equal(look.failure_code, "bank_account_returned");
	assert_true(strlen(look.failure_message) > 0);
	/* A retry with the key answers the same (now settled) charge. */
	assert_int_equal(processor_charge(p, &look, ok.ref, 5000, "usd", "ach-1"), CS_OK);
	assert_string_equal(look.ref, a.ref);
	assert_int_equal(look.status, PROCESSOR_SUCCEEDED);
	processor_close(p);
}

static void refunds_and_lookups(void **state)
{
	(void)state;
	struct processor *p = sandbox(120);
	struct processor_method m;
	struct processor_charge c, look;
	struct processor_refund r, again;

	method(p, &m, "tok_mastercard");
	assert_int_equal(processor_charge(p, &c, m.ref, 3000, "usd", "k"), CS_OK);
	assert_int_equal(processor_refund(p, &r, c.ref, 1000, "refund-1"), CS_OK);
	assert_int_equal(r.status, PROCESSOR_SUCCEEDED);
	assert_int_equal(processor_refund(p, &again, c.ref, 1000, "refund-1"), CS_OK);
	assert_string_equal(r.ref, again.ref);
	assert_int_equal(processor_refund(p, &r, c.ref, 3001, "refund-2"), CS_EINVALID);
	assert_int_equal(processor_lookup_charge(p, &look, "pi_sandbox_visa_x"), CS_EINVALID);
	assert_int_equal(processor_lookup_charge(p, &look, "ch_123"), CS_EINVALID);
	assert_int_equal(processor_charge(p, &look, "pm_other", 100, "usd", "k3"), CS_EINVALID);
	assert_string_equal(cs_error_last()->code, "invalid_payment_method");
	assert_int_equal(processor_charge(p, &look, m.ref, 0, "usd", "k4"), CS_EINVALID);
	processor_close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(cards_and_banks_are_described),
	        cmocka_unit_test(unknown_tokens_are_refused),
	        cmocka_unit_test(the_same_key_is_the_same_charge),
	        cmocka_unit_test(declines_are_outcomes),
	        cmocka_unit_test(bank_payments_settle_after_the_delay),
	        cmocka_unit_test(refunds_and_lookups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
