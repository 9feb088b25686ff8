// `npm start` on a fresh clone: build what the relay serves if it is missing, and always
// re-bundle the relay itself (esbuild takes well under a second), so a start never runs
// stale code. A production install (`npm prune --omit=dev` after `npm run build`, see the
// README) has no esbuild or Vite: it runs what was built, and says so if nothing was.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
const present = (file) => existsSync(new URL(`../${file}`, import.meta.url));

const browserOutputs = ['widget/dist/vantio-signup.js', 'widget/dist/vantio-capture.js', 'relay/dashboard/dist/index.html'];
const missing = browserOutputs.filter((file) => !present(file));
const canBuild = present('node_modules/esbuild/package.json') && present('node_modules/vite/package.json');

if (!canBuild) {
  const unbuilt = [...missing, ...(present('relay/dist/main.js') ? [] : ['relay/dist/main.js'])];
  if (unbuilt.length > 0) {
    console.error(
      `Not built (${unbuilt.join(', ')}) and the build tools are not installed (an install without dev dependencies).\n` +
        'Build first, then drop the dev dependencies:  npm ci && npm run build && npm prune --omit=dev',
    );
    process.exit(1);
  }
} else if (missing.length > 0) {
  console.log(`Building (missing: ${missing.join(', ')}) …`);
  run('npm', ['run', 'build']);
} else {
  run(process.execPath, [new URL('./build-relay.mjs', import.meta.url).pathname]);
}
