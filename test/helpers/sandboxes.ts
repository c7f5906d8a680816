import { afterAll } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import { TEST_CREDENTIALS } from './runCli.js';

/**
 * Sandboxes for one test file, each started on demand and all closed after the file's tests; and the environment that
 * points the CLI at one of them.
 */
export function useSandboxes() {
  const sandboxes: Sandbox[] = [];
  afterAll(async () => {
    await Promise.all(sandboxes.map((s) => s.close()));
  });
  return {
    aSandbox: async (options: SandboxOptions = {}) => {
      const sandbox = await startSandbox(options);
      sandboxes.push(sandbox);
      return sandbox;
    },
    envFor: (sandbox: Sandbox, retailerId = '1', extra: Record<string, string> = {}) => ({
      ...TEST_CREDENTIALS,
      FLUENT_API_HOST: sandbox.url,
      FLUENT_RETAILER_ID: retailerId,
      ...extra,
    }),
  };
}
