/*
 * Text notifications (API.md rule 22): the selected account's service-reminder preference, its
 * consent history for staff, and service reminders queued for the SMS worker. The preference is
 * the customer account's (every portal user of the account shares it); every real change appends
 * a consent record in the same transaction (sms_preference_set in db/migrations/0020). Every
 * statement is scoped by the caller's tenant.
 */
#ifndef CURBSIDE_NOTIFICATIONS_SERVICE_H
#define CURBSIDE_NOTIFICATIONS_SERVICE_H

#include <jansson.h>

#include "db/pool.h"
#include "http/params.h"

/* Who changed a preference, and from where: the consent record's columns. Borrowed strings;
 * NULL for what does not apply. */
struct notifications_actor {
	const char *source; /* "portal", "staff" or "sms_stop" */
	const char *portal_user_id;
	const char *staff_user_id;
	const char *api_key_id;
	const char *client_address; /* the socket peer, as the login throttle sees it */
	const char *user_agent;
};

/* The account's preference {sms_opt_in, sms_phone, updated_at}; *out (caller frees). */
int notifications_get(char **out, struct db_pool *db, const char *tenant_id,
                      const char *customer_id) CS_MUST_CHECK;

/*
 * Set the preference from a validated body {sms_opt_in, sms_phone?}; *out (caller frees) is the
 * preference as now stored. 422 phone_required when opting in without a number.
 */
int notifications_set(char **out, struct db_pool *db, const char *tenant_id,
                      const char *customer_id, const json_t *body,
                      const struct notifications_actor *actor) CS_MUST_CHECK;

/* One page of a customer's consent records, newest first; *out (caller frees) is {items,
 * next_cursor}. An unknown customer (or another tenant's) is CS_ENOTFOUND. */
int notifications_consents(char **out, struct db_pool *db, const char *tenant_id,
                           const char *customer_id, const struct list_params *page) CS_MUST_CHECK;

/*
 * Queue a service reminder from a validated body {service_date, location_id?, service_id?};
 * *out (caller frees) is the queued reminder. 409 sms_not_opted_in when the account has not
 * opted in; 422 for a past date or a location or service that is not the customer's.
 */
int notifications_queue_reminder(char **out, struct db_pool *db, const char *tenant_id,
                                 const char *customer_id, const json_t *body,
                                 const struct notifications_actor *actor) CS_MUST_CHECK;

#endif
