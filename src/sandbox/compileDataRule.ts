/**
 * A data rule's pattern (`refuseUsernamePattern`) matched in linear time. JavaScript's own engine backtracks, so a
 * pattern like `^(a|aa)+$` or `a*a*a*b` can hold it for seconds or hours on one username; this one simulates the
 * pattern's automaton over the text (Thompson's construction), so a match costs at most the text's length times the
 * pattern's size. It answers what `new RegExp(pattern).test(text)` answers for every pattern it takes: JavaScript
 * syntax without flags (characters are UTF-16 units, `^` and `$` the ends of the text). Backreferences and
 * lookaround cannot be matched that way and are refused.
 */
export type DataRule = { ok: true; test(text: string): boolean } | { ok: false; message: string };

type Node =
  | { kind: 'char'; test(code: number): boolean }
  | { kind: 'assert'; test(text: string, at: number): boolean }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

type Instruction =
  | { op: 'char'; test(code: number): boolean }
  | { op: 'assert'; test(text: string, at: number): boolean }
  | { op: 'split'; first: number; second: number }
  | { op: 'jump'; to: number }
  | { op: 'match' };

/** A data rule is a short pattern; a long one is more likely a mistake than a rule. */
export const MAX_PATTERN_LENGTH = 200;
/** Repetitions are spelled out (`a{3}` is `aaa`): past this many steps the automaton is too big to be worth it. */
const MAX_PROGRAM_SIZE = 5000;
const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;

class Refusal extends Error {}

/**
 * Checks and compiles a data rule's pattern.
 *
 * @returns a matcher, or a one-line message saying what is wrong with the pattern (never repeating it)
 */
export function compileDataRule(pattern: string, name = 'refuseUsernamePattern'): DataRule {
  if (pattern === '' || pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `${name} must be a regular expression of 1 to ${MAX_PATTERN_LENGTH} characters` };
  }
  try {
    new RegExp(pattern);
  } catch {
    return { ok: false, message: `${name} is not a valid regular expression` };
  }
  try {
    const program = compile(parsePattern(pattern));
    return { ok: true, test: (text) => run(program, text) };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { ok: false, message: `${name} ${error.message}` };
  }
}

function parsePattern(pattern: string): Node {
  let at = 0;

  function alternation(): Node {
    const options = [sequence()];
    while (pattern[at] === '|') {
      at++;
      options.push(sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { kind: 'alt', options };
  }

  function sequence(): Node {
    const items: Node[] = [];
    while (at < pattern.length && pattern[at] !== '|' && pattern[at] !== ')') items.push(quantified(atom()));
    return { kind: 'seq', items };
  }

  function quantified(node: Node): Node {
    let min: number;
    let max: number;
    const char = pattern[at];
    const braces = char === '{' ? QUANTIFIER.exec(pattern.slice(at)) : null;
    if (char === '*' || char === '+' || char === '?') {
      [min, max] = char === '*' ? [0, Infinity] : char === '+' ? [1, Infinity] : [0, 1];
      at++;
    } else if (braces) {
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
      at += braces[0].length;
    } else {
      return node;
    }
    if (min > MAX_PROGRAM_SIZE || (max !== Infinity && max > MAX_PROGRAM_SIZE)) {
      throw new Refusal('is too large once its repetitions are spelled out');
    }
    // A lazy quantifier matches the same texts as a greedy one; only what it captures differs.
    if (pattern[at] === '?') at++;
    return { kind: 'repeat', node, min, max };
  }

  function atom(): Node {
    const char = pattern[at] as string;
    if (char === '(') return group();
    if (char === '^') {
      at++;
      return { kind: 'assert', test: (_, position) => position === 0 };
    }
    if (char === '$') {
      at++;
      return { kind: 'assert', test: (text, position) => position === text.length };
    }
    if (char === '.') {
      at++;
      return { kind: 'char', test: (code) => code !== 0x0a && code !== 0x0d && code !== 0x2028 && code !== 0x2029 };
    }
    if (char === '[') return charClass();
    if (char === '\\') return escapeSequence();
    at++;
    const code = char.charCodeAt(0);
    return { kind: 'char', test: (given) => given === code };
  }

  function group(): Node {
    if (pattern.startsWith('(?:', at)) at += 3;
    else if (pattern.startsWith('(?<', at) && pattern[at + 3] !== '=' && pattern[at + 3] !== '!') {
      at = pattern.indexOf('>', at) + 1;
    } else if (pattern[at + 1] === '?') {
      throw new Refusal('may not use lookahead, lookbehind or other (?…) groups than (?: and (?<name>');
    } else at++;
    const inner = alternation();
    at++; // the ')', which the engine's own check has made sure of
    return inner;
  }

  function charClass(): Node {
    let end = at + 1;
    if (pattern[end] === '^') end++;
    while (end < pattern.length && pattern[end] !== ']') end += pattern[end] === '\\' ? 2 : 1;
    const source = pattern.slice(at, end + 1);
    at = end + 1;
    return { kind: 'char', test: oneCharTest(source) };
  }

  function escapeSequence(): Node {
    const next = pattern[at + 1] ?? '';
    if (next === 'b' || next === 'B') {
      at += 2;
      const boundary = next === 'b';
      return {
        kind: 'assert',
        test: (text, position) => (isWordChar(text, position - 1) !== isWordChar(text, position)) === boundary,
      };
    }
    if (/[1-9]/.test(next) || next === 'k') throw new Refusal('may not use backreferences (\\1, \\k<name>)');
    if (next === '0' && /\d/.test(pattern[at + 2] ?? ''))
      throw new Refusal('may not use octal escapes (\\0 and digits)');
    if (next === 'c' && !/[A-Za-z]/.test(pattern[at + 2] ?? '')) throw new Refusal('may not use \\c without a letter');
    let length = 2;
    if (next === 'x' && /^[0-9A-Fa-f]{2}$/.test(pattern.slice(at + 2, at + 4))) length = 4;
    else if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(pattern.slice(at + 2, at + 6))) length = 6;
    else if (next === 'c') length = 3;
    const source = pattern.slice(at, at + length);
    at += length;
    return { kind: 'char', test: oneCharTest(source) };
  }

  return alternation();
}

/** A test of one UTF-16 unit against a class or escape, by the engine itself (one unit cannot backtrack). */
function oneCharTest(source: string): (code: number) => boolean {
  const expression = new RegExp(`^${source}$`);
  const known = new Map<number, boolean>();
  return (code) => {
    let matches = known.get(code);
    if (matches === undefined) {
      matches = expression.test(String.fromCharCode(code));
      known.set(code, matches);
    }
    return matches;
  };
}

function isWordChar(text: string, position: number): boolean {
  const code = text.charCodeAt(position);
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f
  );
}

/** Thompson's construction: the node as instructions of an automaton, ending in `match`. */
function compile(root: Node): Instruction[] {
  const program: Instruction[] = [];
  const emit = (instruction: Instruction) => {
    if (program.length >= MAX_PROGRAM_SIZE) throw new Refusal('is too large once its repetitions are spelled out');
    program.push(instruction);
    return program.length - 1;
  };
  const patch = (at: number, instruction: Instruction) => {
    program[at] = instruction;
  };
  function emitNode(node: Node): void {
    switch (node.kind) {
      case 'char':
        emit({ op: 'char', test: node.test });
        return;
      case 'assert':
        emit({ op: 'assert', test: node.test });
        return;
      case 'seq':
        for (const item of node.items) emitNode(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        node.options.forEach((option, index) => {
          if (index < node.options.length - 1) {
            const split = emit({ op: 'jump', to: -1 });
            emitNode(option);
            jumps.push(emit({ op: 'jump', to: -1 }));
            patch(split, { op: 'split', first: split + 1, second: program.length });
          } else {
            emitNode(option);
          }
        });
        for (const jump of jumps) patch(jump, { op: 'jump', to: program.length });
        return;
      }
      case 'repeat': {
        for (let count = 0; count < node.min; count++) emitNode(node.node);
        if (node.max === Infinity) {
          const split = emit({ op: 'jump', to: -1 });
          emitNode(node.node);
          emit({ op: 'jump', to: split });
          patch(split, { op: 'split', first: split + 1, second: program.length });
          return;
        }
        const splits: number[] = [];
        for (let count = node.min; count < node.max; count++) {
          splits.push(emit({ op: 'jump', to: -1 }));
          emitNode(node.node);
        }
        for (const split of splits) patch(split, { op: 'split', first: split + 1, second: program.length });
        return;
      }
    }
  }
  emitNode(root);
  emit({ op: 'match' });
  return program;
}

/** Runs the automaton over the text, a match anywhere in it counting (as `RegExp.prototype.test` does). */
function run(program: readonly Instruction[], text: string): boolean {
  const seen = new Int32Array(program.length);
  let generation = 0;
  let current: number[] = [];
  let matched = false;

  /** Adds the thread at `start` and everything it reaches without reading a character, at `position`. */
  function addThread(list: number[], start: number, position: number): void {
    const stack = [start];
    while (stack.length > 0) {
      const pc = stack.pop() as number;
      if (seen[pc] === generation) continue;
      seen[pc] = generation;
      const instruction = program[pc] as Instruction;
      if (instruction.op === 'jump') stack.push(instruction.to);
      else if (instruction.op === 'split') stack.push(instruction.second, instruction.first);
      else if (instruction.op === 'assert') {
        if (instruction.test(text, position)) stack.push(pc + 1);
      } else if (instruction.op === 'match') matched = true;
      else list.push(pc);
    }
  }

  generation++;
  addThread(current, 0, 0);
  for (let position = 0; position < text.length && !matched; position++) {
    const code = text.charCodeAt(position);
    const next: number[] = [];
    generation++;
    for (const pc of current) {
      const instruction = program[pc] as Instruction & { op: 'char' };
      if (instruction.test(code)) addThread(next, pc + 1, position + 1);
    }
    // A match may start anywhere: a new thread at every position.
    addThread(next, 0, position + 1);
    current = next;
  }
  return matched;
}
