#include "processors/processor.h"

#include <string.h>

#include "processors/processor_impl.h"

void processor_copy(char *dst, size_t cap, const char *src)
{
	size_t len = src ? strnlen(src, cap - 1) : 0;

	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

int processor_open(struct processor **out, const struct config *cfg)
{
	*out = NULL;
	if (!strcmp(cfg->payments, "stripe"))
		return processor_stripe_open(out, cfg->stripe_url, cfg->stripe_key,
		                             cfg->stripe_connect_timeout_ms,
		                             cfg->stripe_timeout_ms);
	return processor_sandbox_open(out, cfg->sandbox_ach_settle_seconds);
}

void processor_close(struct processor *p)
{
	if (p)
		p->ops->close(p);
}

const char *processor_name(const struct processor *p)
{
	return p->ops->name;
}

/* Amounts and keys are the caller's to get right: refuse the impossible before any request. */
static int check_money(long long amount_cents, const char *idempotency_key)
{
	if (amount_cents <= 0)
		return cs_error_set(CS_EINVALID, "invalid_amount", "The amount must be positive.");
	if (!idempotency_key || !*idempotency_key || strlen(idempotency_key) > 255)
		return cs_error_set(CS_EINTERNAL, NULL,
		                    "A processor call needs an idempotency key.");
	return CS_OK;
}

int processor_create_method(struct processor *p, struct processor_method *out, const char *token)
{
	memset(out, 0, sizeof(*out));
	if (!token || !*token || strlen(token) > 255)
		return cs_error_set(
		        CS_EINVALID, "invalid_payment_token",
		        "This payment token is not valid; please enter the details again.");
	return p->ops->create_method(p, out, token);
}

int processor_charge(struct processor *p, struct processor_charge *out, const char *method_ref,
                     long long amount_cents, const char *currency, const char *idempotency_key)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_money(amount_cents, idempotency_key)) != CS_OK)
		return rc;
	if (!currency || strlen(currency) != 3)
		return cs_error_set(CS_EINTERNAL, NULL, "A charge needs a three-letter currency.");
	return p->ops->charge(p, out, method_ref ? method_ref : "", amount_cents, currency,
	                      idempotency_key);
}

int processor_refund(struct processor *p, struct processor_refund *out, const char *charge_ref,
                     long long amount_cents, const char *idempotency_key)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_money(amount_cents, idempotency_key)) != CS_OK)
		return rc;
	return p->ops->refund(p, out, charge_ref ? charge_ref : "", amount_cents, idempotency_key);
}

int processor_lookup_charge(struct processor *p, struct processor_charge *out,
                            const char *charge_ref)
{
	memset(out, 0, sizeof(*out));
	return p->ops->lookup_charge(p, out, charge_ref ? charge_ref : "");
}
