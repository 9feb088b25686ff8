/**
 * The submission outbox: every signup is written here before it is sent and leaves only on an
 * answer that settles it. Network failures, 5xx and 429 keep it for a retry with the *same*
 * Idempotency-Key and the same body, across `online` events and reloads, so the relay can
 * always recognise a repeat: one submission, at most one referral.
 */
import { guard, type Captured } from './capture';
import { emit } from './events';
import type { PhotoChunk } from './mount';

export interface Entry {
  /** Idempotency-Key, one per submission. */
  k: string;
  /** The exact JSON body: a retry must be byte-identical or the relay answers 422. */
  b: string;
  /** Relay base URL. */
  r: string;
  /** Created at (ms); attempts so far; next attempt not before (ms). */
  t: number;
  n: number;
  at: number;
  /**
   * The photo (base64 JPEG) still to upload: sent first, then `b` gets its URL and this goes,
   * so every later attempt sends the same body with the same key.
   */
  p?: string;
}

const STORE_KEY = 'vantio_outbox';
const MAX_AGE_MS = 30 * 86_400_000;

export type Outbox = ReturnType<typeof createOutbox>;

function newKey(): string {
  // getRandomValues also works on plain-http pages, where randomUUID does not exist.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The relay's Retry-After, in seconds; null when absent (or not exposed by CORS). */
function retryAfterMs(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after') || NaN);
  return seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
}

/**
 * One widget instance's outbox; `stop` removes its `online` listener and its retry timer.
 * An entry with a photo needs the photo chunk, which uploads it (`photo`, mount.ts).
 */
export function createOutbox(captured: Pick<Captured, 'canStore'>, photo: () => Promise<PhotoChunk>) {
  const inFlight = new Set<string>();
  // Mirrors storage, and replaces it where storage is off limits (consent mode) or broken.
  let memory: Entry[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  // Whether the last write reached storage: the person is told "saved" only when it did.
  let stored = false;

  // What this page sent or ended: storage too full to rewrite may still list it.
  const gone = new Set<string>();

  /**
   * Reads the current list; storage is the truth so several tabs share one outbox, plus what
   * only this page's memory holds (storage full, off limits in consent mode, or unreadable).
   */
  const pending = (): Entry[] => {
    const list: Entry[] | null = captured.canStore && guard(() => JSON.parse(localStorage.getItem(STORE_KEY)!));
    // This page's copy of an entry is the newer one.
    return list ? [...list.filter((e) => !gone.has(e.k) && !memory.some((m) => m.k == e.k)), ...memory] : memory;
  };

  const write = (list: Entry[]) => {
    // Full or disabled storage: the retry still happens while this page is open.
    stored =
      captured.canStore &&
      !!guard(() => (list.length ? localStorage.setItem(STORE_KEY, JSON.stringify(list)) : localStorage.removeItem(STORE_KEY), 1));
    // Once stored, storage alone is the truth (another tab may send and drop an entry).
    memory = stored ? [] : list;
  };

  const put = (entry: Entry) => write([...pending().filter((e) => e.k != entry.k), entry]);
  const drop = (key: string) => (gone.add(key), write(pending().filter((e) => e.k != key)));

  async function attempt(entry: Entry): Promise<void> {
    if (inFlight.has(entry.k)) return;
    inFlight.add(entry.k);
    let response: Response | undefined;
    try {
      // The photo first; the relay's refusal of it names the field (`issues`) and ends the submission.
      if (entry.p) response = await (await photo()).uploadPicture(entry, put);
      response ??= await fetch(entry.r + '/v1/signups', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': entry.k },
        body: entry.b,
        // A stalled connection on bad Wi-Fi must not leave the person waiting forever; the
        // retry carries the same key, so a request that did arrive is recognised.
        signal: AbortSignal.timeout?.(20_000),
      });
    } catch {
      // Offline, DNS, TLS or a dropped connection: all retryable. (A refused origin is a
      // readable 403 from the relay, not a CORS failure, so it never lands here.)
    }
    const status = response?.status ?? 0;
    const answer = await response?.json().catch(() => ({}));
    inFlight.delete(entry.k);
    if (response?.ok) {
      drop(entry.k);
      emit('success', { key: entry.k, ...answer });
    } else if (!response || status >= 500 || status == 429 || status == 408) {
      const rateLimited = status == 429;
      // Exponential backoff with jitter, 1 s doubling to 5 min; Retry-After when the relay gives one.
      const delay = (rateLimited && retryAfterMs(response!)) || Math.min(2 ** entry.n * 1000, 300_000) * (0.5 + Math.random() / 2);
      put({ ...entry, n: entry.n + 1, at: Date.now() + delay });
      emit('queued', { key: entry.k, reason: rateLimited ? 'rate_limited' : 'unreachable', status, retry_in_ms: Math.round(delay), stored });
    } else {
      // 400, 403, 413, 415, 422…: sending the same body again cannot succeed.
      drop(entry.k);
      emit('error', { key: entry.k, status, ...answer });
    }
    schedule();
  }

  /** Sends what is due (everything when `now` is true), then waits for the next due entry. */
  function flush(now = false): void {
    const time = Date.now();
    for (const entry of pending()) {
      if (time - entry.t > MAX_AGE_MS) drop(entry.k);
      else if (now || entry.at <= time) void attempt(entry);
    }
    schedule();
  }

  function schedule(): void {
    clearTimeout(timer);
    const waiting = pending().filter((e) => !inFlight.has(e.k));
    // While the browser knows it is offline, the `online` event is the signal to try again.
    // A stopped outbox sets no timer: an answer arriving after `remove()` leaves nothing behind.
    if (!running || !waiting.length || navigator.onLine == false) return;
    const next = Math.min(...waiting.map((e) => e.at));
    // A due time already past is a negative delay, which timers treat as 0.
    timer = setTimeout(flush, next - Date.now());
  }

  const onOnline = () => flush(true);

  return {
    pending,
    /** After consent: move what was kept in memory into storage. */
    persistMemory: () => memory.forEach(put),
    /** Queues one submission (with a photo to upload first) and tries to send it now; returns its Idempotency-Key. */
    submit(relay: string, body: object, picture?: string): string {
      const entry: Entry = { k: newKey(), b: JSON.stringify(body), r: relay, t: Date.now(), n: 0, at: 0, p: picture };
      put(entry);
      emit('submit', { key: entry.k });
      void attempt(entry);
      return entry.k;
    },
    /** Sends what earlier visits left behind and retries on `online`. */
    start(): void {
      if (running) return;
      running = true;
      addEventListener('online', onOnline);
      flush();
    },
    stop(): void {
      running = false;
      removeEventListener('online', onOnline);
      clearTimeout(timer);
    },
  };
}
