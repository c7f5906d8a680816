import type { BatchAnswer, BatchMutation, BatchResult, FluentClient } from '../../src/fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError, PermissionDeniedError } from '../../src/fluent/errors.js';
import type { CreateCustomerInput, OmsCustomer, UpdateCustomerInput } from '../../src/types.js';
import { anOmsCustomer } from '../builders/customers.js';

/**
 * What the scripted OMS does with one mutation: apply it and answer (`ok`), apply it and lose the answer
 * (`applied-lost`), lose it unapplied (`lost`), refuse it for good (`refused`), or refuse it for a missing permission
 * (`denied`). A create of a username it holds is refused as already existing, whatever the script says.
 */
export type Fate = 'ok' | 'applied-lost' | 'lost' | 'refused' | 'denied';

/** One request the scripted OMS received, in order with whatever else the test records. */
export type Call =
  | { kind: 'lookup'; usernames: string[] }
  | { kind: 'create' | 'update'; username: string }
  | { kind: 'batch'; usernames: string[] };

/**
 * A test double of the OMS: a plain object with the FluentClient methods the send loop uses, holding customers of
 * retailer 1 in memory and answering each mutation as `fate` says. Every answer comes a macrotask later, so requests
 * overlap as they would over a network.
 */
export function aScriptedOms(
  options: {
    held?: OmsCustomer[];
    fate?: (mutation: BatchMutation, attempt: number) => Fate;
    /** The answer to a whole batch request; undefined answers alias by alias. */
    batchFate?: (mutations: readonly BatchMutation[], request: number) => 'lost' | 'refused' | undefined;
    /** Where each request is noted as it arrives (shared with the recorder's notes, for ordering). */
    calls?: (Call | string)[];
    /** What the OMS keeps of a customer it created or updated (an OMS that rewrites values); as sent by default. */
    keeps?: (customer: OmsCustomer) => OmsCustomer;
  } = {},
) {
  const held = new Map((options.held ?? []).map((c) => [c.username, c]));
  const attempts = new Map<string, number>();
  const calls = options.calls ?? [];
  let nextId = 1_000;
  let inFlight = 0;
  let maxInFlight = 0;
  const counts = { creates: 0, updates: 0, lookups: 0, batches: 0 };
  let batchRequests = 0;

  const later = async <T>(work: () => T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 0));
    inFlight--;
    return work();
  };

  /** Applies one mutation as its fate says; throws as the real client would. */
  const apply = (mutation: BatchMutation): OmsCustomer => {
    const { username } = mutation.input;
    const attempt = (attempts.get(username) ?? 0) + 1;
    attempts.set(username, attempt);
    const fate = options.fate?.(mutation, attempt) ?? 'ok';
    const operation = mutation.kind === 'create' ? 'CreateCustomer' : 'UpdateCustomer';
    if (fate === 'denied') throw new PermissionDeniedError(operation, 'CUSTOMER_UPDATE', 'C0020E');
    if (fate === 'refused') throw new FluentDataError('C0160E: refused by a data rule', 'C0160E');
    if (fate === 'lost') throw new AmbiguousMutationError(operation, 'HTTP 503');
    let customer: OmsCustomer;
    if (mutation.kind === 'create') {
      if (held.has(username)) throw new FluentDataError('C0123E: customer already exists', 'C0123E');
      customer = toCustomer(mutation.input, String(nextId++));
      counts.creates++;
    } else {
      const current = held.get(username);
      if (!current) throw new FluentDataError('C0120E: not found', 'C0120E');
      customer = { ...current, ...(mutation.input as Partial<OmsCustomer>) };
      counts.updates++;
    }
    if (options.keeps) customer = options.keeps(customer);
    held.set(username, customer);
    if (fate === 'applied-lost')
      throw new AmbiguousMutationError(operation, 'socket closed after the request was sent');
    return customer;
  };

  const client: Pick<FluentClient, 'findCustomers' | 'createCustomer' | 'updateCustomer' | 'mutateBatch'> = {
    findCustomers: (usernames) => {
      calls.push({ kind: 'lookup', usernames: [...usernames] });
      counts.lookups++;
      return later(() => usernames.flatMap((u) => held.get(u) ?? []));
    },
    createCustomer: (input: CreateCustomerInput) => {
      calls.push({ kind: 'create', username: input.username });
      return later(() => apply({ kind: 'create', input }));
    },
    updateCustomer: (input: UpdateCustomerInput) => {
      calls.push({ kind: 'update', username: input.username });
      return later(() => apply({ kind: 'update', input }));
    },
    mutateBatch: (mutations) => {
      calls.push({ kind: 'batch', usernames: mutations.map((m) => m.input.username) });
      counts.batches++;
      const request = ++batchRequests;
      return later((): BatchAnswer => {
        const whole = options.batchFate?.(mutations, request);
        if (whole === 'refused') throw new FluentDataError('C0001E: query complexity over the limit', 'C0001E');
        let denied: PermissionDeniedError | undefined;
        const results = mutations.map((mutation): BatchResult => {
          try {
            return { kind: 'done', customer: apply(mutation) };
          } catch (error) {
            if (error instanceof PermissionDeniedError) {
              denied ??= error;
              return { kind: 'denied' };
            }
            if (error instanceof FluentDataError) return { kind: 'refused', error };
            if (error instanceof AmbiguousMutationError) return { kind: 'lost', detail: error.detail };
            throw error;
          }
        });
        if (whole === 'lost') throw new AmbiguousMutationError('CustomerBatch', 'HTTP 502');
        return { results, denied };
      });
    },
  };
  return {
    client,
    calls,
    counts,
    held: () => [...held.values()],
    /** Another writer's create landing now, unseen by the lookups before it. */
    hold: (input: CreateCustomerInput) => held.set(input.username, toCustomer(input, String(nextId++))),
    maxInFlight: () => maxInFlight,
  };
}

function toCustomer(input: CreateCustomerInput, id: string): OmsCustomer {
  const { retailer, attributes, ...fields } = input;
  return anOmsCustomer({
    id,
    ref: input.username,
    firstName: null,
    lastName: null,
    ...fields,
    retailerId: retailer.id,
    ...(attributes ? { attributes } : {}),
  });
}
