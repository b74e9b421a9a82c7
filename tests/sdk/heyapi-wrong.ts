// Calls that must NOT compile with the @hey-api/openapi-ts client: `tsc --strict` fails on any
// `@ts-expect-error` line that compiles, so each line proves one type is exact
// (tests/api/sdk.bats). Nothing here runs.
import { createCustomer, createInvoice, createLocation, createOrder, createService } from './heyapi';
import type { Address, CreateCustomerErrors, Customer, CustomerSummary, Problem } from './heyapi';

export async function wrong(id: string, customer: Customer, summary: CustomerSummary): Promise<void> {
	// @ts-expect-error account_number, name and kind are required to create a customer
	await createCustomer({ body: { external_id: 'x' } });
	// @ts-expect-error a member the server does not accept (422 unknown_field)
	await createCustomer({ body: { account_number: '1', name: 'N', kind: 'residential', nickname: 'x' } });
	// @ts-expect-error kind is one of residential, commercial, roll_off
	await createCustomer({ body: { account_number: '1', name: 'N', kind: 'house' } });
	// @ts-expect-error a location needs its address
	await createLocation({ path: { id }, body: { name: 'Yard' } });
	// @ts-expect-error a service needs its location, description, frequency and rate
	await createService({ path: { id }, body: { description: 'Trash' } });
	// @ts-expect-error an order needs its number, type, service date and service
	await createOrder({ path: { id }, body: { number: 'ORD-1' } });
	// @ts-expect-error an invoice needs its lines
	await createInvoice({ path: { id }, body: { number: 'INV-1' } });
	// @ts-expect-error an answer's address has every part (null where unknown)
	const address: Address = { line1: '1 Elm St' };
	// @ts-expect-error a problem always carries request_id
	const problem: Problem = { type: '/problems/x', title: 'T', status: 400, detail: 'D', code: 'x' };
	// @ts-expect-error creating a customer cannot answer redirect_uri_not_allowed
	const code: CreateCustomerErrors[422]['code'] = 'redirect_uri_not_allowed';
	// @ts-expect-error an invitation may be null, never undefined
	const invitation: undefined = customer.portal.invitation;
	// @ts-expect-error the list's customers carry no invitation
	void summary.portal.invitation;
	void [address, problem, code, invitation];
}
