/** The byte budgets of the built bundles (gzip -9), as the issue sets them. `npm test` builds first. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGETS: [file: string, maxGzipBytes: number][] = [
  ['vantio-signup.js', 10_240],
  ['vantio-capture.js', 1_536],
];

function built(file: string): Buffer {
  const path = resolve(import.meta.dirname, '../dist', file);
  if (!existsSync(path)) throw new Error(`${path} is missing: build it with \`npm run build\` (npm test builds first)`);
  return readFileSync(path);
}

describe.each(BUDGETS)('%s', (file, max) => {
  it(`is at most ${max} bytes gzipped`, () => {
    const size = gzipSync(built(file), { level: 9 }).length;
    expect(size, `${file} is ${size} B gzip, budget ${max} B`).toBeLessThanOrEqual(max);
  });
});

it('keeps Preact out of the capture bundle', () => {
  // Preact's mangled internals (`__k` children, `__e` DOM node) appear in any bundle that has it.
  expect(built('vantio-signup.js').toString()).toContain('__k');
  expect(built('vantio-capture.js').toString()).not.toContain('__k');
});
