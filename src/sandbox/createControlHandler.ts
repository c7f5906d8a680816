import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenStore } from './createTokenStore.js';
import { parseFaults } from './parseFaults.js';
import { bearerToken, readBody } from './readBody.js';
import type { SandboxCredentials, SandboxFaults } from './sandboxTypes.js';

const MAX_FAULTS_BODY_BYTES = 64 * 1024;

/** The control endpoints, for people and process-level tests. */
export const CONTROL_PATHS: readonly string[] = ['/_sandbox/state', '/_sandbox/faults'];

export interface ControlDeps {
  /** The port the sandbox listens on, for telling its own pages from others. */
  port(): number;
  tokens: TokenStore;
  /** When set (SANDBOX_CREDENTIALS), the endpoints need a bearer token the sandbox granted, which only these get. */
  credentials: SandboxCredentials | undefined;
  state(): unknown;
  faults(): SandboxFaults;
  setFaults(faults: SandboxFaults): void;
  sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
}

/**
 * `GET /_sandbox/state`, `GET /_sandbox/faults` and `POST /_sandbox/faults`. The state holds every customer, and
 * the faults decide what the sandbox answers, so neither is for anyone who can reach the port:
 *
 * - with SANDBOX_CREDENTIALS set, each needs `Authorization: Bearer TOKEN` with a token the sandbox granted (a
 *   password grant with exactly those credentials);
 * - a POST needs a JSON content type, which a web page can only send with a CORS preflight the sandbox never
 *   answers, so a cross-site form or `fetch` cannot change the faults;
 * - a request that a browser marks as coming from another site (Origin), or that names another host (a DNS
 *   rebinding page), is refused.
 */
export function createControlHandler(
  deps: ControlDeps,
): (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void> {
  const { sendJson } = deps;
  const ownHosts = () => ['127.0.0.1', 'localhost', '[::1]'].map((host) => `${host}:${deps.port()}`);

  /** Why the request may not use the control endpoints, or undefined when it may. */
  function refusal(
    req: IncomingMessage,
  ): { status: number; error: string; headers?: Record<string, string> } | undefined {
    const hosts = ownHosts();
    if (!hosts.includes((req.headers.host ?? '').toLowerCase())) {
      return { status: 403, error: 'the control endpoints answer requests to 127.0.0.1 or localhost only' };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.some((host) => origin.toLowerCase() === `http://${host}`)) {
      return { status: 403, error: 'the control endpoints refuse requests from other sites' };
    }
    if (deps.credentials) {
      const token = bearerToken(req);
      if (token === undefined || deps.tokens.checkToken(token).status !== 'valid') {
        return {
          status: 401,
          error: 'with SANDBOX_CREDENTIALS set, the control endpoints need a bearer token the sandbox granted',
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        };
      }
    }
    return undefined;
  }

  async function setFaults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isJson(req.headers['content-type'])) {
      req.resume();
      return sendJson(res, 415, { error: 'the body must be sent as application/json' });
    }
    const read = await readBody(req, MAX_FAULTS_BODY_BYTES);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too-large') return sendJson(res, 413, { error: 'body too large' }, { connection: 'close' });
    let value: unknown;
    try {
      value = JSON.parse(read.body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const parsed = parseFaults(value);
    if (!parsed.ok) return sendJson(res, 400, { error: parsed.message });
    deps.setFaults(parsed.faults);
    sendJson(res, 200, { faults: deps.faults() });
  }

  return async (req, res, pathname) => {
    const refused = refusal(req);
    if (refused) {
      req.resume();
      return sendJson(res, refused.status, { error: refused.error }, refused.headers);
    }
    const route = `${req.method} ${pathname}`;
    if (route === 'POST /_sandbox/faults') return setFaults(req, res);
    req.resume();
    if (route === 'GET /_sandbox/state') return sendJson(res, 200, deps.state());
    if (route === 'GET /_sandbox/faults') return sendJson(res, 200, { faults: deps.faults() });
    sendJson(res, 405, { error: 'method not allowed' });
  };
}

/** Whether a Content-Type header names JSON (`application/json`, parameters such as charset allowed). */
function isJson(contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? '');
}
