-- Background jobs (bulk invitations): queued rows claimed under a lease by whichever server process
-- is free, with their progress and outcome. A new job wakes the workers.

CREATE OR REPLACE FUNCTION jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('curbside_jobs', '');
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER jobs_wake AFTER INSERT ON jobs
  FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify();

CREATE OR REPLACE FUNCTION job_json(j jobs) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT json_build_object(
    'id', j.id, 'kind', j.kind, 'status', j.status, 'total', j.total, 'processed', j.processed,
    'succeeded', j.succeeded, 'skipped', j.skipped, 'failed', j.failed,
    'created_at', instant(j.created_at), 'started_at', instant(j.started_at),
    'finished_at', instant(j.finished_at), 'error', j.error)
$$;

CREATE OR REPLACE FUNCTION job_get(p_tenant uuid, p_slug text, p_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT job_json(j)::text FROM jobs j
  WHERE j.id = p_id
    AND j.tenant_id = coalesce(p_tenant, (SELECT id FROM tenants WHERE slug = p_slug))
$$;

-- A worker claims the oldest queued job, or a running one whose worker's lease ran out (it died:
-- the job resumes after the last customer it finished). Answers {id, tenant_id, kind, after} or
-- NULL when there is nothing to do.
CREATE OR REPLACE FUNCTION job_claim(p_lease_seconds integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  j jobs;
BEGIN
  SELECT * INTO j FROM jobs
  WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
  ORDER BY created_at
  FOR UPDATE SKIP LOCKED
  LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()),
                  lease_until = now() + make_interval(secs => p_lease_seconds),
                  total = coalesce(total, (SELECT count(*) FROM bulk_invitation_candidates(
                    j.tenant_id, '00000000-0000-0000-0000-000000000000', NULL)))
  WHERE id = j.id
  RETURNING * INTO j;
  RETURN json_build_object('id', j.id, 'tenant_id', j.tenant_id, 'kind', j.kind,
                           'after', coalesce(j.params->>'after',
                                             '00000000-0000-0000-0000-000000000000'))::text;
END $$;

-- The job ran out of candidates after p_after: it succeeded. The total becomes what was processed
-- (customers may have come or gone since it was counted at the start).
CREATE OR REPLACE FUNCTION job_finish(p_job uuid, p_after uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE jobs SET status = 'succeeded', finished_at = now(), lease_until = NULL, total = processed
  WHERE id = p_job AND status = 'running'
    AND coalesce(params->>'after', '00000000-0000-0000-0000-000000000000') = p_after::text
$$;

-- The job cannot go on (an error that retrying will not cure).
CREATE OR REPLACE FUNCTION job_fail(p_job uuid, p_error text) RETURNS void
LANGUAGE sql AS $$
  UPDATE jobs SET status = 'failed', finished_at = now(), lease_until = NULL, error = p_error
  WHERE id = p_job AND status = 'running'
$$;

-- A worker stopping hands its job back at once rather than when the lease runs out.
CREATE OR REPLACE FUNCTION job_release(p_job uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE jobs SET lease_until = now() WHERE id = p_job AND status = 'running'
$$;
