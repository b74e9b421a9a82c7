#include "http/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/log.h"
#include "db/pool.h"
#include "http/env.h"
#include "http/reply.h"

static struct db_stmt claim_stmt =
        DB_STMT("idempotency_claim",
                "SELECT state, id, status, body FROM idempotency_claim($1, $2, $3, $4, $5::int)");

static struct db_stmt release_stmt =
        DB_STMT("idempotency_release", "SELECT idempotency_release($1)");

static struct db_stmt yield_stmt = DB_STMT("idempotency_yield", "SELECT idempotency_yield($1)");

/* Printable ASCII only: a key travels in a header and is compared byte for byte. */
static bool key_is_printable(const char *key)
{
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

bool idempotency_read_key(struct idempotency *idem, struct http_ctx *ctx)
{
	const char *key = http_header(ctx, "Idempotency-Key");

	memset(idem, 0, sizeof(*idem));
	if (!key) {
		http_reply_problem(
		        ctx, 400, "idempotency_key_required",
		        "This request must not happen twice: send an Idempotency-Key header (a "
		        "new UUID, say) and send the same key again when you retry it.",
		        NULL);
		return false;
	}
	size_t len = strlen(key);
	if (len == 0 || len > IDEMPOTENCY_KEY_MAX || !key_is_printable(key)) {
		http_reply_problem(
		        ctx, 400, "invalid_idempotency_key",
		        "The Idempotency-Key must be 1 to 255 printable ASCII characters.", NULL);
		return false;
	}
	idem->key = key;
	return true;
}

/* SHA-256 of "METHOD\nPATH\nBODY": the same key must come with the same request. */
static int fingerprint(char out[HASH_SHA256_HEX_SIZE], const struct http_ctx *ctx)
{
	const struct _u_request *req = ctx->req;
	const char *method = req->http_verb ? req->http_verb : "";
	const char *path = req->url_path ? req->url_path : "";
	size_t mlen = strlen(method), plen = strlen(path), blen = req->binary_body_length;
	char *buf = malloc(mlen + plen + blen + 2);
	int rc;

	if (!buf)
		return CS_ENOMEM;
	memcpy(buf, method, mlen);
	buf[mlen] = '\n';
	memcpy(buf + mlen + 1, path, plen);
	buf[mlen + 1 + plen] = '\n';
	if (blen)
		memcpy(buf + mlen + plen + 2, req->binary_body, blen);
	rc = hash_sha256_hex(out, buf, mlen + plen + blen + 2);
	free(buf);
	return rc;
}

/* Answer the stored response of the first request again. */
static int replay(struct http_ctx *ctx, const PGresult *res)
{
	int status = atoi(PQgetvalue(res, 0, 2));
	const char *body = PQgetvalue(res, 0, 3);

	http_set_header(ctx, "Idempotent-Replayed", "true");
	return http_reply_answer(ctx, status, body);
}

/* Act on the claim's state; fills idem->claim_id when the request is new. */
static int judge_claim(struct idempotency *idem, bool *replayed, struct http_ctx *ctx,
                       const PGresult *res)
{
	const char *state = PQgetvalue(res, 0, 0);

	if (!strcmp(state, "new")) {
		snprintf(idem->claim_id, sizeof(idem->claim_id), "%s", PQgetvalue(res, 0, 1));
		return CS_OK;
	}
	if (!strcmp(state, "replay")) {
		*replayed = true;
		return replay(ctx, res);
	}
	if (!strcmp(state, "reused"))
		return cs_error_set(
		        CS_EINVALID, "idempotency_key_reused",
		        "This Idempotency-Key was already used for a different request; "
		        "use a new key for a new request.");
	if (!strcmp(state, "in_use"))
		return cs_error_set(CS_ECONFLICT, "idempotency_key_in_use",
		                    "A request with this Idempotency-Key is still being processed; "
		                    "retry in a moment.");
	LOG_ERROR("idempotency_claim answered an unknown state");
	return CS_EINTERNAL;
}

int idempotency_claim(struct idempotency *idem, bool *replayed, struct http_ctx *ctx)
{
	char hash[HASH_SHA256_HEX_SIZE], principal[64], lease[16];
	struct db_conn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	*replayed = false;
	idem->claim_id[0] = '\0';
	if ((rc = fingerprint(hash, ctx)) != CS_OK)
		return rc;
	http_principal_name(ctx, principal, sizeof(principal));
	snprintf(lease, sizeof(lease), "%d", IDEMPOTENCY_LEASE_SECONDS);
	const char *params[] = {ctx->principal.tenant_id, principal, idem->key, hash, lease};
	if ((rc = db_checkout(&conn, ctx->env->db)) != CS_OK)
		return rc;
	rc = db_exec(&res, conn, &claim_stmt, DB_PARAMS(params));
	db_release(conn);
	if (rc != CS_OK)
		return rc;
	rc = PQntuples(res) == 1 ? judge_claim(idem, replayed, ctx, res) : CS_EINTERNAL;
	PQclear(res);
	return rc;
}

/* Run `stmt` on the claim, keeping the request's problem. */
static void end_claim(const struct idempotency *idem, struct http_ctx *ctx, struct db_stmt *stmt)
{
	struct cs_error_saved saved;
	struct db_conn *conn = NULL;

	cs_error_save(&saved);
	const char *params[] = {idem->claim_id};
	if (db_checkout(&conn, ctx->env->db) != CS_OK ||
	    db_run(conn, stmt, DB_PARAMS(params)) != CS_OK)
		LOG_WARN("could not end an idempotency claim; it lapses with its lease");
	db_release(conn);
	cs_error_restore(&saved);
}

int idempotency_finish(const struct idempotency *idem, struct http_ctx *ctx, int rc)
{
	if (rc == CS_OK || !idem->claim_id[0])
		return rc;
	/* Only a claim without a stored answer is deleted: if the money did move (the link broke
	 * after the commit), the answer stays for the retry to replay. */
	end_claim(idem, ctx, &release_stmt);
	return rc;
}

int idempotency_yield(const struct idempotency *idem, struct http_ctx *ctx, int rc)
{
	if (rc == CS_OK || !idem->claim_id[0])
		return rc;
	end_claim(idem, ctx, &yield_stmt);
	return rc;
}

int idempotency_reply_work(const struct idempotency *idem, struct http_ctx *ctx, int rc,
                           bool reserved, int status, const char *body)
{
	if (rc != CS_OK)
		return reserved ? idempotency_yield(idem, ctx, rc)
		                : idempotency_finish(idem, ctx, rc);
	return http_reply_answer(ctx, status, body);
}
