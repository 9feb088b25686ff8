/**
 * `npm start` on a production install (built, then `npm prune --omit=dev`: no esbuild, no
 * Vite) runs what was built instead of failing on the missing build tools, and says what to
 * do when nothing was built. The real `scripts/ensure-built.mjs`, run by node in a copy of
 * the project's layout. (The whole flow — `npm ci && npm run build && npm prune --omit=dev
 * && npm start` — is the README's production install.)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/ensure-built.mjs', import.meta.url));
const OUTPUTS = ['widget/dist/vantio-signup.js', 'widget/dist/vantio-capture.js', 'relay/dashboard/dist/index.html', 'relay/dist/main.js'];
let root: string;

function project(files: string[]): string {
  root = mkdtempSync(join(tmpdir(), 'vantio-prod-install-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(SCRIPT, join(root, 'scripts', 'ensure-built.mjs'));
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}
const ensureBuilt = () => spawnSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], { cwd: root, encoding: 'utf8' });

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scripts/ensure-built.mjs without dev dependencies', () => {
  it('runs what was built, building nothing', () => {
    project(OUTPUTS);
    const result = ensureBuilt();
    expect(result).toMatchObject({ status: 0, stderr: '' });
  });

  it('exits 1 with the exact install commands when nothing was built', () => {
    project(OUTPUTS.slice(0, 3));
    const result = ensureBuilt();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Not built (relay/dist/main.js) and the build tools are not installed');
    expect(result.stderr).toContain('npm ci && npm run build && npm prune --omit=dev');
  });

});
