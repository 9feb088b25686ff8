/**
 * Two IIFE bundles, one per build (library mode builds a single IIFE entry at a time):
 * `vite build --mode signup` (form + capture) and `vite build --mode capture` (capture only,
 * no Preact); and `vite build --mode photo`, the photo field's chunk: an ES module, because the
 * signup bundle loads it with a dynamic `import()` (no global to register, and `script-src`
 * decides as for the bundle). The package's build script runs all three.
 */
import { defineConfig, type Plugin } from 'vite';
import es from './src/locales/es';
import fr from './src/locales/fr';
import { budgetLine } from './src/budgets.ts';

/** After Vite's own size report (kB of 1000, its gzip level), the figure the budget counts. */
function reportBudget(): Plugin {
  const lines: string[] = [];
  return {
    name: 'report-budget',
    writeBundle(_options, bundle) {
      for (const [file, output] of Object.entries(bundle)) {
        const line = output.type === 'chunk' ? budgetLine(file, output.code) : null;
        if (line) lines.push(line);
      }
    },
    closeBundle() {
      for (const line of lines.splice(0)) process.stdout.write(`budget: ${line}\n`);
    },
  };
}

/** Classic `h` calls: smaller than the automatic runtime's jsx() wrapper. Shared with vitest. */
export const JSX = { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment', development: false } as const;

const ENTRIES: Record<string, { entry: string; file: string; format: 'iife' | 'es' }> = {
  signup: { entry: 'src/signup.ts', file: 'vantio-signup.js', format: 'iife' },
  capture: { entry: 'src/capture-only.ts', file: 'vantio-capture.js', format: 'iife' },
  photo: { entry: 'src/photo.tsx', file: 'vantio-photo.js', format: 'es' },
};

/**
 * The non-English strings as `vantio-locale-<code>.json` beside the signup bundle, fetched by
 * pages that show them (strings.ts): a bundle with every language would not fit its budget.
 */
export const LOCALE_FILES: Record<string, object> = { es, fr };
const emitLocales = (): Plugin => ({
  name: 'vantio-locales',
  generateBundle() {
    for (const [code, strings] of Object.entries(LOCALE_FILES)) {
      this.emitFile({ type: 'asset', fileName: `vantio-locale-${code}.json`, source: JSON.stringify(strings) });
    }
  },
});

export default defineConfig(({ mode }) => {
  const bundle = ENTRIES[mode];
  if (!bundle) throw new Error(`vite build needs --mode ${Object.keys(ENTRIES).join(', --mode ')}`);
  return {
    oxc: { jsx: JSX },
    plugins: mode === 'signup' ? [reportBudget(), emitLocales()] : [reportBudget()],
    build: {
      outDir: 'dist',
      // The signup build runs first and starts from a clean folder; the others add to it.
      emptyOutDir: mode === 'signup',
      target: 'es2022',
      minify: 'terser',
      // Terser over the default minifier: about 80 B less gzip on the signup bundle, which sits at its budget.
      terserOptions: { compress: { passes: 3 } },
      sourcemap: false,
      reportCompressedSize: true,
      lib: { entry: bundle.entry, formats: [bundle.format], name: 'VantioBundle', fileName: () => bundle.file },
    },
  };
});
