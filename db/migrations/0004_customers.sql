-- Customer accounts and what hangs off them before billing: service locations, recurring
-- services and orders. Every child carries tenant_id and references its parent by
-- (tenant_id, [customer_id,] id), so no foreign key can cross a tenant or a customer.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- A postal address as the API carries it: {line1, line2, city, region, postal_code, country}.
CREATE FUNCTION is_address(a jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT a IS NULL OR (jsonb_typeof(a) = 'object' AND coalesce(a->>'line1', '') <> '')
$$;

CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  account_number text NOT NULL,
  external_id text,
  name text NOT NULL,
  kind text NOT NULL,
  routing boolean NOT NULL DEFAULT false,
  phone text,
  billing_address jsonb,
  -- [{name, email, phone}]: the people the hauler writes to; emails stored normalised.
  contacts jsonb NOT NULL DEFAULT '[]',
  -- Lower-cased name, account number and contact emails: what the staff search box matches.
  search_text text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customers_account_number_key UNIQUE (tenant_id, account_number),
  CONSTRAINT customers_external_id_key UNIQUE (tenant_id, external_id),
  CONSTRAINT customers_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT customers_kind_valid CHECK (kind IN ('residential', 'commercial', 'roll_off')),
  CONSTRAINT customers_account_number_length CHECK (char_length(account_number) BETWEEN 1 AND 40),
  CONSTRAINT customers_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT customers_billing_address_shape CHECK (is_address(billing_address)),
  CONSTRAINT customers_contacts_shape CHECK (jsonb_typeof(contacts) = 'array')
);

-- The staff list: ordered by name, searched by substring.
CREATE INDEX customers_name_idx ON customers (tenant_id, name, id);
CREATE INDEX customers_search_idx ON customers USING gin (search_text gin_trgm_ops);

CREATE TABLE locations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  name text,
  address jsonb NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  CONSTRAINT locations_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT locations_customer_key UNIQUE (tenant_id, customer_id, id),
  CONSTRAINT locations_address_shape CHECK (address IS NOT NULL AND is_address(address)),
  CONSTRAINT locations_name_length CHECK (char_length(name) BETWEEN 1 AND 100)
);

CREATE INDEX locations_customer_idx ON locations (tenant_id, customer_id, created_at, id);

CREATE TABLE services (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  location_id uuid NOT NULL,
  description text NOT NULL,
  container_size text,
  frequency text NOT NULL,
  service_day text,
  rate_cents bigint NOT NULL,
  active boolean NOT NULL DEFAULT true,
  start_date date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id, location_id)
    REFERENCES locations (tenant_id, customer_id, id) ON DELETE CASCADE,
  CONSTRAINT services_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT services_frequency_valid CHECK (frequency IN
    ('daily', 'twice_weekly', 'weekly', 'biweekly', 'monthly', 'on_call')),
  CONSTRAINT services_day_valid CHECK (service_day IN
    ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')),
  CONSTRAINT services_rate_non_negative CHECK (rate_cents >= 0),
  CONSTRAINT services_description_length CHECK (char_length(description) BETWEEN 1 AND 200)
);

CREATE INDEX services_customer_idx ON services (tenant_id, customer_id, created_at, id);

CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  location_id uuid,
  number text NOT NULL,
  type text NOT NULL,
  service_date date NOT NULL,
  service text NOT NULL,
  status text NOT NULL DEFAULT 'scheduled',
  asset_id text,
  description text,
  amount_cents bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id, location_id)
    REFERENCES locations (tenant_id, customer_id, id),
  CONSTRAINT orders_number_key UNIQUE (tenant_id, number),
  CONSTRAINT orders_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT orders_type_valid CHECK (type IN ('dumpster', 'live_load', 'minis')),
  CONSTRAINT orders_status_valid CHECK (status IN
    ('pending', 'scheduled', 'in_progress', 'completed', 'cancelled')),
  CONSTRAINT orders_amount_non_negative CHECK (amount_cents >= 0)
);

CREATE INDEX orders_customer_idx ON orders (tenant_id, customer_id, service_date DESC, id DESC);
