/**
 * The case-folded username: uniqueness within the file and the checkpoint is compared without regard to case
 * (SPEC §3), and two usernames with one key are the same name as far as account-wide uniqueness goes.
 */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}
