// Calls that must NOT compile with openapi-typescript types and openapi-fetch: `tsc --strict`
// fails on any `@ts-expect-error` line that compiles (tests/api/sdk.bats). Nothing here runs.
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi';

type Schemas = components['schemas'];
type CreateCustomer422 =
	paths['/v1/admin/customers']['post']['responses'][422]['content']['application/problem+json'];

export async function wrong(id: string): Promise<void> {
	const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:8080' });
	// @ts-expect-error account_number, name and kind are required to create a customer
	await client.POST('/v1/admin/customers', { body: { external_id: 'x' } });
	await client.POST('/v1/admin/customers', {
		// @ts-expect-error a member the server does not accept (422 unknown_field)
		body: { account_number: '1', name: 'N', kind: 'residential', nickname: 'x' },
	});
	await client.POST('/v1/admin/customers/{id}/locations', {
		params: { path: { id } },
		// @ts-expect-error a location needs its address
		body: { name: 'Yard' },
	});
	await client.POST('/v1/admin/customers/{id}/invoices', {
		params: { path: { id } },
		// @ts-expect-error an invoice needs its lines
		body: { number: 'INV-1' },
	});
	// @ts-expect-error an answer's address has every part (null where unknown)
	const address: Schemas['Address'] = { line1: '1 Elm St' };
	// @ts-expect-error creating a customer cannot answer redirect_uri_not_allowed
	const code: CreateCustomer422['code'] = 'redirect_uri_not_allowed';
	void [address, code];
}
