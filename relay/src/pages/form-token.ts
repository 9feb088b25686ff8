/**
 * The hidden `form_token` of a rendered signup form: `<rendered at>.<key>.<mac>`. The key is
 * the submission's idempotency key (a resubmitted form — reload, back button, double tap —
 * replays instead of making a second referral); the signed render time gives the no-JS form
 * the same fill-time bot signal the widget measures.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A form older than this is re-rendered with a fresh token (values kept). */
export const FORM_TOKEN_TTL_MS = 24 * 3_600_000;

export interface FormToken {
  renderedAt: number;
  key: string;
}

const mac = (secret: Buffer, slug: string, renderedAt: number, key: string) =>
  createHmac('sha256', secret).update(`${slug}\n${renderedAt}\n${key}`).digest('base64url').slice(0, 22);

export function issueFormToken(secret: Buffer, slug: string, now: number): string {
  const key = randomBytes(16).toString('base64url');
  return `${now}.${key}.${mac(secret, slug, now, key)}`;
}

/** The token's parts when it is this relay's, for this page, and fresh; otherwise undefined. */
export function readFormToken(secret: Buffer, slug: string, token: string, now: number): FormToken | undefined {
  const match = /^(\d{13})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!match) return undefined;
  const renderedAt = Number(match[1]);
  const key = match[2]!;
  const expected = Buffer.from(mac(secret, slug, renderedAt, key));
  const given = Buffer.from(match[3]!);
  if (!timingSafeEqual(expected, given)) return undefined;
  if (renderedAt > now + 60_000 || now - renderedAt > FORM_TOKEN_TTL_MS) return undefined;
  return { renderedAt, key };
}
