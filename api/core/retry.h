/* The back-off of the outbox workers (mail, SMS): each retry waits four times the previous one. */
#ifndef CURBSIDE_CORE_RETRY_H
#define CURBSIDE_CORE_RETRY_H

/* The retry delay in seconds after failed attempt `attempt` (1-based) with base `base_seconds`:
 * base, ×4, ×16, … at most six hours. */
int retry_delay(int attempt, int base_seconds);

#endif
