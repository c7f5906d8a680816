import type { FluentClient } from '../fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError } from '../fluent/errors.js';
import type { Logger } from '../log.js';
import type { CreateCustomerInput, UpdateCustomerInput } from '../types.js';

type CustomerRequests = Pick<FluentClient, 'findCustomers' | 'createCustomer' | 'updateCustomer'>;

/**
 * The client with each customer request logged at debug level (`--verbose`): a lookup with how many usernames it
 * asked for and how many customers came back, a create or update with its username and the names of the fields it
 * sends, then how it ended and how long it took. No value but the username is logged: the fields' values are
 * customers' personal data, and Fluent's messages may echo them, so a refusal is logged by its code only.
 * Everything else the client does passes through as it is.
 */
export function logRequests<C extends CustomerRequests>(client: C, log: Logger, now = Date.now): C {
  const timed = async <T>(what: string, request: () => Promise<T>, answer: (value: T) => string): Promise<T> => {
    log.debug(what);
    const started = now();
    try {
      const value = await request();
      log.debug(`${what}: ${answer(value)} (${now() - started} ms)`);
      return value;
    } catch (error) {
      log.debug(`${what}: ${describeFailure(error)} (${now() - started} ms)`);
      throw error;
    }
  };
  const sent = (input: CreateCustomerInput | UpdateCustomerInput) =>
    Object.keys(input)
      .filter((key) => key !== 'username' && key !== 'retailer')
      .join(', ');
  return {
    ...client,
    findCustomers: (usernames) =>
      timed(
        `lookup of ${usernames.length} username${usernames.length === 1 ? '' : 's'}`,
        () => client.findCustomers(usernames),
        (found) => `${found.length} customer${found.length === 1 ? '' : 's'} found`,
      ),
    createCustomer: (input) =>
      timed(
        `create ${input.username} (${sent(input)})`,
        () => client.createCustomer(input),
        (customer) => `created, customer id ${customer.id}`,
      ),
    updateCustomer: (input) =>
      timed(
        `update ${input.username} (${sent(input)})`,
        () => client.updateCustomer(input),
        (customer) => `updated, customer id ${customer.id}`,
      ),
  };
}

function describeFailure(error: unknown): string {
  if (error instanceof AmbiguousMutationError) return `answer lost (${error.detail}), to be resolved by a lookup`;
  if (error instanceof FluentDataError) return `refused by Fluent${error.code ? ` (${error.code})` : ''}`;
  return `failed (${error instanceof Error ? error.name : 'error'})`;
}
