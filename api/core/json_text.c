#include "core/json_text.h"

#include <stdbool.h>
#include <string.h>

/* The escape of byte `c` into `out`; its length, 0 when the byte needs none. */
static size_t escape(char out[6], unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	static const char named[][3] = {
	        ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r",
	        ['\t'] = "\\t", ['\b'] = "\\b",  ['\f'] = "\\f"};

	if (c < sizeof(named) / sizeof(named[0]) && named[c][0]) {
		memcpy(out, named[c], 2);
		return 2;
	}
	if (c >= 0x20)
		return 0;
	memcpy(out, "\\u00", 4);
	out[4] = hex[c >> 4];
	out[5] = hex[c & 15];
	return 6;
}

/* The bytes a JSON string cannot hold as they are: controls, the quote and the backslash. */
static const bool needs_escape[256] = {
        [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
        [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
        [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
        [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
        [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1};

void json_text_string(struct strbuf *b, const char *text)
{
	const char *run = text;
	char esc[6];

	if (!text) {
		strbuf_append(b, "null", 4);
		return;
	}
	strbuf_append(b, "\"", 1);
	for (const char *p = text; *p; p++) {
		if (!needs_escape[(unsigned char)*p])
			continue;
		size_t n = escape(esc, (unsigned char)*p);
		strbuf_append(b, run, (size_t)(p - run));
		strbuf_append(b, esc, n);
		run = p + 1;
	}
	strbuf_append(b, run, strlen(run));
	strbuf_append(b, "\"", 1);
}

void json_text_int(struct strbuf *b, int64_t n)
{
	char digits[24], *p = digits + sizeof(digits);
	uint64_t v = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (n < 0)
		*--p = '-';
	strbuf_append(b, p, (size_t)(digits + sizeof(digits) - p));
}
