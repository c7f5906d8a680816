/**
 * The set-ups the client tests share: logins, a client that never sleeps, and stub servers, sandboxes and clients that
 * are closed after each test (clients first, so no request is left waiting on a closed server).
 */
import { afterEach } from 'vitest';
import {
  createFluentClient,
  type FluentClient,
  type FluentClientOptions,
} from '../../src/fluent/createFluentClient.js';
import type { Credentials } from '../../src/fluent/credentials.js';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import { type StubRequest, type StubServer, sendJson, sendToken, startStubServer } from './stubServer.js';

/** A password-grant login; its values are distinctive, so a test can look for them in what it must not leak. */
export const PASSWORD_LOGIN: Credentials = {
  kind: 'password',
  clientId: 'cid-7Q2',
  clientSecret: 'csecret-9XK',
  username: 'api-user-4LM',
  password: 'pw-8ZT',
};

/** A ready-made token login (FLUENT_ACCESS_TOKEN). */
export const TOKEN_LOGIN: Credentials = { kind: 'token', accessToken: 'static-token-5RB' };

/** Client options for a test that must not wait: no sleeping, a rate no test reaches, a fixed jitter draw. */
export function noWait(random = 0.5): Pick<FluentClientOptions, 'ratePerSecond' | 'sleep' | 'random'> {
  return { ratePerSecond: 10_000, sleep: async () => {}, random: () => random };
}

/** What answers one GraphQL request: status, body, and headers. */
export type StubAnswer = [status: number, body: unknown, headers?: Record<string, string>];

export interface FluentFixtures {
  /** A stub server on 127.0.0.1 whose every request goes to `handle`. */
  stub(handle: Parameters<typeof startStubServer>[0]): Promise<StubServer>;
  /** A stub Fluent: /oauth/token grants `tok-1`, `tok-2`, …; every GraphQL request is answered by `answer`. */
  fluent(answer: (request: StubRequest) => StubAnswer): Promise<StubServer>;
  /** The real sandbox on a free port. */
  sandbox(options?: SandboxOptions): Promise<Sandbox>;
  /** The real client of `apiHost`, with PASSWORD_LOGIN and noWait() unless `options` say otherwise. */
  client(apiHost: string, options?: Partial<FluentClientOptions>): FluentClient;
}

/** Registers the clean-up and hands out the fixtures; call it once per test file, at the top. */
export function useFluentFixtures(): FluentFixtures {
  const servers: { close(): Promise<void> }[] = [];
  const clients: FluentClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const stub: FluentFixtures['stub'] = async (handle) => {
    const server = await startStubServer(handle);
    servers.push(server);
    return server;
  };
  return {
    stub,
    fluent: async (answer) => {
      let grants = 0;
      return stub((request, response) => {
        if (request.path === '/oauth/token') {
          grants += 1;
          return sendToken(response, `tok-${grants}`);
        }
        const [status, body, headers] = answer(request);
        sendJson(response, status, body, headers);
      });
    },
    sandbox: async (options = {}) => {
      const sandbox = await startSandbox({ port: 0, ...options });
      servers.push(sandbox);
      return sandbox;
    },
    client: (apiHost, options = {}) => {
      const client = createFluentClient({ apiHost, credentials: PASSWORD_LOGIN, ...noWait(), ...options });
      clients.push(client);
      return client;
    },
  };
}

/** The GraphQL requests a stub server received, in order. */
export function graphqlRequests(server: StubServer): StubRequest[] {
  return server.requests.filter((request) => request.path === '/graphql');
}

/** The /oauth/token requests a stub server received, in order. */
export function grantRequests(server: StubServer): StubRequest[] {
  return server.requests.filter((request) => request.path === '/oauth/token');
}
