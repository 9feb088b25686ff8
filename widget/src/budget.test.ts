/** The byte budgets of the built bundles (gzip -9), as the issue sets them. `npm test` builds first. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUDGETS, budgetLine, budgetSize } from './budgets';

function built(file: string): Buffer {
  const path = resolve(import.meta.dirname, '../dist', file);
  if (!existsSync(path)) throw new Error(`${path} is missing: build it with \`npm run build\` (npm test builds first)`);
  return readFileSync(path);
}

describe.each(Object.entries(BUDGETS))('%s', (file, max) => {
  it(`is at most ${max} bytes gzipped`, () => {
    const size = budgetSize(built(file));
    expect(size, `${file} is ${size} B gzip, budget ${max} B`).toBeLessThanOrEqual(max);
    // What the build prints is the same figure.
    expect(budgetLine(file, built(file))).toContain(`${file}: ${size.toLocaleString('en')} B gzip -9, budget`);
  });
});

it('keeps Preact out of the capture bundle', () => {
  // Preact's mangled internals (`__k` children, `__e` DOM node) appear in any bundle that has it.
  expect(built('vantio-signup.js').toString()).toContain('__k');
  expect(built('vantio-capture.js').toString()).not.toContain('__k');
});

it('builds the photo chunk as an ES module with no Preact of its own (it renders with the form’s `h`)', () => {
  const chunk = built('vantio-photo.js').toString();
  expect(chunk).not.toContain('__k');
  // What the signup bundle uses of it (form.tsx, outbox.ts), by name: a dynamic import's exports.
  expect(chunk).toMatch(/export\s*\{[^}]*\bas createPhotoField\b[^}]*\}/);
  expect(chunk).toMatch(/export\s*\{[^}]*\bas uploadPicture\b[^}]*\}/);
  // Loaded only where the field is shown: the signup bundle names it, the capture bundle not at all.
  expect(built('vantio-signup.js').toString()).toContain('vantio-photo.js');
  expect(built('vantio-capture.js').toString()).not.toContain('vantio-photo');
});
