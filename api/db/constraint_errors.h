/*
 * Problems raised by the database itself: business rules in SQL functions (SQLSTATE class "CS",
 * see cs_raise() in db/migrations) and named constraints a request can trip (unique numbers,
 * CHECKs on money). Mapping them in one place means a rule reads the same to the client whether
 * C or PostgreSQL caught it.
 */
#ifndef CURBSIDE_DB_CONSTRAINT_ERRORS_H
#define CURBSIDE_DB_CONSTRAINT_ERRORS_H

#include <libpq-fe.h>

/*
 * When `res` failed with a problem this module knows, record it (cs_error_set_copy) and return its
 * CS_E* status; otherwise return CS_OK and record nothing.
 */
int db_problem_of(const PGresult *res);

#endif
