/**
 * The admin dashboard: a Preact single-page app served by the relay at `/admin`.
 * Built from the repository root with `vite build --config relay/dashboard/vite.config.ts`
 * (the root `npm run build` does it) into `relay/dashboard/dist/`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The relay's CSP allows scripts and styles from its own origin only: no inline
    // preload polyfill, no assets inlined as data: URLs into scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
