// `npm start` on a fresh clone: build what the relay serves if it is missing, and always
// re-bundle the relay itself (esbuild takes well under a second), so a start never runs
// stale code.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const browserOutputs = ['widget/dist/vantio-signup.js', 'widget/dist/vantio-capture.js', 'relay/dashboard/dist/index.html'];
const missing = browserOutputs.filter((file) => !existsSync(new URL(`../${file}`, import.meta.url)));
if (missing.length > 0) {
  console.log(`Building (missing: ${missing.join(', ')}) …`);
  run('npm', ['run', 'build']);
} else {
  run(process.execPath, [new URL('./build-relay.mjs', import.meta.url).pathname]);
}
