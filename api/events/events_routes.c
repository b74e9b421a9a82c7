#include "events/events_routes.h"

#include "app.h"
#include "core/validate.h"
#include "events/events_service.h"
#include "http/fields.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const list_filters[] = {"after", "type", "object_id", "from", "to", NULL};

/* The cursor's key is a feed position; http_list_params checked only that this server wrote
 * the cursor's shape, so a hand-made position is refused here before it reaches SQL. */
static void check_cursor(struct field_errors *errs, struct list_params *page)
{
	if (page->has_cursor && !events_cursor_key_valid(page->after.key)) {
		page->has_cursor = false;
		field_errors_add(errs, "cursor", "invalid_cursor",
		                 "Use the next_cursor of a previous page, unchanged.");
	}
}

/* The feed's filters of the query, each checked (an error per bad one into `errs`). */
static void read_filter(struct event_filter *filter, struct field_errors *errs,
                        const struct http_ctx *ctx, bool has_cursor)
{
	filter->after = http_query_param(ctx, "after");
	if (filter->after && !validate_uuid(filter->after))
		field_errors_add(errs, "after", "invalid_parameter", "Use an event's id.");
	else if (filter->after && has_cursor)
		field_errors_add(errs, "after", "invalid_parameter",
		                 "Use either a cursor or after, not both.");
	filter->types = http_query_param(ctx, "type");
	if (filter->types && !events_type_filter_valid(filter->types))
		field_errors_add(
		        errs, "type", "invalid_parameter",
		        "Use one or several (comma-separated) event types, or a family such "
		        "as invoice.*.");
	filter->object_id = http_query_uuid(errs, ctx, "object_id", "Use an object's id.");
	http_query_date_range(errs, ctx, &filter->from, &filter->to);
}

static int list_events(struct http_ctx *ctx)
{
	struct field_errors errs = FIELD_ERRORS_INIT;
	struct event_filter filter;
	struct list_params page;
	char *json = NULL;

	http_list_params(&page, &errs, ctx, CURSOR_KEY_TEXT, list_filters);
	check_cursor(&errs, &page);
	read_filter(&filter, &errs, ctx, page.has_cursor);
	if (!field_errors_empty(&errs))
		return http_reply_field_errors(ctx, &errs);
	int rc = events_list(&json, ctx->app->db, ctx->principal.tenant_id, &filter, &page);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static int get_event(struct http_ctx *ctx)
{
	const char *id = http_path_id(ctx, "id", "event");
	char *json = NULL;

	if (!id)
		return CS_ENOTFOUND;
	int rc = events_get(&json, ctx->app->db, ctx->principal.tenant_id, id);
	return rc == CS_OK ? http_reply_json_text(ctx, 200, json) : rc;
}

static const struct route events_routes[] = {
        {"GET", "/v1/admin/events", AUTH_BACK_OFFICE, list_events},
        {"GET", "/v1/admin/events/:id", AUTH_BACK_OFFICE, get_event},
};

const struct route_table events_route_table = ROUTE_TABLE("events", events_routes);
