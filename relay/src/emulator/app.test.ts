import { ZErrorBody, ZReferral } from '@vantio/shared';
import { describe, expect, it } from 'vitest';
import { createEmulatorApp } from './app';
import { FIXED_NOW, postReferral, receivedReferrals, testApp, TEST_SECRET, VALID_BODY } from './testing';

const UNAUTHORIZED = { error: 'Unauthorized', message: 'Invalid or missing API key' };
const badRequest = (message: string) => ({ error: 'Bad Request', message });

describe('POST /api/v1/referrals: authentication', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong key', 'Bearer sk_wrong'],
    ['another scheme', `Basic ${TEST_SECRET}`],
    ['a bare key', TEST_SECRET],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 with the documented body for %s', async (_, authorization) => {
    const response = await postReferral(testApp(), VALID_BODY, authorization);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(UNAUTHORIZED);
  });

  it('checks the key before the body', async () => {
    const response = await postReferral(testApp(), 'not json', 'Bearer nope');
    expect(response.status).toBe(401);
  });

  it('accepts the scheme in any case', async () => {
    const response = await postReferral(testApp(), VALID_BODY, `bearer ${TEST_SECRET}`);
    expect(response.status).toBe(200);
  });
});

describe('POST /api/v1/referrals: validation', () => {
  it.each([
    [{}, 'impression_id'],
    [{ impression_id: 'imp_demo_1' }, 'first_name'],
    [{ impression_id: 'imp_demo_1', first_name: 'John' }, 'last_name'],
    [{ impression_id: 'imp_demo_1', first_name: 'John', last_name: 'Doe' }, 'email'],
    [{ email: 'x@example.com', last_name: 'Doe' }, 'impression_id'],
    [{ ...VALID_BODY, first_name: '   ' }, 'first_name'],
    [{ ...VALID_BODY, last_name: null }, 'last_name'],
    [{ ...VALID_BODY, impression_id: 7, email: undefined }, 'email'],
  ])('names the first missing field: %j', async (body, field) => {
    const response = await postReferral(testApp(), body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(badRequest(`Missing required field: ${field}`));
  });

  it.each(['john', 'john@', '@example.com', 'john@example', 'jo hn@example.com'])(
    'rejects the email %j with the documented message',
    async (email) => {
      const response = await postReferral(testApp(), { ...VALID_BODY, email });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(badRequest('Invalid email format'));
    },
  );

  it('rejects an unknown impression', async () => {
    const response = await postReferral(testApp(), { ...VALID_BODY, impression_id: 'imp_nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(badRequest('Invalid impression_id: impression imp_nope does not exist'));
  });

  it.each([
    ['not JSON', '{"impression_id": ', /not valid JSON/],
    ['an empty body', '', /must be a JSON object/],
    ['an array', '[1, 2]', /must be a JSON object/],
    ['a string', '"hello"', /must be a JSON object/],
    ['null', 'null', /must be a JSON object/],
  ])('rejects %s with a clear 400', async (_, body, message) => {
    const response = await postReferral(testApp(), body);
    expect(response.status).toBe(400);
    const error = ZErrorBody.parse(await response.json());
    expect(error.error).toBe('Bad Request');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['first_name', 42],
    ['email', ['john.doe@example.com']],
    ['profile_picture', 1],
    ['idempotency_key', 123],
    ['metadata', 'campus'],
    ['metadata', [1, 2]],
  ])('rejects a wrong type for %s', async (field, value) => {
    const response = await postReferral(testApp(), { ...VALID_BODY, [field]: value });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(badRequest(expect.stringContaining(`Invalid type for field ${field}`)));
  });

  it('is lenient about what the contract does not forbid', async () => {
    const response = await postReferral(testApp(), {
      ...VALID_BODY,
      first_name: 'J'.repeat(500), // the relay limits names; Vantio documents no limit
      profile_picture: null,
      metadata: null,
      idempotency_key: '',
      unexpected_field: true,
    });
    expect(response.status).toBe(200);
    const referral = (await response.json()) as Record<string, unknown>;
    expect(referral).not.toHaveProperty('profile_picture');
    expect(referral).not.toHaveProperty('metadata');
    expect(referral).not.toHaveProperty('unexpected_field');
  });
});

describe('POST /api/v1/referrals: success', () => {
  it('returns the referral exactly like the documented example', async () => {
    const body = {
      ...VALID_BODY,
      impression_id: 'imp_demo_3',
      profile_picture: 'https://example.com/profiles/john-doe.jpg',
      metadata: { source: 'poster_qr_code', location: 'campus_center' },
      idempotency_key: 'ref_20240115_123456',
    };
    const response = await postReferral(testApp(), body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const referral = ZReferral.parse(await response.json());
    expect(referral).toStrictEqual({
      id: expect.stringMatching(/^ref_[0-9a-z]{12}$/),
      impression_id: 'imp_demo_3',
      first_name: 'John',
      last_name: 'Doe',
      email: 'john.doe@example.com',
      profile_picture: 'https://example.com/profiles/john-doe.jpg',
      status: 'pending',
      program_id: 'prog_demo',
      student_id: 'user_demo_3',
      created_at: '2024-01-15T10:30:00Z',
      metadata: { source: 'poster_qr_code', location: 'campus_center' },
    });
    expect(Object.keys(referral)).toEqual([
      'id', 'impression_id', 'first_name', 'last_name', 'email', 'profile_picture',
      'status', 'program_id', 'student_id', 'created_at', 'metadata',
    ]);
  });

  it('leaves out profile_picture and metadata when they were not sent', async () => {
    const referral = ZReferral.parse(await (await postReferral(testApp(), VALID_BODY)).json());
    expect(referral).not.toHaveProperty('profile_picture');
    expect(referral).not.toHaveProperty('metadata');
    expect(referral.student_id).toBe('user_demo_1');
  });

  it('takes created_at from the injected clock, in ISO 8601', async () => {
    let now = FIXED_NOW;
    const app = createEmulatorApp({ secretKey: TEST_SECRET, now: () => now, seed: 1 });
    now = Date.parse('2025-03-01T08:00:05.678Z');
    const referral = ZReferral.parse(await (await postReferral(app, VALID_BODY)).json());
    expect(referral.created_at).toBe('2025-03-01T08:00:05Z');
  });

  it.each([1, 2, 3, 4, 5])('has the seeded impression imp_demo_%i', async (n) => {
    const referral = ZReferral.parse(
      await (await postReferral(testApp(), { ...VALID_BODY, impression_id: `imp_demo_${n}` })).json(),
    );
    expect(referral).toMatchObject({ program_id: 'prog_demo', student_id: `user_demo_${n}` });
  });

  it('generates the same ids for the same seed and different ones for another', async () => {
    const idOf = async (seed: number) => ((await (await postReferral(testApp(seed), VALID_BODY)).json()) as { id: string }).id;
    expect(await idOf(7)).toBe(await idOf(7));
    expect(await idOf(7)).not.toBe(await idOf(8));
  });
});

describe('POST /api/v1/referrals: idempotency', () => {
  it('returns the same referral, with 200, for a repeated idempotency_key', async () => {
    const app = testApp();
    const body = { ...VALID_BODY, idempotency_key: 'key-1' };
    const first = await postReferral(app, body);
    const second = await postReferral(app, { ...body, first_name: 'Johnny' }); // same key wins
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await second.json()).toEqual(await first.json());
    const view = await receivedReferrals(app);
    expect(view.referrals).toHaveLength(1);
    expect(view.create_calls).toEqual({ 'key-1': 2 });
  });

  it('creates a new referral for another key, and for every request without a key', async () => {
    const app = testApp();
    await postReferral(app, { ...VALID_BODY, idempotency_key: 'a' });
    await postReferral(app, { ...VALID_BODY, idempotency_key: 'b' });
    await postReferral(app, VALID_BODY);
    await postReferral(app, VALID_BODY);
    const view = await receivedReferrals(app);
    expect(new Set(view.referrals.map((referral) => referral.id)).size).toBe(4);
    expect(view.create_calls).toEqual({ a: 1, b: 1 });
  });

  it('does not count requests that failed auth or validation', async () => {
    const app = testApp();
    await postReferral(app, { ...VALID_BODY, idempotency_key: 'k' }, 'Bearer wrong');
    await postReferral(app, { ...VALID_BODY, email: 'bad', idempotency_key: 'k' });
    await postReferral(app, { ...VALID_BODY, impression_id: 'imp_x', idempotency_key: 'k' });
    const view = await receivedReferrals(app);
    expect(view).toEqual({ referrals: [], create_calls: {}, total_requests: 3 });
  });
});

describe('other routes', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const response = await testApp().request('/api/v1/referrals');
    expect(response.status).toBe(404);
    expect(ZErrorBody.parse(await response.json()).error).toBe('Not Found');
  });

  it('refuses to build without a secret key', () => {
    expect(() => createEmulatorApp({ secretKey: '' })).toThrow(/secretKey/);
  });
});
