/*
 * Logging through yder, one macro per level. Every line carries the request id of the request the
 * thread is serving (or "-"). Never pass passwords, tokens, card data or full emails.
 */
#ifndef CURBSIDE_CORE_LOG_H
#define CURBSIDE_CORE_LOG_H

#include <yder.h>

#include "core/request_id.h"

/* Start logging to the console at `level` ("error", "warning", "info", "debug"). */
int log_init(const char *level);

/* Stop logging. */
void log_close(void);

/* The request id of this thread's current request ("-" between requests). */
const char *log_request_id(void);

/* Set (or with NULL clear) this thread's current request id; the string must outlive the request.
 */
void log_set_request_id(const char *id);

/* Log one line at a yder level, prefixed with the request id. */
void log_message(unsigned long level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define LOG_ERROR(...) log_message(Y_LOG_LEVEL_ERROR, __VA_ARGS__)
#define LOG_WARN(...)  log_message(Y_LOG_LEVEL_WARNING, __VA_ARGS__)
#define LOG_INFO(...)  log_message(Y_LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_DEBUG(...) log_message(Y_LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
