/**
 * Fluent's own SDK (@fluentcommerce/fc-connect-sdk) against the sandbox. The SDK is not a dependency: the shapes
 * it sends and reads are tested always, and its own connection tester runs when FC_CONNECT_SDK names its packed
 * tarball or the unpacked folder (`cd /tmp && npm pack @fluentcommerce/fc-connect-sdk`, then
 * `FC_CONNECT_SDK=/tmp/fluentcommerce-fc-connect-sdk-0.1.56.tgz`). Named, never searched for: the suite runs no code
 * it finds lying in a shared temp folder.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { postGraphql, toReply } from './sandboxClient.js';
import { useSandbox, useSandboxCommand } from './useSandbox.js';

/** The SDK's connection test (FluentConnectionTester.testConnection, version 0.1.56), as it sends it. */
const SDK_CONNECTION_QUERY = `
  query Me {
    me {
      id ref username title firstName lastName primaryEmail primaryPhone type status department country timezone
      promotionOptIn createdOn updatedOn
      roles { role { id name permissions { name } } contexts { contextType contextId } }
      primaryRetailer {
        id createdOn updatedOn status ref summary websiteUrl websiteUrlName primaryEmail supportContactName
        supportEmail supportPhone tradingName
      }
      language { value label }
      primaryLocation {
        id ref createdOn updatedOn type status name supportPhoneNumber defaultCarrier defaultCarrierName workflowRef
        workflowVersion
        retailer {
          id createdOn updatedOn status ref summary websiteUrl websiteUrlName primaryEmail supportContactName
          supportEmail supportPhone tradingName
        }
      }
    }
  }`;

/** The SDK's token request (FluentClient.performTokenRefresh): a form, scope api, no fluent.account header. */
const SDK_GRANT = {
  grant_type: 'password',
  client_id: 'sdk-client',
  client_secret: 'sdk-secret-1',
  username: 'sdk-user',
  password: 'sdk-pass',
  scope: 'api',
};

describe('what Fluent’s SDK sends and reads', () => {
  const fixture = useSandbox({ grant: false });

  it('grants its token request and answers its connection test in full', async () => {
    const sandbox = await fixture.start({ retailers: ['7'] });
    const grant = await toReply(
      await fetch(`${sandbox.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(SDK_GRANT),
      }),
    );
    expect(grant.status).toBe(200);
    expect(grant.body).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number) });
    const reply = await postGraphql(sandbox, grant.body.access_token, SDK_CONNECTION_QUERY);
    expect(reply.body.errors).toBeUndefined();
    // What the tester reports: who, which retailer, which location.
    expect(reply.body.data.me).toMatchObject({
      id: expect.any(String),
      username: 'sdk-user',
      type: 'ADMIN',
      status: 'ACTIVE',
      firstName: 'Sandbox',
      lastName: 'Login',
      primaryRetailer: { id: '7', ref: 'RETAILER_7', tradingName: 'Retailer 7', websiteUrl: null },
      primaryLocation: null,
      language: null,
    });
  });
});

/** The SDK's package folder (a tarball is unpacked into a temp folder), or undefined when FC_CONNECT_SDK is unset. */
function findSdk(): string | undefined {
  const source = process.env.FC_CONNECT_SDK;
  if (!source) return undefined;
  if (fs.statSync(source).isDirectory()) return source;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-connect-sdk-'));
  execFileSync('tar', ['xzf', source, '-C', folder]);
  return path.join(folder, 'package');
}

const sdk = findSdk();
if (sdk === undefined) {
  console.log(
    "Fluent's SDK connection test skipped: set FC_CONNECT_SDK to the tarball of `npm pack @fluentcommerce/fc-connect-sdk`.",
  );
}
const unpacked = sdk?.startsWith(path.join(os.tmpdir(), 'fc-connect-sdk-')) ? path.dirname(sdk) : undefined;
afterAll(() => {
  if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
});

describe.skipIf(sdk === undefined)('Fluent’s SDK connection tester against `customer-sync sandbox`', () => {
  const serve = useSandboxCommand();

  it('passes', async () => {
    const url = await serve([]);
    const load = (file: string) => import(pathToFileURL(path.join(sdk as string, 'dist/esm', file)).href);
    const { FluentClient } = await load('clients/fluent-client.js');
    const { FluentConnectionTester } = await load('testing/fluent/fluent-connection-tester.js');
    const client = new FluentClient({
      baseUrl: url,
      clientId: SDK_GRANT.client_id,
      clientSecret: SDK_GRANT.client_secret,
      username: SDK_GRANT.username,
      password: SDK_GRANT.password,
    });
    const errors: string[] = [];
    const logger = { info() {}, warn() {}, debug() {}, error: (message: unknown) => errors.push(String(message)) };
    const result = await new FluentConnectionTester(client, { logger }).testConnection();
    expect(errors).toEqual([]);
    expect(result).toMatchObject({
      success: true,
      details: { username: SDK_GRANT.username, userType: 'ADMIN', retailerId: '1', retailerName: 'Retailer 1' },
    });
  });
});
