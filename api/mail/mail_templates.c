#include "mail/mail_templates.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/link_token.h"
#include "core/strbuf.h"
#include "embedded.h"

/* Compiled in by scripts/embed.py from api/mail/templates/ (see meson.build). */
extern const struct embedded_file embedded_mail_templates[];
extern const size_t embedded_mail_templates_count;

/* A brand colour for haulers that set none: a dark blue that white text reads well on. */
#define DEFAULT_BRAND_COLOR "#2b5797"
#define MAX_DEPTH           8

/* clang-format off */
const char *const mail_template_names[] = {
        "create_password",
        "invitation",
        "email_verification",
        "password_reset",
        "password_reset_google",
        "invoice_sent",
        "payment_receipt",
        "payment_failed",
        "autopay_failed",
        "autopay_disabled",
        "contact_message",
        "account_link",
        "account_access",
        "service_request_new",
        "service_request_withdrawn",
        "service_request_status",
        "webhook_endpoint_disabled",
        NULL,
};
/* clang-format on */

/* Every name a template may use; a value is "" when absent. */
enum var_id {
	V_SUBJECT,
	V_BODY,
	V_HAULER_NAME,
	V_LOGO_URL,
	V_BRAND_COLOR,
	V_CONTACT_PHONE,
	V_CONTACT_EMAIL,
	V_CONTACT_ADDRESS,
	V_CONTACT_WEBSITE,
	V_CONTACT_WEBSITE_HREF,
	V_CUSTOMER_NAME,
	V_ACCOUNT_NUMBER,
	V_FIRST_NAME,
	V_FULL_NAME,
	V_LINK,
	V_EXPIRES_AT,
	V_INVOICE_NUMBER,
	V_INVOICE_DATE,
	V_DUE_DATE,
	V_TOTAL,
	V_BALANCE,
	V_REFERENCE_NUMBER,
	V_AMOUNT,
	V_PAYMENT_DATE,
	V_METHOD_LABEL,
	V_INVOICES,
	V_FAILURE_MESSAGE,
	V_NEXT_ATTEMPT_DATE,
	V_ATTEMPTS_LEFT,
	V_MESSAGE_SUBJECT,
	V_MESSAGE,
	V_REPLY_TO,
	V_OUTSTANDING_BALANCE,
	V_AVAILABLE_CREDIT,
	V_NET_BALANCE,
	V_REQUEST_NUMBER,
	V_REQUEST_TYPE,
	V_LOCATION_NAME,
	V_LOCATION_ADDRESS,
	V_SERVICE_DESCRIPTION,
	V_ORDER_NUMBER,
	V_REQUESTED_DATE,
	V_END_DATE,
	V_SIZE_NAME,
	V_RENTAL_DAYS,
	V_PRICE,
	V_NOTE,
	V_SCHEDULED_DATE,
	V_DECLINE_REASON,
	V_CREATED_ORDER_NUMBER,
	V_CANCELLED_BY,
	V_ACCEPTED,
	V_SCHEDULED,
	V_DECLINED,
	V_COMPLETED,
	V_CANCELLED,
	V_ENDPOINT_URL,
	V_ENDPOINT_DESCRIPTION,
	V_FAILING_SINCE,
	V_COUNT
};

static const char *const var_names[V_COUNT] = {
        "subject",
        "body",
        "hauler_name",
        "logo_url",
        "brand_color",
        "contact_phone",
        "contact_email",
        "contact_address",
        "contact_website",
        "contact_website_href",
        "customer_name",
        "account_number",
        "first_name",
        "full_name",
        "link",
        "expires_at",
        "invoice_number",
        "invoice_date",
        "due_date",
        "total",
        "balance",
        "reference_number",
        "amount",
        "payment_date",
        "method_label",
        "invoices",
        "failure_message",
        "next_attempt_date",
        "attempts_left",
        "message_subject",
        "message",
        "reply_to",
        "outstanding_balance",
        "available_credit",
        "net_balance",
        "request_number",
        "request_type",
        "location_name",
        "location_address",
        "service_description",
        "order_number",
        "requested_date",
        "end_date",
        "size_name",
        "rental_days",
        "price",
        "note",
        "scheduled_date",
        "decline_reason",
        "created_order_number",
        "cancelled_by",
        "accepted",
        "scheduled",
        "declined",
        "completed",
        "cancelled",
        "endpoint_url",
        "endpoint_description",
        "failing_since",
};

struct vars {
	char *v[V_COUNT]; /* owned; NULL reads as "" */
};

static void vars_release(struct vars *vs)
{
	for (int i = 0; i < V_COUNT; i++)
		free(vs->v[i]);
}

bool mail_templates_known(const char *name)
{
	for (const char *const *n = mail_template_names; name && *n; n++)
		if (!strcmp(*n, name))
			return true;
	return false;
}

static const struct embedded_file *template_file(const char *name, const char *ext)
{
	char file[64];

	snprintf(file, sizeof(file), "%s.%s", name, ext);
	for (size_t i = 0; i < embedded_mail_templates_count; i++)
		if (!strcmp(embedded_mail_templates[i].name, file))
			return &embedded_mail_templates[i];
	return NULL;
}

/* ---- values ---------------------------------------------------------------------------------- */

char *mail_html_escape(const char *text)
{
	struct strbuf b = STRBUF_INIT;

	for (const char *p = text; *p; p++) {
		switch (*p) {
		case '&':
			strbuf_append(&b, "&amp;", 5);
			break;
		case '<':
			strbuf_append(&b, "&lt;", 4);
			break;
		case '>':
			strbuf_append(&b, "&gt;", 4);
			break;
		case '"':
			strbuf_append(&b, "&quot;", 6);
			break;
		case '\'':
			strbuf_append(&b, "&#39;", 5);
			break;
		case '\r':
			break;
		case '\n':
			strbuf_append(&b, "<br>\n", 5);
			break;
		default:
			strbuf_append(&b, p, 1);
		}
	}
	return strbuf_detach(&b, NULL);
}

int mail_format_money(char *buf, size_t size, long long cents, const char *currency)
{
	unsigned long long abs =
	        cents < 0 ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;
	unsigned long long units = abs / 100;
	char digits[32], grouped[48];
	int n;

	if (currency && strcmp(currency, "USD")) {
		n = snprintf(buf, size, "%s%llu.%02llu %s", cents < 0 ? "-" : "", units, abs % 100,
		             currency);
		return n < 0 || (size_t)n >= size ? CS_EINVALID : CS_OK;
	}
	int len = snprintf(digits, sizeof(digits), "%llu", units);
	size_t k = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	n = snprintf(buf, size, "%s$%s.%02llu", cents < 0 ? "-" : "", grouped, abs % 100);
	return n < 0 || (size_t)n >= size ? CS_EINVALID : CS_OK;
}

/* A payload member as text: strings as they are, integers in decimal; NULL otherwise. */
static char *member_text(json_t *payload, const char *key)
{
	json_t *v = json_object_get(payload, key);
	char num[32];

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(num);
	}
	return NULL;
}

/* "2026-03-05" as "March 5, 2026"; anything else as it is. */
static char *readable_date(const char *iso)
{
	static const char *const months[] = {"January",   "February", "March",    "April",
	                                     "May",       "June",     "July",     "August",
	                                     "September", "October",  "November", "December"};
	int y, m, d, used = 0;
	char out[40];

	if (!iso)
		return NULL;
	if (sscanf(iso, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return strdup(iso);
	snprintf(out, sizeof(out), "%s %d, %d", months[m - 1], d, y);
	return strdup(out);
}

static char *money_member(json_t *payload, const char *key, const char *currency)
{
	json_t *v = json_object_get(payload, key);
	char buf[64];

	if (!json_is_integer(v) ||
	    mail_format_money(buf, sizeof(buf), (long long)json_integer_value(v), currency) !=
	            CS_OK)
		return NULL;
	return strdup(buf);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static bool is_web_url(const char *s)
{
	return s && (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7));
}

static void set_branding(struct vars *vs, const struct mail_branding *brand)
{
	vs->v[V_HAULER_NAME] = dup_or_null(brand->name);
	/* Only web URLs become an image source or a link: never another scheme. */
	vs->v[V_LOGO_URL] = is_web_url(brand->logo_url) ? strdup(brand->logo_url) : NULL;
	vs->v[V_BRAND_COLOR] =
	        strdup(brand->brand_color && *brand->brand_color ? brand->brand_color
	                                                         : DEFAULT_BRAND_COLOR);
	vs->v[V_CONTACT_PHONE] = dup_or_null(brand->contact_phone);
	vs->v[V_CONTACT_EMAIL] = dup_or_null(brand->contact_email);
	vs->v[V_CONTACT_ADDRESS] = dup_or_null(brand->contact_address);
	vs->v[V_CONTACT_WEBSITE] = dup_or_null(brand->contact_website);
	vs->v[V_CONTACT_WEBSITE_HREF] =
	        is_web_url(brand->contact_website) ? strdup(brand->contact_website) : NULL;
}

/* The emails that send the user to the portal with a link token. The others say what happened
 * (payments, autopay), tell the user to sign in with Google, or go to the hauler (a customer's
 * message). */
static bool template_has_link(const char *name)
{
	/* clang-format off */
	static const char *const linked[] = {"create_password",
	                                     "invitation",
	                                     "email_verification",
	                                     "account_link",
	                                     "account_access",
	                                     "password_reset",
	                                     "invoice_sent",
	                                     NULL};
	/* clang-format on */

	for (const char *const *n = linked; *n; n++)
		if (!strcmp(*n, name))
			return true;
	return false;
}

static int set_link(struct vars *vs, json_t *payload, const struct mail_request *req)
{
	const char *path = json_string_value(json_object_get(payload, "link_path"));
	const char *token = json_string_value(json_object_get(payload, "token"));

	if (!template_has_link(req->template_name))
		return CS_OK;
	if (!path || !token)
		return cs_error_set(CS_EINVALID, "mail_payload_invalid",
		                    "a %s payload needs link_path and token", req->template_name);
	int rc = link_token_url(&vs->v[V_LINK], req->public_url, req->brand.slug, path, token);
	if (rc == CS_EINVALID)
		return cs_error_set(CS_EINVALID, "mail_payload_invalid",
		                    "link_path or token holds characters a link cannot carry");
	return rc;
}

/* The account's three figures, named as on the dashboard and the statement (payment emails). */
static void set_balances(struct vars *vs, json_t *payload, const char *currency)
{
	vs->v[V_OUTSTANDING_BALANCE] = money_member(payload, "outstanding_balance_cents", currency);
	vs->v[V_AVAILABLE_CREDIT] = money_member(payload, "available_credit_cents", currency);
	vs->v[V_NET_BALANCE] = money_member(payload, "net_balance_cents", currency);
}

/* A payload date member, readable ("March 5, 2026"). */
static char *date_member(json_t *payload, const char *key)
{
	return readable_date(json_string_value(json_object_get(payload, key)));
}

/* A service request (issue 25): its details, and one flag per status the customer's email may
 * announce ("1" for the payload's status, empty for the others). A price of 0 is left empty: the
 * templates say "no charge". */
static void set_service_request(struct vars *vs, json_t *payload, const char *currency)
{
	static const struct {
		enum var_id var;
		const char *status;
	} flags[] = {{V_ACCEPTED, "accepted"},
	             {V_SCHEDULED, "scheduled"},
	             {V_DECLINED, "declined"},
	             {V_COMPLETED, "completed"},
	             {V_CANCELLED, "cancelled"}};
	const char *status = json_string_value(json_object_get(payload, "status"));
	json_t *price = json_object_get(payload, "price_cents");

	vs->v[V_REQUEST_NUMBER] = member_text(payload, "request_number");
	vs->v[V_REQUEST_TYPE] = member_text(payload, "request_type");
	vs->v[V_LOCATION_NAME] = member_text(payload, "location_name");
	vs->v[V_LOCATION_ADDRESS] = member_text(payload, "location_address");
	vs->v[V_SERVICE_DESCRIPTION] = member_text(payload, "service_description");
	vs->v[V_ORDER_NUMBER] = member_text(payload, "order_number");
	vs->v[V_REQUESTED_DATE] = date_member(payload, "requested_date");
	vs->v[V_END_DATE] = date_member(payload, "end_date");
	vs->v[V_SIZE_NAME] = member_text(payload, "size_name");
	vs->v[V_RENTAL_DAYS] = member_text(payload, "rental_days");
	if (json_is_integer(price) && json_integer_value(price) != 0)
		vs->v[V_PRICE] = money_member(payload, "price_cents", currency);
	vs->v[V_NOTE] = member_text(payload, "note");
	vs->v[V_SCHEDULED_DATE] = date_member(payload, "scheduled_date");
	vs->v[V_DECLINE_REASON] = member_text(payload, "decline_reason");
	vs->v[V_CREATED_ORDER_NUMBER] = member_text(payload, "created_order_number");
	vs->v[V_CANCELLED_BY] = member_text(payload, "cancelled_by");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (status && !strcmp(status, flags[i].status))
			vs->v[flags[i].var] = strdup("1");
}

static int set_payload(struct vars *vs, const struct mail_request *req)
{
	json_error_t jerr;
	json_t *payload = json_loads(req->payload_json ? req->payload_json : "{}", 0, &jerr);
	int rc;

	if (!json_is_object(payload)) {
		json_decref(payload);
		return cs_error_set(CS_EINVALID, "mail_payload_invalid",
		                    "the payload is not a JSON object");
	}
	vs->v[V_CUSTOMER_NAME] = member_text(payload, "customer_name");
	vs->v[V_ACCOUNT_NUMBER] = member_text(payload, "account_number");
	vs->v[V_FIRST_NAME] = member_text(payload, "first_name");
	vs->v[V_FULL_NAME] = member_text(payload, "full_name");
	vs->v[V_INVOICE_NUMBER] = member_text(payload, "invoice_number");
	vs->v[V_INVOICE_DATE] =
	        readable_date(json_string_value(json_object_get(payload, "invoice_date")));
	vs->v[V_DUE_DATE] = readable_date(json_string_value(json_object_get(payload, "due_date")));
	vs->v[V_TOTAL] = money_member(payload, "total_cents", req->brand.currency);
	vs->v[V_BALANCE] = money_member(payload, "balance_cents", req->brand.currency);
	vs->v[V_REFERENCE_NUMBER] = member_text(payload, "reference_number");
	vs->v[V_AMOUNT] = money_member(payload, "amount_cents", req->brand.currency);
	vs->v[V_PAYMENT_DATE] =
	        readable_date(json_string_value(json_object_get(payload, "payment_date")));
	vs->v[V_METHOD_LABEL] = member_text(payload, "method_label");
	vs->v[V_INVOICES] = member_text(payload, "invoices");
	vs->v[V_FAILURE_MESSAGE] = member_text(payload, "failure_message");
	vs->v[V_NEXT_ATTEMPT_DATE] =
	        readable_date(json_string_value(json_object_get(payload, "next_attempt_date")));
	vs->v[V_ATTEMPTS_LEFT] = member_text(payload, "attempts_left");
	vs->v[V_MESSAGE_SUBJECT] = member_text(payload, "message_subject");
	vs->v[V_MESSAGE] = member_text(payload, "message");
	vs->v[V_REPLY_TO] = member_text(payload, "reply_to");
	set_balances(vs, payload, req->brand.currency);
	set_service_request(vs, payload, req->brand.currency);
	vs->v[V_ENDPOINT_URL] = member_text(payload, "endpoint_url");
	vs->v[V_ENDPOINT_DESCRIPTION] = member_text(payload, "endpoint_description");
	vs->v[V_FAILING_SINCE] =
	        readable_date(json_string_value(json_object_get(payload, "failing_since")));
	vs->v[V_EXPIRES_AT] = dup_or_null(req->expires_local);
	rc = set_link(vs, payload, req);
	json_decref(payload);
	return rc;
}

/* ---- the template language ------------------------------------------------------------------- */

static int lookup(const char **value, const struct vars *vs, const char *name, size_t len)
{
	for (int i = 0; i < V_COUNT; i++) {
		if (strlen(var_names[i]) == len && !memcmp(var_names[i], name, len)) {
			*value = vs->v[i] ? vs->v[i] : "";
			return CS_OK;
		}
	}
	return cs_error_set(CS_EINTERNAL, NULL, "mail template: unknown name %.*s", (int)len, name);
}

static void append_value(struct strbuf *b, const char *value, bool escape)
{
	char *escaped = escape ? mail_html_escape(value) : NULL;

	if (escape && !escaped)
		b->failed = 1;
	else if (escaped)
		strbuf_append(b, escaped, strlen(escaped));
	else
		strbuf_append(b, value, strlen(value));
	free(escaped);
}

static int render(struct strbuf *b, const char *t, size_t len, const struct vars *vs, bool html,
                  int depth);

/* A section {{#name}} or {{^name}} whose content starts at `body`; *next is past its {{/name}}. */
static int render_section(struct strbuf *b, const char **next, const char *body, const char *end,
                          const char *name, size_t nlen, bool wanted, const char *value,
                          const struct vars *vs, bool html, int depth)
{
	char closing[80];

	if (nlen > 60)
		return cs_error_set(CS_EINTERNAL, NULL, "mail template: name too long");
	snprintf(closing, sizeof(closing), "{{/%.*s}}", (int)nlen, name);
	const char *close = memmem(body, (size_t)(end - body), closing, strlen(closing));
	if (!close)
		return cs_error_set(CS_EINTERNAL, NULL, "mail template: %s missing", closing);
	*next = close + strlen(closing);
	if ((*value != '\0') != wanted)
		return CS_OK;
	return render(b, body, (size_t)(close - body), vs, html, depth + 1);
}

static int render(struct strbuf *b, const char *t, size_t len, const struct vars *vs, bool html,
                  int depth)
{
	const char *p = t, *end = t + len;
	int rc;

	if (depth > MAX_DEPTH)
		return cs_error_set(CS_EINTERNAL, NULL, "mail template: sections nested too deep");
	while (p < end) {
		const char *open = memmem(p, (size_t)(end - p), "{{", 2);
		if (!open) {
			strbuf_append(b, p, (size_t)(end - p));
			break;
		}
		strbuf_append(b, p, (size_t)(open - p));
		bool raw = open + 2 < end && open[2] == '{';
		const char *name = open + (raw ? 3 : 2);
		char sigil = name < end && strchr("#^/", *name) && !raw ? *name++ : 0;
		const char *close =
		        memmem(name, (size_t)(end - name), raw ? "}}}" : "}}", raw ? 3 : 2);
		const char *value = NULL;
		if (!close)
			return cs_error_set(CS_EINTERNAL, NULL, "mail template: unclosed tag");
		size_t nlen = (size_t)(close - name);
		if ((rc = lookup(&value, vs, name, nlen)) != CS_OK)
			return rc;
		p = close + (raw ? 3 : 2);
		if (sigil == '/')
			return cs_error_set(CS_EINTERNAL, NULL, "mail template: stray {{/%.*s}}",
			                    (int)nlen, name);
		if (sigil) {
			rc = render_section(b, &p, p, end, name, nlen, sigil == '#', value, vs,
			                    html, depth);
			if (rc != CS_OK)
				return rc;
		} else {
			append_value(b, value, html && !raw);
		}
	}
	return b->failed ? CS_ENOMEM : CS_OK;
}

/* Render `tmpl` with the variables into a new string. */
static int render_string(char **out, const char *tmpl, size_t len, const struct vars *vs, bool html)
{
	struct strbuf b = STRBUF_INIT;
	int rc = render(&b, tmpl, len, vs, html, 0);

	if (rc != CS_OK) {
		strbuf_release(&b);
		return rc;
	}
	*out = strbuf_detach(&b, NULL);
	return *out ? CS_OK : CS_ENOMEM;
}

/* ---- emails ---------------------------------------------------------------------------------- */

/* The subject line and the body of a .txt template. */
static int split_text_template(const char **subject, size_t *subject_len, const char **body,
                               const struct embedded_file *f)
{
	const char *eol = strchr(f->data, '\n');

	if (strncmp(f->data, "Subject: ", 9) || !eol || eol[1] != '\n')
		return cs_error_set(CS_EINTERNAL, NULL, "mail template %s: no Subject line",
		                    f->name);
	*subject = f->data + 9;
	*subject_len = (size_t)(eol - *subject);
	*body = eol + 2;
	return CS_OK;
}

/* Render `name` (txt or html) and wrap it in the layout of the same kind. */
static int render_wrapped(char **out, const struct embedded_file *f, const char *body,
                          struct vars *vs, bool html)
{
	const struct embedded_file *layout = template_file("layout", html ? "html" : "txt");
	size_t body_len = f->size - (size_t)(body - f->data);
	int rc;

	if (!layout)
		return cs_error_set(CS_EINTERNAL, NULL, "mail template layout missing");
	free(vs->v[V_BODY]);
	vs->v[V_BODY] = NULL;
	if ((rc = render_string(&vs->v[V_BODY], body, body_len, vs, html)) != CS_OK)
		return rc;
	return render_string(out, layout->data, layout->size, vs, html);
}

static int render_all(struct mail_rendered *out, const struct mail_request *req, struct vars *vs)
{
	const struct embedded_file *txt = template_file(req->template_name, "txt");
	const struct embedded_file *html = template_file(req->template_name, "html");
	const char *subject = NULL, *body = NULL;
	size_t subject_len = 0;
	int rc;

	if (!txt || !html)
		return cs_error_set(CS_EINTERNAL, NULL, "mail template %s missing",
		                    req->template_name);
	set_branding(vs, &req->brand);
	if ((rc = set_payload(vs, req)) != CS_OK ||
	    (rc = split_text_template(&subject, &subject_len, &body, txt)) != CS_OK ||
	    (rc = render_string(&out->subject, subject, subject_len, vs, false)) != CS_OK)
		return rc;
	if (!(vs->v[V_SUBJECT] = strdup(out->subject)))
		return CS_ENOMEM;
	if ((rc = render_wrapped(&out->text, txt, body, vs, false)) != CS_OK)
		return rc;
	return render_wrapped(&out->html, html, html->data, vs, true);
}

int mail_templates_render(struct mail_rendered *out, const struct mail_request *req)
{
	struct vars vs = {{NULL}};
	int rc;

	memset(out, 0, sizeof(*out));
	if (!mail_templates_known(req->template_name))
		return cs_error_set(CS_EINVALID, "mail_template_unknown",
		                    "no email template named %s",
		                    req->template_name ? req->template_name : "(none)");
	if (!req->brand.slug || !req->brand.name)
		return cs_error_set(CS_EINVALID, "mail_payload_invalid", "the tenant is unknown");
	rc = render_all(out, req, &vs);
	vars_release(&vs);
	if (rc != CS_OK)
		mail_rendered_release(out);
	return rc;
}

void mail_rendered_release(struct mail_rendered *r)
{
	free(r->subject);
	free(r->text);
	free(r->html);
	memset(r, 0, sizeof(*r));
}
