/**
 * A full disk, for real (issue 11): the real relay process with its database on a 4 MB
 * tmpfs that the test fills. Signups and /readyz answer 503 (never 500, never "ready"),
 * everything recovers once space returns, and every acknowledged signup is still there
 * after a crash and delivered. Needs root (mount); otherwise skipped with a message.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream';
import { adminJson, startRelayProcess, waitFor, type RelayProcess } from './relay-process';

function mountTmpfs(): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'vantio-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch {
    rmdirSync(dir);
    return null;
  }
}

const dir = mountTmpfs();
if (!dir) console.warn('full-disk-process.test.ts skipped: mounting a tmpfs needs root (and CAP_SYS_ADMIN)');

let upstream: FakeUpstream;
let relay: RelayProcess | undefined;
beforeAll(async () => {
  if (dir) upstream = await startFakeUpstream();
});
afterAll(async () => {
  if (!dir) return;
  await relay?.stop('SIGKILL');
  await upstream.close();
  execFileSync('umount', [dir]);
  rmdirSync(dir);
});

/** Writes a file until the file system refuses (ENOSPC); returns its path. */
function fillDisk(path: string): string {
  const filler = join(path, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // The last few bytes too, so nothing is left for a new page.
  const tail = openSync(filler, 'a');
  try {
    for (;;) writeSync(tail, Buffer.alloc(512, 1));
  } catch {
    // full
  } finally {
    closeSync(tail);
  }
  return filler;
}

let serial = 0;
async function signup(url: string) {
  const email = `disk${++serial}@example.edu`;
  const response = await fetch(`${url}/v1/signups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ impression_id: 'imp_demo_1', first_name: 'Disk', last_name: 'Full', email }),
  });
  const body = (await response.json()) as { id?: string; error?: string; message?: string };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body, email };
}
const readyStatus = async (url: string) => (await fetch(`${url}/readyz`)).status;
type Stats = { by_state: Record<string, number> };

describe.skipIf(!dir)('a full disk under the real relay', () => {
  it('answers 503 to signups and /readyz while full, recovers when space returns, and loses no acknowledged signup', async () => {
    const env = {
      RELAY_PORT: '0',
      RELAY_DB: join(dir!, 'relay.sqlite'),
      VANTIO_API_URL: upstream.url,
      VANTIO_SECRET_KEY: 'sk_test_full_disk',
      RELAY_MIN_FREE_DISK_MB: '1',
      RELAY_RETRY_SCHEDULE: '0.1,0.2,0.5,1,1,1,1,1,1,1',
    };
    relay = await startRelayProcess(env);
    const acknowledged = new Map<string, string>(); // signup id → email
    for (let i = 0; i < 10; i++) {
      const answer = await signup(relay.url);
      expect(answer.status).toBe(202);
      acknowledged.set(answer.body.id!, answer.email);
    }
    expect(await readyStatus(relay.url)).toBe(200);

    const filler = fillDisk(dir!);
    // Some writes may still fit in pages SQLite already holds; soon one does not.
    let refused: Awaited<ReturnType<typeof signup>> | undefined;
    for (let i = 0; i < 500 && !refused; i++) {
      const answer = await signup(relay.url);
      if (answer.status === 202) acknowledged.set(answer.body.id!, answer.email);
      else refused = answer;
    }
    expect(refused?.status).toBe(503);
    expect(Number(refused!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused!.body).toEqual({ error: 'Service Unavailable', message: expect.stringMatching(/disk is full.*nothing was stored/) });
    expect(await waitFor(async () => (await readyStatus(relay!.url)) === 503, 10_000)).toBe(true);
    const notReady = (await (await fetch(`${relay.url}/readyz`)).json()) as { database: string; message: string };
    expect(notReady).toMatchObject({ database: 'not writable', message: expect.stringMatching(/disk/) });

    rmSync(filler);
    expect(await waitFor(async () => (await readyStatus(relay!.url)) === 200, 10_000)).toBe(true);
    for (let i = 0; i < 5; i++) {
      const answer = await signup(relay.url);
      expect(answer.status).toBe(202);
      acknowledged.set(answer.body.id!, answer.email);
    }

    // A crash now, and a restart on the same file: everything acknowledged is there and goes out.
    await relay.stop('SIGKILL');
    relay = await startRelayProcess(env);
    const delivered = async () => (await adminJson<Stats>(relay!.url, '/stats')).by_state.delivered === acknowledged.size;
    expect(await waitFor(delivered, 20_000)).toBe(true);
    expect(await adminJson<Stats>(relay.url, '/stats')).toMatchObject({ by_state: { queued: 0, delivered: acknowledged.size, dead: 0, rejected: 0 } });
    for (const [id, email] of acknowledged) {
      expect(await adminJson<{ state: string }>(relay.url, `/signups/${id}`)).toMatchObject({ state: 'delivered' });
      expect(upstream.received.some((request) => JSON.parse(request.body).email === email), email).toBe(true);
    }
  }, 90_000);
});
