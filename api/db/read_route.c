#include "db/read_route.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "db/query.h"

/*
 * The standby's state in one statement. Lag is the usual idiom: none while everything received is
 * replayed, else the age of the last transaction replayed (an overstatement after a quiet spell,
 * which only errs towards the primary); NULL when it cannot be told. A server no longer in
 * recovery (promoted, or the primary itself) is as fresh as it gets.
 */
static const char status_sql[] =
        "SELECT json_build_object('in_recovery', pg_is_in_recovery(), 'streaming', "
        "EXISTS (SELECT 1 FROM pg_stat_wal_receiver), 'lag_ms', CASE WHEN NOT "
        "pg_is_in_recovery() THEN 0 WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
        "THEN 0 ELSE floor(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * "
        "1000)::bigint END, 'replayed', pg_last_wal_replay_lsn())::text";

static struct db_stmt replayed_stmt =
        DB_STMT("read_position_replayed", "SELECT read_position_replayed($1::uuid, $2::pg_lsn)");
static struct db_stmt note_stmt =
        DB_STMT("read_position_note", "SELECT read_position_note($1::uuid)");

/* What the watcher last learnt of the standby. */
struct standby_status {
	bool usable;
	enum db_read_fallback reason; /* why not, when not usable */
	bool in_recovery;
	char replayed[32];    /* pg_last_wal_replay_lsn() as text, while in recovery */
	long long checked_ms; /* monotonic; 0: never */
};

struct db_read_route {
	struct db_pool *primary, *standby;
	char *url;
	int max_lag_ms;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping, started;
	pthread_t thread;
	struct standby_status status;
	atomic_ulong standby_reads;
	atomic_ulong fallbacks[DB_READ_FALLBACKS];
};

static const char *const fallback_names[] = {
        [DB_READ_LAGGING] = "it lags past the bound",
        [DB_READ_NOT_STREAMING] = "it is not streaming from a primary",
        [DB_READ_UNREACHABLE] = "it cannot be reached",
        [DB_READ_NOT_REPLAYED] = "",
        [DB_READ_FAILED] = "",
};

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Judge the answer of status_sql. */
static void read_status(struct standby_status *st, const json_t *doc, int max_lag_ms)
{
	const json_t *lag = json_object_get(doc, "lag_ms");
	const char *replayed = json_string_value(json_object_get(doc, "replayed"));

	st->in_recovery = json_is_true(json_object_get(doc, "in_recovery"));
	if (!json_is_object(doc)) {
		st->reason = DB_READ_UNREACHABLE;
	} else if (!st->in_recovery) {
		st->usable = true;
	} else if (!json_is_true(json_object_get(doc, "streaming")) || !json_is_integer(lag) ||
	           !replayed || strlen(replayed) >= sizeof(st->replayed)) {
		st->reason = DB_READ_NOT_STREAMING;
	} else if (json_integer_value(lag) > max_lag_ms) {
		st->reason = DB_READ_LAGGING;
	} else {
		snprintf(st->replayed, sizeof(st->replayed), "%s", replayed);
		st->usable = true;
	}
}

/* Ask the standby on the watcher's own connection (made again whenever it is lost). */
static void check_standby(struct standby_status *st, PGconn **conn, const char *url, int max_lag_ms)
{
	static const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *values[] = {"3", "curbside standby watch", url, NULL};

	memset(st, 0, sizeof(*st));
	st->reason = DB_READ_UNREACHABLE;
	if (*conn && PQstatus(*conn) != CONNECTION_OK) {
		PQfinish(*conn);
		*conn = NULL;
	}
	if (!*conn)
		*conn = PQconnectdbParams(keys, values, 1);
	if (*conn && PQstatus(*conn) == CONNECTION_OK) {
		PGresult *res = PQexec(*conn, status_sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
			json_t *doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
			read_status(st, doc, max_lag_ms);
			json_decref(doc);
		}
		PQclear(res);
	}
	if (!st->usable && st->reason == DB_READ_UNREACHABLE && *conn) {
		PQfinish(*conn);
		*conn = NULL;
	}
	st->checked_ms = monotonic_ms();
}

/* Say when the standby starts or stops being used, not at every check. */
static void log_change(const struct standby_status *was, const struct standby_status *now)
{
	if (now->usable && (!was->usable || was->checked_ms == 0))
		LOG_INFO("standby reads: the standby serves heavy portal reads");
	else if (!now->usable && (was->usable || was->reason != now->reason))
		LOG_WARN("standby reads: the standby is skipped (%s); reads go to the primary",
		         fallback_names[now->reason]);
}

static void wait_ms(struct db_read_route *r, int ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!r->stopping && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
		;
}

static void *watch(void *arg)
{
	struct db_read_route *r = arg;
	PGconn *conn = NULL;
	struct standby_status st;
	sigset_t all;

	/* SIGTERM and SIGINT belong to the main thread's clean shutdown. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&r->lock);
	while (!r->stopping) {
		pthread_mutex_unlock(&r->lock);
		check_standby(&st, &conn, r->url, r->max_lag_ms);
		pthread_mutex_lock(&r->lock);
		log_change(&r->status, &st);
		r->status = st;
		wait_ms(r, DB_READ_WATCH_MS);
	}
	pthread_mutex_unlock(&r->lock);
	PQfinish(conn);
	return NULL;
}

int db_read_route_open(struct db_read_route **out, struct db_pool *primary, struct db_pool *standby,
                       const char *standby_url, int max_lag_ms)
{
	struct db_read_route *r = calloc(1, sizeof(*r));
	pthread_condattr_t attr;

	*out = NULL;
	if (!r || !(r->url = strdup(standby_url))) {
		free(r);
		return CS_ENOMEM;
	}
	r->primary = primary;
	r->standby = standby;
	r->max_lag_ms = max_lag_ms;
	r->status.reason = DB_READ_UNREACHABLE; /* until the first check */
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&r->thread, NULL, watch, r) != 0) {
		db_read_route_close(r);
		return cs_error_set(CS_EINTERNAL, NULL, "The standby watcher could not start.");
	}
	r->started = true;
	*out = r;
	return CS_OK;
}

void db_read_route_close(struct db_read_route *r)
{
	if (!r)
		return;
	if (r->started) {
		pthread_mutex_lock(&r->lock);
		r->stopping = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->url);
	free(r);
}

/* Whether the standby, having replayed up to `replayed`, holds every write the session made.
 * Asked of the primary; a lookup that fails answers no (the read then goes to the primary, whose
 * own failure, if it is down, is the request's answer). */
static bool session_replayed(struct db_read_route *r, const char *session_id, const char *replayed)
{
	const char *params[] = {session_id, replayed};
	struct cs_error_saved kept;
	char *answer = NULL;

	cs_error_save(&kept);
	int rc = db_query_text(&answer, r->primary, &replayed_stmt, DB_PARAMS(params));
	cs_error_restore(&kept);
	bool yes = rc == CS_OK && answer && !strcmp(answer, "t");
	free(answer);
	return yes;
}

struct db_pool *db_read_route_pick(struct db_read_route *r, const char *session_id)
{
	struct standby_status st;

	pthread_mutex_lock(&r->lock);
	st = r->status;
	pthread_mutex_unlock(&r->lock);
	if (st.usable && monotonic_ms() - st.checked_ms > DB_READ_STATUS_MAX_AGE_MS) {
		st.usable = false;
		st.reason = DB_READ_UNREACHABLE;
	}
	/* Not in recovery: the read server is a primary, with everything written to it. */
	if (st.usable && st.in_recovery && session_id && *session_id &&
	    !session_replayed(r, session_id, st.replayed)) {
		st.usable = false;
		st.reason = DB_READ_NOT_REPLAYED;
	}
	if (!st.usable) {
		atomic_fetch_add_explicit(&r->fallbacks[st.reason], 1, memory_order_relaxed);
		return r->primary;
	}
	atomic_fetch_add_explicit(&r->standby_reads, 1, memory_order_relaxed);
	return r->standby;
}

struct db_pool *db_read_route_failed(struct db_read_route *r)
{
	pthread_mutex_lock(&r->lock);
	if (r->status.usable) {
		r->status.usable = false;
		r->status.reason = DB_READ_UNREACHABLE;
	}
	pthread_mutex_unlock(&r->lock);
	atomic_fetch_add_explicit(&r->fallbacks[DB_READ_FAILED], 1, memory_order_relaxed);
	return r->primary;
}

bool db_read_route_is_standby(const struct db_read_route *r, const struct db_pool *pool)
{
	return r && pool == r->standby;
}

void db_read_route_note_write(struct db_read_route *r, const char *session_id)
{
	const char *params[] = {session_id};
	struct cs_error_saved kept;
	char *answer = NULL;

	cs_error_save(&kept);
	if (db_query_text(&answer, r->primary, &note_stmt, DB_PARAMS(params)) != CS_OK)
		LOG_WARN("standby reads: the session's write position was not remembered; its "
		         "reads may miss its write until the standby replays it");
	cs_error_restore(&kept);
	free(answer);
}

void db_read_route_stats(const struct db_read_route *r, struct db_read_route_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->standby = atomic_load_explicit(&r->standby_reads, memory_order_relaxed);
	for (int i = 0; i < DB_READ_FALLBACKS; i++)
		out->fallbacks[i] = atomic_load_explicit(&r->fallbacks[i], memory_order_relaxed);
}
