import { MASK } from '../shared/createScrubber.js';

/** Which hook a URL is for: a webhook's path is its secret (Slack, Teams, Discord); a Pushgateway's is a route. */
export type HookKind = 'pushgateway' | 'webhook';

/**
 * A hook URL as it may be shown (report.json's options, the checkpoint, logs): every part that can carry a secret
 * masked, the rest kept so a reader can tell which host it went to. User info (`user:pass@`) becomes `***@`, every
 * query value `***` (the names stay), a fragment `#***`; a webhook's path becomes `/***`, since chat tools put their
 * token there (`/services/T…/B…/xoxb…`). A text that is not a URL is masked whole.
 */
export function maskHookUrl(url: string, kind: HookKind): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return MASK;
  }
  const userInfo = parsed.username !== '' || parsed.password !== '' ? `${MASK}@` : '';
  const path = kind === 'webhook' ? (parsed.pathname === '/' ? '/' : `/${MASK}`) : parsed.pathname;
  const query =
    parsed.search === ''
      ? ''
      : `?${[...parsed.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=${MASK}`).join('&')}`;
  const fragment = parsed.hash === '' ? '' : `#${MASK}`;
  return `${parsed.protocol}//${userInfo}${parsed.host}${path}${query}${fragment}`;
}

/**
 * Every part of a hook URL that can be a secret, in the forms it can appear in (as written, decoded, and a
 * Pushgateway's user and password as the Basic token they are sent as), for the run's scrubber: it masks them in any
 * text, however they got there. A webhook's URL whole and its path are among them.
 */
export function secretPartsOf(url: string, kind: HookKind): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const parts: string[] = [];
  const add = (text: string) => {
    if (text === '') return;
    parts.push(text);
    const decoded = decodeOrKeep(text);
    if (decoded !== text) parts.push(decoded);
  };
  if (kind === 'webhook') {
    parts.push(url);
    // A path of a few characters (`/hook`) is no token, and masking it everywhere would garble reports.
    const pathAndQuery = `${parsed.pathname}${parsed.search}`;
    if (pathAndQuery.length >= SECRET_PATH_CHARS) add(pathAndQuery);
    for (const segment of parsed.pathname.split('/')) if (looksLikeToken(segment)) add(segment);
  }
  add(parsed.username);
  add(parsed.password);
  if (parsed.username !== '' || parsed.password !== '') {
    const basic = `${decodeOrKeep(parsed.username)}:${decodeOrKeep(parsed.password)}`;
    parts.push(Buffer.from(basic).toString('base64'));
  }
  for (const value of parsed.searchParams.values()) parts.push(value, encodeURIComponent(value));
  if (parsed.hash.length > 1) add(parsed.hash.slice(1));
  return [...new Set(parts)].filter((part) => part !== '');
}

/** A path this long may be a token (Slack's parts are 9 to 24 characters, Discord's token 68). */
const SECRET_PATH_CHARS = 8;

/** A path segment of a token's length with a digit in it; words such as `services` or `webhooks` are left readable. */
function looksLikeToken(segment: string): boolean {
  return segment.length >= SECRET_PATH_CHARS && /\d/.test(segment);
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
