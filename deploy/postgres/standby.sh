#!/bin/sh
# deploy/postgres/standby.sh — the standby's entry point in docker-compose.yml: on first start,
# copy the primary with pg_basebackup -R (streaming replication through the slot `standby`, as
# application_name `standby`, the name the primary's synchronous_standby_names waits for), then
# run PostgreSQL as a hot standby. Runs as the postgres user.
set -eu

: "${PRIMARY_HOST:?set PRIMARY_HOST}" "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
PGDATA=${PGDATA:-/var/lib/postgresql/data}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	until pg_isready -q -h "$PRIMARY_HOST" -U replicator; do
		echo "standby: waiting for $PRIMARY_HOST"
		sleep 1
	done
	# -R writes primary_conninfo (with this password) and standby.signal.
	PGPASSWORD=$REPLICATION_PASSWORD pg_basebackup --pgdata="$PGDATA" --write-recovery-conf \
		--wal-method=stream --checkpoint=fast --slot=standby \
		--dbname="host=$PRIMARY_HOST user=replicator application_name=standby"
	chmod 700 "$PGDATA"
fi

# Promoted, this server must not wait for a standby of its own: the primary's
# synchronous_standby_names came with the copy, the command line overrides it.
exec postgres -c synchronous_standby_names= -c hot_standby=on "$@"
