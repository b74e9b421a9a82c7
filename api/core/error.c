#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local struct cs_error last_error;
static _Thread_local char last_detail[512];
static _Thread_local char last_code[64];
static _Thread_local char last_field[128];

int cs_error_set(int status, const char *code, const char *fmt, ...)
{
	last_error.status = status;
	last_error.code = code;
	last_error.retry_after = 0;
	last_error.field = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(last_detail, sizeof(last_detail), fmt, ap);
		va_end(ap);
		last_error.detail = last_detail;
	} else {
		last_error.detail = NULL;
	}
	return status;
}

int cs_error_set_copy(int status, const char *code, const char *field, const char *detail)
{
	cs_error_set(status, NULL, "%s", detail ? detail : "");
	snprintf(last_code, sizeof(last_code), "%s", code ? code : "");
	last_error.code = last_code[0] ? last_code : NULL;
	snprintf(last_field, sizeof(last_field), "%s", field ? field : "");
	last_error.field = last_field[0] ? last_field : NULL;
	if (!detail)
		last_error.detail = NULL;
	return status;
}

void cs_error_set_retry_after(int seconds)
{
	last_error.retry_after = seconds;
}

void cs_error_set_field(const char *field)
{
	last_error.field = field;
}

const struct cs_error *cs_error_last(void)
{
	return &last_error;
}

void cs_error_clear(void)
{
	last_error = (struct cs_error){0};
}

const char *cs_status_code(int status)
{
	switch (status) {
	case CS_ENOTFOUND:
		return "not_found";
	case CS_EINVALID:
		return "validation_failed";
	case CS_ECONFLICT:
		return "conflict";
	case CS_EFORBIDDEN:
		return "forbidden";
	case CS_EUNAVAILABLE:
		return "database_unavailable";
	case CS_EUNAUTHORIZED:
		return "unauthorized";
	case CS_ETHROTTLED:
		return "too_many_attempts";
	case CS_EBUSY:
		return "server_busy";
	case CS_EGONE:
		return "gone";
	case CS_EDECLINED:
		return "payment_declined";
	case CS_EUPSTREAM:
		return "upstream_unavailable";
	default:
		return "internal_error";
	}
}

void cs_error_save(struct cs_error_saved *out)
{
	const struct cs_error *e = &last_error;

	out->status = e->status;
	out->retry_after = e->retry_after;
	out->has_code = e->code != NULL;
	out->has_field = e->field != NULL;
	out->has_detail = e->detail != NULL;
	snprintf(out->code, sizeof(out->code), "%s", e->code ? e->code : "");
	snprintf(out->field, sizeof(out->field), "%s", e->field ? e->field : "");
	snprintf(out->detail, sizeof(out->detail), "%s", e->detail ? e->detail : "");
}

void cs_error_restore(const struct cs_error_saved *saved)
{
	cs_error_set_copy(saved->status, saved->has_code ? saved->code : NULL,
	                  saved->has_field ? saved->field : NULL,
	                  saved->has_detail ? saved->detail : NULL);
	if (saved->retry_after)
		cs_error_set_retry_after(saved->retry_after);
}
