/*
 * Contact Us (rule 23): a portal user's message to the hauler, emailed to the hauler's contact
 * address with the user's email as Reply-To. Throttled per user in the database, so every
 * server process counts the same messages.
 */
#ifndef CURBSIDE_CONTACT_SERVICE_H
#define CURBSIDE_CONTACT_SERVICE_H

#include "core/error.h"
#include "db/pool.h"
#include "http/auth.h"

/* How many messages one portal user may send in any hour. */
#define CONTACT_MESSAGES_PER_HOUR 5

/* What the user wrote, already validated and trimmed. */
struct contact_message {
	const char *subject; /* one line */
	const char *message; /* may span lines */
};

/*
 * Queue `msg` from `who` (a portal user with an account selected); *out (caller frees) is the
 * 202 body. CS_ETHROTTLED too_many_messages with Retry-After past the hourly budget;
 * CS_ECONFLICT contact_email_missing when the hauler has no contact email.
 */
int contact_send(char **out, struct db_pool *db, const struct principal *who,
                 const struct contact_message *msg, const char *client_address) CS_MUST_CHECK;

#endif
