import { describe, expect, it } from 'vitest';
import { neutraliseCell } from '../../src/report/neutraliseCell.js';

describe('neutraliseCell', () => {
  it.each([
    ['=1+1', {}, "'=1+1"],
    ['+61412345678', {}, "'+61412345678"],
    ['+61412345678', { phone: true }, '+61412345678'],
    ['+61 412 345 678', { phone: true }, "'+61 412 345 678"],
    ['+0412345678', { phone: true }, "'+0412345678"],
    ['+1234567890123456', { phone: true }, "'+1234567890123456"],
    ['=HYPERLINK("http://x")', { phone: true }, '\'=HYPERLINK("http://x")'],
    ['-5', {}, "'-5"],
    ['@SUM(A1:A2)', {}, "'@SUM(A1:A2)"],
    ['\tcmd', {}, "'\tcmd"],
    ['\rcmd', {}, "'\rcmd"],
    ["'hello", {}, "'hello"],
    ["'=1+1", {}, "'=1+1"],
    ['jane@example.com', {}, 'jane@example.com'],
    ['O’Brien', {}, 'O’Brien'],
    ['a=b', {}, 'a=b'],
    ['', {}, ''],
    [' =1', {}, ' =1'],
  ])('%j (%j) → %j', (value, options, expected) => {
    expect(neutraliseCell(value, options)).toBe(expected);
  });
});
