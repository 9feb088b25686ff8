import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOutbox, type Entry, type Outbox } from './outbox';
import * as photoChunk from './photo';

const RELAY = 'https://relay.example.edu';
const BODY = { impression_id: 'imp_1', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.edu' };
const receipt = { id: 'sgn_1', state: 'queued', created_at: '2026-01-01T00:00:00Z' };

let outbox: Outbox;
let captured: { canStore: boolean };
let fetchMock: ReturnType<typeof vi.fn>;
let events: { name: string; detail: any }[];

const json = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const answers = (...responses: (Response | Error)[]) =>
  responses.forEach((r) => fetchMock.mockImplementationOnce(async () => (r instanceof Error ? Promise.reject(r) : r)));
const sent = () => fetchMock.mock.calls.map(([url, init]) => ({ url, key: init.headers['Idempotency-Key'], body: init.body }));
const stored = (): Entry[] => JSON.parse(localStorage.getItem('vantio_outbox') ?? '[]');
const named = (name: string) => events.filter((e) => e.name === name).map((e) => e.detail);

// Window listeners of each test's outbox (and of the test itself) are removed after it, as if
// the page had been closed.
const added: Parameters<typeof addEventListener>[] = [];

beforeEach(async () => {
  const add = window.addEventListener.bind(window);
  vi.spyOn(window, 'addEventListener').mockImplementation((...args: Parameters<typeof addEventListener>) => {
    added.push(args);
    add(...args);
  });
  vi.useFakeTimers();
  captured = { canStore: true };
  // A fresh outbox (memory, timers) per test, as on a fresh page; photos go through the real
  // chunk, loaded already (as the page with the photo field has it when the person submits).
  outbox = createOutbox(captured, async () => photoChunk);
  localStorage.clear();
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
  events = [];
  for (const name of ['submit', 'success', 'queued', 'error']) {
    addEventListener(`vantio-signup:${name}`, (e) => events.push({ name, detail: (e as CustomEvent).detail }));
  }
});
afterEach(() => {
  for (const [type, listener] of added.splice(0)) removeEventListener(type, listener);
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('a submission', () => {
  it('is POSTed as JSON with one Idempotency-Key, and leaves the outbox on success', async () => {
    answers(json(202, receipt));
    const key = outbox.submit(RELAY, BODY);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(stored().map((e) => e.k)).toEqual([key]); // saved before the first byte is sent
    await vi.advanceTimersByTimeAsync(0);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe(`${RELAY}/v1/signups`);
    expect(init).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key } });
    expect(JSON.parse(init.body)).toEqual(BODY);
    expect(named('submit')).toEqual([{ key }]);
    expect(named('success')).toEqual([{ key, ...receipt }]);
    expect(stored()).toEqual([]);
  });

  it('treats the relay’s 200 duplicate answer as success', async () => {
    answers(json(200, { ...receipt, duplicate: true }));
    const key = outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(0);
    expect(named('success')).toEqual([{ key, ...receipt, duplicate: true }]);
  });

  it('gets a fresh key each time: one key per submission', () => {
    fetchMock.mockImplementation(() => new Promise(() => {}));
    expect(outbox.submit(RELAY, BODY)).not.toBe(outbox.submit(RELAY, BODY));
  });
});

describe('retries', () => {
  beforeEach(() => outbox.start());

  it('keep the same key and byte-identical body through network failures and 5xx, with backoff', async () => {
    answers(new TypeError('Failed to fetch'), json(503, { error: 'Service Unavailable', message: '…' }), json(202, receipt));
    const key = outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(0);
    expect(named('queued')).toMatchObject([{ key, reason: 'unreachable', status: 0, stored: true }]);
    expect(stored()).toMatchObject([{ k: key, n: 1 }]);
    await vi.advanceTimersByTimeAsync(1_000); // first backoff: 0.5–1 s
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2_000); // second: 1–2 s
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const attempts = sent();
    expect(new Set(attempts.map((a) => a.key))).toEqual(new Set([key]));
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    expect(named('success')).toHaveLength(1);
    expect(stored()).toEqual([]);
  });

  it('wait for Retry-After on 429', async () => {
    answers(json(429, { error: 'Too Many Requests', message: '…' }, { 'Retry-After': '7' }), json(202, receipt));
    const key = outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(0);
    expect(named('queued')).toMatchObject([{ key, reason: 'rate_limited', retry_in_ms: 7_000 }]);
    await vi.advanceTimersByTimeAsync(6_900);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(named('success')).toHaveLength(1);
  });

  it('go out at once on the `online` event, and wait for it while the browser knows it is offline', async () => {
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    answers(new TypeError('offline'), json(202, receipt));
    outbox.start();
    outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    onLine.mockReturnValue(true);
    dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(named('success')).toHaveLength(1);
  });

  it('never overlap for one submission', async () => {
    let release!: (r: Response) => void;
    fetchMock.mockImplementationOnce(() => new Promise<Response>((resolve) => (release = resolve)));
    outbox.submit(RELAY, BODY);
    dispatchEvent(new Event('online'));
    outbox.start(); // already running: a no-op, not a second send
    dispatchEvent(new Event('online'));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    release(json(202, receipt));
    await vi.advanceTimersByTimeAsync(0);
    expect(named('success')).toHaveLength(1);
  });
});

describe('after a reload', () => {
  it('sends what an earlier visit left, with its original key and body', async () => {
    const entry: Entry = { k: 'kept-key', b: JSON.stringify(BODY), r: RELAY, t: Date.now(), n: 2, at: 0 };
    localStorage.setItem('vantio_outbox', JSON.stringify([entry]));
    answers(json(202, receipt));
    outbox.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent()).toEqual([{ url: `${RELAY}/v1/signups`, key: 'kept-key', body: entry.b }]);
    expect(named('success')).toMatchObject([{ key: 'kept-key' }]);
  });

  it('drops entries older than 30 days', () => {
    const old = { k: 'old', b: '{}', r: RELAY, t: Date.now() - 31 * 86_400_000, n: 9, at: 0 };
    localStorage.setItem('vantio_outbox', JSON.stringify([old]));
    outbox.start();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(stored()).toEqual([]);
  });
});

describe('refusals', () => {
  it('400 ends the submission with its issues', async () => {
    const issues = [{ path: 'email', message: 'must be a valid email address' }];
    answers(json(400, { error: 'Bad Request', message: 'Invalid request', issues }));
    const key = outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(named('error')).toEqual([{ key, status: 400, error: 'Bad Request', message: 'Invalid request', issues }]);
    expect(stored()).toEqual([]);
  });

  it.each([403, 413, 415, 422])('%i is final too (no retry)', async (status) => {
    answers(json(status, { error: 'x', message: 'y' }));
    outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(named('error')).toMatchObject([{ status }]);
  });
});

describe('a submission with a photo', () => {
  // A few JPEG bytes, base64 as the photo chunk keeps them (the outbox only moves them).
  const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);
  const PHOTO = btoa(String.fromCharCode(...JPEG));
  const URL = `${RELAY}/pictures/${'p'.repeat(32)}.webp`;
  const uploaded = () => json(201, { id: 'p'.repeat(32), url: URL, width: 1024, height: 768 });
  const calls = () => fetchMock.mock.calls.map(([url]) => url.slice(RELAY.length));

  beforeEach(() => outbox.start());

  it('uploads the photo as image bytes first, then sends the signup naming its URL', async () => {
    answers(uploaded(), json(202, receipt));
    const key = outbox.submit(RELAY, { ...BODY, profile_picture: 'https://cdn.example.edu/set-by-the-page.png' }, PHOTO);
    expect(stored()).toMatchObject([{ k: key, p: PHOTO }]); // kept, photo and all, before anything is sent
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toEqual(['/v1/pictures', '/v1/signups']);
    const [, picture] = fetchMock.mock.calls[0]!;
    expect(picture).toMatchObject({ method: 'POST', headers: { 'Content-Type': 'image/jpeg' } });
    expect(picture.body).toEqual(JPEG);
    const [, signup] = fetchMock.mock.calls[1]!;
    expect(signup.headers['Idempotency-Key']).toBe(key);
    // The chosen photo wins over a URL the page set.
    expect(JSON.parse(signup.body)).toEqual({ ...BODY, profile_picture: URL });
    expect(named('success')).toMatchObject([{ key }]);
    expect(stored()).toEqual([]);
  });

  it('offline: kept with the photo, then uploaded and sent on `online` — one key throughout', async () => {
    answers(new TypeError('Failed to fetch'));
    const key = outbox.submit(RELAY, BODY, PHOTO);
    await vi.advanceTimersByTimeAsync(0);
    expect(named('queued')).toMatchObject([{ key, reason: 'unreachable', stored: true }]);
    expect(stored()).toMatchObject([{ k: key, p: PHOTO, b: JSON.stringify(BODY) }]);

    answers(uploaded(), json(202, receipt));
    dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toEqual(['/v1/pictures', '/v1/pictures', '/v1/signups']);
    expect(sent()[2]).toMatchObject({ key, body: JSON.stringify({ ...BODY, profile_picture: URL }) });
    expect(named('success')).toMatchObject([{ key }]);
  });

  it('once the photo is uploaded, keeps the body naming it: a retry re-sends that body, not the photo', async () => {
    answers(uploaded(), new TypeError('Failed to fetch'), json(202, receipt));
    const key = outbox.submit(RELAY, BODY, PHOTO);
    await vi.advanceTimersByTimeAsync(0);
    const [entry] = stored();
    expect(entry).toMatchObject({ k: key, b: JSON.stringify({ ...BODY, profile_picture: URL }) });
    expect(entry!.p).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls()).toEqual(['/v1/pictures', '/v1/signups', '/v1/signups']);
    expect(new Set(sent().slice(1).map((a) => a.body))).toEqual(new Set([entry!.b]));
    expect(named('success')).toMatchObject([{ key }]);
  });

  it('a refused photo ends the submission with the relay’s field issue, and no signup is sent', async () => {
    const issues = [{ path: 'profile_picture', message: 'must be a JPEG, PNG, WebP, GIF, HEIF/AVIF or TIFF image' }];
    answers(json(400, { error: 'Bad Request', message: 'The file is not a picture the relay can read', issues }));
    const key = outbox.submit(RELAY, BODY, PHOTO);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toEqual(['/v1/pictures']);
    expect(named('error')).toMatchObject([{ key, status: 400, issues }]);
    expect(stored()).toEqual([]);
  });

  it('a relay with pictures off (404 `pictures_disabled`): the signup goes without the photo, and the site owner is warned once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // The relay's exact answer (relay/src/pictures/pictures.test.ts asserts it).
    const off = () => json(404, { error: 'pictures_disabled', message: 'Photo uploads are off on this relay (RELAY_PICTURES)' });
    answers(off(), json(202, receipt), off(), json(202, receipt));
    const first = outbox.submit(RELAY, { ...BODY, profile_picture: 'https://cdn.example.edu/set-by-the-page.png' }, PHOTO);
    await vi.advanceTimersByTimeAsync(0);
    const second = outbox.submit(RELAY, BODY, PHOTO);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls()).toEqual(['/v1/pictures', '/v1/signups', '/v1/pictures', '/v1/signups']);
    // Same key, and the body without a relay picture (a URL the page set stays).
    expect(sent()[1]).toMatchObject({ key: first, body: JSON.stringify({ ...BODY, profile_picture: 'https://cdn.example.edu/set-by-the-page.png' }) });
    expect(sent()[3]).toMatchObject({ key: second, body: JSON.stringify(BODY) });
    expect(named('success').map((d) => d.key)).toEqual([first, second]);
    expect(named('error')).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(stored()).toEqual([]);
  });

  it('a 404 without that code is still a refusal: no signup sent', async () => {
    answers(json(404, { error: 'Not Found', message: 'Not Found' }));
    const key = outbox.submit(RELAY, BODY, PHOTO);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls()).toEqual(['/v1/pictures']);
    expect(named('error')).toMatchObject([{ key, status: 404 }]);
  });

  it('a relay that cannot take the photo now (503) keeps it for a retry', async () => {
    answers(json(503, { error: 'Service Unavailable', message: '…' }), uploaded(), json(202, receipt));
    const key = outbox.submit(RELAY, BODY, PHOTO);
    await vi.advanceTimersByTimeAsync(0);
    expect(named('queued')).toMatchObject([{ key, status: 503 }]);
    expect(stored()).toMatchObject([{ k: key, p: PHOTO }]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls()).toEqual(['/v1/pictures', '/v1/pictures', '/v1/signups']);
    expect(named('success')).toMatchObject([{ key }]);
  });
});

describe('consent mode', () => {
  it('keeps submissions in memory until consent, then stores them', async () => {
    captured.canStore = false;
    answers(new TypeError('offline'));
    const key = outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(0);
    expect(localStorage.getItem('vantio_outbox')).toBeNull();
    expect(named('queued')).toMatchObject([{ key, stored: false }]);
    expect(outbox.pending().map((e) => e.k)).toEqual([key]);
    captured.canStore = true;
    outbox.persistMemory();
    expect(stored().map((e) => e.k)).toEqual([key]);
  });
});

describe('storage that refuses writes', () => {
  it('keeps the submission in memory, retries it while the page is open, and never claims it is saved', async () => {
    vi.spyOn(localStorage, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    outbox.start();
    answers(new TypeError('offline'), json(202, receipt));
    const key = outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(0);
    expect(named('queued')).toMatchObject([{ key, stored: false }]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(named('success')).toMatchObject([{ key }]);
  });
});

describe('storage too full for a new submission', () => {
  it('still holds it beside what storage has: sent on `online`, and kept when another entry leaves', async () => {
    outbox.start();
    // An earlier submission is stored; then storage takes no more (a photo of 100–300 KB is what fills it).
    const earlier: Entry = { k: 'earlier', b: JSON.stringify({ ...BODY, first_name: 'Grace' }), r: RELAY, t: Date.now(), n: 1, at: Date.now() + 60_000 };
    // Storage's own method: an earlier test's setItem stub can outlive restoreAllMocks on happy-dom's storage.
    Storage.prototype.setItem.call(localStorage, 'vantio_outbox', JSON.stringify([earlier]));
    vi.spyOn(localStorage, 'setItem').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    vi.stubGlobal('navigator', { onLine: false });
    answers(new TypeError('offline'));
    const key = outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(0);
    expect(named('queued')).toMatchObject([{ key, stored: false }]);
    expect(outbox.pending().map((e) => e.k).sort()).toEqual(['earlier', key].sort());

    // Online again: both go; the earlier one's success (a write of the list) must not lose the new one.
    vi.stubGlobal('navigator', { onLine: true });
    answers(json(202, receipt), new TypeError('still flaky'));
    dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent().map((a) => a.key).sort()).toEqual([key, 'earlier', key].sort());
    expect(outbox.pending().map((e) => e.k)).toEqual([key]);
    answers(json(202, receipt));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(named('success').map((d) => d.key).sort()).toEqual(['earlier', key].sort());
    expect(outbox.pending()).toEqual([]);
  });
});

describe('stop', () => {
  it('removes its `online` listener and its retry timer; start again resumes', async () => {
    const removed = vi.spyOn(window, 'removeEventListener');
    outbox.start();
    answers(new TypeError('offline'), json(202, receipt));
    outbox.submit(RELAY, BODY);
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    outbox.stop();
    expect(vi.getTimerCount()).toBe(0);
    const online = added.find(([type]) => type === 'online')!;
    expect(removed).toHaveBeenCalledWith('online', online[1]);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    outbox.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(named('success')).toHaveLength(1);
  });
});
