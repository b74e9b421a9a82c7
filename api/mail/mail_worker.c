#include "mail/mail_worker.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "http/metrics.h"
#include "log.h"
#include "mail/mail_message.h"
#include "mail/mail_templates.h"
#include "mail/mail_transport.h"

#define BATCH              20
#define CONNECT_TIMEOUT_MS 10000
#define RETRY_CAP_SECONDS  (6 * 3600)
/* A claimed batch must be sent within this, or other processes may take its rows again: 20
 * messages at the 30-second send timeout each stay well within it. */
#define LEASE_SECONDS 900
#define ERROR_SIZE    400

struct mail_worker {
	struct app *app; /* borrowed */
	pthread_t thread;
	atomic_bool stopping;
	int wake_fd; /* an eventfd: mail_worker_stop ends any wait at once */
	PGconn *pg;  /* LISTENs on curbside_outbox; runs the claims */
	bool db_down_logged;
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

int mail_worker_retry_delay(int attempt, int base_seconds)
{
	long delay = base_seconds;

	for (int i = 1; i < attempt && delay < RETRY_CAP_SECONDS; i++)
		delay *= 4;
	return delay < RETRY_CAP_SECONDS ? (int)delay : RETRY_CAP_SECONDS;
}

/* ---- waiting and the connection -------------------------------------------------------------- */

/* Wait for `events` on `fd` (or none when fd < 0) up to `timeout_ms`. 1: ready, 0: timed out,
 * -1: the worker is stopping. */
static int wait_on(struct mail_worker *w, int fd, short events, int timeout_ms)
{
	struct pollfd fds[2] = {{.fd = w->wake_fd, .events = POLLIN}, {.fd = fd, .events = events}};
	int n = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);

	if (atomic_load(&w->stopping))
		return -1;
	return n > 0 && fd >= 0 && fds[1].revents ? 1 : 0;
}

static void drop_connection(struct mail_worker *w)
{
	PQfinish(w->pg);
	w->pg = NULL;
}

/* Connect without blocking, so a stop request is heard even while the database is away. */
static PGconn *connect_async(struct mail_worker *w)
{
	PGconn *pg = PQconnectStart(w->app->cfg.database_url);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	if (!pg || PQstatus(pg) == CONNECTION_BAD) {
		PQfinish(pg);
		return NULL;
	}
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		short ev = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		if (wait_on(w, PQsocket(pg), ev, CONNECT_TIMEOUT_MS) != 1)
			break;
		st = PQconnectPoll(pg);
	}
	if (st != PGRES_POLLING_OK) {
		if (!w->db_down_logged && !atomic_load(&w->stopping))
			LOG_WARN("mail worker: the database is not reachable: %s",
			         PQerrorMessage(pg));
		w->db_down_logged = true;
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

static bool ensure_connected(struct mail_worker *w)
{
	if (w->pg && PQstatus(w->pg) == CONNECTION_OK)
		return true;
	drop_connection(w);
	PGconn *pg = connect_async(w);
	if (!pg)
		return false;
	PGresult *res = PQexec(pg, "LISTEN curbside_outbox");
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		LOG_WARN("mail worker: LISTEN failed: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return false;
	}
	if (w->db_down_logged)
		LOG_INFO("mail worker: connected to the database again");
	w->db_down_logged = false;
	w->pg = pg;
	return true;
}

/* Swallow the notifications libpq has read; true when there was one. */
static bool take_notifications(struct mail_worker *w)
{
	PGnotify *n;
	bool any = false;

	while ((n = PQnotifies(w->pg))) {
		PQfreemem(n);
		any = true;
	}
	return any;
}

/* Sleep until a notification, the poll interval or a stop. A notification that came in while a
 * batch was running is already in libpq's queue (the socket is quiet): go again at once. */
static void idle(struct mail_worker *w)
{
	int ms = w->app->cfg.mail_poll_seconds * 1000;

	if (!w->pg) {
		wait_on(w, -1, 0, ms);
		return;
	}
	if (take_notifications(w))
		return;
	if (wait_on(w, PQsocket(w->pg), POLLIN, ms) == 1) {
		if (PQconsumeInput(w->pg) != 1) {
			drop_connection(w);
			return;
		}
		take_notifications(w);
	}
}

/* ---- outcomes -------------------------------------------------------------------------------- */

/* Run one outcome function: SELECT fn($1, $2[, $3, $4]). */
static void record(struct mail_worker *w, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(w->pg, sql, nparams, NULL, params, NULL, NULL, 0);

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

	record(w, "SELECT outbox_mark_sent($1, $2)", 2, params);
	metrics_mail_record(METRICS_MAIL_SENT);
}

/* A failed attempt: retry later, or give up when `final` or out of attempts. */
static void mark_failed(struct mail_worker *w, const char *id, const char *template_name,
                        int attempt, const char *error, bool final)
{
	char attempt_s[16], delay_s[16];
	bool give_up = final || attempt >= MAIL_WORKER_MAX_ATTEMPTS;
	int delay = mail_worker_retry_delay(attempt, w->app->cfg.mail_retry_seconds);
	const char *params[] = {id, attempt_s, error, give_up ? NULL : delay_s};

	snprintf(attempt_s, sizeof(attempt_s), "%d", attempt);
	snprintf(delay_s, sizeof(delay_s), "%d", delay);
	record(w, "SELECT outbox_mark_failed($1, $2, $3, $4)", 4, params);
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

	record(w, "SELECT outbox_release($1, $2)", 2, params);
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

/* Render the row into a MIME message (*out, caller frees). CS_EINVALID: it can never be sent. */
static int build_message(char **out, size_t *len, char *error, struct mail_worker *w, PGresult *res,
                         int row)
{
	const struct config *cfg = &w->app->cfg;
	struct mail_request req;
	struct mail_rendered r;
	char message_id[128];

	fill_request(&req, res, row, cfg);
	int rc = mail_templates_render(&r, &req);
	if (rc != CS_OK) {
		const char *detail = cs_error_last()->detail;
		snprintf(error, ERROR_SIZE, "render: %s", detail ? detail : "out of memory");
		return rc;
	}
	const char *reply_to = req.brand.contact_email;
	snprintf(message_id, sizeof(message_id), "%s@%s", col(res, row, C_ID), w->domain);
	struct mail_message msg = {
	        .from = {req.brand.name, cfg->mail_from},
	        .to = {NULL, col(res, row, C_TO)},
	        .reply_to = reply_to && mail_address_valid(reply_to) ? reply_to : NULL,
	        .subject = r.subject,
	        .message_id = message_id,
	        .date = time(NULL),
	        .text = r.text,
	        .html = r.html,
	};
	rc = mail_message_render(out, len, &msg);
	if (rc == CS_EINVALID)
		snprintf(error, ERROR_SIZE, "the recipient address is not one email can go to");
	else if (rc != CS_OK)
		snprintf(error, ERROR_SIZE, "cannot build the message (%d)", rc);
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
	PGresult *res = PQexecParams(w->pg, "SELECT * FROM outbox_claim($1, $2)", 2, NULL, params,
	                             NULL, NULL, 0);

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

static void *worker_main(void *arg)
{
	struct mail_worker *w = arg;
	int claimed = 0;

	while (!atomic_load(&w->stopping)) {
		if (!ensure_connected(w)) {
			wait_on(w, -1, 0, w->app->cfg.mail_poll_seconds * 1000);
			continue;
		}
		if (run_batch(w, &claimed) == CS_OK && claimed == BATCH)
			continue; /* more may be due at once */
		idle(w);
	}
	drop_connection(w);
	return NULL;
}

/* ---- start and stop -------------------------------------------------------------------------- */

static void worker_free(struct mail_worker *w)
{
	mail_transport_close(w->transport);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	free(w);
}

int mail_worker_start(struct mail_worker **out, struct app *app)
{
	struct mail_worker *w = calloc(1, sizeof(*w));
	sigset_t all, saved;
	int rc;

	*out = NULL;
	if (!w)
		return CS_ENOMEM;
	w->app = app;
	w->domain = strchr(app->cfg.mail_from, '@') + 1; /* config checked there is one */
	w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->wake_fd < 0) {
		worker_free(w);
		return CS_EINTERNAL;
	}
	rc = mail_transport_open(&w->transport, app->cfg.smtp_url, app->cfg.mail_dir, &w->stopping);
	if (rc != CS_OK) {
		LOG_ERROR("mail worker: cannot open the %s",
		          *app->cfg.smtp_url ? "SMTP transport" : "mail directory");
		worker_free(w);
		return rc;
	}
	/* The thread blocks every signal: SIGTERM and SIGINT belong to the main thread's sigwait.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (rc != 0) {
		worker_free(w);
		return CS_EINTERNAL;
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
	uint64_t one = 1;

	if (!w)
		return;
	atomic_store(&w->stopping, true);
	if (write(w->wake_fd, &one, sizeof(one)) < 0)
		LOG_WARN("mail worker: cannot wake the thread");
	pthread_join(w->thread, NULL);
	worker_free(w);
}
