-- The SQL of GET /v1/me (statement "me_read" in api/me/me_service.c), for pgbench: the bench
-- portal user that scripts/bench passes with -D tenant=<uuid> -D user=<uuid> -D account=<uuid>.
-- The endpoint's session check (portal_session_state) is cached per token for 30 s, so it is not
-- part of the steady state measured here.
SELECT portal_me_json(:tenant::uuid, :user::uuid, :account::uuid)::text;
