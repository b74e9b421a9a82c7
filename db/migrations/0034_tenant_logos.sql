-- Issue 22, item 3: the hauler's logo, uploaded by its staff and kept here, so that documents
-- print it without ever fetching a URL somebody typed. One per tenant; a table of its own so
-- that the tenants row read on every request stays small. The limits repeat the upload's
-- (api/logos/logos_image.h), which decodes the image before it gets here.
CREATE TABLE tenant_logos (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
  data bytea NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 524288),
  width integer NOT NULL CHECK (width BETWEEN 1 AND 4096),
  height integer NOT NULL CHECK (height BETWEEN 1 AND 4096),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);
