#include "core/csv.h"

#include <string.h>

void csv_field(struct strbuf *b, const char *text, bool first)
{
	if (!first)
		strbuf_append(b, ",", 1);
	if (!text)
		return;
	if (!strpbrk(text, ",\"\r\n")) {
		strbuf_append(b, text, strlen(text));
		return;
	}
	strbuf_append(b, "\"", 1);
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

void csv_end_record(struct strbuf *b)
{
	strbuf_append(b, "\r\n", 2);
}
