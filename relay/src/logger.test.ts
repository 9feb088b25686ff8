/**
 * The log destination buffers 4 KB under load; a quiet relay must still show its lines:
 * within a second for info, at once for warnings and errors. A real buffered file
 * destination (pino's SonicBoom, as on stdout) and an injected timer, so nothing sleeps.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bufferedFileDestination, createLogger, FLUSH_WITHIN_MS, type FlushableDestination } from './logger';

let dir: string;
let file: string;
let destination: FlushableDestination & NodeJS.EventEmitter;
let timers: Array<{ callback: () => void; ms: number }>;
const fakeTimers = {
  setTimeout(callback: () => void, ms: number) {
    timers.push({ callback, ms });
    return {};
  },
};
const lines = () =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { msg: string; level: number });

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-logger-'));
  file = join(dir, 'relay.log');
  timers = [];
  destination = bufferedFileDestination(file) as FlushableDestination & NodeJS.EventEmitter;
  await once(destination, 'ready');
});
afterEach(() => {
  (destination as unknown as { destroy(): void }).destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('createLogger flushing', () => {
  it('holds an info line in the buffer until the one-second timer writes it', async () => {
    const logger = createLogger('info', destination, fakeTimers);
    logger.info({ signup_id: 'sgn_1' }, 'signup accepted');
    logger.info('another line');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines()).toEqual([]); // under 4 KB: not written by itself
    expect(timers.map((t) => t.ms)).toEqual([FLUSH_WITHIN_MS]); // one timer for both lines

    const written = once(destination, 'write');
    timers[0]!.callback();
    await written;
    expect(lines().map((line) => line.msg)).toEqual(['signup accepted', 'another line']);

    // The next line arms a new timer; an idle logger has none.
    logger.info('later');
    expect(timers).toHaveLength(2);
  });

  it('writes warnings and errors at once, with what was buffered before them, also from child loggers', async () => {
    const logger = createLogger('info', destination, fakeTimers).child({ component: 'forwarder' });
    logger.info('queued');
    const written = once(destination, 'write');
    logger.warn({ status: 401 }, 'delivery attempt');
    await written;
    expect(lines().map((line) => [line.msg, line.level])).toEqual([
      ['queued', 30],
      ['delivery attempt', 40],
    ]);
    const more = once(destination, 'write');
    logger.error('forwarder error');
    await more;
    expect(lines().at(-1)).toMatchObject({ msg: 'forwarder error', level: 50, component: 'forwarder' });
  });

  it('leaves a destination without flush() alone (tests collecting lines in memory)', () => {
    const collected: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void collected.push(line) }, fakeTimers);
    logger.info('hello');
    expect(collected).toHaveLength(1);
    expect(timers).toEqual([]);
  });
});
