#include "db/constraint_errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct constraint_problem {
	const char *constraint;
	int status;
	const char *code;
	const char *field; /* NULL when no single request field is at fault */
	const char *detail;
};

/* Constraints a well-formed request can still trip: each answers a precise problem. */
static const struct constraint_problem constraint_problems[] = {
        {"tenants_slug_key", CS_ECONFLICT, "tenant_slug_taken", "slug",
         "Another hauler already uses this slug."},
        {"tenants_time_zone_valid", CS_EINVALID, "invalid_value", "time_zone",
         "Unknown time zone; use an IANA name such as America/Chicago."},
        {"staff_users_email_key", CS_ECONFLICT, "staff_email_taken", "email",
         "This hauler already has a staff user with this email."},
        {"customers_account_number_key", CS_ECONFLICT, "account_number_taken", "account_number",
         "Another customer of this hauler already has this account number."},
        {"customers_external_id_key", CS_ECONFLICT, "external_id_taken", "external_id",
         "Another customer of this hauler already has this external id."},
        {"orders_number_key", CS_ECONFLICT, "order_number_taken", "number",
         "Another order of this hauler already has this number."},
        {"invoices_number_key", CS_ECONFLICT, "invoice_number_taken", "number",
         "Another invoice of this hauler already has this number."},
        {"invoices_due_after_invoice_date", CS_EINVALID, "due_before_invoice_date", "due_date",
         "The due date cannot be before the invoice date."},
        {"invoices_amounts_non_negative", CS_EINVALID, "negative_total", "lines",
         "The lines add up to less than zero."},
        /* Backstops: the SQL functions check these first with a more precise sentence. */
        {"invoices_not_over_applied", CS_EINVALID, "amount_exceeds_balance", NULL,
         "That is more than the invoice's balance."},
        {"payments_not_over_used", CS_EINVALID, "allocations_exceed_amount", "allocations",
         "The allocations add up to more than the payment."},
        {"payment_allocations_once_per_invoice", CS_EINVALID, "duplicate_invoice", "allocations",
         "List each invoice once."},
        {"credits_remaining_within_amount", CS_EINVALID, "amount_exceeds_credit", "amount_cents",
         "That is more than remains of the credit."},
};

static int status_of_sqlstate(const char *sqlstate)
{
	switch (atoi(sqlstate + 2)) {
	case 403:
		return CS_EFORBIDDEN;
	case 404:
		return CS_ENOTFOUND;
	case 409:
		return CS_ECONFLICT;
	case 410:
		return CS_EGONE;
	case 402:
		return CS_EDECLINED;
	case 422:
		return CS_EINVALID;
	case 429:
		return CS_ETHROTTLED;
	default:
		return CS_EINTERNAL;
	}
}

/* A cs_raise() from SQL: the message is the code, the detail the sentence, the hint the field;
 * a 429 names no field: its hint is the Retry-After seconds. */
static int raised_problem(const PGresult *res, const char *sqlstate)
{
	int status = status_of_sqlstate(sqlstate);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);

	cs_error_set_copy(status, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
	                  status == CS_ETHROTTLED ? NULL : hint,
	                  PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	if (status == CS_ETHROTTLED && hint)
		cs_error_set_retry_after(atoi(hint));
	return status;
}

int db_problem_of(const PGresult *res)
{
	const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;

	if (sqlstate && !strncmp(sqlstate, "CS", 2))
		return raised_problem(res, sqlstate);
	if (!constraint)
		return CS_OK;
	for (size_t i = 0; i < sizeof(constraint_problems) / sizeof(constraint_problems[0]); i++) {
		const struct constraint_problem *p = &constraint_problems[i];
		if (!strcmp(p->constraint, constraint))
			return cs_error_set_copy(p->status, p->code, p->field, p->detail);
	}
	return CS_OK;
}
