// Calls an integrator writes with the @hey-api/openapi-ts client: each must compile under
// `tsc --strict` (tests/api/sdk.bats). Nothing here runs.
import {
	createCustomer,
	createInvoice,
	createLocation,
	createOrder,
	createService,
	getCustomer,
	listCustomerInvoices,
	listCustomers,
	updateCustomer,
} from './heyapi';
import type { Address, CreateCustomerErrors, CustomerContact, Problem } from './heyapi';

export async function calls(id: string): Promise<void> {
	// A create body needs only its required members; optional ones may be null.
	await createCustomer({ body: { account_number: '100231', name: 'Bob Smith', kind: 'residential' } });
	await createCustomer({
		body: {
			account_number: '100232',
			name: 'Ann Lee',
			kind: 'commercial',
			external_id: null,
			billing_address: { line1: '12 Oak St', city: 'Springfield' },
			contacts: [{ email: 'ann@example.com' }],
		},
	});
	await createLocation({ path: { id }, body: { address: { line1: '400 Commerce Dr' } } });
	await createService({
		path: { id },
		body: { location_id: id, description: 'Trash', frequency: 'weekly', rate_cents: 4500 },
	});
	await createOrder({
		path: { id },
		body: { number: 'ORD-1', type: 'dumpster', service_date: '2026-12-01', service: '20 yd' },
	});
	await createInvoice({
		path: { id },
		body: { number: 'INV-1', lines: [{ description: 'Pickup', unit_price_cents: 4500 }] },
	});
	await updateCustomer({ path: { id }, body: { phone: null } });
	await listCustomerInvoices({ path: { id }, query: { status: 'open', limit: 10 } });

	// Answers carry every member, null where unknown: none is `undefined`.
	const one = await getCustomer({ path: { id } });
	if (one.data) {
		const address: Address | null = one.data.billing_address;
		const line2: string | null = address ? address.line2 : null;
		const contact: CustomerContact | undefined = one.data.contacts[0];
		const phone: string | null = contact ? contact.phone : null;
		const invitation: object | null = one.data.portal.invitation;
		void [line2, phone, invitation];
	}
	const list = await listCustomers();
	if (list.data) {
		const enabled: boolean | undefined = list.data.items[0]?.portal.enabled;
		void enabled;
	}
	// Each problem carries its request id, and each operation names its own codes.
	const failed = await createCustomer({ body: { account_number: '1', name: 'N', kind: 'roll_off' } });
	if (failed.error) {
		const problem: Problem = failed.error;
		const requestId: string = problem.request_id;
		void requestId;
	}
	const code: CreateCustomerErrors[422]['code'] = 'unknown_field';
	void code;
}
