/*
 * Public sign-up endpoints of the portal (no bearer token): invitations, Review & Pay links,
 * uninvited sign-up and email verification.
 */
#ifndef CURBSIDE_SIGNUP_ROUTES_H
#define CURBSIDE_SIGNUP_ROUTES_H

#include "http/route.h"

extern const struct route_table signup_route_table;

#endif
