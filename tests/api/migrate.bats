#!/usr/bin/env bats
# `curbside migrate` on a migrated database: nothing pending still replaces the functions; a landed
# migration whose file changed is refused and nothing is written; the checksum a migration had
# before its functions moved to db/functions/ is accepted once and replaced by the current one.
# (A database migrated by the previous release against one built from scratch is scripts/test's
# schema check.)

load helpers

setup() {
	DB=curbside_migrate_$$_$BATS_TEST_NUMBER
	create_database "$DB"
}

teardown() {
	drop_database "$DB"
}

# migrate: `curbside migrate` on this test's database, output in $output, status in $status.
migrate() {
	run env CURBSIDE_DATABASE_URL="$(db_url "$DB")" "$CURBSIDE_BIN" migrate 3>&-
}

# sql QUERY: one value from this test's database.
sql() {
	"$(pg_bin psql)" "$(db_url "$DB")" -XAtq -v ON_ERROR_STOP=1 -c "$1"
}

# file_checksum MIGRATION: the sha256 of db/migrations/MIGRATION.sql as the binary embeds it.
file_checksum() {
	sha256sum <"$CURBSIDE_ROOT/db/migrations/$1.sql" | cut -d' ' -f1
}

# break_cs_raise: replace cs_raise by hand with a body that raises nothing.
break_cs_raise() {
	sql "CREATE OR REPLACE FUNCTION cs_raise(status text, code text, detail text, field text DEFAULT '')
	     RETURNS void LANGUAGE plpgsql AS 'BEGIN END'"
}

@test "with nothing pending, migrate replaces the functions: a function changed by hand is restored" {
	local before
	before=$(sql "SELECT md5(prosrc) FROM pg_proc WHERE proname = 'cs_raise'")
	break_cs_raise
	migrate
	[[ $status == 0 ]] || fail "migrate exited $status: $output"
	[[ $output != *'applied'* ]] || fail "a migration was applied again: $output"
	[[ $output == *'up to date'* ]] || fail "unexpected output: $output"
	[[ $(sql "SELECT md5(prosrc) FROM pg_proc WHERE proname = 'cs_raise'") == "$before" ]] ||
		fail "cs_raise was not replaced by its db/functions/ version"
}

@test "a landed migration whose file changed is refused, and nothing is written" {
	sql "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = '0005_billing'"
	break_cs_raise
	migrate
	[[ $status != 0 ]] || fail "migrate accepted a changed migration: $output"
	[[ $output == *'0005_billing.sql was changed after it was applied'* ]] ||
		fail "the refusal does not name the migration: $output"
	[[ $output == *'rolled back'* ]] || fail "the refusal does not say nothing was written: $output"
	[[ $(sql "SELECT prosrc FROM pg_proc WHERE proname = 'cs_raise'") == 'BEGIN END' ]] ||
		fail "the functions were replaced although the run was refused"
}

@test "the checksum a migration had before its functions moved is accepted and replaced" {
	local old
	old=$(awk '$2 == "0007_back_office_writes.sql" { print $1 }' \
		"$CURBSIDE_ROOT/db/rewritten-migrations.sha256")
	[[ -n $old && $old != "$(file_checksum 0007_back_office_writes)" ]] ||
		fail "no earlier checksum listed for 0007_back_office_writes"
	sql "UPDATE schema_migrations SET checksum = '$old' WHERE version = '0007_back_office_writes'"
	migrate
	[[ $status == 0 ]] || fail "migrate exited $status: $output"
	[[ $output == *'0007_back_office_writes: recorded the checksum of its rewritten file'* ]] ||
		fail "unexpected output: $output"
	[[ $(sql "SELECT checksum FROM schema_migrations WHERE version = '0007_back_office_writes'") == \
		"$(file_checksum 0007_back_office_writes)" ]] || fail "the current checksum was not recorded"
	migrate
	[[ $status == 0 && $output != *'recorded'* ]] || fail "the second run changed something: $output"
}

@test "a recorded checksum that only ends like a listed one is refused" {
	# "  0007_back_office_writes.sql" ends a line of db/rewritten-migrations.sha256.
	sql "UPDATE schema_migrations SET checksum = '' WHERE version = '0007_back_office_writes'"
	migrate
	[[ $status != 0 ]] || fail "migrate accepted an empty checksum: $output"
	[[ $output == *'0007_back_office_writes.sql was changed after it was applied'* ]] ||
		fail "the refusal does not name the migration: $output"
}
