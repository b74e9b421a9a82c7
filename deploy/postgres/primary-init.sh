#!/bin/sh
# deploy/postgres/primary-init.sh — run once by the postgres image when it creates the primary's
# data (docker-compose.yml mounts it in /docker-entrypoint-initdb.d/): the replication role the
# standby copies and streams with, its slot, and synchronous replication.
#
# synchronous_standby_names is set here with ALTER SYSTEM and not on the command line: the image
# runs this initialisation on a server started with the command line's settings, whose commits
# would wait for a standby that cannot exist yet. The standby copies the setting with the data
# and overrides it on its own command line (deploy/postgres/standby.sh), so that once promoted,
# alone, it does not wait for a standby of its own.
set -eu

: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"

psql -v ON_ERROR_STOP=1 -v password="$REPLICATION_PASSWORD" \
	--username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('standby');
-- A commit waits until the standby has it on disk (docs/decisions.md, "Several processes").
ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (standby)';
-- A standby gone for good may not fill the primary's disk with the WAL its slot keeps.
ALTER SYSTEM SET max_slot_wal_keep_size = '1GB';
SQL

echo 'host replication replicator all scram-sha-256' >>"$PGDATA/pg_hba.conf"
