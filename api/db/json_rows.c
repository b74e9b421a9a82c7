#include "db/json_rows.h"

#include <string.h>

#include "core/cursor.h"
#include "core/json_text.h"
#include "core/log.h"

/* The number of result columns `shape` reads. */
static int columns_read(const struct json_shape *shape)
{
	int n = 0;

	for (size_t i = 0; i < shape->count; i++)
		n += shape->columns[i].kind != COL_OBJECT && shape->columns[i].kind != COL_END;
	return n;
}

bool json_shape_fits(const struct json_shape *shape, const PGresult *res)
{
	return PQnfields(res) == shape->first_column + columns_read(shape);
}

/* The index in `shape` of the COL_END that closes the object opened at `open`, and the number of
 * columns its members read into `*columns`. */
static size_t object_end(const struct json_shape *shape, size_t open, int *columns)
{
	size_t i = open + 1;
	int depth = 1;

	*columns = 0;
	for (; i < shape->count; i++) {
		enum json_column_kind kind = shape->columns[i].kind;

		if (kind == COL_OBJECT)
			depth++;
		else if (kind == COL_END && --depth == 0)
			break;
		else if (kind != COL_END)
			(*columns)++;
	}
	return i;
}

static void member_name(struct strbuf *b, bool *first, const char *name)
{
	if (!*first)
		strbuf_append(b, ",", 1);
	*first = false;
	strbuf_append(b, "\"", 1);
	strbuf_append(b, name, strlen(name));
	strbuf_append(b, "\":", 2);
}

static void scalar(struct strbuf *b, enum json_column_kind kind, const PGresult *res, int row,
                   int col)
{
	if (PQgetisnull(res, row, col)) {
		strbuf_append(b, "null", 4);
		return;
	}
	const char *text = PQgetvalue(res, row, col);
	switch (kind) {
	case COL_STRING:
		json_text_string(b, text);
		break;
	case COL_BOOL:
		if (text[0] == 't')
			strbuf_append(b, "true", 4);
		else
			strbuf_append(b, "false", 5);
		break;
	default: /* COL_NUMBER, COL_RAW: already JSON */
		strbuf_append(b, text, (size_t)PQgetlength(res, row, col));
		break;
	}
}

void json_rows_members(struct strbuf *b, const PGresult *res, int row,
                       const struct json_shape *shape)
{
	bool first = true;
	int col = shape->first_column;

	for (size_t i = 0; i < shape->count; i++) {
		const struct json_column *c = &shape->columns[i];
		int skipped;

		switch (c->kind) {
		case COL_OBJECT:
			member_name(b, &first, c->name);
			if (PQgetisnull(res, row, col)) {
				strbuf_append(b, "null", 4);
				i = object_end(shape, i, &skipped);
				col += skipped;
			} else {
				strbuf_append(b, "{", 1);
				first = true;
			}
			break;
		case COL_END:
			strbuf_append(b, "}", 1);
			first = false;
			break;
		case COL_HIDDEN:
			col++;
			break;
		default:
			member_name(b, &first, c->name);
			scalar(b, c->kind, res, row, col++);
			break;
		}
	}
}

void json_rows_object(struct strbuf *b, const PGresult *res, int row,
                      const struct json_shape *shape)
{
	strbuf_append(b, "{", 1);
	json_rows_members(b, res, row, shape);
	strbuf_append(b, "}", 1);
}

/* "next_cursor": the cursor of row `row`'s keys. */
static int next_cursor(struct strbuf *b, const PGresult *res, int row, struct json_page_keys keys)
{
	char cursor[CURSOR_MAX_LENGTH + 1];
	int rc = cursor_encode(cursor, PQgetvalue(res, row, keys.key_column),
	                       PQgetvalue(res, row, keys.id_column));

	if (rc != CS_OK) {
		LOG_ERROR("a sort key too long for a cursor (%d bytes)",
		          PQgetlength(res, row, keys.key_column));
		return CS_EINTERNAL;
	}
	json_text_string(b, cursor);
	return CS_OK;
}

/* About the length of a page of `rows` rows: their values, and each member's name and
 * punctuation. Strings that need escapes make it longer; the buffer grows then. */
static size_t page_size_estimate(const PGresult *res, const struct json_shape *shape, int rows)
{
	size_t names = 0, values = 0;
	int columns = PQnfields(res);

	for (size_t i = 0; i < shape->count; i++)
		names += shape->columns[i].name ? strlen(shape->columns[i].name) + 6 : 1;
	for (int row = 0; row < rows; row++)
		for (int col = 0; col < columns; col++)
			values += (size_t)PQgetlength(res, row, col);
	return 64 + (size_t)rows * (names + 2) + values + values / 8;
}

int json_rows_page(char **out, const PGresult *res, const struct json_shape *shape, int limit,
                   struct json_page_keys keys)
{
	struct strbuf b = STRBUF_INIT;
	int rows = PQntuples(res), items = rows < limit ? rows : limit, rc = CS_OK;

	*out = NULL;
	if (!json_shape_fits(shape, res)) {
		LOG_ERROR("a result of %d columns for a shape of %d from column %d", PQnfields(res),
		          columns_read(shape), shape->first_column);
		return cs_error_set(CS_EINTERNAL, "internal_error", "Internal error.");
	}
	strbuf_reserve(&b, page_size_estimate(res, shape, items));
	strbuf_append(&b, "{\"items\":[", 10);
	for (int row = 0; row < items; row++) {
		if (row)
			strbuf_append(&b, ",", 1);
		json_rows_object(&b, res, row, shape);
	}
	strbuf_append(&b, "],\"next_cursor\":", 16);
	if (rows > limit)
		rc = next_cursor(&b, res, limit - 1, keys);
	else
		strbuf_append(&b, "null", 4);
	strbuf_append(&b, "}", 1);
	if (rc != CS_OK) {
		strbuf_release(&b);
		return cs_error_set(rc, "internal_error", "Internal error.");
	}
	return (*out = strbuf_detach(&b, NULL)) ? CS_OK : CS_ENOMEM;
}
