/**
 * The answer classifier as a table: every code position (extensions.code, the start of the message with or without
 * a colon, the middle of it, quoted) and format (inside HTTP 200, with 4xx and 5xx, OAuth-style and plain-text
 * bodies, lost answers) against the verdict the client acts on.
 */
import { describe, expect, it } from 'vitest';
import { type AnswerContext, type AnswerVerdict, classifyAnswer } from '../../src/fluent/classifyAnswer.js';
import type { HttpAnswer } from '../../src/fluent/createTransport.js';

const context = (kind: AnswerContext['kind'], extra: Partial<AnswerContext> = {}): AnswerContext => ({
  operationName: kind === 'query' ? 'FindCustomers' : kind === 'mutation' ? 'CreateCustomer' : 'CustomerBatch',
  kind,
  aliases: kind === 'batch' ? ['c0', 'u1'] : undefined,
  refusedOnNewerToken: false,
  clean: (text) => text.replaceAll('s3cret', '***'),
  ...extra,
});
const answered = (status: number, body: unknown, retryAfter?: string): HttpAnswer => ({
  kind: 'answered',
  status,
  retryAfter,
  text: typeof body === 'string' ? body : JSON.stringify(body),
});
const errors = (...list: unknown[]) => ({ data: null, errors: list });

/** Each way Fluent may place a code in one GraphQL error. */
const positions = {
  'extensions.code': (code: string, text: string) => ({ message: text, extensions: { code } }),
  'message start, colon': (code: string, text: string) => ({ message: `${code}: ${text}` }),
  'message start, bare': (code: string, text: string) => ({ message: `${code} ${text}` }),
  'message middle': (code: string, text: string) => ({ message: `Error while running the query: ${code} ${text}` }),
  'quoted with its text': (code: string, text: string) => ({ message: `Exception: '${code}:${text}'` }),
} as const;

type Expected = Partial<AnswerVerdict> & { kind: AnswerVerdict['kind'] };

describe('classifyAnswer: codes in every position, inside HTTP 200 and with 400', () => {
  const table: { code: string; text: string; query: Expected; mutation: Expected }[] = [
    {
      code: 'C0011E',
      text: 'Rate limit exceeded',
      query: { kind: 'transient-rate', reason: 'C0011E rate limit exceeded' },
      mutation: { kind: 'transient-rate', reason: 'C0011E rate limit exceeded' },
    },
    {
      code: 'C0003E',
      text: 'Virtual view initialising',
      query: { kind: 'transient-server', reason: 'C0003E not ready yet, retry later' },
      mutation: { kind: 'transient-server', reason: 'C0003E not ready yet, retry later' },
    },
    {
      code: 'S0002E',
      text: 'General failure',
      query: { kind: 'transient-server', reason: 'Fluent S0002E' },
      mutation: { kind: 'ambiguous-mutation', detail: 'Fluent S0002E' },
    },
    {
      code: 'T0100E',
      text: 'Third party timed out',
      query: { kind: 'transient-server', reason: 'Fluent T0100E' },
      mutation: { kind: 'ambiguous-mutation', detail: 'Fluent T0100E' },
    },
    {
      code: 'C0020E',
      text: 'Insufficient permissions',
      query: { kind: 'permission-denied', permission: 'CUSTOMER_VIEW' },
      mutation: { kind: 'permission-denied', permission: 'CUSTOMER_CREATE' },
    },
    {
      code: 'C0001E',
      text: 'Query complexity 15003 exceeds 11111',
      query: { kind: 'complexity' },
      mutation: { kind: 'complexity' },
    },
    {
      code: 'C0123E',
      text: 'Unique constraint violation',
      query: { kind: 'already-exists', code: 'C0123E' },
      mutation: { kind: 'already-exists', code: 'C0123E' },
    },
    {
      code: 'C0141E',
      text: 'Field length exceeded',
      query: { kind: 'data-error', code: 'C0141E' },
      mutation: { kind: 'data-error', code: 'C0141E' },
    },
    {
      code: 'C0160W',
      text: 'A warning Fluent gives',
      query: { kind: 'data-error', code: 'C0160W' },
      mutation: { kind: 'data-error', code: 'C0160W' },
    },
  ];
  for (const { code, text, query, mutation } of table) {
    for (const [position, place] of Object.entries(positions)) {
      for (const status of [200, 400]) {
        for (const [kind, expected] of [
          ['query', query],
          ['mutation', mutation],
        ] as const) {
          it(`${code} in ${position}, HTTP ${status}, to a ${kind}: ${expected.kind}`, () => {
            const verdict = classifyAnswer(answered(status, errors(place(code, text))), context(kind));
            expect(verdict).toMatchObject(expected);
          });
        }
      }
    }
  }

  it('a Retry-After sent with C0011E travels with the verdict', () => {
    const verdict = classifyAnswer(
      answered(200, errors({ message: 'C0011E Rate limit exceeded' }), '7'),
      context('query'),
    );
    expect(verdict).toEqual({ kind: 'transient-rate', reason: 'C0011E rate limit exceeded', retryAfter: '7' });
  });

  it('extensions.code wins over a code in the message; the first code of a message counts', () => {
    const both = errors({ message: 'C0160E: something', extensions: { code: 'C0011E' } });
    expect(classifyAnswer(answered(200, both), context('query')).kind).toBe('transient-rate');
    const two = errors({ message: 'C0141E failed, see C0011E' });
    expect(classifyAnswer(answered(200, two), context('query'))).toMatchObject({ kind: 'data-error', code: 'C0141E' });
  });

  it('a code quoted on its own is a value, not a code: a username cannot stop the run', () => {
    const verdict = classifyAnswer(
      answered(200, errors({ message: "Customer with username 'C0020E' not found" })),
      context('mutation'),
    );
    expect(verdict).toEqual({
      kind: 'data-error',
      message: "Customer with username 'C0020E' not found",
      code: undefined,
    });
  });

  it('a code inside a word is not a code', () => {
    const verdict = classifyAnswer(answered(200, errors({ message: 'user XC0011E9 is invalid' })), context('query'));
    expect(verdict).toMatchObject({ kind: 'data-error', code: undefined });
  });

  it('a server code beside a rate limit outranks it for a mutation: it may have been applied', () => {
    const verdict = classifyAnswer(
      answered(200, errors({ message: 'C0011E: slow down' }, { message: 'S0002E: failed' })),
      context('mutation'),
    );
    expect(verdict).toEqual({ kind: 'ambiguous-mutation', detail: 'Fluent S0002E' });
  });

  it('"already exists" in words, with no code, is already-exists', () => {
    const verdict = classifyAnswer(answered(200, errors({ message: 'Customer already exists' })), context('mutation'));
    expect(verdict).toMatchObject({ kind: 'already-exists', code: undefined });
  });

  it('messages are cleaned before they are read or quoted', () => {
    const verdict = classifyAnswer(answered(200, errors({ message: 'bad token s3cret' })), context('query'));
    expect(verdict).toEqual({ kind: 'data-error', message: 'bad token ***', code: undefined });
  });
});

describe('classifyAnswer: HTTP statuses and bodies', () => {
  const table: [string, HttpAnswer, AnswerContext['kind'], AnswerVerdict][] = [
    [
      '429 with Retry-After',
      answered(429, {}, '3'),
      'mutation',
      { kind: 'transient-rate', reason: 'HTTP 429', retryAfter: '3' },
    ],
    [
      '429 without Retry-After',
      answered(429, ''),
      'query',
      { kind: 'transient-rate', reason: 'HTTP 429', retryAfter: undefined },
    ],
    [
      '408 to a mutation',
      answered(408, ''),
      'mutation',
      { kind: 'transient-server', reason: 'HTTP 408', retryAfter: undefined },
    ],
    [
      '502 HTML to a query',
      answered(502, '<html>bad gateway</html>', '1'),
      'query',
      { kind: 'transient-server', reason: 'HTTP 502', retryAfter: '1' },
    ],
    ['503 to a mutation', answered(503, ''), 'mutation', { kind: 'ambiguous-mutation', detail: 'HTTP 503' }],
    ['500 to a batch', answered(500, ''), 'batch', { kind: 'ambiguous-mutation', detail: 'HTTP 500' }],
    [
      '413',
      answered(413, ''),
      'mutation',
      { kind: 'data-error', message: 'request too large for Fluent (HTTP 413)', code: undefined },
    ],
    ['404', answered(404, 'not found'), 'query', { kind: 'not-fluent-host', status: 404 }],
    ['405', answered(405, ''), 'mutation', { kind: 'not-fluent-host', status: 405 }],
    [
      '400 without errors',
      answered(400, { data: null }),
      'query',
      { kind: 'data-error', message: 'Fluent answered HTTP 400 to FindCustomers', code: undefined },
    ],
    [
      '200 unreadable to a query',
      answered(200, 'not json'),
      'query',
      { kind: 'transient-server', reason: 'unreadable response body', retryAfter: undefined },
    ],
    [
      '200 unreadable to a mutation',
      answered(200, 'not json'),
      'mutation',
      { kind: 'ambiguous-mutation', detail: 'unreadable response body' },
    ],
    [
      '200 with data',
      answered(200, { data: { customers: null } }),
      'query',
      { kind: 'ok', data: { customers: null }, rateLimited: 0 },
    ],
    [
      'a lost query',
      { kind: 'lost', sent: true, message: 'socket hang up' },
      'query',
      { kind: 'transient-server', reason: 'socket hang up', retryAfter: undefined },
    ],
    [
      'a mutation that never left',
      { kind: 'lost', sent: false, message: 'connect ECONNREFUSED' },
      'mutation',
      { kind: 'transient-server', reason: 'connect ECONNREFUSED', retryAfter: undefined },
    ],
    [
      'a mutation lost after it left',
      { kind: 'lost', sent: true, message: 'other side closed' },
      'mutation',
      { kind: 'ambiguous-mutation', detail: 'other side closed' },
    ],
  ];
  for (const [name, answer, kind, expected] of table) {
    it(`${name} → ${expected.kind}`, () => {
      expect(classifyAnswer(answer, context(kind))).toEqual(expected);
    });
  }
});

describe('classifyAnswer: 401 and 403', () => {
  it('a 401 of an expired token renews it; the same after a newer token is refused credentials', () => {
    const expired = answered(401, { error: 'invalid_token', error_description: 'The access token expired' });
    expect(classifyAnswer(expired, context('query'))).toEqual({ kind: 'renew-token' });
    expect(classifyAnswer(expired, context('query', { refusedOnNewerToken: true }))).toEqual({
      kind: 'credentials-refused',
      detail: 'HTTP 401 to FindCustomers',
    });
  });

  const denials: [string, HttpAnswer, string | undefined, string][] = [
    [
      '401 with C0020E',
      answered(401, errors({ message: 'C0020E: Insufficient permissions' })),
      'CUSTOMER_CREATE',
      'HTTP 401: C0020E: Insufficient permissions',
    ],
    [
      '401 with a bare C0020E',
      answered(401, errors({ message: 'C0020E Insufficient permissions' })),
      'CUSTOMER_CREATE',
      'HTTP 401: C0020E Insufficient permissions',
    ],
    [
      '401 naming the permission in words',
      answered(401, { error: 'access_denied', error_description: 'User does not have permission CUSTOMER_UPDATE' }),
      'CUSTOMER_UPDATE',
      'HTTP 401: access_denied: User does not have permission CUSTOMER_UPDATE',
    ],
    [
      '401 in plain text',
      answered(401, 'User is not authorized to perform this operation'),
      'CUSTOMER_CREATE',
      'HTTP 401: User is not authorized to perform this operation',
    ],
    ['403 with an HTML page', answered(403, '<html>Forbidden</html>'), 'CUSTOMER_CREATE', 'HTTP 403'],
    ['403 with no body', answered(403, ''), 'CUSTOMER_CREATE', 'HTTP 403'],
  ];
  for (const [name, answer, permission, detail] of denials) {
    it(`${name} → permission-denied`, () => {
      expect(classifyAnswer(answer, context('mutation'))).toEqual({ kind: 'permission-denied', permission, detail });
    });
  }
});

describe('classifyAnswer: a batch is read alias by alias first', () => {
  it('aliases answered apart are ok, with the ones refused for the rate counted', () => {
    const body = {
      data: { c0: { id: '1' }, u1: null },
      errors: [{ message: 'C0011E Rate limit exceeded', path: ['u1'] }],
    };
    const verdict = classifyAnswer(answered(200, body), context('batch'));
    expect(verdict.kind).toBe('ok');
    expect(verdict.kind === 'ok' && verdict.rateLimited).toBe(1);
    expect(verdict.kind === 'ok' && verdict.batch?.results.map((r) => r.kind)).toEqual(['done', 'lost']);
  });

  it('an error of the whole request is classified like a mutation’s', () => {
    const tooComplex = errors({ message: 'C0001E: Query complexity exceeded' });
    expect(classifyAnswer(answered(200, tooComplex), context('batch')).kind).toBe('complexity');
    const limited = errors({ message: 'C0011E Rate limit exceeded' });
    expect(classifyAnswer(answered(200, limited), context('batch')).kind).toBe('transient-rate');
  });
});
