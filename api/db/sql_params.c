#include "db/sql_params.h"

#include <stdbool.h>
#include <string.h>

#include "core/log.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A character of a tag ($tag$): ASCII letters, digits and '_' (locale-free: SQL is ASCII here). */
static bool is_tag_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* A character that may continue an identifier: a '$' after one is part of it, not a placeholder. */
static bool is_ident_char(char c)
{
	return is_tag_char(c) || c == '$' || (unsigned char)c >= 0x80;
}

/* After the quote that opened '…' (or E'…' when `backslashes`): past the closing quote. */
static const char *skip_quoted(const char *p, char quote, bool backslashes)
{
	for (; *p; p++) {
		if (backslashes && *p == '\\' && p[1])
			p++;
		else if (*p == quote && p[1] == quote)
			p++; /* a doubled quote stands for itself */
		else if (*p == quote)
			return p + 1;
	}
	return p;
}

/* After the opening "/" + "*": past the matching close (block comments nest in PostgreSQL). */
static const char *skip_block_comment(const char *p)
{
	int depth = 1;

	while (*p && depth > 0) {
		if (p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
		} else if (p[0] == '*' && p[1] == '/') {
			depth--;
			p += 2;
		} else {
			p++;
		}
	}
	return p;
}

/*
 * At a '$' that is not a placeholder: when it opens a dollar-quoted string ($$ or $tag$), past its
 * end; otherwise just past the '$'.
 */
static const char *skip_dollar_quoted(const char *p)
{
	const char *tag_end = p + 1;

	while (is_tag_char(*tag_end))
		tag_end++;
	if (*tag_end != '$')
		return p + 1;
	size_t tag_len = (size_t)(tag_end - p) + 1;
	const char *close = p + tag_len;
	while ((close = strchr(close, '$')) && strncmp(close, p, tag_len) != 0)
		close++;
	return close ? close + tag_len : p + strlen(p);
}

/* At a '$' followed by a digit: the placeholder's number; *end is past it. */
static int placeholder_number(const char *p, const char **end)
{
	int n = 0;

	for (p++; is_digit(*p); p++)
		if (n < 100000)
			n = n * 10 + (*p - '0');
	*end = p;
	return n;
}

int db_sql_param_count(const char *sql)
{
	const char *p = sql;
	int highest = 0;

	while (*p) {
		bool after_ident = p > sql && is_ident_char(p[-1]);

		if (*p == '\'') {
			bool escapes = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
			               !(p - 1 > sql && is_ident_char(p[-2]));
			p = skip_quoted(p + 1, '\'', escapes);
		} else if (*p == '"') {
			p = skip_quoted(p + 1, '"', false);
		} else if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			p = skip_block_comment(p + 2);
		} else if (*p == '$' && !after_ident && is_digit(p[1])) {
			int n = placeholder_number(p, &p);
			if (n > highest)
				highest = n;
		} else if (*p == '$' && !after_ident) {
			p = skip_dollar_quoted(p);
		} else {
			p++;
		}
	}
	return highest;
}

int db_params_slot(const char *const *params, int nparams, const char *marker)
{
	int found = -1;

	for (int i = 0; i < nparams; i++) {
		if (params[i] != marker)
			continue;
		if (found >= 0)
			return -1;
		found = i;
	}
	return found;
}

int db_params_check(const char *name, int wanted, int given)
{
	if (given == wanted)
		return CS_OK;
	LOG_ERROR("statement %s takes %d parameters but was given %d", name, wanted, given);
	return cs_error_set(CS_EINTERNAL, "internal_error", "Internal error.");
}
