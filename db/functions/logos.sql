-- The hauler's uploaded logo (issue 22, item 3): stored by its staff, served in public by slug,
-- printed on every document. Uploading one points the tenant's logo_url (the branding the SPA
-- and the emails show) at its public address; removing it clears logo_url.

-- Store tenant p_tenant's logo (replacing any) and point logo_url at p_url. Returns the logo's
-- description.
CREATE OR REPLACE FUNCTION logo_put(p_tenant uuid, p_type text, p_data bytea, p_width integer,
                                    p_height integer, p_sha256 text, p_url text) RETURNS text
LANGUAGE sql AS $$
  WITH stored AS (
    INSERT INTO tenant_logos (tenant_id, content_type, data, width, height, sha256)
    VALUES (p_tenant, p_type, p_data, p_width, p_height, p_sha256)
    ON CONFLICT (tenant_id) DO UPDATE
      SET content_type = excluded.content_type, data = excluded.data, width = excluded.width,
          height = excluded.height, sha256 = excluded.sha256, updated_at = now()
    RETURNING *),
  pointed AS (UPDATE tenants SET logo_url = p_url, updated_at = now() WHERE id = p_tenant)
  SELECT json_build_object('logo_url', p_url, 'content_type', s.content_type,
                           'bytes', octet_length(s.data), 'width', s.width,
                           'height', s.height, 'updated_at', instant(s.updated_at))::text
    FROM stored s
$$;

-- Remove tenant p_tenant's logo and clear logo_url; false when it had none.
CREATE OR REPLACE FUNCTION logo_delete(p_tenant uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tenant_logos WHERE tenant_id = p_tenant;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE tenants SET logo_url = NULL, updated_at = now() WHERE id = p_tenant;
  RETURN true;
END $$;
