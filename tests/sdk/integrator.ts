// A short integrator job through the @hey-api/openapi-ts client, run by tests/api/sdk.bats against
// the test server behind the contract proxy: with an API key, create a customer, a location and
// an invoice, then list the customer's invoices. Exits non-zero on the first surprise.
import { client } from './heyapi/client.gen';
import { createCustomer, createInvoice, createLocation, listCustomerInvoices } from './heyapi';

function check(ok: boolean, what: string): void {
	if (!ok) throw new Error(what);
}

// Every answer came through the proxy without a contract violation, with the expected status.
function answered(response: Response | undefined, status: number, what: string): void {
	check(response !== undefined, `${what}: no response`);
	const violations = response!.headers.get('sl-violations');
	check(violations === null, `${what}: the contract proxy reports ${violations}`);
	check(response!.status === status, `${what}: status ${response!.status}, expected ${status}`);
}

async function main(): Promise<void> {
	const [baseUrl, apiKey, number] = process.argv.slice(2);
	client.setConfig({ baseUrl, auth: () => apiKey });

	const customer = await createCustomer({
		body: { account_number: number, name: 'SDK Customer', kind: 'commercial', external_id: `sdk-${number}` },
	});
	answered(customer.response, 201, 'create customer');
	const id = customer.data!.id;
	check(customer.data!.billing_address === null && customer.data!.portal.invitation === null,
	      'a new customer has no address and no invitation (null)');

	const location = await createLocation({ path: { id }, body: { address: { line1: '400 Commerce Dr' } } });
	answered(location.response, 201, 'create location');
	check(location.data!.address.line2 === null, 'an address part not sent answers null');

	const invoice = await createInvoice({
		path: { id },
		body: {
			number: `INV-${number}`,
			location_id: location.data!.id,
			lines: [{ description: 'Roll-off rental', quantity: 2, unit_price_cents: 12500 }],
		},
	});
	answered(invoice.response, 201, 'create invoice');
	check(invoice.data!.total_cents === 25000, `invoice total ${invoice.data!.total_cents}`);

	const page = await listCustomerInvoices({ path: { id }, query: { limit: 10 } });
	answered(page.response, 200, 'list invoices');
	check(page.data!.items.length === 1 && page.data!.items[0].id === invoice.data!.id,
	      'the list has the one invoice');
	check(page.data!.next_cursor === null, 'one page');

	// A wrong call is refused as the types say: the problem names its request id.
	const refused = await createCustomer({ body: { account_number: '', name: 'X', kind: 'residential' } });
	answered(refused.response, 422, 'create an invalid customer');
	check(typeof refused.error?.request_id === 'string', 'the problem carries request_id');
	console.log(`integrator job done: customer ${id}, invoice ${invoice.data!.number}`);
}

main().catch((e: unknown) => {
	console.error(e instanceof Error ? e.message : e);
	process.exit(1);
});
