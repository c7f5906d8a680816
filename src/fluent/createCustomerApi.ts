/**
 * The customer operations of the client: lookups by username, creates, updates, batches of them, and the listing of
 * the account's customers. Fluent's query complexity limit (C0001E, over 11,111) is met by asking again with less:
 * half the usernames of a lookup, half a page, half a batch.
 */
import type { CreateCustomerInput, OmsCustomer, UpdateCustomerInput } from '../types.js';
import { COMPLEXITY_CODE, type GraphqlOperation, type GraphqlResult } from './createGraphqlExecutor.js';
import { batchMutation, CREATE_CUSTOMER, FIND_CUSTOMERS, LIST_CUSTOMERS, UPDATE_CUSTOMER } from './documents.js';
import { AmbiguousMutationError, FluentDataError } from './errors.js';
import type { BatchAnswer, BatchMutation, BatchResult, FluentClient, ListedCustomer } from './fluentClientTypes.js';
import { type ConnectionPage, type Listing, paginate } from './paginate.js';
import { type CustomerNode, toOmsCustomer } from './toOmsCustomer.js';

/** Fluent's documented cap on `first` (it clamps larger values to it). */
export const MAX_FIRST = 5000;
/**
 * A lookup's page: twice its usernames (a username can exist once per retailer), at least 100, never Fluent's
 * default of 10; at most 1000, since a page that large already holds every match of a lookup of 100.
 */
const MAX_LOOKUP_PAGE = 1000;

type Execute = (operation: GraphqlOperation) => Promise<GraphqlResult>;

export type CustomerApi = Pick<
  FluentClient,
  'findCustomers' | 'createCustomer' | 'updateCustomer' | 'mutateBatch' | 'listCustomers'
>;

/** Creates the customer API over `execute` (createGraphqlExecutor). */
export function createCustomerApi(execute: Execute): CustomerApi {
  const findCustomers = async (usernames: readonly string[]): Promise<OmsCustomer[]> => {
    const wanted = [...new Set(usernames)];
    if (wanted.length === 0) return [];
    return lookUp(wanted, Math.min(MAX_LOOKUP_PAGE, Math.max(100, wanted.length * 2)));
  };

  const lookUp = async (usernames: string[], first: number): Promise<OmsCustomer[]> => {
    const found: OmsCustomer[] = [];
    let listing: Listing;
    try {
      listing = await paginate<CustomerNode>({
        fetchPage: async (after) => {
          const variables = { usernames, first, after };
          const { data } = await execute({
            operationName: 'FindCustomers',
            query: FIND_CUSTOMERS,
            variables,
            kind: 'query',
          });
          return data.customers as ConnectionPage<CustomerNode> | null | undefined;
        },
        idOf: customerIdOf,
        onPage: (nodes) => {
          for (const node of nodes) found.push(toOmsCustomer(node));
          return undefined;
        },
        noun: 'customers',
      });
    } catch (error) {
      if (!isTooComplex(error)) throw error;
      if (usernames.length > 1) return inHalves(usernames);
      if (first > 1) return lookUp(usernames, Math.ceil(first / 2));
      throw error;
    }
    if (listing.complete) return found;
    // A lookup cut short could miss a match another retailer holds: ask again with shorter listings.
    if (usernames.length > 1) return inHalves(usernames);
    if (first < MAX_FIRST) return lookUp(usernames, MAX_FIRST);
    throw new FluentDataError(
      `${'warning' in listing ? listing.warning : 'the lookup stopped'} (looking one username up)`,
    );
  };

  const inHalves = async (usernames: string[]): Promise<OmsCustomer[]> => {
    const middle = Math.ceil(usernames.length / 2);
    const halves = [usernames.slice(0, middle), usernames.slice(middle)];
    const found = new Map<string, OmsCustomer>();
    for (const half of halves) {
      for (const customer of await findCustomers(half)) found.set(customer.id || `#${found.size}`, customer);
    }
    return [...found.values()];
  };

  const mutateCustomer = async (
    operationName: string,
    query: string,
    field: string,
    input: CreateCustomerInput | UpdateCustomerInput,
  ): Promise<OmsCustomer> => {
    const { data } = await execute({ operationName, query, variables: { input }, kind: 'mutation' });
    const node = data[field];
    if (typeof node !== 'object' || node === null) throw new FluentDataError(`${field} returned no customer`);
    return toOmsCustomer(node as CustomerNode);
  };

  const sendBatch = async (mutations: readonly BatchMutation[]): Promise<BatchAnswer> => {
    // Creates first, as the document puts them; `order[i]` is the mutation alias i stands for.
    const order = [
      ...mutations.flatMap((m, i) => (m.kind === 'create' ? [i] : [])),
      ...mutations.flatMap((m, i) => (m.kind === 'update' ? [i] : [])),
    ];
    const creates = mutations.filter((m) => m.kind === 'create').length;
    const { query, aliases } = batchMutation({ creates, updates: mutations.length - creates });
    const variables = Object.fromEntries(aliases.map((alias, i) => [alias, mutations[order[i] as number]?.input]));
    const { batch } = await execute({ operationName: 'CustomerBatch', query, variables, kind: 'batch', aliases });
    if (!batch) throw new Error('broken invariant: a batch is answered with its reading');
    const results: BatchResult[] = new Array(mutations.length);
    batch.results.forEach((result, i) => {
      const at = order[i] as number;
      results[at] =
        result.kind === 'done' ? { kind: 'done', customer: toOmsCustomer(result.node as CustomerNode) } : result;
    });
    return { results, denied: batch.denied };
  };

  const mutateBatch = async (mutations: readonly BatchMutation[]): Promise<BatchAnswer> => {
    try {
      return await sendBatch(mutations);
    } catch (error) {
      if (!isTooComplex(error) || mutations.length < 2) throw error;
    }
    // C0001E: nothing was applied; two smaller batches may each pass.
    const middle = Math.ceil(mutations.length / 2);
    const answers: BatchAnswer[] = [];
    for (const half of [mutations.slice(0, middle), mutations.slice(middle)]) {
      try {
        answers.push(await mutateBatch(half));
      } catch (error) {
        // This half's answer is lost; the other half's stands.
        if (!(error instanceof AmbiguousMutationError)) throw error;
        answers.push({ results: half.map(() => ({ kind: 'lost', detail: error.detail })), denied: undefined });
      }
    }
    return { results: answers.flatMap((a) => a.results), denied: answers.find((a) => a.denied)?.denied };
  };

  const listCustomers: CustomerApi['listCustomers'] = ({ pageSize, onPage }) => {
    let first = Math.min(MAX_FIRST, Math.max(1, Math.floor(pageSize)));
    return paginate<CustomerNode>({
      fetchPage: async (after) => {
        for (;;) {
          try {
            const variables = { first, after };
            const { data } = await execute({
              operationName: 'ListCustomers',
              query: LIST_CUSTOMERS,
              variables,
              kind: 'query',
            });
            return data.customers as ConnectionPage<CustomerNode> | null | undefined;
          } catch (error) {
            if (!isTooComplex(error) || first <= 1) throw error;
            first = Math.ceil(first / 2);
          }
        }
      },
      idOf: customerIdOf,
      onPage: (nodes) => {
        onPage(
          nodes.map((node): ListedCustomer => {
            const { id, username, primaryEmail, retailerId } = toOmsCustomer(node);
            return { id, username, primaryEmail, retailerId };
          }),
        );
        return undefined;
      },
      noun: 'customers',
    });
  };

  return {
    findCustomers,
    createCustomer: (input) => mutateCustomer('CreateCustomer', CREATE_CUSTOMER, 'createCustomer', input),
    updateCustomer: (input) => mutateCustomer('UpdateCustomer', UPDATE_CUSTOMER, 'updateCustomer', input),
    mutateBatch,
    listCustomers,
  };
}

function customerIdOf(node: CustomerNode): string | undefined {
  return node.id === undefined || node.id === null ? undefined : String(node.id);
}

function isTooComplex(error: unknown): boolean {
  return error instanceof FluentDataError && error.code === COMPLEXITY_CODE;
}
