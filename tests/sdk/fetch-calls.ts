// The same calls with openapi-typescript types and openapi-fetch: each must compile under
// `tsc --strict` (tests/api/sdk.bats). Nothing here runs.
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi';

type Schemas = components['schemas'];

export async function calls(id: string): Promise<void> {
	const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:8080' });
	await client.POST('/v1/admin/customers', {
		body: { account_number: '100231', name: 'Bob Smith', kind: 'residential' },
	});
	await client.POST('/v1/admin/customers', {
		body: {
			account_number: '100232',
			name: 'Ann Lee',
			kind: 'commercial',
			billing_address: { line1: '12 Oak St' },
			contacts: [{ email: 'ann@example.com' }],
		},
	});
	await client.POST('/v1/admin/customers/{id}/locations', {
		params: { path: { id } },
		body: { address: { line1: '400 Commerce Dr' } },
	});
	await client.POST('/v1/admin/customers/{id}/services', {
		params: { path: { id } },
		body: { location_id: id, description: 'Trash', frequency: 'weekly', rate_cents: 4500 },
	});
	await client.POST('/v1/admin/customers/{id}/orders', {
		params: { path: { id } },
		body: { number: 'ORD-1', type: 'dumpster', service_date: '2026-12-01', service: '20 yd' },
	});
	const created = await client.POST('/v1/admin/customers/{id}/invoices', {
		params: { path: { id } },
		body: { number: 'INV-1', lines: [{ description: 'Pickup', unit_price_cents: 4500 }] },
	});
	if (created.data) {
		const date: Schemas['CalendarDate'] = created.data.invoice_date;
		void date;
	}
	const one = await client.GET('/v1/admin/customers/{id}', { params: { path: { id } } });
	if (one.data) {
		const line2: string | null = one.data.billing_address ? one.data.billing_address.line2 : null;
		const invitation: object | null = one.data.portal.invitation;
		void [line2, invitation];
	}
	if (one.error) {
		const requestId: string = one.error.request_id;
		void requestId;
	}
}
