/** The logger's redaction: what a real logger writes when a call passes personal data by mistake. */
import { describe, expect, it } from 'vitest';
import { redactLogFields } from './logger';
import { linesLogger } from './testing';

function writtenLine(fields: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  linesLogger(lines, 'info').info(fields, 'line');
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('log redaction', () => {
  it('censors the fields at the top level and one level down, and nothing else', () => {
    const line = writtenLine({
      email: 'a@b.example',
      signup: { first_name: 'Ann', last_name: 'Bee', impression_id: 'imp_1' },
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      config: { secretKey: 'sk_live_x' },
      route: '/v1/signups',
      status: 202,
    });
    expect(line).toMatchObject({
      email: '[redacted]',
      signup: { first_name: '[redacted]', last_name: '[redacted]', impression_id: 'imp_1' },
      headers: { authorization: '[redacted]', 'content-type': 'application/json' },
      config: { secretKey: '[redacted]' },
      route: '/v1/signups',
      status: 202,
    });
  });

  it('censors a field an error carries and still writes the error', () => {
    const error = Object.assign(new Error('upstream refused'), { email: 'a@b.example' });
    const line = writtenLine({ err: error });
    expect(JSON.stringify(line)).not.toContain('a@b.example');
    expect(line.err).toMatchObject({ type: 'Error', message: 'upstream refused', email: '[redacted]' });
  });

  it("never changes the caller's objects, and copies nothing when there is nothing to censor", () => {
    const signup = { email: 'a@b.example' };
    const fields = { signup };
    expect(redactLogFields(fields)).toEqual({ signup: { email: '[redacted]' } });
    expect(fields.signup).toBe(signup);
    expect(signup.email).toBe('a@b.example');
    const clean = { request_id: 'r1', route: '/v1/signups', status: 202, ms: 1.2 };
    expect(redactLogFields(clean)).toBe(clean);
  });
});
