// Bundles the relay (and the workspace's shared/ TypeScript) into plain ESM for `node`:
// no TypeScript loader thread at run time, so less memory and a faster start. Packages
// from npm stay external.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}relay/dist`;
const pkg = JSON.parse(readFileSync(`${root}relay/package.json`, 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).filter(
  (name) => !name.startsWith('@vantio/'),
);

/**
 * Source files find their assets (SQL migrations, CSS, built bundles) relative to their
 * own `import.meta.url`. In a bundle that would be the bundle's URL, so each file's
 * `import.meta.url` is rewritten to its original location, relative to the bundle:
 * asset paths resolve exactly as they do when running the TypeScript.
 */
const keepSourceUrls = {
  name: 'keep-source-urls',
  setup(builder) {
    builder.onLoad({ filter: /\.(ts|tsx)$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = JSON.stringify(relative(outdir, args.path));
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${fromBundle}, import.meta.url).href`),
        loader: args.path.endsWith('x') ? 'tsx' : 'ts',
      };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: `${root}relay/src/main.ts` },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  logLevel: 'warning',
  plugins: [keepSourceUrls],
  // Bundled CommonJS helpers call require(); give the ESM output one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
console.log(`relay bundled into ${relative(root, outdir)}/`);
