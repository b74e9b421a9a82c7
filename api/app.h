/*
 * The application: configuration, database pool, keys and shared state, wired together at start
 * and handed to every request. `curbside serve` runs app_serve until SIGTERM/SIGINT.
 */
#ifndef CURBSIDE_APP_H
#define CURBSIDE_APP_H

#include <stdbool.h>

#include "config.h"
#include "core/error.h"
#include "core/jwt.h"
#include "db/pool.h"
#include "db/read_route.h"
#include "db/throttle.h"

struct processor;
struct trusted_proxies;

struct app {
	struct config cfg;
	struct db_pool *db;
	struct db_pool *read_db;     /* the standby (CURBSIDE_DATABASE_READ_URL); NULL: off */
	struct db_read_route *reads; /* which of the two a heavy read uses; only while serving */
	struct access_token_keys keys;
	struct throttle *login_by_email;         /* failures per (tenant, email) */
	struct throttle *login_by_address;       /* failures per client address */
	struct throttle *links_by_address;       /* failed link lookups per client address */
	char **cors_origins;                     /* NULL-terminated allow-list */
	struct trusted_proxies *trusted_proxies; /* CURBSIDE_TRUSTED_PROXIES; NULL when empty */
	struct mail_worker *mail_worker; /* between app_start_workers and app_stop_workers */
	struct jobs_worker *jobs_worker; /* the same */
	struct payments_worker *payments_worker; /* the same */
	struct autopay_worker *autopay_worker;   /* the same */
	struct sms_worker *sms_worker;           /* the same (NULL while texts are off) */
	struct webhooks_worker *webhooks_worker; /* the same */
	struct processor *processor;             /* the payment processor (CURBSIDE_PAYMENTS) */
	bool oidc_ready;                         /* oidc_client_init succeeded */
};

/* Build the application from `cfg` (taken over: released by app_release). */
int app_init(struct app *app, struct config *cfg) CS_MUST_CHECK;

/* Release everything app_init built (NULL-safe members). */
void app_release(struct app *app);

/* Serve HTTP until SIGTERM or SIGINT, then finish in-flight requests and return. */
int app_serve(struct app *app) CS_MUST_CHECK;

/* Start the background workers (the mail worker, ...); app_stop_workers stops them. */
int app_start_workers(struct app *app) CS_MUST_CHECK;

/* Stop the background workers that are running (each stops within about a second). */
void app_stop_workers(struct app *app);

/* `curbside worker`: run only the background workers until SIGTERM or SIGINT. */
int app_run_workers(struct app *app) CS_MUST_CHECK;

#endif
