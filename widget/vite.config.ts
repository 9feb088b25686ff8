/**
 * Two IIFE bundles, one per build (library mode builds a single IIFE entry at a time):
 * `vite build --mode signup` (form + capture) and `vite build --mode capture` (capture only,
 * no Preact). The package's build script runs both.
 */
import { defineConfig, type Plugin } from 'vite';
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

const ENTRIES: Record<string, { entry: string; file: string }> = {
  signup: { entry: 'src/signup.ts', file: 'vantio-signup.js' },
  capture: { entry: 'src/capture-only.ts', file: 'vantio-capture.js' },
};

export default defineConfig(({ mode }) => {
  const bundle = ENTRIES[mode];
  if (!bundle) throw new Error(`vite build needs --mode ${Object.keys(ENTRIES).join(' or --mode ')}`);
  return {
    oxc: { jsx: JSX },
    plugins: [reportBudget()],
    build: {
      outDir: 'dist',
      // The signup build runs first and starts from a clean folder; capture adds to it.
      emptyOutDir: mode === 'signup',
      target: 'es2022',
      minify: true,
      sourcemap: false,
      reportCompressedSize: true,
      lib: { entry: bundle.entry, formats: ['iife'], name: 'VantioBundle', fileName: () => bundle.file },
    },
  };
});
