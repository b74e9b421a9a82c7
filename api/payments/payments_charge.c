#include "payments/payments_charge.h"

#include <stdio.h>
#include <string.h>

int payments_charge_reserved(struct processor_charge *out, struct processor *p, const json_t *doc)
{
	const char *method = json_string_value(json_object_get(doc, "method_ref"));
	const char *currency = json_string_value(json_object_get(doc, "currency"));
	const char *key = json_string_value(json_object_get(doc, "processor_key"));
	json_int_t amount = json_integer_value(json_object_get(doc, "amount_cents"));

	memset(out, 0, sizeof(*out));
	if (!method || !currency || !key || amount <= 0)
		return cs_error_set(CS_EINTERNAL, NULL,
		                    "a reserved payment lacks what a charge needs");
	int rc = processor_charge(p, out, method, (long long)amount, currency, key);
	if (rc != CS_EINVALID)
		return rc;
	const struct cs_error *e = cs_error_last();
	out->status = PROCESSOR_FAILED;
	snprintf(out->failure_code, sizeof(out->failure_code), "%s",
	         e->code ? e->code : "payment_method_refused");
	snprintf(out->failure_message, sizeof(out->failure_message), "%s",
	         e->detail ? e->detail : "The payment processor refused this payment method.");
	return CS_OK;
}

json_t *payments_outcome_doc(const struct processor_charge *c, int recheck_seconds)
{
	static const char *const names[] = {
	        [PROCESSOR_SUCCEEDED] = "succeeded",
	        [PROCESSOR_PENDING] = "pending",
	        [PROCESSOR_FAILED] = "failed",
	};
	json_t *doc = json_pack("{s:s, s:I}", "status", names[c->status], "recheck_seconds",
	                        (json_int_t)recheck_seconds);

	if (doc && c->ref[0])
		json_object_set_new(doc, "charge_ref", json_string(c->ref));
	if (doc && c->status == PROCESSOR_FAILED) {
		json_object_set_new(doc, "failure_code", json_string(c->failure_code));
		json_object_set_new(doc, "failure_message", json_string(c->failure_message));
	}
	return doc;
}

int payments_refund_reserved(struct processor_refund *out, char *failure, size_t size,
                             struct processor *p, const json_t *doc)
{
	const char *charge = json_string_value(json_object_get(doc, "charge_ref"));
	const char *key = json_string_value(json_object_get(doc, "processor_key"));
	json_int_t amount = json_integer_value(json_object_get(doc, "amount_cents"));

	memset(out, 0, sizeof(*out));
	failure[0] = '\0';
	if (!charge || !key || amount <= 0)
		return cs_error_set(CS_EINTERNAL, NULL, "a reserved refund lacks what it needs");
	int rc = processor_refund(p, out, charge, (long long)amount, key);
	if (rc != CS_EINVALID)
		return rc;
	const struct cs_error *e = cs_error_last();
	out->status = PROCESSOR_FAILED;
	snprintf(failure, size, "%s", e->detail ? e->detail : "The processor refused the refund.");
	return CS_OK;
}

json_t *payments_refund_outcome_doc(const struct processor_refund *r, const char *failure)
{
	static const char *const names[] = {
	        [PROCESSOR_SUCCEEDED] = "succeeded",
	        [PROCESSOR_PENDING] = "pending",
	        [PROCESSOR_FAILED] = "failed",
	};
	json_t *doc = json_pack("{s:s}", "status", names[r->status]);

	if (doc && r->ref[0])
		json_object_set_new(doc, "refund_ref", json_string(r->ref));
	if (doc && r->status == PROCESSOR_FAILED && failure && *failure)
		json_object_set_new(doc, "failure_message", json_string(failure));
	return doc;
}
