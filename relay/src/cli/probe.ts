/**
 * `check-config --probe`: asks the configured Vantio whether it accepts the secret key,
 * without creating anything. It sends create-referral an empty body: Vantio checks the key
 * first, so 401/403 means a wrong key and 400 (the body is invalid) means a good one.
 */
import { REFERRALS_PATH } from '@vantio/shared';
import { EXIT, type ExitCode } from './client';

export interface ProbeResult {
  ok: boolean;
  /** What Vantio answered (null: no answer). */
  status: number | null;
  verdict: 'key_accepted' | 'key_refused' | 'redirected' | 'not_found' | 'unexpected' | 'unavailable' | 'unreachable';
  message: string;
  exitCode: ExitCode;
}

export async function probeVantio(baseUrl: string, secretKey: string, timeoutMs: number): Promise<ProbeResult> {
  const url = new URL(REFERRALS_PATH.slice(1), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).href;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json', accept: 'application/json' },
      body: '{}',
      // A redirect is a misconfiguration to report, not to follow with the key.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const why = error instanceof DOMException && error.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (cause ?? (error as Error).message);
    return { ok: false, status: null, verdict: 'unreachable', message: `cannot reach ${url} (${why})`, exitCode: EXIT.unreachable };
  }
  const { status } = response;
  const at = `${url} answered ${status}`;
  if (status === 400 || status === 422) {
    return { ok: true, status, verdict: 'key_accepted', message: `${at} to an empty body: the secret key is accepted`, exitCode: EXIT.ok };
  }
  if (status === 401 || status === 403) {
    return { ok: false, status, verdict: 'key_refused', message: `${at}: Vantio refuses VANTIO_SECRET_KEY`, exitCode: EXIT.usage };
  }
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location') ?? '(no Location)';
    return {
      ok: false,
      status,
      verdict: 'redirected',
      message: `${at}, a redirect to ${location}: set VANTIO_API_URL to the final https address`,
      exitCode: EXIT.usage,
    };
  }
  if (status === 404 || status === 405) {
    return { ok: false, status, verdict: 'not_found', message: `${at}: no create-referral endpoint there; check VANTIO_API_URL`, exitCode: EXIT.usage };
  }
  if (status === 429 || status >= 500) {
    return { ok: false, status, verdict: 'unavailable', message: `${at}: Vantio is busy or failing; try again later`, exitCode: EXIT.failed };
  }
  return { ok: false, status, verdict: 'unexpected', message: `${at}, which a create-referral call never should to an empty body`, exitCode: EXIT.failed };
}
