#include "pdf/pdf_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Decode one UTF-8 sequence at `s`; sets *len to the bytes used (1 for a bad byte, cp = -1). */
static int32_t utf8_next(const unsigned char *s, size_t *len)
{
	unsigned char c = s[0];
	int n;
	uint32_t cp, min;

	*len = 1;
	if (c < 0x80)
		return c;
	if ((c & 0xE0) == 0xC0) {
		n = 1, cp = c & 0x1Fu, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2, cp = c & 0x0Fu, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3, cp = c & 0x07u, min = 0x10000;
	} else {
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = (size_t)n + 1;
	return (int32_t)cp;
}

/* `cp` as UTF-8 into `out` (room for 3 bytes: only BMP code points come here). */
static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

static uint32_t clean_of(int32_t cp)
{
	if (cp < 0 || cp > 0xFFFF)
		return 0xFFFD;
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
		return ' ';
	if (cp == 0x202F || cp == 0x2009) /* narrow no-break and thin spaces */
		return ' ';
	return (uint32_t)cp;
}

void pdf_text_clean(char *out, size_t cap, const char *text)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t o = 0;

	if (!cap)
		return;
	while (*s) {
		size_t len;
		char buf[3];
		size_t n = utf8_put(buf, clean_of(utf8_next(s, &len)));

		if (o + n + 1 > cap)
			break;
		memcpy(out + o, buf, n);
		o += n;
		s += len;
	}
	out[o] = '\0';
}

size_t pdf_text_next(const char *s, uint32_t *cp)
{
	size_t len;

	if (!*s) {
		*cp = 0;
		return 0;
	}
	int32_t c = utf8_next((const unsigned char *)s, &len);

	*cp = c < 0 ? 0xFFFD : (uint32_t)c;
	return len;
}

static const char *currency_symbol(const char *currency)
{
	static const char *const dollars[] = {"USD", "CAD", "AUD", "NZD", NULL};

	if (!currency)
		return "$";
	for (int i = 0; dollars[i]; i++)
		if (!strcmp(currency, dollars[i]))
			return "$";
	if (!strcmp(currency, "EUR"))
		return "\xE2\x82\xAC";
	if (!strcmp(currency, "GBP"))
		return "\xC2\xA3";
	return NULL;
}

int pdf_text_money(char *out, size_t cap, int64_t cents, const char *currency)
{
	/* The magnitude as unsigned, so INT64_MIN has one too. */
	uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	char units[32], grouped[48];
	const char *symbol = currency_symbol(currency);
	size_t n, g = 0;
	int w;

	snprintf(units, sizeof(units), "%" PRIu64, mag / 100);
	n = strlen(units);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = units[i];
	}
	grouped[g] = '\0';
	if (symbol)
		w = snprintf(out, cap, "%s%s%s.%02u", cents < 0 ? "-" : "", symbol, grouped,
		             (unsigned)(mag % 100));
	else
		w = snprintf(out, cap, "%s%s %s.%02u", cents < 0 ? "-" : "", currency, grouped,
		             (unsigned)(mag % 100));
	return w < 0 || (size_t)w >= cap ? CS_EINVALID : CS_OK;
}

void pdf_text_filename(char *out, size_t cap, const char *text)
{
	size_t o = 0;

	if (!cap)
		return;
	for (const char *s = text ? text : ""; *s && o + 1 < cap; s++) {
		char c = *s;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';

		out[o++] = keep ? c : '_';
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, cap, "document");
}
