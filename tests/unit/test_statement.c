#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/csv.h"
#include "core/json_text.h"
#include "core/statement.h"

static int32_t day_of(const char *iso)
{
	int32_t d = 0;

	assert_int_equal(statement_day(&d, iso), CS_OK);
	return d;
}

static void dates_are_days_since_the_epoch(void **state)
{
	int32_t d;

	(void)state;
	assert_int_equal(day_of("1970-01-01"), 0);
	assert_int_equal(day_of("2000-03-01"), 11017);
	assert_int_equal(day_of("2024-03-01") - day_of("2024-02-28"), 2);
	assert_int_equal(day_of("2023-03-01") - day_of("2023-02-28"), 1);
	assert_int_equal(statement_day(&d, "2023-02-29"), CS_EINVALID);
	assert_int_equal(statement_day(&d, "2023-13-01"), CS_EINVALID);
	assert_int_equal(statement_day(&d, NULL), CS_EINVALID);
}

static void buckets_follow_days_past_due(void **state)
{
	(void)state;
	assert_int_equal(statement_bucket_of(-5), STATEMENT_CURRENT);
	assert_int_equal(statement_bucket_of(0), STATEMENT_CURRENT);
	assert_int_equal(statement_bucket_of(1), STATEMENT_1_30);
	assert_int_equal(statement_bucket_of(30), STATEMENT_1_30);
	assert_int_equal(statement_bucket_of(31), STATEMENT_31_60);
	assert_int_equal(statement_bucket_of(60), STATEMENT_31_60);
	assert_int_equal(statement_bucket_of(61), STATEMENT_61_90);
	assert_int_equal(statement_bucket_of(90), STATEMENT_61_90);
	assert_int_equal(statement_bucket_of(91), STATEMENT_OVER_90);
}

/* Opening 100.00; invoice 50.00, payment 80.00, credit 10.00, refund 5.00. On the end date one
 * invoice owes 45.00 (due 40 days before), another 20.00 (due tomorrow); 0.00 unapplied. */
static void a_statement_adds_up(void **state)
{
	const int64_t amounts[] = {5000, -8000, -1000, 500};
	int64_t balances[4];
	int32_t to = day_of("2026-06-30");
	const struct statement_owed owed[] = {{to - 40, 4500}, {to + 1, 2000}};
	struct statement st = {.opening_cents = 10000,
	                       .to_day = to,
	                       .unapplied_cents = 0,
	                       .amounts = amounts,
	                       .n_movements = 4,
	                       .owed = owed,
	                       .n_owed = 2,
	                       .balances = balances};

	(void)state;
	statement_compute(&st);
	assert_int_equal(balances[0], 15000);
	assert_int_equal(balances[1], 7000);
	assert_int_equal(balances[2], 6000);
	assert_int_equal(balances[3], 6500);
	assert_int_equal(st.closing_cents, 6500);
	assert_int_equal(st.raised_cents, 5500);
	assert_int_equal(st.lowered_cents, 9000);
	assert_int_equal(st.aging[STATEMENT_CURRENT], 2000);
	assert_int_equal(st.aging[STATEMENT_31_60], 4500);
	assert_int_equal(st.aging_total_cents, 6500);
	assert_true(statement_check(&st));
}

/* Unused credit lowers the closing balance but not the aging, which counts invoices only. */
static void unapplied_money_is_the_difference(void **state)
{
	const int64_t amounts[] = {10000, -2500};
	int64_t balances[2];
	int32_t to = day_of("2026-06-30");
	const struct statement_owed owed[] = {{to - 100, 10000}};
	struct statement st = {.opening_cents = 0,
	                       .to_day = to,
	                       .unapplied_cents = 2500,
	                       .amounts = amounts,
	                       .n_movements = 2,
	                       .owed = owed,
	                       .n_owed = 1,
	                       .balances = balances};

	(void)state;
	statement_compute(&st);
	assert_int_equal(st.closing_cents, 7500);
	assert_int_equal(st.aging[STATEMENT_OVER_90], 10000);
	assert_true(statement_check(&st));
	st.unapplied_cents = 0;
	assert_false(statement_check(&st));
}

static void an_empty_period_keeps_the_opening(void **state)
{
	struct statement st = {.opening_cents = -1234, .to_day = 0, .unapplied_cents = 1234};

	(void)state;
	statement_compute(&st);
	assert_int_equal(st.closing_cents, -1234);
	assert_int_equal(st.aging_total_cents, 0);
	assert_true(statement_check(&st));
}

/* Random statements built the way the database sees an account: invoices owed in full or in
 * part, payments and credits applied to them or left unapplied. */
static void random_statements_keep_the_invariants(void **state)
{
	(void)state;
	srand(42);
	for (int round = 0; round < 200; round++) {
		int64_t amounts[64], balances[64], opening = 0, unapplied = 0;
		struct statement_owed owed[64];
		size_t n = 0, n_owed = 0;
		int32_t to = 20000;

		for (int k = 0; k < 32; k++) {
			int64_t total = 100 + rand() % 100000, paid = rand() % (total + 1);
			int64_t extra = rand() % 3 ? 0 : rand() % 5000;
			bool before = rand() % 4 == 0;

			/* the invoice, the payment of part of it and maybe unapplied extra money */
			if (before) {
				opening += total - paid - extra;
			} else {
				amounts[n++] = total;
				amounts[n++] = -(paid + extra);
			}
			unapplied += extra;
			if (total - paid)
				owed[n_owed++] =
				        (struct statement_owed){to - rand() % 200, total - paid};
		}
		struct statement st = {.opening_cents = opening,
		                       .to_day = to,
		                       .unapplied_cents = unapplied,
		                       .amounts = amounts,
		                       .n_movements = n,
		                       .owed = owed,
		                       .n_owed = n_owed,
		                       .balances = balances};
		statement_compute(&st);
		assert_true(statement_check(&st));
	}
}

static void csv_quotes_what_needs_it(void **state)
{
	struct strbuf b = STRBUF_INIT;

	(void)state;
	csv_field(&b, "plain", true);
	csv_field(&b, "a, b", false);
	csv_field(&b, "say \"hi\"", false);
	csv_field(&b, "two\nlines", false);
	csv_field(&b, NULL, false);
	csv_end_record(&b);
	assert_false(b.failed);
	assert_string_equal(b.data, "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
	strbuf_release(&b);
}

static void json_text_escapes_what_needs_it(void **state)
{
	struct strbuf b = STRBUF_INIT;

	(void)state;
	json_text_string(&b, "plain");
	json_text_string(&b, "say \"hi\" \\ / caf\xc3\xa9");
	json_text_string(&b, "a\nb\r\t\b\f\x01\x1f\x7f");
	json_text_string(&b, "");
	json_text_string(&b, NULL);
	assert_false(b.failed);
	assert_string_equal(b.data, "\"plain\"\"say \\\"hi\\\" \\\\ / caf\xc3\xa9\""
	                            "\"a\\nb\\r\\t\\b\\f\\u0001\\u001f\x7f\"\"\"null");
	strbuf_release(&b);
}

/* Every ASCII byte and some UTF-8, escaped and read back by jansson, is the text again. */
static void json_text_round_trips(void **state)
{
	char text[160];
	struct strbuf b = STRBUF_INIT;
	json_t *back;

	(void)state;
	for (int c = 1; c < 128; c++)
		text[c - 1] = (char)c;
	strcpy(text + 127, "\xe2\x82\xac \xf0\x9f\x9a\x9b");
	json_text_string(&b, text);
	back = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(back), text);
	json_decref(back);
	strbuf_release(&b);
}

static void json_text_writes_whole_numbers(void **state)
{
	struct strbuf b = STRBUF_INIT;

	(void)state;
	json_text_int(&b, 0);
	strbuf_append(&b, " ", 1);
	json_text_int(&b, -1250);
	strbuf_append(&b, " ", 1);
	json_text_int(&b, INT64_MAX);
	strbuf_append(&b, " ", 1);
	json_text_int(&b, INT64_MIN);
	assert_string_equal(b.data, "0 -1250 9223372036854775807 -9223372036854775808");
	strbuf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(dates_are_days_since_the_epoch),
	        cmocka_unit_test(buckets_follow_days_past_due),
	        cmocka_unit_test(a_statement_adds_up),
	        cmocka_unit_test(unapplied_money_is_the_difference),
	        cmocka_unit_test(an_empty_period_keeps_the_opening),
	        cmocka_unit_test(random_statements_keep_the_invariants),
	        cmocka_unit_test(csv_quotes_what_needs_it),
	        cmocka_unit_test(json_text_escapes_what_needs_it),
	        cmocka_unit_test(json_text_round_trips),
	        cmocka_unit_test(json_text_writes_whole_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
