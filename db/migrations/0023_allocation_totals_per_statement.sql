-- invoices.paid_cents and payments.allocated_cents follow their allocations once per statement
-- instead of once per row (0005's payment_allocations_apply): a statement that allocates a whole
-- autopay batch updates each of its invoices and payments in two set-based statements, not two
-- statements per allocation. The rules are 0005's: the totals move by the net change
-- (amount - reversed) and an allocation never moves to another invoice or payment. A new
-- allocation of a pending payment also marks its invoice payment_pending in the same update (what
-- 0018's portal_payment_reserve does by hand), so the invoice row is written once, not twice.
--
-- The updates run through EXECUTE so they are planned each time: a statement that reads only
-- transition tables has no parameters, so PL/pgSQL would keep the plan made at its first run for
-- the session's lifetime, and a plan made while `payments` was nearly empty (a sequential scan)
-- would be kept as the table grows. random_page_cost 1.1 keeps them on index lookups of the
-- few rows a statement touches (see autopay_claim in 0021).

DROP TRIGGER payment_allocations_totals ON payment_allocations;
DROP FUNCTION payment_allocations_apply();

CREATE FUNCTION payment_allocations_inserted() RETURNS trigger
LANGUAGE plpgsql SET random_page_cost = 1.1 AS $$
BEGIN
  EXECUTE 'UPDATE invoices i SET paid_cents = i.paid_cents + d.delta,
                                  payment_pending = i.payment_pending OR d.pending
           FROM (SELECT n.invoice_id, sum(n.amount_cents - n.reversed_cents) AS delta,
                        bool_or(p.status = ''pending'' AND n.reversed_cents < n.amount_cents)
                          AS pending
                 FROM new_rows n JOIN payments p ON p.id = n.payment_id
                 GROUP BY n.invoice_id) d
           WHERE i.id = d.invoice_id AND (d.delta <> 0 OR (d.pending AND NOT i.payment_pending))';
  EXECUTE 'UPDATE payments p SET allocated_cents = p.allocated_cents + d.delta
           FROM (SELECT payment_id, sum(amount_cents - reversed_cents) AS delta
                 FROM new_rows GROUP BY payment_id) d
           WHERE p.id = d.payment_id AND d.delta <> 0';
  RETURN NULL;
END $$;

-- An update's change per allocation: the new net less the old one (an allocation keeps its id,
-- invoice and payment).
CREATE FUNCTION payment_allocations_updated() RETURNS trigger
LANGUAGE plpgsql SET random_page_cost = 1.1 AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
             WHERE o.id IS NULL OR n.invoice_id <> o.invoice_id OR n.payment_id <> o.payment_id)
  THEN
    RAISE EXCEPTION 'an allocation cannot move to another invoice or payment';
  END IF;
  EXECUTE 'UPDATE invoices i SET paid_cents = i.paid_cents + d.delta
           FROM (SELECT n.invoice_id, sum((n.amount_cents - n.reversed_cents)
                                          - (o.amount_cents - o.reversed_cents)) AS delta
                 FROM new_rows n JOIN old_rows o ON o.id = n.id GROUP BY n.invoice_id) d
           WHERE i.id = d.invoice_id AND d.delta <> 0';
  EXECUTE 'UPDATE payments p SET allocated_cents = p.allocated_cents + d.delta
           FROM (SELECT n.payment_id, sum((n.amount_cents - n.reversed_cents)
                                          - (o.amount_cents - o.reversed_cents)) AS delta
                 FROM new_rows n JOIN old_rows o ON o.id = n.id GROUP BY n.payment_id) d
           WHERE p.id = d.payment_id AND d.delta <> 0';
  RETURN NULL;
END $$;

CREATE TRIGGER payment_allocations_totals_inserted AFTER INSERT ON payment_allocations
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payment_allocations_inserted();

CREATE TRIGGER payment_allocations_totals_updated AFTER UPDATE ON payment_allocations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payment_allocations_updated();
