import { describe, expect, it } from 'vitest';
import { type Answer, classifyAnswer, type MutationAnswer } from '../../src/apply/classifyAnswer.js';
import {
  AmbiguousMutationError,
  CredentialsRefusedError,
  FluentDataError,
  OmsUnreachableError,
  PermissionDeniedError,
} from '../../src/fluent/errors.js';
import { anOmsCustomer } from '../builders/customers.js';

const customer = anOmsCustomer({ id: '42' });
const denied = new PermissionDeniedError('CreateCustomer', 'CUSTOMER_CREATE', 'C0020E: no permission');
const unreachable = new OmsUnreachableError('https://oms.example', 'HTTP 503', 8);
const refusedCredentials = new CredentialsRefusedError(['FLUENT_PASSWORD'], 'HTTP 401');
const bug = new TypeError('x is undefined');
const threw = (error: unknown): MutationAnswer => ({ kind: 'threw', error });

describe('classifyAnswer: the send loop reads each mutation answer once', () => {
  const cases: [string, 'create' | 'update', MutationAnswer, Answer][] = [
    ['a single create answered with the customer', 'create', { kind: 'done', customer }, { kind: 'done', customer }],
    ['an alias answered with the customer', 'update', { kind: 'done', customer }, { kind: 'done', customer }],
    [
      'a 5xx or a cut after sending',
      'create',
      threw(new AmbiguousMutationError('CreateCustomer', 'HTTP 502')),
      { kind: 'lost', detail: 'HTTP 502' },
    ],
    [
      'an alias whose answer was lost',
      'update',
      { kind: 'lost', detail: 'Fluent C0011E for u1' },
      { kind: 'lost', detail: 'Fluent C0011E for u1' },
    ],
    [
      'no alias for the row in the batch’s answer',
      'create',
      undefined,
      { kind: 'lost', detail: 'no answer for it in the batch' },
    ],
    [
      'a create Fluent says already exists (C0123E)',
      'create',
      threw(new FluentDataError('C0123E: customer already exists', 'C0123E')),
      { kind: 'exists', detail: 'C0123E: customer already exists' },
    ],
    [
      'an alias of a create refused as existing, by its message alone',
      'create',
      { kind: 'refused', error: new FluentDataError('Customer already exists') },
      { kind: 'exists', detail: 'Customer already exists' },
    ],
    [
      'an update refused as "already exists" is refused like any other',
      'update',
      threw(new FluentDataError('C0123E: unique constraint', 'C0123E')),
      { kind: 'refused', message: 'C0123E: unique constraint' },
    ],
    [
      'a value too long (C0141E)',
      'create',
      threw(new FluentDataError('C0141E: firstName is too long', 'C0141E')),
      { kind: 'refused', message: 'C0141E: firstName is too long' },
    ],
    [
      'an alias refused by a data rule',
      'update',
      { kind: 'refused', error: new FluentDataError('C0160E: refused by a rule', 'C0160E') },
      { kind: 'refused', message: 'C0160E: refused by a rule' },
    ],
    ['a single send refused for a missing permission', 'create', threw(denied), { kind: 'denied', error: denied }],
    ['an alias refused for a missing permission', 'update', { kind: 'denied' }, { kind: 'denied', error: undefined }],
    ['the OMS unreachable past its retries', 'update', threw(unreachable), { kind: 'stop', error: unreachable }],
    ['credentials refused', 'create', threw(refusedCredentials), { kind: 'stop', error: refusedCredentials }],
    ['anything else (a broken invariant)', 'create', threw(bug), { kind: 'stop', error: bug }],
  ];
  it.each(cases)('%s', (_, action, answer, expected) => {
    expect(classifyAnswer(action, answer)).toEqual(expected);
  });
});
