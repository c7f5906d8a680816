import type { SandboxOptions } from './sandboxTypes.js';
import { startSandbox } from './startSandbox.js';

/**
 * `customer-sync sandbox`: starts the sandbox, writes exactly one line `sandbox listening on URL` to `out`
 * once it accepts connections (scripts wait for it), serves until SIGINT/SIGTERM or `signal` aborts, then
 * closes and resolves.
 */
export async function serveSandbox(
  options: SandboxOptions & { out: NodeJS.WritableStream; signal?: AbortSignal },
): Promise<void> {
  const { out, signal, ...sandboxOptions } = options;
  const sandbox = await startSandbox(sandboxOptions);
  out.write(`sandbox listening on ${sandbox.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
  });
  await sandbox.close();
}
