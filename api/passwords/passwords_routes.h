/* Forgot and reset password (public) and the staff-triggered reset of a customer's users. */
#ifndef CURBSIDE_PASSWORDS_ROUTES_H
#define CURBSIDE_PASSWORDS_ROUTES_H

#include "http/route.h"

extern const struct route_table passwords_route_table;

#endif
