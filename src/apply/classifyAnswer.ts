import type { BatchResult } from '../fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError, PermissionDeniedError } from '../fluent/errors.js';
import type { OmsCustomer } from '../types.js';

/** How a create or update ended, as the client gave it: an alias of a batch's answer, or what a single send threw. */
export type MutationAnswer = BatchResult | { kind: 'threw'; error: unknown } | undefined;

/**
 * What the send loop does with a mutation's answer: the one place an answer is classified.
 * - `done`: applied; the customer as the OMS answered it settles the row.
 * - `refused`: Fluent refused it for good (a data rule, a length, a validation): the row fails with its message.
 * - `lost`: no answer to trust (a 5xx, a timeout, a cut, no alias in a batch's answer): it may have been applied.
 * - `exists`: Fluent says the customer of a create already exists: another writer, or an earlier send of ours.
 * - `denied`: the login lacks the permission: not applied, and the run stops (once what was applied is recorded).
 * - `stop`: not about this row (refused credentials, an unreachable OMS, a broken invariant): the run stops with it.
 * A lost or existing answer is resolved by a lookup of the username, never by a blind resend.
 */
export type Answer =
  | { kind: 'done'; customer: OmsCustomer }
  | { kind: 'refused'; message: string }
  | { kind: 'lost'; detail: string }
  | { kind: 'exists'; detail: string }
  | { kind: 'denied'; error: PermissionDeniedError | undefined }
  | { kind: 'stop'; error: unknown };

/** Classifies the answer to a create or update (`action`). Pure. */
export function classifyAnswer(action: 'create' | 'update', answer: MutationAnswer): Answer {
  if (answer === undefined) return { kind: 'lost', detail: 'no answer for it in the batch' };
  switch (answer.kind) {
    case 'done':
    case 'lost':
      return answer;
    case 'denied':
      return { kind: 'denied', error: undefined };
    case 'refused':
      return fromDataError(action, answer.error);
    case 'threw': {
      const { error } = answer;
      if (error instanceof AmbiguousMutationError) return { kind: 'lost', detail: error.detail };
      if (error instanceof FluentDataError) return fromDataError(action, error);
      if (error instanceof PermissionDeniedError) return { kind: 'denied', error };
      return { kind: 'stop', error };
    }
  }
}

/** "Already exists" matters only to a create: an update refused so is refused like any other. */
function fromDataError(action: 'create' | 'update', error: FluentDataError): Answer {
  return error.alreadyExists && action === 'create'
    ? { kind: 'exists', detail: error.message }
    : { kind: 'refused', message: error.message };
}
