/**
 * integrations/google-forms/Code.gs, run in node:vm with fakes of UrlFetchApp, Utilities and
 * the form-submit event (apps-script-fakes.ts): what it signs and posts, checked by the
 * official standardwebhooks package and by the real relay's google-forms preset.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createHarness, type Harness } from '../testing';
import { formSubmitEvent, loadCodeGs, type Answer, type FetchAnswer, type FetchCall } from './apps-script-fakes';
import { compileSources } from './sources';

const SECRET = 'whsec_Z29vZ2xlLWZvcm1zLXNjcmlwdC1zZWNyZXQtMDEyMw==';
const RELAY_URL = 'https://relay.example.edu/v1/webhooks/google-forms';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ webhookSources: compileSources({ sources: { 'google-forms': { preset: 'google-forms', secrets: [SECRET] } } }) });
});
afterEach(async () => {
  await h.close();
});

const answers = (impression = 'imp_demo_1', first = 'Zoë'): Answer[] => [
  { title: 'First name', value: first },
  { title: 'Last name', value: 'Ngata' },
  { title: 'Email', value: 'zoe.ngata@example.edu' },
  { title: 'Which events interest you?', type: 'CHECKBOX', value: ['Workshops', 'Hackathons'] },
  { title: 'impression_id', value: impression },
];
const script = (fetchAnswers?: FetchAnswer[]) =>
  loadCodeGs({ relayUrl: RELAY_URL, secret: SECRET, now: () => h.clock.now, ...(fetchAnswers ? { answers: fetchAnswers } : {}) });
/** Hands a recorded UrlFetchApp call to the relay, byte for byte. */
const relay = (call: FetchCall, body: Buffer | string = call.body) =>
  h.relay.app.request(new URL(call.url).pathname, { method: 'POST', headers: { ...call.headers, 'content-type': call.contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });

describe('Code.gs', () => {
  it('posts every answer by title, signed as Standard Webhooks (verified by the official package)', () => {
    const run = script();
    expect(run.submit(formSubmitEvent({ answers: answers() }))).toEqual({ status: 202, attempts: 1 });
    const [call] = run.calls;
    expect(call).toMatchObject({ url: RELAY_URL, method: 'post', contentType: 'application/json; charset=utf-8' });
    // The official package reads Date.now; the harness clock is the script's clock.
    const realNow = Date.now;
    Date.now = () => h.clock.now;
    const payload = (() => {
      try {
        return new Webhook(SECRET).verify(call!.body.toString('utf8'), call!.headers) as Record<string, unknown>;
      } finally {
        Date.now = realNow;
      }
    })();
    expect(payload).toEqual({
      event: 'form_response',
      form: { id: '1FAIpQLSfK3Dp9xForm', title: 'Join the club' },
      response: {
        id: '2_ABaOnudXq3Xk9Qm2vT7rJp0aB4cE6gH8iK1lM3nO5pQ7rS9tU1vW3xYz',
        submitted_at: '2026-01-15T10:29:58.000Z',
        respondent_email: null,
        answers: [
          { title: 'First name', type: 'TEXT', value: 'Zoë' },
          { title: 'Last name', type: 'TEXT', value: 'Ngata' },
          { title: 'Email', type: 'TEXT', value: 'zoe.ngata@example.edu' },
          { title: 'Which events interest you?', type: 'CHECKBOX', value: ['Workshops', 'Hackathons'] },
          { title: 'impression_id', type: 'TEXT', value: 'imp_demo_1' },
        ],
      },
    });
    expect(call!.headers['webhook-id']).toBe('gf_2_ABaOnudXq3Xk9Qm2vT7rJp0aB4cE6gH8iK1lM3nO5pQ7rS9tU1vW3xYz');
    expect(call!.headers['webhook-timestamp']).toBe(String(Math.floor(h.clock.now / 1000)));
  });

  it('is accepted by the relay\'s google-forms preset and becomes one referral; its retry is a replay', async () => {
    const run = script();
    run.submit(formSubmitEvent({ answers: answers() }));
    const response = await relay(run.calls[0]!);
    expect(response.status).toBe(202);
    run.submit(formSubmitEvent({ answers: answers() }));
    expect(await (await relay(run.calls[1]!)).json()).toMatchObject({ status: 'replayed' });
    await h.settle();
    const { referrals } = await h.referrals();
    expect(referrals).toEqual([
      expect.objectContaining({ impression_id: 'imp_demo_1', first_name: 'Zoë', last_name: 'Ngata', email: 'zoe.ngata@example.edu' }),
    ]);
  });

  it('is refused when the body is changed, the secret is wrong or the signature is stale', async () => {
    const run = script();
    run.submit(formSubmitEvent({ answers: answers() }));
    const call = run.calls[0]!;
    expect((await relay(call, call.body.toString('utf8').replace('imp_demo_1', 'imp_demo_2'))).status).toBe(401);
    const wrong = loadCodeGs({ relayUrl: RELAY_URL, secret: 'whsec_d3Jvbmctc2VjcmV0LWZvci1nb29nbGUtZm9ybXM=', now: () => h.clock.now });
    wrong.submit(formSubmitEvent({ answers: answers() }));
    expect((await relay(wrong.calls[0]!)).status).toBe(401);
    const stale = loadCodeGs({ relayUrl: RELAY_URL, secret: SECRET, now: () => h.clock.now - 301_000 });
    stale.submit(formSubmitEvent({ answers: answers() }));
    expect((await relay(stale.calls[0]!)).status).toBe(401);
    expect(Number((await h.relay.store.read.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM signups'))!.n)).toBe(0);
  });

  it('retries an unreachable or busy relay with the same delivery id, then succeeds', () => {
    const run = script([{ error: 'Address unavailable' }, { status: 503, text: 'busy' }, { status: 200 }]);
    expect(run.submit(formSubmitEvent({ answers: answers() }))).toEqual({ status: 200, attempts: 3 });
    expect(run.sleeps).toEqual([1000, 2000]);
    expect(new Set(run.calls.map((call) => call.headers['webhook-id'])).size).toBe(1);
  });

  it('counts a kept (422) payload as delivered, and throws for a refusal so Google emails the owner', () => {
    expect(script([{ status: 422 }]).submit(formSubmitEvent({ answers: answers() }))).toEqual({ status: 422, attempts: 1 });
    const refused = script([{ status: 401, text: '{"error":"Unauthorized"}' }]);
    expect(() => refused.submit(formSubmitEvent({ answers: answers() }))).toThrow(/not delivered: the relay answered 401/);
    expect(refused.calls).toHaveLength(1);
    const down = script([{ status: 502 }]);
    expect(() => down.submit(formSubmitEvent({ answers: answers() }))).toThrow(/answered 502/);
    expect(down.calls).toHaveLength(4);
  });

  it('leaves a submission without an impression to the relay, which keeps it (422), not lost', async () => {
    const run = script();
    run.submit(formSubmitEvent({ answers: answers().filter((answer) => answer.title !== 'impression_id') }));
    const response = await relay(run.calls[0]!);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ issues: [{ path: 'impression_id' }], payload_id: expect.stringMatching(/^whp_/) });
  });
});
