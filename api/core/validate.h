/*
 * Validation of the text formats the API accepts. Each validator returns true when the value is
 * acceptable; the ones that can fail for several reasons set `*reason` to a sentence for the
 * client.
 */
#ifndef CURBSIDE_CORE_VALIDATE_H
#define CURBSIDE_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* The span of `s` without blanks (space, tab, CR, LF, FF, VT) at either end. */
const char *validate_trim(const char *s, size_t *len);

/* Longest accepted email address (RFC 5321 path limit less the brackets). */
#define VALIDATE_EMAIL_MAX 254

/*
 * Check an email address and write its normalised form (trimmed, lower-cased) into `out`
 * (VALIDATE_EMAIL_MAX + 1 bytes). Leading and trailing blanks are dropped first; an inner blank, a
 * character outside the dot-atom alphabet, a missing or malformed domain or an overlong address
 * is refused with `*reason` naming it.
 */
bool validate_email(const char *in, char out[VALIDATE_EMAIL_MAX + 1], const char **reason);

/* A tenant slug: a lower-case DNS label, 1-63 characters. */
bool validate_slug(const char *s);

/* True for a UUID in canonical text form (36 characters, hex digits and hyphens, any case). */
bool validate_uuid(const char *s);

/* True for a real calendar date written YYYY-MM-DD (years 1900-9999). */
bool validate_date(const char *s);

/* True for a UTC instant written YYYY-MM-DDTHH:MM:SS.ffffffZ (microseconds: a cursor key). */
bool validate_instant_us(const char *s);

/* An absolute http(s) URL of at most 2048 characters without blanks or control characters. */
bool validate_http_url(const char *s);

/* A colour as `#RRGGBB`. */
bool validate_hex_color(const char *s);

/* An ISO 4217 currency code shape: three upper-case letters. */
bool validate_currency(const char *s);

/* The shape of an IANA time zone name ("America/New_York", "UTC"); existence is the database's
 * call. */
bool validate_time_zone_name(const char *s);

/* True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points
 * past U+10FFFF). */
bool validate_utf8(const char *s);

/* Number of Unicode code points in a valid UTF-8 string. */
size_t validate_utf8_length(const char *s);

/* Text for people (names, addresses): no control characters except newlines where `multiline`. */
bool validate_plain_text(const char *s, bool multiline);

/* Password length bounds in characters (DESIGN.md). */
#define VALIDATE_PASSWORD_MIN 10
#define VALIDATE_PASSWORD_MAX 128

#endif
