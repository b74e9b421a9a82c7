/*
 * What the portal lists written in C share: a row's service location, as portal_location_json()
 * in db/functions/portal_account.sql writes it for the other portal reads. The SELECT joins the
 * location as `l`; the columns go in this order, and the JSON object is null without one.
 */
#ifndef CURBSIDE_PORTAL_PORTAL_ROWS_H
#define CURBSIDE_PORTAL_PORTAL_ROWS_H

#include "db/json_rows.h"

#define PORTAL_LOCATION_SQL "l.id, l.name, l.address, address_line(l.address)"

/* clang-format off */
#define PORTAL_LOCATION_COLUMNS                                                                    \
	{"location", COL_OBJECT},                                                                  \
	{"id", COL_STRING},                                                                        \
	{"name", COL_STRING},                                                                      \
	{"address", COL_RAW},                                                                      \
	{"address_line", COL_STRING},                                                              \
	{NULL, COL_END}
/* clang-format on */

#endif
