#include "core/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The real time, to the microsecond. */
static int real_now(char out[CLOCK_TEXT_SIZE])
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	if (clock_gettime(CLOCK_REALTIME, &ts) || !gmtime_r(&ts.tv_sec, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		return cs_error_set(CS_EINTERNAL, NULL, "the system clock cannot be read");
	snprintf(out, CLOCK_TEXT_SIZE, "%s.%06ldZ", date, ts.tv_nsec / 1000);
	return CS_OK;
}

/* Digits, T, Z, separators and a zone offset: the database judges the rest. */
static int looks_like_instant(const char *s)
{
	return *s && strspn(s, "0123456789TtZz:.+- ") == strlen(s);
}

int clock_now_text(char out[CLOCK_TEXT_SIZE], const char *clock_file)
{
	char buf[CLOCK_TEXT_SIZE] = "";
	FILE *f = clock_file && *clock_file ? fopen(clock_file, "r") : NULL;

	if (!f)
		return real_now(out);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!*buf)
		return real_now(out);
	if (!looks_like_instant(buf))
		return cs_error_set(CS_EINVALID, NULL, "the clock file does not hold an instant");
	memcpy(out, buf, sizeof(buf));
	return CS_OK;
}
