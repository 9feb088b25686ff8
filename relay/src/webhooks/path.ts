/**
 * Field paths into a sender's JSON, compiled once at start:
 *   data.first_name                              keys
 *   data.email_addresses[0].email_address        array index (negative counts from the end)
 *   form_response.answers[field.ref=email].email first element whose `field.ref` is "email"
 *   data.fields[label~="First name"].value       the same, ignoring case and surrounding spaces
 *   meta["key.with.dots"]                        a quoted key
 * Selector values may be quoted (JSON string syntax) when they contain `]` or quotes.
 */

type Step =
  | { kind: 'key'; key: string; end: number }
  | { kind: 'index'; index: number; end: number }
  | { kind: 'select'; path: string[]; value: string; loose: boolean; end: number };

export type Lookup = { found: true; value: unknown } | { found: false; missingAt: string };

export interface FieldPath {
  readonly text: string;
  /** The value at this path, or the shortest prefix of the path that led nowhere. */
  get(root: unknown): Lookup;
}

export class PathSyntaxError extends Error {
  override name = 'PathSyntaxError';
}

const NAME_STOP = new Set(['.', '[', ']']);

export function compilePath(text: string): FieldPath {
  const steps = parse(text);
  return {
    text,
    get(root) {
      let current: unknown = root;
      for (const step of steps) {
        const next = apply(step, current);
        if (next === NOTHING) return { found: false, missingAt: text.slice(0, step.end) };
        current = next;
      }
      return { found: true, value: current };
    },
  };
}

const NOTHING = Symbol('nothing');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own properties only: a path can never reach `__proto__`, `constructor` or the like. */
function child(value: unknown, key: string): unknown {
  return isRecord(value) && Object.hasOwn(value, key) ? value[key] : NOTHING;
}

function apply(step: Step, current: unknown): unknown {
  switch (step.kind) {
    case 'key':
      return child(current, step.key);
    case 'index': {
      if (!Array.isArray(current)) return NOTHING;
      const index = step.index < 0 ? current.length + step.index : step.index;
      return index >= 0 && index < current.length ? current[index] : NOTHING;
    }
    case 'select': {
      if (!Array.isArray(current)) return NOTHING;
      const wanted = step.loose ? loosen(step.value) : step.value;
      const match = current.find((element) => {
        let probe: unknown = element;
        for (const key of step.path) probe = child(probe, key);
        if (typeof probe !== 'string' && typeof probe !== 'number' && typeof probe !== 'boolean') return false;
        const text = String(probe);
        return (step.loose ? loosen(text) : text) === wanted;
      });
      return match === undefined ? NOTHING : match;
    }
  }
}

const loosen = (value: string) => value.trim().toLowerCase();

function parse(text: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const fail = (problem: string): never => {
    throw new PathSyntaxError(`${problem} at character ${i + 1} of "${text}"`);
  };
  /** A selector's dotted field path, up to its `=` or `~=`. */
  const readSelectorPath = () => {
    const start = i;
    while (i < text.length && !'[]=~'.includes(text[i]!)) i++;
    return text.slice(start, i);
  };
  const readQuoted = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated quoted string');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('invalid quoted string');
    }
  };
  const expect = (char: string) => {
    if (text[i] !== char) fail(`expected "${char}"`);
    i++;
  };

  if (text.trim() === '') fail('empty path');
  let needName = text[0] !== '[';
  while (i < text.length || needName) {
    if (needName) {
      const start = i;
      while (i < text.length && !NAME_STOP.has(text[i]!)) i++;
      if (i === start) fail('expected a field name');
      steps.push({ kind: 'key', key: text.slice(start, i), end: i });
      needName = false;
    } else if (text[i] === '.') {
      i++;
      needName = true;
    } else if (text[i] === '[') {
      i++;
      if (i >= text.length) fail('unclosed "["');
      if (text[i] === '"') {
        const key = readQuoted();
        expect(']');
        steps.push({ kind: 'key', key, end: i });
        continue;
      }
      const index = /^-?\d+(?=\])/.exec(text.slice(i));
      if (index) {
        i += index[0].length + 1;
        steps.push({ kind: 'index', index: Number(index[0]), end: i });
        continue;
      }
      const path = readSelectorPath().split('.');
      if (path.some((key) => key === '')) fail('expected a field name before "=" in a selector');
      const loose = text[i] === '~';
      if (loose) i++;
      expect('=');
      let value: string;
      if (text[i] === '"') value = readQuoted();
      else {
        const start = i;
        while (i < text.length && text[i] !== ']' && text[i] !== '[') i++;
        value = text.slice(start, i);
        if (value === '') fail('expected a value after "="');
      }
      expect(']');
      steps.push({ kind: 'select', path, value, loose, end: i });
    } else {
      fail(`unexpected "${text[i]}"`);
    }
  }
  return steps;
}
