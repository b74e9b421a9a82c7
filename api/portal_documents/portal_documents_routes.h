/* /v1/portal/invoices/{id}/pdf, /v1/portal/orders/{id}/receipt and
 * /v1/portal/payments/{id}/receipt: the selected account's documents as PDF attachments. */
#ifndef CURBSIDE_PORTAL_DOCUMENTS_ROUTES_H
#define CURBSIDE_PORTAL_DOCUMENTS_ROUTES_H

#include "http/route.h"

extern const struct route_table portal_documents_route_table;

#endif
