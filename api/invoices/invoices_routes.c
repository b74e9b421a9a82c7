#include "invoices/invoices_routes.h"

#include "app.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/resource.h"
#include "invoices/invoices_service.h"

/* Unit prices are bounded by FIELD_CENTS_MAX either way: a million of them still fit a bigint. */
#define QUANTITY_MAX 1000000.0

static const char *const invoice_statuses[] = {"draft", "pending", "open", "paid", "void", NULL};
/* Only these can be asked for; open and paid come from sending, void from voiding. */
static const char *const unsent_statuses[] = {"draft", "pending", NULL};

static bool check_unsent_status(const json_t *v, const char **code, const char **message)
{
	return field_value_in(v, unsent_statuses, code, message,
	                      "Must be draft or pending (send the invoice to open it).");
}

/* More than 0, at most a million, with at most three decimals (the column's scale). */
static bool check_quantity(const json_t *v, const char **code, const char **message)
{
	double q = json_number_value(v);

	if (!(q > 0) || q > QUANTITY_MAX) {
		*code = "out_of_range";
		*message = "Must be more than 0 and at most 1000000.";
		return false;
	}
	/* q is in range, so adding a half and truncating rounds to the nearest thousandth. */
	double scaled = q * 1000.0;
	double thousandths = (double)(long long)(scaled + 0.5);
	if (thousandths < 1.0 || scaled - thousandths > 1e-6 || thousandths - scaled > 1e-6) {
		*code = "invalid_format";
		*message = "Must have at most 3 decimals.";
		return false;
	}
	return true;
}

static const struct field_spec line_fields[] = {
        FIELD_TEXT("description", FIELD_REQUIRED, 1, 500),
        FIELD_NUMERIC("quantity", 0, check_quantity),
        FIELD_CENTS("unit_price_cents", FIELD_REQUIRED, -FIELD_CENTS_MAX),
        FIELD_DATE("service_date", FIELD_NULLABLE),
        FIELDS_END,
};

/* Fields of both create and update; `required` marks what a new invoice must have. */
#define INVOICE_FIELDS(required)                                                                   \
	FIELD_TEXT("number", required, 1, 40), FIELD_DATE("invoice_date", 0),                      \
	        FIELD_DATE("due_date", 0), FIELD_TEXT("terms", FIELD_NULLABLE, 1, 50),             \
	        FIELD_TEXT_CHECKED("memo", FIELD_NULLABLE, 0, 2000, field_check_plain_text),       \
	        FIELD_UUID("location_id", FIELD_NULLABLE),                                         \
	        FIELD_FORMAT("status", 0, check_unsent_status),                                    \
	        FIELD_ARRAY_OF("lines", required, 1, 500, line_fields)

static const struct field_spec create_fields[] = {INVOICE_FIELDS(FIELD_REQUIRED), FIELDS_END};
static const struct field_spec update_fields[] = {INVOICE_FIELDS(0), FIELDS_END};

static const struct field_spec void_fields[] = {
        FIELD_TEXT_CHECKED("reason", FIELD_NULLABLE, 1, 500, field_check_plain_text),
        FIELDS_END,
};

static const char *const list_filters[] = {"status", NULL};

static const struct resource_kind invoice_kind = {"invoice", "/v1/admin/invoices/"};

static int list_invoices(struct http_ctx *ctx)
{
	const char *customer = http_path_id(ctx, "id", "customer");
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct list_params page;
	char *json = NULL;

	if (!customer)
		return CS_ENOTFOUND;
	http_list_params(&page, &errs, ctx, CURSOR_KEY_DATE, list_filters);
	const char *status = http_query_enum(&errs, ctx, "status", invoice_statuses,
	                                     "Must be draft, pending, open, paid or void.");
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = invoices_list(&json, ctx->app->db, ctx->principal.tenant_id, customer, status,
	                       &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_invoice(struct http_ctx *ctx)
{
	return http_serve_read(ctx, &invoice_kind, invoices_get);
}

static int create_invoice(struct http_ctx *ctx)
{
	return http_serve_create(ctx, &invoice_kind, create_fields, invoices_create);
}

static int update_invoice(struct http_ctx *ctx)
{
	return http_serve_update(ctx, &invoice_kind, update_fields, invoices_update);
}

static int send_invoice(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "invoice");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = invoices_send(&json, ctx->app->db, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

/* The body is optional: a bare POST voids without a reason. */
static int void_invoice(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "invoice");
	json_t *body = NULL;
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	if (ctx->req->binary_body_length > 0 &&
	    !http_validated_body(&body, ctx, void_fields, false))
		return CS_OK;
	int rc = invoices_void(&json, ctx->app->db, ctx->principal.tenant_id, id,
	                       json_string_value(json_object_get(body, "reason")));
	json_decref(body);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route invoices_routes[] = {
        {"GET", "/v1/admin/customers/:id/invoices", AUTH_BACK_OFFICE, list_invoices},
        {"POST", "/v1/admin/customers/:id/invoices", AUTH_BACK_OFFICE, create_invoice},
        {"GET", "/v1/admin/invoices/:id", AUTH_BACK_OFFICE, get_invoice},
        {"PATCH", "/v1/admin/invoices/:id", AUTH_BACK_OFFICE, update_invoice},
        {"POST", "/v1/admin/invoices/:id/send", AUTH_BACK_OFFICE, send_invoice},
        {"POST", "/v1/admin/invoices/:id/void", AUTH_BACK_OFFICE, void_invoice},
};

const struct route_table invoices_route_table = ROUTE_TABLE("invoices", invoices_routes);
