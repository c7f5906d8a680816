import { UsageError } from '../errors.js';

/**
 * Checks the URL of `--pushgateway` or `--notify-url` (SPEC §2) when the options are read, so a typo is exit 2 before
 * anything is sent, not a warning after the run. The message never repeats the value: a webhook's URL (Slack's,
 * most chat tools') is itself the secret that lets anyone post.
 */
export function checkHookUrl(value: unknown, source: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${source} must be an http:// or https:// URL, e.g. https://hooks.example.com/services/...`);
  }
  return text;
}
