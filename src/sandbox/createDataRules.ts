import { compileDataRule } from './compileDataRule.js';
import type { DataRules } from './createSandboxExecutor.js';
import type { SandboxFaults } from './sandboxTypes.js';

/**
 * Usernames longer than this (in UTF-16 units) are never tested: they are over Fluent's 250 characters whatever
 * they hold, so the store refuses them (C0141E) and a rule would change nothing but the time spent.
 */
const LONGEST_TESTED = 500;

/**
 * The account's data rule as the executor asks it: whether the current `refuseUsernamePattern` refuses a
 * username, matched in linear time (compileDataRule) and compiled once per pattern.
 *
 * @param onRefused counts each refusal
 */
export function createDataRules(faults: () => SandboxFaults, onRefused: () => void): DataRules {
  let compiled: { pattern: string; test(text: string): boolean } | undefined;
  return {
    refuses(username) {
      const pattern = faults().refuseUsernamePattern;
      if (pattern === undefined || username.length > LONGEST_TESTED) return false;
      if (compiled?.pattern !== pattern) {
        const rule = compileDataRule(pattern);
        // Settings are checked by parseFaults before they are taken, so this cannot fail.
        if (!rule.ok) throw new Error(rule.message);
        compiled = { pattern, test: rule.test };
      }
      const refused = compiled.test(username);
      if (refused) onRefused();
      return refused;
    },
  };
}
