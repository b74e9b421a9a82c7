#include "statements/statements_render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
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

static int load_movements(struct statement_view *v)
{
	size_t n = json_array_size(v->movements), i;
	json_t *row;

	v->amounts = calloc(n + 1, sizeof(*v->amounts));
	v->balances = calloc(n + 1, sizeof(*v->balances));
	if (!v->amounts || !v->balances)
		return CS_ENOMEM;
	json_array_foreach(v->movements, i, row) v->amounts[i] =
	        json_integer_value(json_object_get(row, "a"));
	v->st.amounts = v->amounts;
	v->st.balances = v->balances;
	v->st.n_movements = n;
	return CS_OK;
}

int statement_view_load(struct statement_view *v, const json_t *doc)
{
	int rc;

	memset(v, 0, sizeof(*v));
	v->doc = doc;
	v->movements = json_object_get(doc, "movements");
	if (!json_is_array(v->movements) ||
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
	static const char *const keys[] = {"d", "t", "id", "r", "s"};

	if (member >= sizeof(keys) / sizeof(keys[0]))
		return NULL;
	return json_string_value(json_object_get(json_array_get(v->movements, i), keys[member]));
}

static json_t *aging_json(const struct statement *st)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "current_cents",
	                 (json_int_t)st->aging[STATEMENT_CURRENT], "days_1_30_cents",
	                 (json_int_t)st->aging[STATEMENT_1_30], "days_31_60_cents",
	                 (json_int_t)st->aging[STATEMENT_31_60], "days_61_90_cents",
	                 (json_int_t)st->aging[STATEMENT_61_90], "over_90_cents",
	                 (json_int_t)st->aging[STATEMENT_OVER_90], "total_cents",
	                 (json_int_t)st->aging_total_cents);
}

static json_t *transactions_json(const struct statement_view *v)
{
	json_t *items = json_array();

	for (size_t i = 0; items && i < v->st.n_movements; i++) {
		const char *ref = statement_view_text(v, i, 3);

		if (json_array_append_new(items,
		                          json_pack("{s:s, s:s, s:s, s:o, s:s, s:I, s:I}", "date",
		                                    statement_view_text(v, i, 0), "type",
		                                    statement_view_text(v, i, 1), "id",
		                                    statement_view_text(v, i, 2), "reference",
		                                    ref ? json_string(ref) : json_null(),
		                                    "description", statement_view_text(v, i, 4),
		                                    "amount_cents", (json_int_t)v->amounts[i],
		                                    "balance_cents", (json_int_t)v->balances[i])))
			return json_decref(items), NULL;
	}
	return items;
}

int statements_render_json(char **out, size_t *len, const struct statement_view *v)
{
	const json_t *d = v->doc;
	json_t *body = json_pack(
	        "{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "hauler",
	        json_object_get(d, "hauler"), "account", json_object_get(d, "customer"), "location",
	        json_object_get(d, "location"), "from", json_object_get(d, "from"), "to",
	        json_object_get(d, "to"), "generated_on", json_object_get(d, "generated_on"),
	        "currency", json_object_get(json_object_get(d, "hauler"), "currency"),
	        "opening_balance_cents", (json_int_t)v->st.opening_cents, "closing_balance_cents",
	        (json_int_t)v->st.closing_cents, "charges_cents", (json_int_t)v->st.raised_cents,
	        "payments_and_credits_cents", (json_int_t)v->st.lowered_cents, "unapplied_cents",
	        (json_int_t)v->st.unapplied_cents, "aging", aging_json(&v->st), "transactions",
	        transactions_json(v));

	*out = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!*out)
		return cs_error_set(CS_ENOMEM, NULL, "The statement could not be written.");
	*len = strlen(*out);
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
	const char *cells[] = {date, type, id, ref, description, amount, balance};

	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		csv_field(b, cells[i], i == 0);
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
