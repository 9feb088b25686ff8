/**
 * Runs integrations/google-forms/Code.gs in node:vm with tiny fakes of the three Google
 * APIs it touches (Google's runtime cannot run here; these fakes are the only mocks):
 *   Utilities   — the real HMAC/base64 work via node:crypto, with Apps Script's signed bytes
 *   UrlFetchApp — records each request; answers from a script, or really sends it (e2e)
 *   the form-submit event — a FormResponse and its Form, built from plain answers
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runInContext, createContext } from 'node:vm';

export const CODE_GS = readFileSync(new URL('../../../integrations/google-forms/Code.gs', import.meta.url), 'utf8');

/** Apps Script byte arrays are Java bytes: numbers from -128 to 127. */
type Bytes = number[];
const toBytes = (buffer: Buffer): Bytes => [...new Int8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)];
const fromBytes = (value: Bytes | string): Buffer =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(Int8Array.from(value).buffer);

export interface FetchCall {
  url: string;
  method: string;
  contentType: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** What the fake fetch answers: a status (and text), or a thrown network error. */
export type FetchAnswer = { status: number; text?: string } | { error: string };

export interface Answer {
  title: string;
  type?: string;
  value: string | string[];
}

export interface SubmitEvent {
  formId?: string;
  formTitle?: string;
  responseId?: string;
  submittedAt?: Date;
  respondentEmail?: string;
  answers: Answer[];
}

export function formSubmitEvent(event: SubmitEvent) {
  const form = { getId: () => event.formId ?? '1FAIpQLSfK3Dp9xForm', getTitle: () => event.formTitle ?? 'Join the club' };
  const response = {
    getId: () => event.responseId ?? '2_ABaOnudXq3Xk9Qm2vT7rJp0aB4cE6gH8iK1lM3nO5pQ7rS9tU1vW3xYz',
    getTimestamp: () => event.submittedAt ?? new Date('2026-01-15T10:29:58Z'),
    getRespondentEmail: () => event.respondentEmail ?? '',
    getItemResponses: () =>
      event.answers.map((answer) => ({
        getItem: () => ({ getTitle: () => answer.title, getType: () => ({ toString: () => answer.type ?? 'TEXT' }) }),
        getResponse: () => answer.value,
      })),
  };
  return { authMode: 'FULL', triggerUid: '4231', source: form, response };
}

export interface ScriptRun {
  /** Calls onFormSubmit with the event; resolves the script's return value or throws its Error. */
  submit(event: ReturnType<typeof formSubmitEvent>): unknown;
  calls: FetchCall[];
  sleeps: number[];
}

export interface ScriptOptions {
  relayUrl: string;
  secret: string;
  /** The script's clock (Date.now inside the sandbox), epoch ms. */
  now: () => number;
  /** Scripted answers, one per call (the last repeats); or `send` to really POST it. */
  answers?: FetchAnswer[];
  send?: boolean;
}

export function loadCodeGs(options: ScriptOptions): ScriptRun {
  const calls: FetchCall[] = [];
  const sleeps: number[] = [];
  const Utilities = {
    newBlob: (data: string) => ({ getBytes: () => toBytes(Buffer.from(data, 'utf8')), getDataAsString: () => data }),
    base64Decode: (text: string) => toBytes(Buffer.from(text, 'base64')),
    base64Encode: (data: Bytes | string) => fromBytes(data).toString('base64'),
    computeHmacSha256Signature: (value: Bytes | string, key: Bytes | string) =>
      toBytes(createHmac('sha256', fromBytes(key)).update(fromBytes(value)).digest()),
    sleep: (ms: number) => void sleeps.push(ms),
  };
  const UrlFetchApp = {
    fetch(url: string, params: { method: string; contentType: string; payload: Bytes; headers: Record<string, string> }) {
      const call = { url, method: params.method, contentType: params.contentType, headers: { ...params.headers }, body: fromBytes(params.payload) };
      calls.push(call);
      const answer = options.send ? sendForReal(call) : (options.answers ?? [{ status: 202 }])[Math.min(calls.length, options.answers?.length ?? 1) - 1]!;
      if ('error' in answer) throw new Error(answer.error);
      return { getResponseCode: () => answer.status, getContentText: () => answer.text ?? '' };
    },
  };
  const context = createContext({ Utilities, UrlFetchApp, JSON, Math, String, Error, Date });
  runInContext(CODE_GS, context, { filename: 'Code.gs' });
  Object.assign(context, { RELAY_URL: options.relayUrl, SIGNING_SECRET: options.secret });
  const realNow = Date.now;
  return {
    calls,
    sleeps,
    submit(event) {
      // The sandbox shares this realm's Date; its clock is the test's for the call.
      Date.now = options.now;
      try {
        return (context.onFormSubmit as (e: unknown) => unknown)(event);
      } finally {
        Date.now = realNow;
      }
    },
  };
}

/** UrlFetchApp.fetch is synchronous: a child node process makes the real HTTP request. */
function sendForReal(call: FetchCall): FetchAnswer {
  const program = `
    const call = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    fetch(call.url, { method: 'POST', headers: { ...call.headers, 'content-type': call.contentType }, body: Buffer.from(call.body, 'base64'), redirect: 'manual' })
      .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, text: await r.text() })))
      .catch((e) => process.stdout.write(JSON.stringify({ error: String(e) })));`;
  const result = spawnSync(process.execPath, ['-e', program], {
    input: JSON.stringify({ ...call, body: call.body.toString('base64') }),
    encoding: 'utf8',
    timeout: 15_000,
  });
  return JSON.parse(result.stdout || JSON.stringify({ error: result.stderr || 'no answer' })) as FetchAnswer;
}
