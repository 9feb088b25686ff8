import { defineProject } from 'vitest/config';
import { JSX } from './vite.config.js';

export default defineProject({
  oxc: { jsx: JSX },
  test: {
    name: 'widget',
    environment: 'happy-dom',
    // An https page, so the capture's `Secure` cookie attribute is exercised.
    environmentOptions: { happyDOM: { url: 'https://club.example.edu/join' } },
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
