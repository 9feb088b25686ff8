#!/usr/bin/env node
// The `vantio-relay` admin CLI. The repository runs its TypeScript directly (no build
// step), so this shim registers tsx's loader and hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main();
