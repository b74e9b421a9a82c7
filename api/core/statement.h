/*
 * Statement arithmetic (API.md rule 20): running balances, the closing balance and the aging
 * buckets of a balance statement, from the dated movements the database read. Pure code, no I/O.
 *
 * Signs: a movement's amount raises the balance when positive (an invoice, a refund) and lowers
 * it when negative (a payment, a credit). Dates are days since 1970-01-01 (statement_day).
 * The invariants (statement_check): opening + the movements = closing, the last running balance
 * is the closing balance, and the aging buckets add up to the closing balance plus the money
 * received but not applied to any invoice on the end date (the closing balance nets it).
 */
#ifndef CURBSIDE_CORE_STATEMENT_H
#define CURBSIDE_CORE_STATEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum statement_bucket {
	STATEMENT_CURRENT, /* not yet due, or due on the end date */
	STATEMENT_1_30,
	STATEMENT_31_60,
	STATEMENT_61_90,
	STATEMENT_OVER_90,
	STATEMENT_BUCKETS,
};

/* An invoice still owing on the end date: its due date and what it owed that day. */
struct statement_owed {
	int32_t due_day;
	int64_t owed_cents;
};

/* The inputs (filled by the caller) and the results (filled by statement_compute). */
struct statement {
	int64_t opening_cents;
	int32_t to_day;          /* the statement's end date */
	int64_t unapplied_cents; /* money received and not applied to an invoice on to_day */
	const int64_t *amounts;  /* the movements of the period, in order, n_movements of them */
	size_t n_movements;
	const struct statement_owed *owed; /* n_owed of them */
	size_t n_owed;

	int64_t *balances; /* caller-provided, n_movements: the running balance after each */
	int64_t closing_cents;
	int64_t raised_cents;  /* sum of the positive movements (invoices, refunds) */
	int64_t lowered_cents; /* sum of the negative movements, as a positive number */
	int64_t aging[STATEMENT_BUCKETS];
	int64_t aging_total_cents;
};

/* "YYYY-MM-DD" as days since 1970-01-01 into *out; CS_EINVALID when it is not a real date. */
int statement_day(int32_t *out, const char *iso) CS_MUST_CHECK;

/* The bucket of an invoice `days_past_due` days past its due date (0 or less: current). */
enum statement_bucket statement_bucket_of(int32_t days_past_due);

/* Fill the results of `st` from its inputs. */
void statement_compute(struct statement *st);

/* True when the computed statement keeps every invariant above. */
bool statement_check(const struct statement *st);

#endif
