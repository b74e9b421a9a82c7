#include "core/csv.h"

#include <string.h>

/* Full-width forms of = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20) in UTF-8. */
static const char *const wide_leads[] = {"\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d",
                                         "\xef\xbc\xa0"};

bool csv_is_formula_like(const char *text)
{
	if (!text || !*text)
		return false;
	if (strchr("=+-@\t\r", *text))
		return true;
	for (size_t i = 0; i < sizeof(wide_leads) / sizeof(wide_leads[0]); i++)
		if (!strncmp(text, wide_leads[i], strlen(wide_leads[i])))
			return true;
	return false;
}

/* Append `text` quoted, its double quotes doubled, after `prefix` (inside the quotes). */
static void quoted(struct strbuf *b, const char *prefix, const char *text)
{
	strbuf_append(b, "\"", 1);
	strbuf_append(b, prefix, strlen(prefix));
	for (const char *p = text; *p; p++) {
		const char *q = strchr(p, '"');
		size_t run = q ? (size_t)(q - p) : strlen(p);

		strbuf_append(b, p, run);
		if (!q)
			break;
		strbuf_append(b, "\"\"", 2);
		p = q;
	}
	strbuf_append(b, "\"", 1);
}

/* One field as RFC 4180 writes it, `prefix` first. */
static void raw_field(struct strbuf *b, const char *prefix, const char *text)
{
	if (strpbrk(text, ",;\"\r\n")) {
		quoted(b, prefix, text);
		return;
	}
	strbuf_append(b, prefix, strlen(prefix));
	strbuf_append(b, text, strlen(text));
}

void csv_field(struct strbuf *b, const char *text, bool first)
{
	if (!first)
		strbuf_append(b, ",", 1);
	if (text)
		raw_field(b, csv_is_formula_like(text) ? "'" : "", text);
}

#define DIGITS "0123456789"

/* -?[0-9]+(\.[0-9]+)? */
static bool is_decimal(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	if (!(n = strspn(s, DIGITS)))
		return false;
	s += n;
	if (*s == '.') {
		if (!(n = strspn(++s, DIGITS)))
			return false;
		s += n;
	}
	return *s == '\0';
}

void csv_number(struct strbuf *b, const char *number, bool first)
{
	if (!number || !is_decimal(number)) {
		csv_field(b, number, first);
		return;
	}
	if (!first)
		strbuf_append(b, ",", 1);
	strbuf_append(b, number, strlen(number));
}

void csv_end_record(struct strbuf *b)
{
	strbuf_append(b, "\r\n", 2);
}
