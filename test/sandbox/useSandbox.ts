import { afterEach } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import { grantToken } from './sandboxClient.js';

/**
 * The sandbox of a test file's current test: `start` starts it (closing the one before, if a test starts two) and
 * grants a token for the default login, and it is closed after each test.
 */
export function useSandbox(options: { grant?: boolean } = {}) {
  let current: Sandbox | undefined;
  let token = '';
  afterEach(async () => {
    await current?.close();
    current = undefined;
    token = '';
  });
  return {
    async start(sandboxOptions: SandboxOptions = {}): Promise<Sandbox> {
      await current?.close();
      current = await startSandbox(sandboxOptions);
      token = options.grant === false ? '' : await grantToken(current);
      return current;
    },
    /** A token of the default login for the sandbox started last. */
    get token(): string {
      return token;
    },
    /** The sandbox started last. */
    get sandbox(): Sandbox {
      if (!current) throw new Error('no sandbox started');
      return current;
    },
  };
}
