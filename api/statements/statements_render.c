#include "statements/statements_render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/json_text.h"
#include "core/strbuf.h"

static json_int_t num(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

static int load_owed(struct statement_view *v, const json_t *aging)
{
	size_t i;
	json_t *row;

	v->owed = calloc(json_array_size(aging) + 1, sizeof(*v->owed));
	if (!v->owed)
		return CS_ENOMEM;
	json_array_foreach(aging, i, row)
	{
		if (statement_day(&v->owed[i].due_day, json_string_value(json_array_get(row, 0))) !=
		    CS_OK)
			return CS_EINTERNAL;
		v->owed[i].owed_cents = json_integer_value(json_array_get(row, 1));
	}
	v->st.owed = v->owed;
	v->st.n_owed = json_array_size(aging);
	return CS_OK;
}

/* The movements' columns in `rows`: after the document, date, type, id, reference,
 * description (statement_view_text's members 0-4), then the amount. */
enum { COL_TEXT = 1, COL_CENTS = 6, N_COLS = 7 };

static int load_movements(struct statement_view *v)
{
	size_t n = (size_t)PQntuples(v->rows) - 1, i;
	char *end;

	v->amounts = calloc(n + 1, sizeof(*v->amounts));
	v->balances = calloc(n + 1, sizeof(*v->balances));
	if (!v->amounts || !v->balances)
		return CS_ENOMEM;
	for (i = 0; i < n; i++) {
		const char *cents = PQgetvalue(v->rows, (int)i + 1, COL_CENTS);

		v->amounts[i] = strtoll(cents, &end, 10);
		if (end == cents || *end)
			return CS_EINTERNAL;
	}
	v->st.amounts = v->amounts;
	v->st.balances = v->balances;
	v->st.n_movements = n;
	return CS_OK;
}

int statement_view_load(struct statement_view *v, const json_t *doc, const PGresult *rows)
{
	int rc;

	memset(v, 0, sizeof(*v));
	v->doc = doc;
	v->rows = rows;
	if (PQntuples(rows) < 1 || PQnfields(rows) != N_COLS ||
	    statement_day(&v->st.to_day, json_string_value(json_object_get(doc, "to"))) != CS_OK)
		return cs_error_set(CS_EINTERNAL, NULL, "The statement could not be read.");
	v->st.opening_cents = num(doc, "opening_cents");
	v->st.unapplied_cents = num(doc, "unapplied_cents");
	rc = load_movements(v);
	if (rc == CS_OK)
		rc = load_owed(v, json_object_get(doc, "aging"));
	if (rc != CS_OK)
		return cs_error_set(rc, NULL, "The statement could not be read.");
	statement_compute(&v->st);
	return CS_OK;
}

void statement_view_clear(struct statement_view *v)
{
	free(v->amounts);
	free(v->balances);
	free(v->owed);
	memset(v, 0, sizeof(*v));
}

const char *statement_view_text(const struct statement_view *v, size_t i, size_t member)
{
	int row = (int)i + 1, col = COL_TEXT + (int)member;

	if (member > 4 || PQgetisnull(v->rows, row, col))
		return NULL;
	return PQgetvalue(v->rows, row, col);
}

static int dump_to_strbuf(const char *text, size_t len, void *data)
{
	strbuf_append(data, text, len);
	return 0;
}

static void put_text(struct strbuf *b, const char *text)
{
	strbuf_append(b, text, strlen(text));
}

/* `,"key":` (no comma when `key` starts the object: `{"key":`). */
static void put_key(struct strbuf *b, const char *key)
{
	put_text(b, b->len ? ",\"" : "{\"");
	put_text(b, key);
	put_text(b, "\":");
}

/* `"key":` and `value` as JSON (any value; NULL: null). */
static void put_json(struct strbuf *b, const char *key, const json_t *value)
{
	put_key(b, key);
	if (!value || json_dump_callback(value, dump_to_strbuf, b, JSON_COMPACT | JSON_ENCODE_ANY))
		put_text(b, "null");
}

static void put_int(struct strbuf *b, const char *key, int64_t n)
{
	put_key(b, key);
	json_text_int(b, n);
}

static void put_aging(struct strbuf *b, const struct statement *st)
{
	static const char *const keys[STATEMENT_BUCKETS] = {"current_cents", "days_1_30_cents",
	                                                    "days_31_60_cents", "days_61_90_cents",
	                                                    "over_90_cents"};

	put_text(b, ",\"aging\":{");
	for (int i = 0; i < STATEMENT_BUCKETS; i++) {
		put_text(b, i ? ",\"" : "\"");
		put_text(b, keys[i]);
		put_text(b, "\":");
		json_text_int(b, st->aging[i]);
	}
	put_text(b, ",\"total_cents\":");
	json_text_int(b, st->aging_total_cents);
	put_text(b, "}");
}

/* One transaction object, preceded by a comma unless it is the first. */
static void put_transaction(struct strbuf *b, const struct statement_view *v, size_t i)
{
	static const char *const keys[] = {
	        "{\"date\":", ",\"type\":", ",\"id\":", ",\"reference\":", ",\"description\":"};

	if (i)
		put_text(b, ",");
	for (size_t m = 0; m < sizeof(keys) / sizeof(keys[0]); m++) {
		put_text(b, keys[m]);
		json_text_string(b, statement_view_text(v, i, m));
	}
	put_text(b, ",\"amount_cents\":");
	json_text_int(b, v->amounts[i]);
	put_text(b, ",\"balance_cents\":");
	json_text_int(b, v->balances[i]);
	put_text(b, "}");
}

int statements_render_json(char **out, size_t *len, const struct statement_view *v)
{
	const json_t *d = v->doc;
	struct strbuf b = STRBUF_INIT;

	put_json(&b, "hauler", json_object_get(d, "hauler"));
	put_json(&b, "account", json_object_get(d, "customer"));
	put_json(&b, "location", json_object_get(d, "location"));
	put_json(&b, "from", json_object_get(d, "from"));
	put_json(&b, "to", json_object_get(d, "to"));
	put_json(&b, "generated_on", json_object_get(d, "generated_on"));
	put_json(&b, "currency", json_object_get(json_object_get(d, "hauler"), "currency"));
	put_int(&b, "opening_balance_cents", v->st.opening_cents);
	put_int(&b, "closing_balance_cents", v->st.closing_cents);
	put_int(&b, "charges_cents", v->st.raised_cents);
	put_int(&b, "payments_and_credits_cents", v->st.lowered_cents);
	put_int(&b, "unapplied_cents", v->st.unapplied_cents);
	/* The dashboard's three figures on `to` (issue 17): aging total, unapplied money, closing.
	 */
	put_int(&b, "outstanding_balance_cents", v->st.aging_total_cents);
	put_int(&b, "available_credit_cents", v->st.unapplied_cents);
	put_int(&b, "net_balance_cents", v->st.closing_cents);
	put_aging(&b, &v->st);
	put_text(&b, ",\"transactions\":[");
	for (size_t i = 0; i < v->st.n_movements; i++)
		put_transaction(&b, v, i);
	put_text(&b, "]}");
	*out = strbuf_detach(&b, len);
	if (!*out)
		return cs_error_set(CS_ENOMEM, NULL, "The statement could not be written.");
	return CS_OK;
}

/* Cents as a decimal string: "1234.56", "-0.05". */
static void decimal(char *out, size_t cap, int64_t cents)
{
	uint64_t abs = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;

	snprintf(out, cap, "%s%" PRIu64 ".%02" PRIu64, cents < 0 ? "-" : "", abs / 100, abs % 100);
}

static void csv_row(struct strbuf *b, const char *date, const char *type, const char *id,
                    const char *ref, const char *description, const char *amount,
                    const char *balance)
{
	const char *cells[] = {date, type, id, ref, description};

	/* Text cells are neutralised against formula injection (the reference and description come
	 * from the hauler's data); the amounts are numbers this file formats. */
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		csv_field(b, cells[i], i == 0);
	csv_number(b, amount, false);
	csv_number(b, balance, false);
	csv_end_record(b);
}

int statements_render_csv(char **out, size_t *len, const struct statement_view *v)
{
	struct strbuf b = STRBUF_INIT;
	char amount[32], balance[32];
	const char *from = json_string_value(json_object_get(v->doc, "from"));
	const char *to = json_string_value(json_object_get(v->doc, "to"));

	csv_row(&b, "date", "type", "id", "reference", "description", "amount", "balance");
	decimal(balance, sizeof(balance), v->st.opening_cents);
	csv_row(&b, from, "opening_balance", NULL, NULL, "Opening balance", NULL, balance);
	for (size_t i = 0; i < v->st.n_movements; i++) {
		decimal(amount, sizeof(amount), v->amounts[i]);
		decimal(balance, sizeof(balance), v->balances[i]);
		csv_row(&b, statement_view_text(v, i, 0), statement_view_text(v, i, 1),
		        statement_view_text(v, i, 2), statement_view_text(v, i, 3),
		        statement_view_text(v, i, 4), amount, balance);
	}
	decimal(balance, sizeof(balance), v->st.closing_cents);
	csv_row(&b, to, "closing_balance", NULL, NULL, "Closing balance", NULL, balance);
	*out = strbuf_detach(&b, len);
	if (!*out)
		return cs_error_set(CS_ENOMEM, NULL, "The statement could not be written.");
	return CS_OK;
}
