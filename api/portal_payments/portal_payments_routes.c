#include "portal_payments/portal_payments_routes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/body.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/reply.h"
#include "portal/portal_serve.h"
#include "portal_payments/portal_payments_reads.h"
#include "portal_payments/portal_payments_service.h"

/* The account of the session; the middleware has made sure one is selected. */
#define ACCOUNT(ctx) ((ctx)->principal.account_id)

/* Invoices one payment may name. */
#define PAY_INVOICES_MAX 100

static const struct field_spec pay_fields[] = {
        FIELD_UUID("payment_method_id", 0),
        FIELD_VERBATIM("payment_token", 0, 1, 255, field_check_plain_line),
        FIELD_BOOLEAN("save", 0),
        FIELD_STRINGS("invoice_ids", 0, 1, PAY_INVOICES_MAX, field_check_uuid),
        FIELD_CENTS("amount_cents", 0, 1),
        FIELDS_END,
};

/* One way to pay, and each invoice named once. */
static void check_choices(struct field_errors *errs, const json_t *body)
{
	const json_t *ids = json_object_get(body, "invoice_ids");
	bool method = json_object_get(body, "payment_method_id") != NULL;
	bool token = json_object_get(body, "payment_token") != NULL;
	char field[48], message[96];
	size_t i, j;

	if (!method && !token)
		field_errors_add(errs, "payment_method_id", "payment_method_required",
		                 "Add a card or bank account first: choose a saved payment method "
		                 "(payment_method_id) or enter a new one (payment_token).");
	if (method && token)
		field_errors_add(errs, "payment_token", "conflicting_fields",
		                 "Send either payment_method_id or payment_token, not both.");
	for (i = 0; json_is_array(ids) && i < json_array_size(ids); i++) {
		const char *id = json_string_value(json_array_get(ids, i));
		for (j = 0; id && j < i; j++) {
			const char *seen = json_string_value(json_array_get(ids, j));
			if (seen && !strcasecmp(id, seen))
				break;
		}
		if (!id || j == i)
			continue;
		snprintf(field, sizeof(field), "invoice_ids[%zu]", i);
		snprintf(message, sizeof(message),
		         "This invoice is already listed in invoice_ids[%zu]; list each once.", j);
		field_errors_add(errs, field, "duplicate_invoice", message);
	}
}

/* Parse and validate: every bad field at once. Replies and returns false when it is bad. */
static bool pay_body(json_t **body, struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;

	if (http_json_body(body, ctx) != CS_OK)
		return false;
	fields_validate(&errs, *body, pay_fields, NULL);
	check_choices(&errs, *body);
	if (field_errors_empty(&errs)) {
		fields_normalise(*body, pay_fields);
		return true;
	}
	http_reply_field_errors(ctx, &errs);
	json_decref(*body);
	*body = NULL;
	return false;
}

/* Run the payment under the claim; a payment left pending keeps the claim (yield) so that a
 * retry resumes it. */
static int run_payment(struct http_ctx *ctx, const struct idempotency *idem, const json_t *body)
{
	struct portal_payment_answer answer;
	int rc = portal_payments_pay(&answer, ctx->app, ctx->principal.tenant_id, ACCOUNT(ctx),
	                             ctx->principal.user_id, body, idem->claim_id);

	rc = idempotency_reply_work(idem, ctx, rc, answer.reserved, answer.status, answer.body);
	portal_payment_answer_release(&answer);
	return rc;
}

static int pay(struct http_ctx *ctx)
{
	struct idempotency idem;
	json_t *body = NULL;
	bool replayed = false;
	int rc;

	if (!idempotency_read_key(&idem, ctx) || !pay_body(&body, ctx))
		return CS_OK;
	if ((rc = idempotency_claim(&idem, &replayed, ctx)) == CS_OK && !replayed)
		rc = run_payment(ctx, &idem, body);
	json_decref(body);
	return rc;
}

static int list_payments(struct http_ctx *ctx)
{
	return portal_serve_list(ctx, portal_payments_list);
}

static int get_payment(struct http_ctx *ctx)
{
	return portal_serve_read(ctx, "payment", portal_payments_read);
}

static int get_payment_receipt(struct http_ctx *ctx)
{
	return portal_serve_document(ctx, "payment", portal_documents_payment);
}

static const struct route portal_payments_routes[] = {
        {"GET", "/v1/portal/payments", AUTH_PORTAL_ACCOUNT, list_payments},
        {"POST", "/v1/portal/payments", AUTH_PORTAL_ACCOUNT, pay},
        {"GET", "/v1/portal/payments/:id", AUTH_PORTAL_ACCOUNT, get_payment},
        {"GET", "/v1/portal/payments/:id/receipt", AUTH_PORTAL_ACCOUNT, get_payment_receipt},
};

const struct route_table portal_payments_route_table =
        ROUTE_TABLE("portal_payments", portal_payments_routes);
