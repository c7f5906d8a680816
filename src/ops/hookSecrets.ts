import type { RunEndHooks } from './announceRunEnd.js';
import { secretPartsOf } from './maskHookUrl.js';

/**
 * The parts of the hooks' URLs that are secrets, for the run's scrubber (see secretPartsOf): a webhook URL whole
 * and its path tokens (Slack's and most chat tools' URLs are the credential that lets anyone post), and in either
 * URL the user info (also as its Basic token) and every query value. Masked from the start of the run, so no log
 * line, report, checkpoint or webhook text shows them, even where a library's message quotes them.
 */
export function hookSecrets(hooks: Pick<RunEndHooks, 'pushgateway' | 'notifyUrl'>): string[] {
  const secrets: string[] = [];
  if (hooks.notifyUrl !== undefined) secrets.push(...secretPartsOf(hooks.notifyUrl, 'webhook'));
  if (hooks.pushgateway !== undefined) secrets.push(...secretPartsOf(hooks.pushgateway, 'pushgateway'));
  return secrets;
}
