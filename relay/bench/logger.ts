/**
 * The logger's cost per line, with and without the flush hook (warn/error at once, info
 * within a second). `npx tsx relay/bench/logger.ts`: prints lines per second of each
 * and their ratio; the destination is a buffered file, as stdout redirected to a file is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { bufferedFileDestination, createLogger, LOGGER_OPTIONS } from '../src/logger';

const LINES = 200_000;
const dir = mkdtempSync(join(tmpdir(), 'vantio-logger-bench-'));

async function measure(name: string, make: (path: string) => pino.Logger): Promise<number> {
  const logger = make(join(dir, `${name}.log`));
  const line = { req_id: 'r_0123456789', route: '/v1/signups', status: 202, ms: 1.7 };
  for (let i = 0; i < 20_000; i++) logger.info(line, 'request'); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) logger.info(line, 'request');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return LINES / seconds;
}

// Alternating rounds, best of each: the machine is shared, and the best run is the least disturbed.
const without: number[] = [];
const withHook: number[] = [];
for (let round = 0; round < 5; round++) {
  without.push(await measure(`without-${round}`, (path) => pino({ ...LOGGER_OPTIONS, level: 'info' }, bufferedFileDestination(path))));
  withHook.push(await measure(`with-${round}`, (path) => createLogger('info', bufferedFileDestination(path))));
}
const [baseline, after] = [Math.max(...without), Math.max(...withHook)];
console.log(`without flush hook: ${Math.round(baseline).toLocaleString('en')} lines/s (best of 5)`);
console.log(`with flush hook:    ${Math.round(after).toLocaleString('en')} lines/s (best of 5)`);
console.log(`ratio with/without: ${(after / baseline).toFixed(2)}`);
rmSync(dir, { recursive: true, force: true });
