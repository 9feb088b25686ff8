/**
 * The test-only control surface under `/__emulator/` (JSON, no auth): create impressions,
 * inspect what the "upstream" received, configure faults, reset.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ZFaultConfig } from './faults';
import { describeZodError, jsonError, readJsonBody } from './http';
import { ImpressionExistsError, type EmulatorState } from './state';

const ZNewImpression = z.strictObject({
  id: z.string().min(1).max(200).optional(),
  program_id: z.string().min(1).max(200).optional(),
  student_id: z.string().min(1).max(200).optional(),
});

export function controlRoutes(state: EmulatorState): Hono {
  const control = new Hono();

  control.post('/impressions', async (c) => {
    // No body at all is fine here: everything gets generated.
    const raw = await readJsonBody(c, { emptyAs: {} });
    if (!raw.ok) return jsonError(c, 400, raw.message);
    const parsed = ZNewImpression.safeParse(raw.value);
    if (!parsed.success) return jsonError(c, 400, describeZodError(parsed.error));
    try {
      return c.json(state.addImpression(parsed.data), 201);
    } catch (error) {
      if (error instanceof ImpressionExistsError) return jsonError(c, 409, error.message);
      throw error;
    }
  });

  control.get('/impressions', (c) => c.json({ impressions: [...state.impressions.values()] }));

  control.get('/referrals', (c) =>
    c.json({
      referrals: state.referrals,
      create_calls: Object.fromEntries(state.createCallsByIdempotencyKey),
      total_requests: state.totalRequests,
    }),
  );

  // Calls for one idempotency key that overlapped in time (none, if no two senders share a signup).
  control.get('/overlaps', (c) =>
    c.json({
      overlapping_calls: Object.fromEntries(state.overlappingCallsByKey),
      max_in_flight_per_key: state.maxInFlightPerKey,
    }),
  );

  control.get('/faults', (c) => c.json(state.faults));

  control.post('/faults', async (c) => {
    const raw = await readJsonBody(c, { emptyAs: {} }); // empty body = all faults off
    if (!raw.ok) return jsonError(c, 400, raw.message);
    const parsed = ZFaultConfig.safeParse(raw.value);
    if (!parsed.success) return jsonError(c, 400, `Invalid fault config: ${describeZodError(parsed.error)}`);
    state.faults = parsed.data; // replaces the whole config: omitted faults switch off
    return c.json(state.faults);
  });

  control.post('/reset', (c) => {
    state.reset();
    return c.json({ reset: true });
  });

  return control;
}
