#!/usr/bin/env node
// An order import on the package API (docs/api.md): orders.csv → ensureCustomers → the customerId each order's
// createOrder needs. It runs against the package's own sandbox, which holds customers but no orders, so it prints the
// createOrder variables it would send, one JSON line per order, instead of sending them.
//
//   npm run build && node examples/order-import.mjs [orders.csv]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createSandbox, ensureCustomers } from 'customer-sync';

/** What the import would send for each order, with the `$input` it prints. */
const CREATE_ORDER = 'mutation createOrder($input: CreateOrderInput) { createOrder(input: $input) { id ref } }';

const ordersFile = process.argv[2] ?? new URL('orders.csv', import.meta.url);
const orders = parse(fs.readFileSync(ordersFile), { columns: true, bom: true, skip_empty_lines: true });

// The sandbox stands in for the Fluent account; one customer of the orders is in it already.
const sandbox = await createSandbox({
  seed: [{ retailerId: '1', username: '1_li.wei@example.com', primaryEmail: 'li.wei@example.com', firstName: 'Li' }],
});
// A sandbox's customers go with it, so its checkpoint goes too: a checkpoint is kept per Fluent account.
const state = fs.mkdtempSync(path.join(os.tmpdir(), 'order-import-'));
try {
  const retailerId = '1';
  // One customer per order, with Fluent's field names: normalised as a sync normalises a file (the email lower-cased,
  // the phone to E.164, the country to its ISO code), the username `{retailerId}_{primaryEmail}`.
  const customers = orders.map((order) => ({
    primaryEmail: order.email,
    firstName: order.first_name,
    lastName: order.last_name,
    primaryPhone: order.phone,
    country: order.country,
  }));
  const results = await ensureCustomers(customers, {
    apiHost: sandbox.url,
    retailerId,
    checkpoint: path.join(state, 'checkpoint.sqlite'),
    // A customer who ordered twice with details that differ: the first order's details are the ones kept.
    onDuplicate: 'first',
    // Against a real account, leave this out: the credentials come from FLUENT_CLIENT_ID and the rest.
    credentials: { clientId: 'order-import', clientSecret: 'sandbox', username: 'importer', password: 'sandbox' },
  });

  console.error(`each line's createOrder is the variables of: ${CREATE_ORDER}`);
  orders.forEach((order, i) => {
    const { customerId, outcome, reason, username } = results[i];
    if (customerId === null) {
      // No customer to book the order for (a username another retailer holds, a record that fails a check): held back.
      console.log(JSON.stringify({ order: order.order_ref, customer: { outcome, reason }, createOrder: null }));
      return;
    }
    const quantity = Number(order.quantity);
    const price = Number(order.price);
    const total = Math.round(quantity * price * 100) / 100;
    const variables = {
      input: {
        ref: order.order_ref,
        type: 'HD',
        retailer: { id: retailerId },
        customer: { id: customerId },
        totalPrice: total,
        items: [
          {
            ref: `${order.order_ref}-1`,
            productRef: order.sku,
            quantity,
            price,
            paidPrice: price,
            totalPrice: total,
            currency: order.currency,
          },
        ],
      },
    };
    console.log(
      JSON.stringify({ order: order.order_ref, customer: { outcome, username, customerId }, createOrder: variables }),
    );
  });
} finally {
  await sandbox.stop();
  fs.rmSync(state, { recursive: true, force: true });
}
