/** Builds the widget when dist/ is missing or older than its sources, so `npm run test:e2e` alone works. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const WIDGET = join(ROOT, 'widget');
const BUNDLES = ['vantio-signup.js', 'vantio-capture.js', 'vantio-photo.js'].map((file) => join(WIDGET, 'dist', file));

function newestSource(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newestSource(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
    ),
  );
}

export default function globalSetup(): void {
  const built = BUNDLES.every(existsSync) ? Math.min(...BUNDLES.map((file) => statSync(file).mtimeMs)) : 0;
  if (built < newestSource(join(WIDGET, 'src'))) {
    execFileSync('npm', ['run', 'build', '-w', 'widget'], { cwd: ROOT, stdio: 'inherit' });
  }
}
