#include "app.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_keys/api_keys_service.h"
#include "autopay/autopay_worker.h"
#include "core/log.h"
#include "core/password.h"
#include "db/loop.h"
#include "db/migrate.h"
#include "http/auth.h"
#include "http/client_address.h"
#include "http/server.h"
#include "jobs/jobs_worker.h"
#include "mail/mail_worker.h"
#include "oidc/oidc_client.h"
#include "payments/payments_worker.h"
#include "pdf/pdf_fonts.h"
#include "portal_auth/portal_sessions.h"
#include "processors/processor.h"
#include "routes.h"
#include "sms/sms_worker.h"
#include "staff/staff_service.h"
#include "tenants/branding_cache.h"
#include "tenants/tenants_service.h"
#include "webhooks/webhooks_worker.h"

static char **split_origins(const char *list)
{
	size_t n = 1;

	for (const char *p = list; *p; p++)
		n += *p == ',';
	char **out = calloc(n + 1, sizeof(*out));
	if (!out)
		return NULL;
	size_t k = 0;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len)
			out[k++] = strndup(p, len);
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return out;
}

static int hashing_slots(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores > 0 ? (int)cores : 1;
}

/* The fonts every PDF embeds (docs/decisions.md, "Documents (issue 22)"): DejaVu must load; the
 * fallback font must too when set explicitly, while the default one is skipped when it is not
 * installed (characters DejaVu lacks then print as empty boxes, their text still in the PDF). */
static int configure_pdf_fonts(const struct config *cfg)
{
	const char *fallback = cfg->pdf_fallback_font;
	const char *set = getenv("CURBSIDE_PDF_FALLBACK_FONT");
	int rc;

	if (*fallback && (!set || !*set) && access(fallback, R_OK) != 0) {
		LOG_WARN("PDF fallback font %s is not installed (Debian's fonts-droid-fallback): "
		         "characters DejaVu lacks print as empty boxes",
		         fallback);
		fallback = "";
	}
	rc = pdf_fonts_configure(cfg->pdf_font_dir, fallback);
	if (rc != CS_OK)
		LOG_ERROR("%s", cs_error_last()->detail);
	return rc;
}

/* The sign-in and link throttles, counted in the database that every process shares. */
static int open_throttles(struct app *app)
{
	const struct config *c = &app->cfg;

	app->login_by_email =
	        throttle_new(app->db, "login", c->login_max_failures, c->login_window_seconds);
	/* An address may fail for many accounts (an office behind one NAT): ten times the budget.
	 */
	app->login_by_address = throttle_new(app->db, "address", c->login_max_failures * 10,
	                                     c->login_window_seconds);
	app->links_by_address =
	        throttle_new(app->db, "link", c->link_max_failures, c->login_window_seconds);
	if (!app->login_by_email || !app->login_by_address || !app->links_by_address)
		return CS_ENOMEM;
	return CS_OK;
}

int app_init(struct app *app, struct config *cfg)
{
	int rc;

	memset(app, 0, sizeof(*app));
	app->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	if ((rc = configure_pdf_fonts(&app->cfg)) != CS_OK)
		return rc;
	if ((rc = access_token_keys_init(&app->keys, app->cfg.jwt_secret,
	                                 app->cfg.jwt_previous_secret)) != CS_OK)
		return rc;
	if (!(app->cors_origins = split_origins(app->cfg.cors_origins)))
		return CS_ENOMEM;
	if ((rc = trusted_proxies_parse(&app->trusted_proxies, app->cfg.trusted_proxies)) != CS_OK)
		return rc;
	branding_cache_configure(app->cfg.branding_cache_seconds);
	tenants_login_methods_configure(*app->cfg.oidc_client_id != '\0');
	if ((rc = oidc_client_init()) != CS_OK)
		return rc;
	app->oidc_ready = true;
	/* Hash at most one password per core; a few may queue; more get 503 at once. Sign-ins keep
	 * half of both for themselves (core/password.h). */
	if ((rc = password_gate_init(hashing_slots(), 2 * hashing_slots())) != CS_OK)
		return rc;
	if ((rc = processor_open(&app->processor, &app->cfg)) != CS_OK)
		return rc;
	LOG_INFO("payments: the %s processor", processor_name(app->processor));
	if ((rc = db_pool_open(&app->db, app->cfg.database_url, app->cfg.db_pool,
	                       app->cfg.db_timeout_ms)) != CS_OK)
		return rc;
	if (*app->cfg.database_read_url &&
	    (rc = db_pool_open(&app->read_db, app->cfg.database_read_url, app->cfg.db_read_pool,
	                       app->cfg.db_timeout_ms)) != CS_OK)
		return rc;
	return open_throttles(app);
}

void app_release(struct app *app)
{
	db_read_route_close(app->reads);
	db_pool_close(app->read_db);
	db_pool_close(app->db);
	processor_close(app->processor);
	branding_cache_release();
	if (app->oidc_ready)
		oidc_client_release();
	throttle_free(app->login_by_email);
	throttle_free(app->login_by_address);
	throttle_free(app->links_by_address);
	for (char **o = app->cors_origins; o && *o; o++)
		free(*o);
	free(app->cors_origins);
	trusted_proxies_free(app->trusted_proxies);
	config_release(&app->cfg);
	memset(app, 0, sizeof(*app));
}

/* Seconds between rounds of the revocation listener without a notification. */
#define REVOCATION_POLL_SECONDS 60

/*
 * A revocation in another process (NOTIFY curbside_auth_revoked), or a reconnection after which
 * some may have been missed: forget every cached credential check.
 */
static bool forget_credentials(struct db_loop *loop, PGconn *conn, void *unused)
{
	(void)loop;
	(void)conn;
	(void)unused;
	http_auth_cache_clear();
	return false;
}

/* The credential checks http_authenticate runs, from the modules that own each credential. */
static const struct http_credential_checks credential_checks = {
        .staff_session = staff_session_active,
        .portal_session = portal_session_check,
        .is_api_key = api_key_looks_like,
        .api_key = api_keys_identify,
};

/* What the HTTP layer serves with: borrowed from `app`, which outlives the server. */
static struct http_env http_env_of(struct app *app)
{
	const struct config *cfg = &app->cfg;

	return (struct http_env){
	        .app = app,
	        .db = app->db,
	        .reads = app->reads,
	        .keys = &app->keys,
	        .checks = &credential_checks,
	        .operator_token = cfg->operator_token,
	        .links_by_address = app->links_by_address,
	        .trusted_proxies = app->trusted_proxies,
	        .cors_origins = app->cors_origins,
	        .max_body_bytes = cfg->max_body_bytes,
	        .access_log = cfg->access_log,
	        .db_connections = cfg->db_pool,
	        .listen = {.host = cfg->listen_host,
	                   .port = cfg->listen_port,
	                   .max_connections = cfg->max_connections,
	                   .max_connections_per_address = cfg->max_connections_per_address,
	                   .idle_timeout = cfg->idle_timeout,
	                   .read_timeout = cfg->read_timeout,
	                   .shutdown_seconds = cfg->shutdown_seconds},
	};
}

int app_serve(struct app *app)
{
	struct db_loop *revocations = NULL;
	const struct db_loop_spec revocation_listener = {
	        .name = "revocation listener",
	        .url = app->cfg.database_url,
	        .channel = "curbside_auth_revoked",
	        .poll_seconds = REVOCATION_POLL_SECONDS,
	        .round = forget_credentials,
	};

	if (app->cfg.migrate_on_start && db_migrate(app->cfg.database_url, stdout) != CS_OK)
		return CS_EDB;
	if (!db_pool_ping(app->db))
		LOG_WARN("the database is not reachable yet; /readyz answers 503 until it is");
	size_t ntables = 0;
	const struct route_table *const *tables = app_route_tables(&ntables);
	int rc = db_loop_start(&revocations, &revocation_listener);
	/* Only serving routes reads: workers and `migrate` never watch the standby. */
	if (rc == CS_OK && app->read_db &&
	    (rc = db_read_route_open(&app->reads, app->db, app->read_db, app->cfg.database_read_url,
	                             app->cfg.read_max_lag_ms)) == CS_OK)
		LOG_INFO("standby reads on (lag bound %d ms)", app->cfg.read_max_lag_ms);
	if (rc == CS_OK)
		rc = app_start_workers(app);
	if (rc == CS_OK) {
		struct http_env env = http_env_of(app);
		rc = http_server_run(&env, tables, ntables);
	}
	app_stop_workers(app);
	db_loop_stop(revocations);
	db_read_route_close(app->reads);
	app->reads = NULL;
	return rc;
}

int app_start_workers(struct app *app)
{
	unsigned run = app->cfg.workers;
	int rc = CS_OK;

	if (run & CONFIG_WORKER_MAIL)
		rc = mail_worker_start(&app->mail_worker, app);
	if (rc == CS_OK && (run & CONFIG_WORKER_JOBS))
		rc = jobs_worker_start(&app->jobs_worker, app);
	if (rc == CS_OK && (run & CONFIG_WORKER_PAYMENTS))
		rc = payments_worker_start(&app->payments_worker, app);
	if (rc == CS_OK && (run & CONFIG_WORKER_AUTOPAY))
		rc = autopay_worker_start(&app->autopay_worker, app);
	if (rc == CS_OK && (run & CONFIG_WORKER_SMS))
		rc = sms_worker_start(&app->sms_worker, app);
	if (rc == CS_OK && (run & CONFIG_WORKER_WEBHOOKS))
		rc = webhooks_worker_start(&app->webhooks_worker, app);
	if (rc != CS_OK)
		app_stop_workers(app);
	else if (run)
		LOG_INFO("background workers:%s%s%s%s%s%s", run & CONFIG_WORKER_MAIL ? " mail" : "",
		         run & CONFIG_WORKER_JOBS ? " jobs" : "",
		         run & CONFIG_WORKER_PAYMENTS ? " payments" : "",
		         run & CONFIG_WORKER_AUTOPAY ? " autopay" : "",
		         run & CONFIG_WORKER_SMS ? " sms" : "",
		         run & CONFIG_WORKER_WEBHOOKS ? " webhooks" : "");
	return rc;
}

void app_stop_workers(struct app *app)
{
	mail_worker_stop(app->mail_worker);
	app->mail_worker = NULL;
	jobs_worker_stop(app->jobs_worker);
	app->jobs_worker = NULL;
	payments_worker_stop(app->payments_worker);
	app->payments_worker = NULL;
	autopay_worker_stop(app->autopay_worker);
	app->autopay_worker = NULL;
	sms_worker_stop(app->sms_worker);
	app->sms_worker = NULL;
	webhooks_worker_stop(app->webhooks_worker);
	app->webhooks_worker = NULL;
}

int app_run_workers(struct app *app)
{
	sigset_t set;
	int sig = 0;

	/* Block the stop signals before any thread starts, so only sigwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	int rc = app_start_workers(app);
	if (rc == CS_OK) {
		LOG_INFO("background workers running");
		sigwait(&set, &sig);
		LOG_INFO("signal %d: stopping the background workers", sig);
	}
	app_stop_workers(app);
	return rc;
}
