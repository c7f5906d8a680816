import type { RunEndHooks } from './announceRunEnd.js';

/**
 * The parts of the hooks' URLs that are secrets, for the run's scrubber: a webhook URL whole (Slack's and most chat
 * tools' URLs are the credential that lets anyone post), and a password written into the Pushgateway URL. Masked from
 * the start of the run, so report.json's options, the checkpoint and the log never show them.
 */
export function hookSecrets(hooks: Pick<RunEndHooks, 'pushgateway' | 'notifyUrl'>): string[] {
  const secrets: string[] = [];
  if (hooks.notifyUrl !== undefined) secrets.push(hooks.notifyUrl);
  if (hooks.pushgateway !== undefined) {
    const { password } = new URL(hooks.pushgateway);
    if (password !== '') secrets.push(password, decodeOrKeep(password));
  }
  return secrets;
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
