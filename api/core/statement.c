#include "core/statement.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant's days_from_civil). */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const int yoe = y - era * 400;
	const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

int statement_day(int32_t *out, const char *iso)
{
	int y, m, d;

	if (!iso || !validate_date(iso) || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return CS_EINVALID;
	*out = days_from_civil(y, m, d);
	return CS_OK;
}

enum statement_bucket statement_bucket_of(int32_t days_past_due)
{
	if (days_past_due <= 0)
		return STATEMENT_CURRENT;
	if (days_past_due <= 30)
		return STATEMENT_1_30;
	if (days_past_due <= 60)
		return STATEMENT_31_60;
	if (days_past_due <= 90)
		return STATEMENT_61_90;
	return STATEMENT_OVER_90;
}

static void run_balances(struct statement *st)
{
	int64_t balance = st->opening_cents;

	st->raised_cents = 0;
	st->lowered_cents = 0;
	for (size_t i = 0; i < st->n_movements; i++) {
		int64_t amount = st->amounts[i];

		balance += amount;
		if (amount > 0)
			st->raised_cents += amount;
		else
			st->lowered_cents -= amount;
		if (st->balances)
			st->balances[i] = balance;
	}
	st->closing_cents = balance;
}

static void age(struct statement *st)
{
	memset(st->aging, 0, sizeof(st->aging));
	st->aging_total_cents = 0;
	for (size_t i = 0; i < st->n_owed; i++) {
		const struct statement_owed *o = &st->owed[i];

		st->aging[statement_bucket_of(st->to_day - o->due_day)] += o->owed_cents;
		st->aging_total_cents += o->owed_cents;
	}
}

void statement_compute(struct statement *st)
{
	run_balances(st);
	age(st);
}

bool statement_check(const struct statement *st)
{
	int64_t sum = st->opening_cents, buckets = 0;

	for (size_t i = 0; i < st->n_movements; i++)
		sum += st->amounts[i];
	for (int b = 0; b < STATEMENT_BUCKETS; b++)
		buckets += st->aging[b];
	if (sum != st->closing_cents || buckets != st->aging_total_cents)
		return false;
	if (st->balances && st->n_movements &&
	    st->balances[st->n_movements - 1] != st->closing_cents)
		return false;
	return st->aging_total_cents - st->unapplied_cents == st->closing_cents;
}
