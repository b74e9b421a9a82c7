#include "http/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/password.h"
#include "core/strbuf.h"

static const int tracked_statuses[] = {200, 201, 202, 204, 400, 401, 402, 403, 404, 405,
                                       409, 410, 413, 415, 422, 429, 500, 502, 503};
#define STATUS_SLOTS (sizeof(tracked_statuses) / sizeof(tracked_statuses[0]) + 1) /* + other */

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct route_metrics {
	atomic_ulong by_status[STATUS_SLOTS];
	atomic_ulong buckets[BUCKETS]; /* non-cumulative; summed when rendered */
	atomic_ulong count;
	atomic_ulong sum_us;
};

static struct {
	int count; /* routes, plus the unmatched slot 0 */
	const char *const *names;
	const char *const *methods;
	struct route_metrics *routes;
} m;

int metrics_init(const char *const *names, const char *const *methods, int count)
{
	m.routes = calloc((size_t)count + 1, sizeof(*m.routes));
	if (!m.routes)
		return CS_ENOMEM;
	m.count = count + 1;
	m.names = names;
	m.methods = methods;
	return CS_OK;
}

void metrics_release(void)
{
	free(m.routes);
	m.routes = NULL;
	m.count = 0;
}

static size_t status_slot(int status)
{
	for (size_t i = 0; i < STATUS_SLOTS - 1; i++)
		if (tracked_statuses[i] == status)
			return i;
	return STATUS_SLOTS - 1;
}

void metrics_record(int index, int status, double seconds)
{
	if (!m.routes || index < 0 || index >= m.count)
		return;
	struct route_metrics *r = &m.routes[index];
	size_t b = 0;

	while (b < BUCKETS && seconds > bucket_bounds[b])
		b++;
	atomic_fetch_add_explicit(&r->by_status[status_slot(status)], 1, memory_order_relaxed);
	if (b < BUCKETS)
		atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->sum_us, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

static const char *route_name(int i)
{
	return i == METRICS_UNMATCHED ? "unmatched" : m.names[i - 1];
}

static const char *route_method(int i)
{
	return i == METRICS_UNMATCHED ? "*" : m.methods[i - 1];
}

static void render_requests(struct strbuf *b)
{
	strbuf_printf(b, "# HELP curbside_http_requests_total HTTP requests by route and status.\n"
	                 "# TYPE curbside_http_requests_total counter\n");
	for (int i = 0; i < m.count; i++) {
		for (size_t s = 0; s < STATUS_SLOTS; s++) {
			unsigned long n = atomic_load_explicit(&m.routes[i].by_status[s],
			                                       memory_order_relaxed);
			if (n == 0)
				continue;
			char status[8];
			if (s < STATUS_SLOTS - 1)
				snprintf(status, sizeof(status), "%d", tracked_statuses[s]);
			else
				snprintf(status, sizeof(status), "other");
			strbuf_printf(b,
			              "curbside_http_requests_total{route=\"%s\",method=\"%s\","
			              "status=\"%s\"} %lu\n",
			              route_name(i), route_method(i), status, n);
		}
	}
}

/* A route's histogram is labelled by method too: two methods of one path are two series. */
static void render_latency(struct strbuf *b)
{
	strbuf_printf(b, "# HELP curbside_http_request_duration_seconds Time to answer, by route "
	                 "and method.\n"
	                 "# TYPE curbside_http_request_duration_seconds histogram\n");
	for (int i = 0; i < m.count; i++) {
		struct route_metrics *r = &m.routes[i];
		unsigned long count = atomic_load_explicit(&r->count, memory_order_relaxed);
		unsigned long cumulative = 0;
		const char *route = route_name(i), *method = route_method(i);
		if (count == 0)
			continue;
		for (size_t k = 0; k < BUCKETS; k++) {
			cumulative += atomic_load_explicit(&r->buckets[k], memory_order_relaxed);
			strbuf_printf(b,
			              "curbside_http_request_duration_seconds_bucket{route=\"%s\","
			              "method=\"%s\",le=\"%g\"} %lu\n",
			              route, method, bucket_bounds[k], cumulative);
		}
		strbuf_printf(
		        b,
		        "curbside_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
		        "le=\"+Inf\"} %lu\n"
		        "curbside_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} "
		        "%.6f\n"
		        "curbside_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} "
		        "%lu\n",
		        route, method, count, route, method, (double)atomic_load(&r->sum_us) / 1e6,
		        route, method, count);
	}
}

static void render_pool(struct strbuf *b, const struct db_pool_stats *p)
{
	strbuf_printf(b,
	              "# HELP curbside_db_pool_size Database connections the pool may hold.\n"
	              "# TYPE curbside_db_pool_size gauge\n"
	              "curbside_db_pool_size %d\n"
	              "# HELP curbside_db_pool_connections Connections by state.\n"
	              "# TYPE curbside_db_pool_connections gauge\n"
	              "curbside_db_pool_connections{state=\"in_use\"} %d\n"
	              "curbside_db_pool_connections{state=\"idle\"} %d\n"
	              "# HELP curbside_db_pool_waiting Requests waiting for a connection.\n"
	              "# TYPE curbside_db_pool_waiting gauge\n"
	              "curbside_db_pool_waiting %d\n"
	              "# HELP curbside_db_pool_timeouts_total Checkouts that gave up waiting.\n"
	              "# TYPE curbside_db_pool_timeouts_total counter\n"
	              "curbside_db_pool_timeouts_total %lu\n"
	              "# HELP curbside_db_pool_connects_total Connections opened (including "
	              "reconnects).\n"
	              "# TYPE curbside_db_pool_connects_total counter\n"
	              "curbside_db_pool_connects_total %lu\n"
	              "# HELP curbside_db_retries_total Statements run again after a deadlock or "
	              "a serialization failure.\n"
	              "# TYPE curbside_db_retries_total counter\n"
	              "curbside_db_retries_total %lu\n",
	              p->size, p->in_use, p->size - p->in_use, p->waiting, p->timeouts,
	              p->reconnects, p->retries);
}

static atomic_ulong mail_outcomes[3]; /* by enum metrics_mail_outcome */

void metrics_mail_record(enum metrics_mail_outcome outcome)
{
	if ((unsigned)outcome < 3)
		atomic_fetch_add_explicit(&mail_outcomes[outcome], 1, memory_order_relaxed);
}

static void render_mail(struct strbuf *b)
{
	strbuf_printf(b,
	              "# HELP curbside_mail_attempts_total Email send attempts by outcome (sent, "
	              "retried later, failed for good).\n"
	              "# TYPE curbside_mail_attempts_total counter\n"
	              "curbside_mail_attempts_total{outcome=\"sent\"} %lu\n"
	              "curbside_mail_attempts_total{outcome=\"retried\"} %lu\n"
	              "curbside_mail_attempts_total{outcome=\"failed\"} %lu\n",
	              atomic_load(&mail_outcomes[METRICS_MAIL_SENT]),
	              atomic_load(&mail_outcomes[METRICS_MAIL_RETRIED]),
	              atomic_load(&mail_outcomes[METRICS_MAIL_FAILED]));
}

static void render_password(struct strbuf *b)
{
	struct password_stats st;

	password_stats_read(&st);
	strbuf_printf(b,
	              "# HELP curbside_password_hashes_total Password hashes (argon2id) run, by "
	              "purpose: sign-ins, or other (sign-ups, resets, password changes).\n"
	              "# TYPE curbside_password_hashes_total counter\n"
	              "curbside_password_hashes_total{purpose=\"login\"} %lu\n"
	              "curbside_password_hashes_total{purpose=\"other\"} %lu\n"
	              "# HELP curbside_password_busy_total Requests refused with 503 server_busy "
	              "because their share of the hashing gate was full, by purpose.\n"
	              "# TYPE curbside_password_busy_total counter\n"
	              "curbside_password_busy_total{purpose=\"login\"} %lu\n"
	              "curbside_password_busy_total{purpose=\"other\"} %lu\n",
	              st.hashes[PASSWORD_FOR_LOGIN], st.hashes[PASSWORD_FOR_OTHER],
	              st.busy[PASSWORD_FOR_LOGIN], st.busy[PASSWORD_FOR_OTHER]);
}

static void render_reads(struct strbuf *b, const struct db_read_route_stats *r)
{
	static const char *const reasons[] = {
	        [DB_READ_LAGGING] = "lagging",         [DB_READ_NOT_STREAMING] = "not_streaming",
	        [DB_READ_UNREACHABLE] = "unreachable", [DB_READ_NOT_REPLAYED] = "not_replayed",
	        [DB_READ_FAILED] = "failed",
	};

	strbuf_printf(b,
	              "# HELP curbside_standby_reads_total Heavy portal reads sent to the standby "
	              "(CURBSIDE_DATABASE_READ_URL).\n"
	              "# TYPE curbside_standby_reads_total counter\n"
	              "curbside_standby_reads_total %lu\n"
	              "# HELP curbside_standby_fallbacks_total Heavy portal reads sent to the "
	              "primary instead, by reason (failed: sent to the standby, run again on the "
	              "primary).\n"
	              "# TYPE curbside_standby_fallbacks_total counter\n",
	              r->standby);
	for (int i = 0; i < DB_READ_FALLBACKS; i++)
		strbuf_printf(b, "curbside_standby_fallbacks_total{reason=\"%s\"} %lu\n",
		              reasons[i], r->fallbacks[i]);
}

char *metrics_render(size_t *len, const struct db_pool_stats *pool,
                     const struct db_read_route_stats *reads)
{
	struct strbuf b = STRBUF_INIT;

	render_requests(&b);
	render_latency(&b);
	render_pool(&b, pool);
	if (reads)
		render_reads(&b, reads);
	render_mail(&b);
	render_password(&b);
	return strbuf_detach(&b, len);
}
