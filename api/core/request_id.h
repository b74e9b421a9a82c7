/* Request ids: a client's X-Request-Id is kept when it is sane, else one is generated. */
#ifndef CURBSIDE_CORE_REQUEST_ID_H
#define CURBSIDE_CORE_REQUEST_ID_H

#include <stdbool.h>

#define REQUEST_ID_MAX  64
#define REQUEST_ID_SIZE (REQUEST_ID_MAX + 1)

/* True for 1-64 characters of [A-Za-z0-9._-]: safe to echo and to write in a log line. */
bool request_id_is_sane(const char *id);

/* A new id (22 characters of base64url from 128 random bits) into `out`. */
void request_id_generate(char out[REQUEST_ID_SIZE]);

#endif
