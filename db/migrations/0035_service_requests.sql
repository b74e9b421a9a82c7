-- Service requests (issue 25): the hauler's catalog of what customers may ask for from the portal
-- (roll-off delivery by size, extra pickup, missed-pickup report, vacation hold, roll-off swap and
-- removal), each with a lead time and a daily cutoff in the hauler's time zone, the days the
-- hauler does not serve, and the requests themselves with every change of status kept (who,
-- when) for the staff queue.

-- One row per tenant that has saved its catalog; a tenant without one offers nothing.
CREATE TABLE service_catalogs (
  tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  closed_weekdays text[] NOT NULL DEFAULT '{}',
  closed_dates date[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Six at most: a week without an open day would have no first possible date.
  CONSTRAINT service_catalogs_weekdays_valid CHECK (
    closed_weekdays <@ ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday',
                             'saturday', 'sunday'] AND cardinality(closed_weekdays) <= 6),
  CONSTRAINT service_catalogs_dates_bounded CHECK (cardinality(closed_dates) <= 366)
);

-- A request type's terms; a type without a row is off with the defaults.
CREATE TABLE service_request_types (
  tenant_id uuid NOT NULL REFERENCES service_catalogs (tenant_id) ON DELETE CASCADE,
  type text NOT NULL,
  enabled boolean NOT NULL DEFAULT false,
  lead_days integer NOT NULL DEFAULT 1,
  cutoff_time time,
  price_cents bigint,
  max_days integer,
  PRIMARY KEY (tenant_id, type),
  CONSTRAINT service_request_types_type_valid CHECK (type IN ('roll_off_delivery',
    'extra_pickup', 'missed_pickup', 'vacation_hold', 'roll_off_swap', 'roll_off_removal')),
  CONSTRAINT service_request_types_lead_range CHECK (lead_days BETWEEN 0 AND 60),
  CONSTRAINT service_request_types_cutoff_minute CHECK (cutoff_time = date_trunc('minute',
                                                                                cutoff_time)),
  CONSTRAINT service_request_types_price_non_negative CHECK (price_cents >= 0),
  CONSTRAINT service_request_types_max_days_range CHECK (max_days BETWEEN 1 AND 365)
);

-- The roll-off sizes a delivery may ask for, in the order the hauler lists them.
CREATE TABLE roll_off_sizes (
  tenant_id uuid NOT NULL REFERENCES service_catalogs (tenant_id) ON DELETE CASCADE,
  code text NOT NULL,
  name text NOT NULL,
  price_cents bigint NOT NULL,
  rental_days integer NOT NULL,
  position integer NOT NULL,
  PRIMARY KEY (tenant_id, code),
  CONSTRAINT roll_off_sizes_code_shape CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  CONSTRAINT roll_off_sizes_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
  CONSTRAINT roll_off_sizes_price_non_negative CHECK (price_cents >= 0),
  CONSTRAINT roll_off_sizes_rental_range CHECK (rental_days BETWEEN 1 AND 365)
);

-- A customer's request. The columns staff fill later (scheduled_date, decline_reason,
-- created_order_id) are here from the start so the queue needs no reshaping.
CREATE TABLE service_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  location_id uuid NOT NULL,
  number text NOT NULL,
  type text NOT NULL,
  status text NOT NULL DEFAULT 'new',
  requested_date date NOT NULL,
  end_date date,
  service_id uuid,
  order_id uuid,
  size_code text,
  size_name text,
  rental_days integer,
  price_cents bigint NOT NULL DEFAULT 0,
  note text,
  portal_user_id uuid,
  scheduled_date date,
  decline_reason text,
  created_order_id uuid,
  idempotency_claim uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, customer_id, location_id)
    REFERENCES locations (tenant_id, customer_id, id),
  FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
  FOREIGN KEY (tenant_id, created_order_id) REFERENCES orders (tenant_id, id),
  FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id),
  CONSTRAINT service_requests_tenant_id_id_key UNIQUE (tenant_id, id),
  CONSTRAINT service_requests_number_key UNIQUE (tenant_id, number),
  CONSTRAINT service_requests_type_valid CHECK (type IN ('roll_off_delivery', 'extra_pickup',
    'missed_pickup', 'vacation_hold', 'roll_off_swap', 'roll_off_removal')),
  CONSTRAINT service_requests_status_valid CHECK (status IN ('new', 'accepted', 'scheduled',
    'declined', 'completed', 'cancelled')),
  CONSTRAINT service_requests_price_non_negative CHECK (price_cents >= 0),
  CONSTRAINT service_requests_hold_dates CHECK ((type = 'vacation_hold') = (end_date IS NOT NULL)
                                                AND (end_date IS NULL
                                                     OR end_date >= requested_date)),
  CONSTRAINT service_requests_note_length CHECK (char_length(note) <= 1000)
);

CREATE INDEX service_requests_customer_idx
  ON service_requests (tenant_id, customer_id, created_at, id);
CREATE INDEX service_requests_queue_idx ON service_requests (tenant_id, status, created_at, id);
CREATE INDEX service_requests_user_idx ON service_requests (portal_user_id, created_at);

-- Every status a request took, with who moved it and when (the first row is its submission).
CREATE TABLE service_request_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  request_id uuid NOT NULL,
  status text NOT NULL,
  actor_kind text NOT NULL,
  portal_user_id uuid,
  staff_user_id uuid,
  api_key_id uuid,
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (tenant_id, request_id) REFERENCES service_requests (tenant_id, id)
    ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, portal_user_id) REFERENCES portal_users (tenant_id, id),
  FOREIGN KEY (staff_user_id) REFERENCES staff_users (id),
  FOREIGN KEY (api_key_id) REFERENCES api_keys (id),
  CONSTRAINT service_request_events_status_valid CHECK (status IN ('new', 'accepted',
    'scheduled', 'declined', 'completed', 'cancelled')),
  CONSTRAINT service_request_events_actor_valid CHECK (
    actor_kind = 'customer' AND portal_user_id IS NOT NULL
      AND num_nonnulls(staff_user_id, api_key_id) = 0
    OR actor_kind = 'staff' AND staff_user_id IS NOT NULL
      AND num_nonnulls(portal_user_id, api_key_id) = 0
    OR actor_kind = 'api_key' AND api_key_id IS NOT NULL
      AND num_nonnulls(portal_user_id, staff_user_id) = 0)
);

CREATE INDEX service_request_events_request_idx
  ON service_request_events (request_id, created_at, id);
