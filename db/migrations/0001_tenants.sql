-- Tenants: one row per hauler. Everything else hangs off tenant_id.

-- True when PostgreSQL knows the time zone name (used by a CHECK: tenant times are computed here).
CREATE FUNCTION is_time_zone(name text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM now() AT TIME ZONE name;
  RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
  RETURN false;
END $$;

CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL,
  name text NOT NULL,
  logo_url text,
  brand_color text,
  currency text NOT NULL DEFAULT 'USD',
  time_zone text NOT NULL DEFAULT 'America/New_York',
  contact_phone text,
  contact_email text,
  contact_address text,
  contact_website text,
  portal_enabled boolean NOT NULL DEFAULT false,
  self_signup_enabled boolean NOT NULL DEFAULT true,
  show_pending_invoices boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenants_slug_key UNIQUE (slug),
  CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  CONSTRAINT tenants_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT tenants_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT tenants_time_zone_valid CHECK (is_time_zone(time_zone)),
  CONSTRAINT tenants_brand_color_format CHECK (brand_color ~ '^#[0-9A-Fa-f]{6}$')
);
