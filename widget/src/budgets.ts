/**
 * The byte budgets of the built bundles: gzip at level 9 in bytes (10 KiB, 1.5 KiB, 2 KiB), the
 * figure the README promises. Vite's own report is in kB of 1000 at its own gzip level, so
 * the build prints this figure too (vite.config.ts) and budget.test.ts enforces it.
 */
import { gzipSync } from 'node:zlib';

export const BUDGETS: Record<string, number> = {
  'vantio-signup.js': 10_240,
  'vantio-capture.js': 1_536,
  // The photo field's chunk, loaded only by a page that shows the field.
  'vantio-photo.js': 2_048,
};

export const budgetSize = (code: Uint8Array | string) => gzipSync(code, { level: 9 }).length;

export function budgetLine(file: string, code: Uint8Array | string): string | null {
  const max = BUDGETS[file];
  if (max === undefined) return null;
  const size = budgetSize(code);
  const verdict = size <= max ? `${((size / max) * 100).toFixed(1)} % of the budget, ${max - size} B left` : `OVER BUDGET by ${size - max} B`;
  return `${file}: ${size.toLocaleString('en')} B gzip -9, budget ${max.toLocaleString('en')} B (${max / 1024} KiB): ${verdict}`;
}
