-- Issue 22, item 4: the invoice's remittance stub names where a mailed payment goes. Haulers
-- often take checks at a lockbox or a billing office that is not the address on their letters,
-- so the remit-to address is a setting of its own; while it is not set, the stub shows the
-- contact address (document_hauler_json).
ALTER TABLE tenants ADD COLUMN remit_to_address text
  CONSTRAINT tenants_remit_to_address_length CHECK (length(remit_to_address) <= 300);
