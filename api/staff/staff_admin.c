#include "staff/staff_admin.h"

#include "core/password.h"
#include "db/query.h"

static struct db_stmt list_stmt =
        DB_STMT("staff_admin_list", "SELECT staff_users_list($1::uuid)::text");

static struct db_stmt get_stmt =
        DB_STMT("staff_admin_get", "SELECT staff_user_json(u)::text FROM staff_users u "
                                   "WHERE u.tenant_id = $1::uuid AND u.id = $2::uuid");

static struct db_stmt create_stmt =
        DB_STMT("staff_admin_create",
                "INSERT INTO staff_users (tenant_id, email, full_name, role, password_hash) "
                "VALUES ($1::uuid, $2, $3, $4, $5) RETURNING staff_user_json(staff_users)::text");

static struct db_stmt set_disabled_stmt =
        DB_STMT("staff_admin_set_disabled",
                "SELECT staff_user_set_disabled($1::uuid, $2::uuid, $3::uuid, $4::boolean)::text");

int staff_admin_list(char **out, struct db_pool *db, const char *tenant_id)
{
	const char *params[] = {tenant_id};
	int rc = db_query_text(out, db, &list_stmt, DB_PARAMS(params));

	return rc == CS_OK && !*out ? CS_EINTERNAL : rc;
}

int staff_admin_get(char **out, struct db_pool *db, const char *tenant_id, const char *id)
{
	const char *params[] = {tenant_id, id};

	return db_query_found(out, db, &get_stmt, DB_PARAMS(params), "staff user");
}

int staff_admin_create(char **out, struct db_pool *db, const char *tenant_id,
                       const struct staff_new *in)
{
	char hash[PASSWORD_HASH_SIZE];
	int rc;

	*out = NULL;
	/* Hash before taking a connection: the pool must not wait on argon2. */
	if ((rc = password_hash(hash, in->password)) != CS_OK)
		return rc;
	const char *params[] = {tenant_id, in->email, in->full_name, in->role, hash};
	rc = db_query_text(out, db, &create_stmt, DB_PARAMS(params));
	return rc == CS_OK && !*out ? CS_EINTERNAL : rc;
}

int staff_admin_set_disabled(char **out, struct db_pool *db, const char *tenant_id,
                             const char *actor_id, const char *id, bool disabled)
{
	const char *params[] = {tenant_id, actor_id, id, disabled ? "true" : "false"};
	int rc = db_query_text(out, db, &set_disabled_stmt, DB_PARAMS(params));

	return rc == CS_OK && !*out ? CS_EINTERNAL : rc;
}
