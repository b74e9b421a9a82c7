/*
 * The HTTP processor: a client of the Stripe-compatible subset written down in docs/decisions.md
 * (payment methods, payment intents, refunds; form-encoded requests, Idempotency-Key, Stripe's
 * error objects). One libcurl easy handle per call, so calls from many threads never share one.
 *
 * Answers map to our codes: 2xx the object; 402 a declined charge (CS_OK, FAILED); 400/404 (and
 * a 402 outside a charge) a token, method or charge the processor refuses (CS_EINVALID); 400
 * idempotency_error a key reused for other parameters (CS_EINVALID idempotency_key_reused); 401/403
 * our misconfiguration, and 409, 429, 5xx, timeouts and network errors (CS_EUPSTREAM: the outcome
 * is unknown, retry with the same key). The secret key and tokens are never logged.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/stopping.h"
#include "core/strbuf.h"
#include "processors/processor_impl.h"

/* The most of an answer we read; Stripe's objects are a few kilobytes. */
#define MAX_ANSWER_BYTES (256 * 1024)

struct stripe {
	struct processor base;
	char *url;  /* without a trailing '/' */
	char *auth; /* "Authorization: Bearer <key>" */
	long connect_timeout_ms;
	long timeout_ms;
};

struct answer {
	char *data;
	size_t len;
	bool too_big;
};

/* One request's outcome: the HTTP status and the parsed body (NULL when not JSON). */
struct reply {
	long status;
	json_t *body;
};

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct answer *a = userdata;
	size_t n = size * nmemb;

	if (a->len + n > MAX_ANSWER_BYTES) {
		a->too_big = true;
		return 0;
	}
	char *grown = realloc(a->data, a->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + a->len, ptr, n);
	a->len += n;
	grown[a->len] = '\0';
	a->data = grown;
	return n;
}

static int unavailable(void)
{
	return cs_error_set(CS_EUPSTREAM, "payment_processor_unavailable",
	                    "The payment processor did not answer; please try again in a moment.");
}

/* Append `name=value` (value escaped) to the form `f`. */
static int form_add(struct strbuf *f, CURL *c, const char *name, const char *value)
{
	char *escaped = curl_easy_escape(c, value, 0);

	if (!escaped)
		return CS_ENOMEM;
	strbuf_printf(f, "%s%s=%s", f->len ? "&" : "", name, escaped);
	curl_free(escaped);
	return f->failed ? CS_ENOMEM : CS_OK;
}

static struct curl_slist *request_headers(const struct stripe *s, const char *idempotency_key)
{
	struct curl_slist *h = curl_slist_append(NULL, s->auth);
	char line[320];

	if (h && idempotency_key) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s", idempotency_key);
		struct curl_slist *more = curl_slist_append(h, line);
		if (!more) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = more;
	}
	return h;
}

/*
 * Send `method` `path` (form body `form` for a POST) and read the reply. CS_EUPSTREAM for a
 * network failure, a timeout or an answer that is not JSON.
 */
static int stripe_send(struct reply *out, struct stripe *s, CURL *c, const char *method,
                       const char *path, const char *form, const char *idempotency_key)
{
	struct answer a = {0};
	char url[1024];
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = request_headers(s, idempotency_key);
	int rc = CS_OK;

	out->status = 0;
	out->body = NULL;
	if (!headers)
		return CS_ENOMEM;
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	stopping_watch_transfer(c);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "curbside/" CURBSIDE_VERSION);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form ? form : "");
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		LOG_WARN("payment processor: %s %s failed: %s", method, path,
		         *errbuf ? errbuf : curl_easy_strerror(cc));
		rc = unavailable();
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = a.data ? json_loads(a.data, 0, NULL) : NULL;
	if (!json_is_object(out->body)) {
		LOG_WARN("payment processor: %s %s answered %ld without a JSON object", method,
		         path, out->status);
		json_decref(out->body);
		out->body = NULL;
		rc = unavailable();
	}
out:
	curl_slist_free_all(headers);
	free(a.data);
	return rc;
}

static const char *str_at(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "";
}

/*
 * Map a non-2xx answer other than a 402 decline: `refused_code` and `refused_detail` are the
 * problem for a 400/404 (a token, method or charge the processor refuses).
 */
static int map_failure(const struct reply *r, const char *what, const char *refused_code,
                       const char *refused_detail)
{
	const json_t *err = json_object_get(r->body, "error");
	const char *type = str_at(err, "type");

	if (r->status == 401 || r->status == 403) {
		LOG_ERROR("payment processor: %s answered %ld: check CURBSIDE_STRIPE_KEY "
		          "(configuration "
		          "error)",
		          what, r->status);
		return unavailable();
	}
	if (!strcmp(type, "idempotency_error") && r->status == 400) {
		LOG_ERROR("payment processor: %s: an idempotency key was reused with other "
		          "parameters",
		          what);
		return cs_error_set(CS_EINVALID, "idempotency_key_reused",
		                    "This idempotency key was used for a different request.");
	}
	/* 402 here (not a charge): the card was refused while being saved. */
	if (r->status == 400 || r->status == 402 || r->status == 404) {
		LOG_INFO("payment processor: %s refused (%ld %s %s)", what, r->status, type,
		         str_at(err, "code"));
		return cs_error_set(CS_EINVALID, refused_code, "%s", refused_detail);
	}
	LOG_WARN("payment processor: %s answered %ld %s", what, r->status, type);
	return unavailable();
}

/* One call: a fresh handle, the request, and the handle released. */
static int stripe_call(struct reply *out, struct stripe *s, const char *method, const char *path,
                       const struct strbuf *form, const char *idempotency_key)
{
	CURL *c = curl_easy_init();

	if (!c)
		return CS_ENOMEM;
	int rc = stripe_send(out, s, c, method, path, form ? form->data : NULL, idempotency_key);
	curl_easy_cleanup(c);
	return rc;
}

/* Escape with a handle of its own (form building happens before the call's handle). */
static int form_field(struct strbuf *f, const char *name, const char *value)
{
	CURL *c = curl_easy_init();

	if (!c)
		return CS_ENOMEM;
	int rc = form_add(f, c, name, value);
	curl_easy_cleanup(c);
	return rc;
}

static bool is_bank_token(const char *token)
{
	return !strncmp(token, "btok_", 5) || !strncmp(token, "tok_bank_account", 16);
}

static void read_method(struct processor_method *out, const json_t *pm)
{
	const json_t *card = json_object_get(pm, "card");
	const json_t *bank = json_object_get(pm, "us_bank_account");

	processor_copy(out->ref, sizeof(out->ref), str_at(pm, "id"));
	if (json_is_object(card)) {
		processor_copy(out->type, sizeof(out->type), "card");
		processor_copy(out->brand, sizeof(out->brand), str_at(card, "brand"));
		processor_copy(out->last4, sizeof(out->last4), str_at(card, "last4"));
		out->exp_month = (int)json_integer_value(json_object_get(card, "exp_month"));
		out->exp_year = (int)json_integer_value(json_object_get(card, "exp_year"));
	} else {
		processor_copy(out->type, sizeof(out->type), "bank_account");
		processor_copy(out->last4, sizeof(out->last4), str_at(bank, "last4"));
		processor_copy(out->bank_name, sizeof(out->bank_name), str_at(bank, "bank_name"));
	}
}

static bool method_complete(const struct processor_method *m)
{
	if (!*m->ref || strlen(m->last4) != 4)
		return false;
	return strcmp(m->type, "card") ||
	       (*m->brand && m->exp_month >= 1 && m->exp_month <= 12 && m->exp_year > 0);
}

static int stripe_create_method(struct processor *p, struct processor_method *out,
                                const char *token)
{
	struct stripe *s = (struct stripe *)p;
	struct strbuf form = STRBUF_INIT;
	struct reply r = {0};
	bool bank = is_bank_token(token);
	int rc = form_field(&form, "type", bank ? "us_bank_account" : "card");

	if (rc == CS_OK)
		rc = form_field(&form, bank ? "us_bank_account[token]" : "card[token]", token);
	if (rc == CS_OK)
		rc = stripe_call(&r, s, "POST", "/v1/payment_methods", &form, NULL);
	if (rc != CS_OK)
		goto out;
	if (r.status / 100 != 2) {
		rc = map_failure(
		        &r, "creating a payment method", "invalid_payment_token",
		        "This payment token is not valid; please enter the details again.");
		goto out;
	}
	read_method(out, r.body);
	if (!method_complete(out)) {
		LOG_WARN("payment processor: a payment method without id, last4 or expiry");
		rc = unavailable();
	}
out:
	json_decref(r.body);
	strbuf_release(&form);
	return rc;
}

/* Fill `out` from a payment intent. CS_EUPSTREAM for a state we cannot read. */
static int read_intent(struct processor_charge *out, const json_t *pi)
{
	const char *status = str_at(pi, "status");
	const json_t *err = json_object_get(pi, "last_payment_error");

	processor_copy(out->ref, sizeof(out->ref), str_at(pi, "id"));
	if (!*out->ref)
		return unavailable();
	if (!strcmp(status, "succeeded"))
		out->status = PROCESSOR_SUCCEEDED;
	else if (!strcmp(status, "processing"))
		out->status = PROCESSOR_PENDING;
	else if (!strcmp(status, "requires_payment_method") || !strcmp(status, "canceled"))
		out->status = PROCESSOR_FAILED;
	else {
		LOG_WARN("payment processor: payment intent in state '%s'", status);
		return unavailable();
	}
	if (out->status == PROCESSOR_FAILED) {
		const char *decline = str_at(err, "decline_code");
		const char *code = *decline && strcmp(decline, "generic_decline")
		                           ? decline
		                           : str_at(err, "code");
		const char *message = str_at(err, "message");
		processor_copy(out->failure_code, sizeof(out->failure_code),
		               *code ? code : "payment_failed");
		processor_copy(out->failure_message, sizeof(out->failure_message),
		               *message ? message : "The payment did not go through.");
	}
	return CS_OK;
}

/* A 402: Stripe's card_error, whose payment_intent is the failed intent. */
static int read_decline(struct processor_charge *out, const json_t *body)
{
	const json_t *err = json_object_get(body, "error");
	json_t *pi = json_deep_copy(json_object_get(err, "payment_intent"));

	if (!json_is_object(pi)) {
		json_decref(pi);
		pi = json_object();
	}
	/* The error itself is the intent's last_payment_error when the intent omits it. */
	if (!json_is_object(json_object_get(pi, "last_payment_error")))
		json_object_set(pi, "last_payment_error", (json_t *)err);
	json_object_set_new(pi, "status", json_string("requires_payment_method"));
	int rc = read_intent(out, pi);
	if (rc != CS_OK && *str_at(err, "code")) {
		/* A decline without an intent id is still a decline: no charge was made. */
		out->ref[0] = '\0';
		out->status = PROCESSOR_FAILED;
		rc = CS_OK;
		const char *decline = str_at(err, "decline_code");
		processor_copy(out->failure_code, sizeof(out->failure_code),
		               *decline && strcmp(decline, "generic_decline")
		                       ? decline
		                       : str_at(err, "code"));
		processor_copy(out->failure_message, sizeof(out->failure_message),
		               str_at(err, "message"));
		cs_error_clear();
	}
	json_decref(pi);
	return rc;
}

/* Read a 2xx or 402 payment intent answer into `out`. */
static int intent_answer(struct processor_charge *out, const struct reply *r, const char *what)
{
	if (r->status / 100 == 2)
		return read_intent(out, r->body);
	if (r->status == 402)
		return read_decline(out, r->body);
	return map_failure(r, what, "invalid_payment_method",
	                   "This payment method cannot be used; please add it again.");
}

static int stripe_charge(struct processor *p, struct processor_charge *out, const char *method_ref,
                         long long amount_cents, const char *currency, const char *idempotency_key)
{
	struct stripe *s = (struct stripe *)p;
	struct strbuf form = STRBUF_INIT;
	struct reply r = {0};
	char amount[32], lower[4];
	int rc;

	snprintf(amount, sizeof(amount), "%lld", amount_cents);
	for (int i = 0; i < 3; i++)
		lower[i] = (char)(currency[i] >= 'A' && currency[i] <= 'Z' ? currency[i] + 32
		                                                           : currency[i]);
	lower[3] = '\0';
	if ((rc = form_field(&form, "amount", amount)) != CS_OK ||
	    (rc = form_field(&form, "currency", lower)) != CS_OK ||
	    (rc = form_field(&form, "payment_method", method_ref)) != CS_OK ||
	    (rc = form_field(&form, "confirm", "true")) != CS_OK ||
	    (rc = form_field(&form, "off_session", "true")) != CS_OK)
		goto out;
	if ((rc = stripe_call(&r, s, "POST", "/v1/payment_intents", &form, idempotency_key)) ==
	    CS_OK)
		rc = intent_answer(out, &r, "a charge");
out:
	json_decref(r.body);
	strbuf_release(&form);
	return rc;
}

/* An id we put in a URL path: Stripe's ids are letters, digits and '_'. */
static bool is_plain_id(const char *id)
{
	size_t len = strlen(id);

	return len > 0 && len < 100 &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == len;
}

static int stripe_lookup_charge(struct processor *p, struct processor_charge *out,
                                const char *charge_ref)
{
	struct stripe *s = (struct stripe *)p;
	struct reply r = {0};
	char path[160];
	int rc;

	if (!is_plain_id(charge_ref))
		return cs_error_set(CS_EINVALID, "unknown_charge",
		                    "The processor has no such charge.");
	snprintf(path, sizeof(path), "/v1/payment_intents/%s", charge_ref);
	if ((rc = stripe_call(&r, s, "GET", path, NULL, NULL)) == CS_OK) {
		if (r.status == 404)
			rc = cs_error_set(CS_EINVALID, "unknown_charge",
			                  "The processor has no such charge.");
		else
			rc = intent_answer(out, &r, "looking a charge up");
	}
	json_decref(r.body);
	return rc;
}

static int read_refund(struct processor_refund *out, const json_t *re)
{
	const char *status = str_at(re, "status");

	processor_copy(out->ref, sizeof(out->ref), str_at(re, "id"));
	if (!*out->ref)
		return unavailable();
	if (!strcmp(status, "succeeded"))
		out->status = PROCESSOR_SUCCEEDED;
	else if (!strcmp(status, "pending") || !strcmp(status, "requires_action"))
		out->status = PROCESSOR_PENDING;
	else
		out->status = PROCESSOR_FAILED;
	return CS_OK;
}

static int stripe_refund(struct processor *p, struct processor_refund *out, const char *charge_ref,
                         long long amount_cents, const char *idempotency_key)
{
	struct stripe *s = (struct stripe *)p;
	struct strbuf form = STRBUF_INIT;
	struct reply r = {0};
	char amount[32];
	int rc;

	snprintf(amount, sizeof(amount), "%lld", amount_cents);
	if ((rc = form_field(&form, "payment_intent", charge_ref)) != CS_OK ||
	    (rc = form_field(&form, "amount", amount)) != CS_OK)
		goto out;
	if ((rc = stripe_call(&r, s, "POST", "/v1/refunds", &form, idempotency_key)) != CS_OK)
		goto out;
	if (r.status / 100 == 2)
		rc = read_refund(out, r.body);
	else
		rc = map_failure(&r, "a refund", "charge_not_refundable",
		                 "The processor refused to refund this payment.");
out:
	json_decref(r.body);
	strbuf_release(&form);
	return rc;
}

static void stripe_close(struct processor *p)
{
	struct stripe *s = (struct stripe *)p;

	free(s->url);
	free(s->auth);
	free(s);
	curl_global_cleanup();
}

static const struct processor_ops stripe_ops = {
        .name = "stripe",
        .create_method = stripe_create_method,
        .charge = stripe_charge,
        .refund = stripe_refund,
        .lookup_charge = stripe_lookup_charge,
        .close = stripe_close,
};

int processor_stripe_open(struct processor **out, const char *url, const char *key,
                          int connect_timeout_ms, int timeout_ms)
{
	struct stripe *s = calloc(1, sizeof(*s));
	size_t len = strlen(url);

	*out = NULL;
	if (!s)
		return CS_ENOMEM;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(s);
		return cs_error_set(CS_EINTERNAL, NULL, "libcurl could not start.");
	}
	s->base.ops = &stripe_ops;
	while (len && url[len - 1] == '/')
		len--;
	s->url = strndup(url, len);
	if (asprintf(&s->auth, "Authorization: Bearer %s", key ? key : "") < 0)
		s->auth = NULL;
	s->connect_timeout_ms = connect_timeout_ms;
	s->timeout_ms = timeout_ms;
	if (!s->url || !s->auth) {
		stripe_close(&s->base);
		return CS_ENOMEM;
	}
	*out = &s->base;
	return CS_OK;
}
