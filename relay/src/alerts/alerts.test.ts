/**
 * Alerts end to end over real channels on loopback: a real HTTP receiver (as Slack,
 * Discord or Teams would be) and a real SMTP server (`smtp-server`), with an injected
 * clock and timers so "an hour later" and "the next retry" need no waiting.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { linesLogger } from '../testing';
import { consoleChannel, emailChannel, webhookBody, webhookChannel } from './channels';
import { AlertEngine, type Alert, type AlertCondition, type AlertTimers, type ConditionState } from './engine';
import { createAlerting } from './index';

interface Received {
  body: Record<string, unknown> & { text: string; content: string; alert: Record<string, unknown> };
}

let receiver: Server;
let receiverUrl: string;
let received: Received[];
/** The receiver answers 500 this many times before accepting. */
let failNext = 0;
let smtp: SMTPServer;
let smtpPort: number;
let mails: Array<{ from: string; to: string[]; data: string }>;
let logLines: string[];
const logger = () => linesLogger(logLines);

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failNext > 0) {
        failNext -= 1;
        response.writeHead(500).end('nope');
        return;
      }
      received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'] });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/T000/B000/secret-token`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** Timers run only when the test says so. */
class ManualTimers implements AlertTimers {
  pending = new Map<number, { callback: () => void; ms: number }>();
  private next = 1;
  setTimeout(callback: () => void, ms: number) {
    const id = this.next++;
    this.pending.set(id, { callback, ms });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.pending.delete(handle as number);
  }
  /** Runs the timers due within `ms` (retries), not the interval of `intervalMs`. */
  runRetries(): number[] {
    const due = [...this.pending].filter(([, timer]) => timer.ms !== INTERVAL);
    for (const [id, timer] of due) {
      this.pending.delete(id);
      timer.callback();
    }
    return due.map(([, timer]) => timer.ms);
  }
}
const INTERVAL = 60_000;

/** A condition whose state the test sets. */
function switchable(id: string): AlertCondition & { state: ConditionState } {
  const condition = {
    id,
    title: `Condition ${id}`,
    state: { active: false, summary: 'fine' } as ConditionState,
    check: async () => condition.state,
  };
  return condition;
}

let clock: { now: number };
let timers: ManualTimers;
beforeEach(() => {
  received = [];
  mails = [];
  logLines = [];
  failNext = 0;
  clock = { now: Date.parse('2026-03-02T09:00:00Z') };
  timers = new ManualTimers();
});

function engine(conditions: AlertCondition[], channels = [webhookChannel(receiverUrl)]) {
  return new AlertEngine({
    conditions,
    channels,
    logger: logger(),
    now: () => clock.now,
    timers,
    intervalMs: INTERVAL,
    dashboardUrl: 'https://relay.example.edu/admin',
    retryDelaysMs: [10_000, 120_000],
  });
}

describe('the alert engine', () => {
  it('alerts once when a condition starts, at most hourly while it lasts, and once when it clears', async () => {
    const paused = switchable('delivery_paused');
    const alerts = engine([paused]);
    const round = async (minutes: number) => {
      clock.now += minutes * 60_000;
      await alerts.evaluate();
      await alerts.idle();
    };
    await round(0);
    expect(received).toHaveLength(0); // nothing wrong: nothing sent

    paused.state = { active: true, summary: 'Vantio answered 401', details: { reason: 'unauthorized' } };
    await round(1);
    await round(1);
    await round(30);
    expect(received.map((r) => r.body.alert.kind)).toEqual(['started']);
    await round(30); // an hour after the first notice
    await round(1);
    expect(received.map((r) => r.body.alert.kind)).toEqual(['started', 'ongoing']);

    paused.state = { active: false, summary: 'running again' };
    await round(1);
    await round(1);
    expect(received.map((r) => r.body.alert.kind)).toEqual(['started', 'ongoing', 'recovered']);
    expect(received[2]!.body.alert).toMatchObject({
      condition: 'delivery_paused',
      summary: 'running again',
      since: '2026-03-02T09:01:00.000Z',
      dashboard_url: 'https://relay.example.edu/admin',
    });
  });

  it('sends a body Slack (text), Discord (content) and a Teams connector (text) accept, with the structured alert', async () => {
    const dead = switchable('signups_dead');
    dead.state = { active: true, summary: '3 signups turned dead', details: { new_dead: 3, dead: 5 } };
    const alerts = engine([dead]);
    await alerts.evaluate();
    await alerts.idle();
    const [{ body }] = received as [Received];
    expect(body.text).toBe(
      '[vantio-relay] ALERT: Condition signups_dead\n3 signups turned dead\nnew_dead: 3, dead: 5\nDashboard: https://relay.example.edu/admin',
    );
    expect(body.content).toBe(body.text);
    expect(body.alert).toMatchObject({ kind: 'started', condition: 'signups_dead', details: { new_dead: 3, dead: 5 } });

    const base: Alert = { kind: 'started', condition: 'signups_dead', title: 'Dead', summary: 'x', details: {}, since: '', at: '', dashboardUrl: undefined };
    const long = webhookBody({ ...base, summary: 'x'.repeat(3000) }, receiverUrl);
    expect((long.content as string).length).toBe(2000);
    const teams = webhookBody(base, 'https://prod-1.westeurope.logic.azure.com/workflows/abc');
    expect(teams).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
  });

  it('retries a failing channel with backoff and logs each failure, without holding up the round', async () => {
    const held = switchable('signups_held');
    held.state = { active: true, summary: '2 signups are held for review' };
    const alerts = engine([held]);
    failNext = 2;
    await alerts.evaluate(); // returns at once: sending goes on by itself
    await alerts.idle();
    expect(received).toHaveLength(0);
    expect(timers.runRetries()).toEqual([10_000]);
    await alerts.idle();
    expect(timers.runRetries()).toEqual([120_000]);
    await alerts.idle();
    expect(received).toHaveLength(1);
    const logged = logLines.map((line) => JSON.parse(line) as { msg: string; retry?: number; channel?: string });
    expect(logged.filter((line) => line.msg === 'alert channel failed; retrying').map((line) => line.retry)).toEqual([0, 1]);
    expect(logged.find((line) => line.msg === 'alert sent after retrying')).toMatchObject({ retry: 2 });
    // The webhook URL carries a secret: logs name the host only.
    expect(logLines.join('')).not.toContain('secret-token');
    expect(logged[1]!.channel).toMatch(/^webhook 127\.0\.0\.1:\d+$/);
  });

  it('gives up after the last retry with an error line, and a failing check never reports a false recovery', async () => {
    const flaky = switchable('queue_age');
    flaky.state = { active: true, summary: 'old' };
    const alerts = engine([flaky]);
    failNext = 10;
    await alerts.evaluate();
    await alerts.idle();
    timers.runRetries();
    await alerts.idle();
    timers.runRetries();
    await alerts.idle();
    expect(timers.runRetries()).toEqual([]);
    expect(logLines.some((line) => line.includes('alert not sent: channel failed on every retry'))).toBe(true);

    failNext = 0;
    flaky.check = async () => {
      throw new Error('database is locked');
    };
    clock.now += 60_000;
    await alerts.evaluate();
    await alerts.idle();
    expect(received).toHaveLength(0);
    expect(logLines.some((line) => line.includes('alert condition check failed'))).toBe(true);
  });

  it('checks on an interval once started, and stops cleanly', async () => {
    const condition = switchable('delivery_paused');
    let checks = 0;
    condition.check = async () => {
      checks += 1;
      return condition.state;
    };
    const alerts = engine([condition]);
    alerts.start();
    await alerts.evaluate();
    expect(checks).toBe(1);
    const [id, interval] = [...timers.pending].find(([, timer]) => timer.ms === INTERVAL)!;
    timers.clearTimeout(id);
    interval.callback();
    await alerts.evaluate();
    expect(checks).toBe(2);
    await alerts.stop();
    expect([...timers.pending.values()].filter((timer) => timer.ms === INTERVAL)).toHaveLength(0);
  });
});

describe('email alerts (nodemailer to a real SMTP server on loopback)', () => {
  it('mails the notice with a subject naming the condition, and alert-test reaches every channel', async () => {
    const email = emailChannel({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, to: ['ops@example.edu', 'club@example.edu'], from: 'relay@example.edu' });
    const paused = switchable('delivery_paused');
    paused.state = { active: true, summary: 'Vantio answered 401 (invalid key): check VANTIO_SECRET_KEY' };
    const alerts = engine([paused], [webhookChannel(receiverUrl), email]);
    await alerts.evaluate();
    await alerts.idle();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'relay@example.edu', to: ['ops@example.edu', 'club@example.edu'] });
    expect(mails[0]!.data).toMatch(/^Subject: \[vantio-relay\] ALERT: Condition delivery_paused$/m);
    expect(mails[0]!.data).toContain('Vantio answered 401 (invalid key): check VANTIO_SECRET_KEY');
    expect(mails[0]!.data).toContain('Dashboard: https://relay.example.edu/admin');
    expect(received).toHaveLength(1);

    const results = await alerts.test();
    expect(results).toEqual([
      { channel: expect.stringMatching(/^webhook 127\.0\.0\.1/), error: null },
      { channel: expect.stringMatching(/^email to ops@example\.edu, club@example\.edu via 127\.0\.0\.1/), error: null },
    ]);
    expect(received.at(-1)!.body.alert.kind).toBe('test');
    expect(mails.at(-1)!.data).toMatch(/^Subject: \[vantio-relay\] TEST: Test alert from vantio-relay$/m);
  });

  it('reports an SMTP server that refuses, as a failed channel', async () => {
    const email = emailChannel({ smtpUrl: 'smtp://127.0.0.1:1', to: ['ops@example.edu'], from: 'relay@example.edu', timeoutMs: 2_000 });
    const [result] = await engine([], [email]).test();
    expect(result!.error).toMatch(/^email via 127\.0\.0\.1:1: /);
  });
});

describe('createAlerting', () => {
  it('prints what it would send in sandbox mode, with the dashboard link from RELAY_PUBLIC_URL', async () => {
    const printed: string[] = [];
    const alerting = createAlerting({
      config: {
        alertWebhookUrl: receiverUrl,
        alertEmails: [],
        alertEmailFrom: undefined,
        smtpUrl: undefined,
        publicUrl: 'https://relay.example.edu',
        alertQueueAgeS: 3600,
      },
      sources: {
        delivery: () => ({ paused: true, reason: 'unauthorized', message: 'Vantio answered 401 (bad key): check VANTIO_SECRET_KEY', since: null }),
        deadCount: async () => 0,
        queuedCount: async () => 4,
        oldestQueuedAgeS: async () => 7200,
      },
      logger: logger(),
      now: () => clock.now,
      sandbox: true,
      console: { write: (text: string) => printed.push(text) },
      timers,
    });
    await alerting.evaluate();
    await alerting.idle();
    expect(received).toHaveLength(0); // sandbox sends nowhere
    const text = printed.join('');
    expect(text).toContain('ALERT: Delivery to Vantio is paused');
    expect(text).toContain('ALERT: Signups are waiting too long for delivery\nThe oldest queued signup has waited 2 h (threshold 1 h); 4 queued.');
    expect(text).toContain('Dashboard: https://relay.example.edu/admin');
    expect(consoleChannel().name).toBe('console');
  });
});
