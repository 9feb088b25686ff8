/**
 * Google Forms end to end, against the real relay process and the Vantio emulator over
 * loopback: the poster's URL → GET /go/:slug → the prefill link carries the impression →
 * Code.gs (in node:vm, its UrlFetchApp really POSTing) → one referral in the emulator.
 * Google's own pages and runtime cannot run here; everything of ours does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamIdempotencyKey } from '@vantio/shared';
import { startEmulator, type RunningEmulator } from '../src/emulator/app';
import { formSubmitEvent, loadCodeGs } from '../src/webhooks/apps-script-fakes';
import { adminJson, startRelayProcess, waitFor, type RelayProcess } from './relay-process';

const KEY = 'sk_test_google_forms';
const SECRET = 'whsec_ZTJlLWdvb2dsZS1mb3Jtcy1zZWNyZXQtMDEyMzQ1Njc=';
const FORM = 'https://docs.google.com/forms/d/e/1FAIpQLSe2eGoogleFormE2e/viewform';
type Referrals = { referrals: { impression_id: string; email: string; first_name: string }[]; create_calls: Record<string, number> };

let dir: string;
let emulator: RunningEmulator;
let relay: RelayProcess;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vantio-gforms-'));
  const sources = join(dir, 'sources.json');
  writeFileSync(sources, JSON.stringify({ sources: { 'google-forms': { preset: 'google-forms', secrets: [SECRET] } } }));
  emulator = await startEmulator({ secretKey: KEY, seed: 7 });
  relay = await startRelayProcess({
    RELAY_PORT: '0',
    RELAY_DB: join(dir, 'relay.sqlite'),
    VANTIO_API_URL: emulator.url,
    VANTIO_SECRET_KEY: KEY,
    RELAY_SOURCES_FILE: sources,
  });
}, 60_000);
afterAll(async () => {
  await relay?.stop('SIGTERM');
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Google Forms, end to end', () => {
  it('poster URL → /go/:slug → prefilled form → Apps Script → one referral in the emulator', async () => {
    const { id: impression } = (await (
      await fetch(`${emulator.url}/__emulator/impressions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    ).json()) as { id: string };
    await adminJson(relay.url, '/links/robotics', { method: 'PUT', body: JSON.stringify({ target: FORM, impression_param: 'entry.1593571' }) });

    // The QR code on the poster: the relay's /go link with the impression.
    const scan = await fetch(`${relay.url}/go/robotics?impression_id=${impression}`, { redirect: 'manual' });
    expect(scan.status).toBe(302);
    const prefill = new URL(scan.headers.get('location')!);
    expect(`${prefill.origin}${prefill.pathname}`).toBe(FORM);
    expect(prefill.searchParams.get('usp')).toBe('pp_url');
    // Google Forms shows the entry's value prefilled; the respondent submits it unchanged.
    const prefilled = prefill.searchParams.get('entry.1593571')!;
    expect(prefilled).toBe(impression);

    const script = loadCodeGs({ relayUrl: `${relay.url}/v1/webhooks/google-forms`, secret: SECRET, now: Date.now, send: true });
    const event = formSubmitEvent({
      responseId: `2_ABaOnue2e${Date.now()}`,
      answers: [
        { title: 'First name', value: 'Aroha' },
        { title: 'Last name', value: 'Tane' },
        { title: 'Email', value: 'aroha.tane@example.edu' },
        { title: 'impression_id', value: prefilled },
      ],
    });
    expect(script.submit(event)).toEqual({ status: 202, attempts: 1 });
    // Google runs the trigger once; if it ran again, the same response id is a replay.
    expect(script.submit(event)).toEqual({ status: 200, attempts: 1 });

    const referrals = async () => (await (await fetch(`${emulator.url}/__emulator/referrals`)).json()) as Referrals;
    expect(await waitFor(async () => (await referrals()).referrals.some((r) => r.impression_id === impression), 15_000)).toBe(true);
    const { referrals: created, create_calls } = await referrals();
    expect(created.filter((r) => r.impression_id === impression)).toEqual([
      expect.objectContaining({ impression_id: impression, first_name: 'Aroha', email: 'aroha.tane@example.edu' }),
    ]);
    expect(create_calls[upstreamIdempotencyKey(impression, 'aroha.tane@example.edu')]).toBe(1);
    const stats = await adminJson<{ by_source: Record<string, Record<string, number>> }>(relay.url, '/stats');
    expect(stats.by_source['google-forms']).toMatchObject({ delivered: 1 });
  }, 60_000);
});
