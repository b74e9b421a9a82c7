#include "payments/payments_routes.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/body.h"
#include "http/fields.h"
#include "http/idempotency.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"
#include "payments/payments_service.h"

/* Back-office payments arrive outside the portal; card and bank payments come through it. */
static const char *const offline_methods[] = {"check", "cash", "other", NULL};

static bool check_method(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, offline_methods, code, message, "Must be check, cash or other.");
}

#define AMOUNT(flags) FIELD_CENTS("amount_cents", flags, 1)

static const struct field_spec allocation_fields[] = {
        FIELD_UUID("invoice_id", FIELD_REQUIRED),
        AMOUNT(FIELD_REQUIRED),
        FIELDS_END,
};

static const struct field_spec record_fields[] = {
        FIELD_UUID("customer_id", FIELD_REQUIRED),
        AMOUNT(FIELD_REQUIRED),
        FIELD_FORMAT("method", FIELD_REQUIRED, check_method),
        FIELD_TEXT("reference_number", FIELD_NULLABLE, 1, 60),
        FIELD_DATE("payment_date", FIELD_NULLABLE),
        FIELD_TEXT_CHECKED("memo", FIELD_NULLABLE, 0, 500, field_check_plain_text),
        FIELD_ARRAY_OF("allocations", 0, 0, 100, allocation_fields),
        FIELDS_END,
};

static const struct field_spec refund_fields[] = {
        AMOUNT(FIELD_NULLABLE),
        FIELD_TEXT_CHECKED("reason", FIELD_NULLABLE, 0, 500, field_check_plain_text),
        FIELDS_END,
};

static const struct resource_kind payment_kind = {"payment", "/v1/admin/payments/"};

static int list_payments(struct http_ctx *ctx)
{
	return http_serve_customer_list(ctx, CURSOR_KEY_DATE, payments_list);
}

static int get_payment(struct http_ctx *ctx)
{
	return http_serve_read(ctx, &payment_kind, payments_get);
}

/* An invoice listed twice would be two allocations of one payment to it: name the repeat. */
static bool allocations_distinct(struct http_ctx *ctx, const json_t *allocations)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	char field[64], message[96];
	size_t i, j;
	json_t *a;

	json_array_foreach(allocations, i, a)
	{
		const char *id = json_string_value(json_object_get(a, "invoice_id"));
		for (j = 0; j < i; j++) {
			const char *seen = json_string_value(
			        json_object_get(json_array_get(allocations, j), "invoice_id"));
			if (!strcasecmp(id, seen))
				break;
		}
		if (j == i)
			continue;
		snprintf(field, sizeof(field), "allocations[%zu].invoice_id", i);
		snprintf(message, sizeof(message),
		         "This invoice is already listed in allocations[%zu]; list each invoice "
		         "once.",
		         j);
		field_errors_add(&errs, field, "duplicate_invoice", message);
	}
	if (field_errors_empty(&errs))
		return true;
	http_reply_field_errors(ctx, &errs);
	return false;
}

/* The refund body is optional: no body refunds all that is left. */
static bool refund_body(json_t **body, struct http_ctx *ctx)
{
	if (ctx->req->binary_body_length == 0) {
		*body = json_object(); /* NULL on exhaustion: the service answers CS_ENOMEM */
		return true;
	}
	return http_validated_body(body, ctx, refund_fields, false);
}

static int record_payment(struct http_ctx *ctx)
{
	struct idempotency idem;
	json_t *body = NULL;
	char *json = NULL;
	bool replayed = false;
	int rc = CS_OK;

	if (!idempotency_read_key(&idem, ctx) ||
	    !http_validated_body(&body, ctx, record_fields, false))
		return CS_OK;
	if (allocations_distinct(ctx, json_object_get(body, "allocations")) &&
	    (rc = idempotency_claim(&idem, &replayed, ctx)) == CS_OK && !replayed) {
		rc = payments_record(&json, ctx->app->db, ctx->principal.tenant_id, body,
		                     idem.claim_id);
		if ((rc = idempotency_finish(&idem, ctx, rc)) == CS_OK)
			rc = http_reply_json_text(ctx, 201, json);
	}
	json_decref(body);
	return rc;
}

/* Refund under the claim; a processor refund left pending keeps the claim (yield) so that a
 * retry resumes it. */
static int run_refund(struct http_ctx *ctx, const struct idempotency *idem, const char *id,
                      const json_t *body)
{
	struct payments_refund_answer answer;
	int rc = payments_refund(&answer, ctx->app, ctx->principal.tenant_id, id, body,
	                         idem->claim_id);

	rc = idempotency_reply_work(idem, ctx, rc, answer.reserved, answer.status, answer.body);
	payments_refund_answer_release(&answer);
	return rc;
}

static int refund_payment(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "payment");
	struct idempotency idem;
	json_t *body = NULL;
	bool replayed = false;
	int rc;

	if (!id)
		return CS_ENOTFOUND;
	if (!idempotency_read_key(&idem, ctx) || !refund_body(&body, ctx))
		return CS_OK;
	if ((rc = idempotency_claim(&idem, &replayed, ctx)) == CS_OK && !replayed)
		rc = run_refund(ctx, &idem, id, body);
	json_decref(body);
	return rc;
}

static const struct route payments_routes[] = {
        {"GET", "/v1/admin/customers/:id/payments", AUTH_BACK_OFFICE, list_payments},
        {"POST", "/v1/admin/payments", AUTH_BACK_OFFICE, record_payment},
        {"GET", "/v1/admin/payments/:id", AUTH_BACK_OFFICE, get_payment},
        {"POST", "/v1/admin/payments/:id/refund", AUTH_BACK_OFFICE, refund_payment},
};

const struct route_table payments_route_table = ROUTE_TABLE("payments", payments_routes);
