#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local const char *current_request_id;

int log_init(const char *level)
{
	unsigned long y_level = Y_LOG_LEVEL_INFO;

	if (!strcmp(level, "error"))
		y_level = Y_LOG_LEVEL_ERROR;
	else if (!strcmp(level, "warning"))
		y_level = Y_LOG_LEVEL_WARNING;
	else if (!strcmp(level, "debug"))
		y_level = Y_LOG_LEVEL_DEBUG;
	return y_init_logs("curbside", Y_LOG_MODE_CONSOLE, y_level, NULL, "starting") == 1 ? 0 : -1;
}

void log_close(void)
{
	y_close_logs();
}

const char *log_request_id(void)
{
	return current_request_id ? current_request_id : "-";
}

void log_set_request_id(const char *id)
{
	current_request_id = id;
}

void log_message(unsigned long level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	y_log_message(level, "request_id=%s %s", log_request_id(), line);
}
