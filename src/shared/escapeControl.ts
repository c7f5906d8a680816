/**
 * Control characters (C0 and C1, DEL) written as visible escapes: `\u001b` instead of a raw ESC. Anything this tool
 * prints that came from outside (a header name, a cell, an OMS message) goes through it, so a file or a server cannot
 * move the cursor, clear the screen, set the window title or fake a line of output on the user's terminal.
 * `keep` lists characters that stay as they are (e.g. newline in a multi-line summary).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function escapeControl(text: string, keep = ''): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => (keep.includes(c) ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
