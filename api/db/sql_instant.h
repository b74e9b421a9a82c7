/* How every statement writes an instant into the JSON it builds. */
#ifndef CURBSIDE_DB_SQL_INSTANT_H
#define CURBSIDE_DB_SQL_INSTANT_H

/* An instant as RFC 3339 UTC with milliseconds. */
#define SQL_INSTANT(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#endif
