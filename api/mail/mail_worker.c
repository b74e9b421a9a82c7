#include "mail/mail_worker.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/link_token.h"
#include "core/log.h"
#include "core/retry.h"
#include "db/loop.h"
#include "http/metrics.h"
#include "mail/mail_message.h"
#include "mail/mail_templates.h"
#include "mail/mail_transport.h"
#include "portal_documents/portal_documents_service.h"

#define BATCH 20
/* A claimed batch must be sent within this, or other processes may take its rows again: 20
 * messages at the 30-second send timeout each stay well within it. */
#define LEASE_SECONDS 900
#define ERROR_SIZE    400

struct mail_worker {
	struct app *app;      /* borrowed */
	struct db_loop *loop; /* LISTENs on curbside_outbox and runs the rounds */
	atomic_bool stopping; /* set before the loop stops: cancels an SMTP transfer in flight */
	PGconn *pg;           /* the loop's connection, during a round */
	struct mail_transport *transport;
	const char *domain; /* of CURBSIDE_MAIL_FROM, for Message-IDs */
};

/* One claimed row: the columns of outbox_claim(), in order. */
enum claim_col {
	C_ID,
	C_TEMPLATE,
	C_TO,
	C_PAYLOAD,
	C_ATTEMPTS,
	C_SLUG,
	C_NAME,
	C_LOGO_URL,
	C_BRAND_COLOR,
	C_CURRENCY,
	C_PHONE,
	C_EMAIL,
	C_ADDRESS,
	C_WEBSITE,
	C_EXPIRES_LOCAL,
};

/* ---- outcomes -------------------------------------------------------------------------------- */

/* Run one outcome function: SELECT fn($1, $2[, $3, $4]). */
static void record(struct mail_worker *w, const char *sql, const char *const *params, int nparams)
{
	PGresult *res = NULL;

	if (db_params_check("mail worker", db_sql_param_count(sql), nparams) != CS_OK)
		return;
	res = PQexecParams(w->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		LOG_ERROR("mail worker: cannot record an outcome: %s", PQerrorMessage(w->pg));
	else if (strcmp(PQgetvalue(res, 0, 0), "t"))
		LOG_WARN("mail worker: outbox row %s was claimed again before its outcome was "
		         "recorded",
		         params[0]);
	PQclear(res);
}

static void mark_sent(struct mail_worker *w, const char *id, const char *attempt)
{
	const char *params[] = {id, attempt};

	record(w, "SELECT outbox_mark_sent($1, $2)", DB_PARAMS(params));
	metrics_mail_record(METRICS_MAIL_SENT);
}

/* A failed attempt: retry later, or give up when `final` or out of attempts. */
static void mark_failed(struct mail_worker *w, const char *id, const char *template_name,
                        int attempt, const char *error, bool final)
{
	char attempt_s[16], delay_s[16];
	bool give_up = final || attempt >= MAIL_WORKER_MAX_ATTEMPTS;
	int delay = retry_delay(attempt, w->app->cfg.mail_retry_seconds);
	const char *params[] = {id, attempt_s, error, give_up ? NULL : delay_s};

	snprintf(attempt_s, sizeof(attempt_s), "%d", attempt);
	snprintf(delay_s, sizeof(delay_s), "%d", delay);
	record(w, "SELECT outbox_mark_failed($1, $2, $3, $4)", DB_PARAMS(params));
	if (give_up) {
		LOG_ERROR("mail worker: %s email %s failed for good after %d attempt(s): %s",
		          template_name, id, attempt, error);
		metrics_mail_record(METRICS_MAIL_FAILED);
	} else {
		LOG_WARN("mail worker: %s email %s attempt %d failed, retry in %ds: %s",
		         template_name, id, attempt, delay, error);
		metrics_mail_record(METRICS_MAIL_RETRIED);
	}
}

/* Give a claimed row back untried: due again at once, the attempt not counted. */
static void release(struct mail_worker *w, const char *id, const char *attempt)
{
	const char *params[] = {id, attempt};

	record(w, "SELECT outbox_release($1, $2)", DB_PARAMS(params));
}

/* ---- one email ------------------------------------------------------------------------------- */

static const char *col(PGresult *res, int row, enum claim_col c)
{
	return PQgetisnull(res, row, (int)c) ? NULL : PQgetvalue(res, row, (int)c);
}

static void fill_request(struct mail_request *req, PGresult *res, int row, const struct config *cfg)
{
	*req = (struct mail_request){
	        .template_name = col(res, row, C_TEMPLATE),
	        .payload_json = col(res, row, C_PAYLOAD),
	        .expires_local = col(res, row, C_EXPIRES_LOCAL),
	        .public_url = cfg->public_url,
	        .brand = {.slug = col(res, row, C_SLUG),
	                  .name = col(res, row, C_NAME),
	                  .logo_url = col(res, row, C_LOGO_URL),
	                  .brand_color = col(res, row, C_BRAND_COLOR),
	                  .currency = col(res, row, C_CURRENCY),
	                  .contact_phone = col(res, row, C_PHONE),
	                  .contact_email = col(res, row, C_EMAIL),
	                  .contact_address = col(res, row, C_ADDRESS),
	                  .contact_website = col(res, row, C_WEBSITE)},
	};
}

/* ---- attachments ----------------------------------------------------------------------------- */

typedef int (*document_reader)(struct portal_document *out, struct db_pool *db,
                               const char *tenant_slug, const char *id, const char *pay_url);

/* The emails that carry a document: the template, the payload member naming the object, and
 * how to read it. The PDF is drawn at send time, so it shows the object as it is then. */
static const struct {
	const char *template_name;
	const char *id_member;
	document_reader read;
} attached_documents[] = {
        {"invoice_sent", "invoice_id", portal_documents_invoice_for_mail},
        {"payment_receipt", "payment_id", portal_documents_payment_for_mail},
};

/* The link the email itself carries (its payload's link_path and token: the invoice's Review &
 * Pay link), for the document to print the same one; NULL when it has none. */
static char *email_link(struct mail_worker *w, const json_t *payload, const char *slug)
{
	const char *path = json_string_value(json_object_get(payload, "link_path"));
	const char *token = json_string_value(json_object_get(payload, "token"));
	char *url = NULL;

	if (path && token &&
	    link_token_url(&url, w->app->cfg.public_url, slug, path, token) != CS_OK)
		url = NULL;
	return url;
}

/*
 * The document the row's email carries into *doc (doc->data NULL when it carries none). A
 * document that no longer exists is left out, with a warning; a database failure is returned so
 * the row is retried.
 */
static int read_attachment(struct portal_document *doc, struct mail_worker *w, PGresult *res,
                           int row)
{
	const char *template_name = col(res, row, C_TEMPLATE);
	int rc = CS_OK;

	memset(doc, 0, sizeof(*doc));
	for (size_t i = 0; i < sizeof(attached_documents) / sizeof(attached_documents[0]); i++) {
		if (strcmp(attached_documents[i].template_name, template_name))
			continue;
		json_t *payload = json_loads(col(res, row, C_PAYLOAD), 0, NULL);
		const char *id = json_string_value(
		        json_object_get(payload, attached_documents[i].id_member));
		char *link = email_link(w, payload, col(res, row, C_SLUG));
		rc = id ? attached_documents[i].read(doc, w->app->db, col(res, row, C_SLUG), id,
		                                     link)
		        : CS_ENOTFOUND;
		free(link);
		if (rc == CS_ENOTFOUND) {
			LOG_WARN("mail worker: %s email %s goes without its document: not found",
			         template_name, col(res, row, C_ID));
			rc = CS_OK;
		}
		json_decref(payload);
		break;
	}
	return rc;
}

/* Where answers go: the payload's `reply_to` (a customer writing to the hauler) when it is a valid
 * address, else the hauler's contact address. Returns a copy (caller frees) or NULL. */
static char *reply_address(const struct mail_request *req)
{
	json_t *payload = json_loads(req->payload_json ? req->payload_json : "{}", 0, NULL);
	const char *own = json_string_value(json_object_get(payload, "reply_to"));
	const char *chosen = own && mail_address_valid(own) ? own : req->brand.contact_email;
	char *copy = chosen && mail_address_valid(chosen) ? strdup(chosen) : NULL;

	json_decref(payload);
	return copy;
}

/* Render the row into a MIME message (*out, caller frees). CS_EINVALID: it can never be sent. */
static int build_message(char **out, size_t *len, char *error, struct mail_worker *w, PGresult *res,
                         int row)
{
	const struct config *cfg = &w->app->cfg;
	struct mail_request req;
	struct mail_rendered r;
	struct portal_document doc;
	char message_id[128];

	fill_request(&req, res, row, cfg);
	int rc = mail_templates_render(&r, &req);
	if (rc != CS_OK) {
		const char *detail = cs_error_last()->detail;
		snprintf(error, ERROR_SIZE, "render: %s", detail ? detail : "out of memory");
		return rc;
	}
	rc = read_attachment(&doc, w, res, row);
	if (rc != CS_OK) {
		snprintf(error, ERROR_SIZE, "cannot read the attached document (%d)", rc);
		mail_rendered_release(&r);
		return CS_EUNAVAILABLE; /* retried: the database or the renderer failed */
	}
	struct mail_attachment attachment = {doc.filename, "application/pdf", doc.data, doc.len};
	char *reply_to = reply_address(&req);
	snprintf(message_id, sizeof(message_id), "%s@%s", col(res, row, C_ID), w->domain);
	struct mail_message msg = {
	        .from = {req.brand.name, cfg->mail_from},
	        .to = {NULL, col(res, row, C_TO)},
	        .reply_to = reply_to,
	        .subject = r.subject,
	        .message_id = message_id,
	        .date = time(NULL),
	        .text = r.text,
	        .html = r.html,
	        .attachments = doc.data ? &attachment : NULL,
	        .attachment_count = doc.data ? 1 : 0,
	};
	rc = mail_message_render(out, len, &msg);
	if (rc == CS_EINVALID)
		snprintf(error, ERROR_SIZE, "the recipient address is not one email can go to");
	else if (rc != CS_OK)
		snprintf(error, ERROR_SIZE, "cannot build the message (%d)", rc);
	free(reply_to);
	portal_document_clear(&doc);
	mail_rendered_release(&r);
	return rc;
}

static void send_row(struct mail_worker *w, PGresult *res, int row)
{
	const char *id = col(res, row, C_ID), *attempt_s = col(res, row, C_ATTEMPTS);
	const char *template_name = col(res, row, C_TEMPLATE);
	int attempt = atoi(attempt_s);
	char error[ERROR_SIZE] = "";
	char *message = NULL;
	size_t len = 0;

	int rc = build_message(&message, &len, error, w, res, row);
	if (rc == CS_OK)
		rc = mail_transport_send(w->transport, error, sizeof(error), w->app->cfg.mail_from,
		                         col(res, row, C_TO), message, len, id);
	free(message);
	if (rc != CS_OK && atomic_load(&w->stopping)) {
		release(w, id, attempt_s); /* cut short by the stop: not this row's fault */
		return;
	}
	if (rc == CS_OK) {
		mark_sent(w, id, attempt_s);
		LOG_INFO("mail worker: sent %s email %s (attempt %d, %s)", template_name, id,
		         attempt, mail_transport_kind(w->transport));
	} else {
		mark_failed(w, id, template_name, attempt, error, rc == CS_EINVALID);
	}
}

/* Hand back the rows of the batch not tried (the worker is stopping). */
static void release_rows(struct mail_worker *w, PGresult *res, int from)
{
	for (int row = from; row < PQntuples(res); row++)
		release(w, col(res, row, C_ID), col(res, row, C_ATTEMPTS));
}

/* Claim and send one batch; the number claimed in *claimed. */
static int run_batch(struct mail_worker *w, int *claimed)
{
	static const char *const params[] = {"20", "900"};
	_Static_assert(BATCH == 20 && LEASE_SECONDS == 900, "params above");
	PGresult *res = PQexecParams(w->pg, "SELECT * FROM outbox_claim($1, $2)", DB_COUNT(params),
	                             NULL, params, NULL, NULL, 0);

	*claimed = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (PQstatus(w->pg) == CONNECTION_OK)
			LOG_ERROR("mail worker: claim failed: %s", PQerrorMessage(w->pg));
		PQclear(res);
		return CS_EDB;
	}
	*claimed = PQntuples(res);
	for (int row = 0; row < *claimed; row++) {
		if (atomic_load(&w->stopping)) {
			release_rows(w, res, row);
			break;
		}
		send_row(w, res, row);
	}
	PQclear(res);
	return CS_OK;
}

/*
 * Turn waiting forgot-password requests into reset emails (db/migrations/0026): the request
 * itself only recorded the address, so that it costs the same whether or not it has a login.
 * Returns whether a full batch was handled (more may wait).
 */
static bool handle_forgot_requests(struct mail_worker *w)
{
	static const char *const params[] = {"50"};
	PGresult *res = PQexecParams(w->pg, "SELECT passwords_forgot_work($1)", DB_COUNT(params),
	                             NULL, params, NULL, NULL, 0);
	bool full = false;

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		full = strtol(PQgetvalue(res, 0, 0), NULL, 10) == 50;
	else if (PQstatus(w->pg) == CONNECTION_OK)
		LOG_ERROR("mail worker: forgot-password requests failed: %s",
		          PQerrorMessage(w->pg));
	PQclear(res);
	return full;
}

/* One round of the loop: handle forgot-password requests, claim and send a batch; go again at
 * once when either was full. */
static bool mail_round(struct db_loop *loop, PGconn *conn, void *arg)
{
	struct mail_worker *w = arg;
	int claimed = 0;

	(void)loop;
	w->pg = conn;
	bool again = handle_forgot_requests(w);
	again = (run_batch(w, &claimed) == CS_OK && claimed == BATCH) || again;
	w->pg = NULL;
	return again;
}

/* ---- start and stop -------------------------------------------------------------------------- */

static void worker_free(struct mail_worker *w)
{
	mail_transport_close(w->transport);
	free(w);
}

int mail_worker_start(struct mail_worker **out, struct app *app)
{
	struct mail_worker *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return CS_ENOMEM;
	w->app = app;
	w->domain = strchr(app->cfg.mail_from, '@') + 1; /* config checked there is one */
	rc = mail_transport_open(&w->transport, app->cfg.smtp_url, app->cfg.mail_dir, &w->stopping);
	if (rc != CS_OK) {
		LOG_ERROR("mail worker: cannot open the %s",
		          *app->cfg.smtp_url ? "SMTP transport" : "mail directory");
		worker_free(w);
		return rc;
	}
	const struct db_loop_spec spec = {
	        .name = "mail worker",
	        .url = app->cfg.database_url,
	        .channel = "curbside_outbox",
	        .poll_seconds = app->cfg.mail_poll_seconds,
	        .round = mail_round,
	        .arg = w,
	};
	if ((rc = db_loop_start(&w->loop, &spec)) != CS_OK) {
		worker_free(w);
		return rc;
	}
	if (*app->cfg.smtp_url)
		LOG_INFO("mail worker: sending through SMTP");
	else
		LOG_INFO("mail worker: no CURBSIDE_SMTP_URL, writing email to %s",
		         app->cfg.mail_dir);
	*out = w;
	return CS_OK;
}

void mail_worker_stop(struct mail_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, true);
	db_loop_stop(w->loop);
	worker_free(w);
}
