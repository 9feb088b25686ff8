// `npm start` on a fresh clone: build the browser bundles the relay serves, if missing.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const required = ['widget/dist/vantio-signup.js', 'widget/dist/vantio-capture.js'];
const missing = required.filter((file) => !existsSync(new URL(`../${file}`, import.meta.url)));
if (missing.length > 0) {
  console.log(`Building the widget (missing: ${missing.join(', ')}) …`);
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
