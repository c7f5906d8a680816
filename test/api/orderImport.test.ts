import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/runCli.js';

interface Line {
  order: string;
  customer: { outcome: string; username?: string; customerId?: string };
  createOrder: { input: { ref: string; customer: { id: string }; retailer: { id: string } } } | null;
}

describe('the example order import (examples/order-import.mjs, docs/api.md)', () => {
  it('gets a customer id for every order against the sandbox: created, found, or the same for a second order', () => {
    const stdout = execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'examples/order-import.mjs')], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Line);
    expect(lines.map((l) => [l.order, l.customer.outcome])).toEqual([
      ['HD-1001', 'created'],
      ['HD-1002', 'created'],
      ['HD-1003', 'duplicate'],
      ['HD-1004', 'unchanged'],
    ]);
    for (const line of lines) {
      expect(line.customer.customerId).toMatch(/^\d+$/);
      expect(line.createOrder?.input).toMatchObject({
        ref: line.order,
        customer: { id: line.customer.customerId },
        retailer: { id: '1' },
      });
    }
    const idOf = (order: string) => lines.find((l) => l.order === order)?.customer.customerId;
    expect(idOf('HD-1003')).toBe(idOf('HD-1001'));
    expect(new Set(lines.map((l) => l.customer.customerId)).size).toBe(3);
  });
});
