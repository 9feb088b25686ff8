/**
 * Where alerts go: a JSON webhook (Slack, Discord, Microsoft Teams or any receiver),
 * email over SMTP (nodemailer: a well-kept client for every SMTP server and TLS mode),
 * and the console in sandbox mode.
 */
import nodemailer from 'nodemailer';
import type { Alert, AlertChannel } from './engine';

const HEADLINE: Record<Alert['kind'], string> = {
  started: 'ALERT',
  ongoing: 'STILL ONGOING',
  recovered: 'RECOVERED',
  test: 'TEST',
};

/** A plain-text notice: a headline, the summary, the facts and the dashboard link. */
export function alertText(alert: Alert): string {
  const lines = [`[vantio-relay] ${HEADLINE[alert.kind]}: ${alert.title}`, alert.summary];
  if (alert.kind === 'ongoing') lines.push(`Ongoing since ${alert.since}.`);
  if (alert.kind === 'recovered') lines.push(`It had lasted since ${alert.since}.`);
  const facts = Object.entries(alert.details).filter(([, value]) => value !== null);
  if (facts.length) lines.push(facts.map(([key, value]) => `${key}: ${String(value)}`).join(', '));
  if (alert.dashboardUrl) lines.push(`Dashboard: ${alert.dashboardUrl}`);
  return lines.join('\n');
}

/** Discord refuses `content` over 2000 characters. */
const DISCORD_CONTENT_MAX = 2000;

/**
 * One body for every common receiver: Slack incoming webhooks read `text`; Discord webhooks
 * read `content`; a Teams channel's (legacy connector) Incoming Webhook reads `text`; any
 * other receiver gets the structured `alert`. Each ignores the others' fields. Teams
 * Workflows webhooks (Power Automate URLs) take only an Adaptive Card: they get one.
 */
export function webhookBody(alert: Alert, url: string): Record<string, unknown> {
  const text = alertText(alert);
  if (isTeamsWorkflow(url)) {
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: text.split('\n').map((line, index) => ({ type: 'TextBlock', text: line, wrap: true, ...(index === 0 ? { weight: 'Bolder' } : {}) })),
          },
        },
      ],
    };
  }
  return {
    text,
    content: text.length > DISCORD_CONTENT_MAX ? `${text.slice(0, DISCORD_CONTENT_MAX - 1)}…` : text,
    alert: {
      kind: alert.kind,
      condition: alert.condition,
      title: alert.title,
      summary: alert.summary,
      details: alert.details,
      since: alert.since,
      at: alert.at,
      dashboard_url: alert.dashboardUrl ?? null,
    },
  };
}

function isTeamsWorkflow(url: string): boolean {
  const host = new URL(url).hostname;
  return /(^|\.)logic\.azure\.com$/.test(host) || /(^|\.)powerplatform\.com$/.test(host);
}

/** The webhook URL is a secret (Slack and Discord put the token in it): logs show the host only. */
export function webhookChannel(url: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}): AlertChannel {
  const host = new URL(url).host;
  return {
    name: `webhook ${host}`,
    async send(alert) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'vantio-relay' },
          body: JSON.stringify(webhookBody(alert, url)),
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const why = error instanceof DOMException && error.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (cause ?? 'network error');
        throw new Error(`webhook ${host}: ${why}`);
      }
      if (!response.ok) throw new Error(`webhook ${host} answered ${response.status}`);
    },
  };
}

export interface EmailChannelOptions {
  smtpUrl: string;
  to: string[];
  from: string;
  timeoutMs?: number;
}

export function emailChannel({ smtpUrl, to, from, timeoutMs = 20_000 }: EmailChannelOptions): AlertChannel {
  const transport = nodemailer.createTransport(smtpUrl, {
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[1]);
  const server = new URL(smtpUrl).host;
  return {
    name: `email to ${to.join(', ')} via ${server}`,
    async send(alert) {
      try {
        await transport.sendMail({
          from,
          to,
          subject: `[vantio-relay] ${HEADLINE[alert.kind]}: ${alert.title}`,
          text: alertText(alert).split('\n').slice(1).join('\n\n'),
        });
      } catch (error) {
        throw new Error(`email via ${server}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}

/** Sandbox mode: the alerts the relay would send, printed for the person trying it. */
export function consoleChannel(out: { write(text: string): unknown } = process.stdout): AlertChannel {
  return {
    name: 'console',
    async send(alert) {
      out.write(`\n${alertText(alert)}\n(sandbox: printed here; in production it goes to RELAY_ALERT_WEBHOOK_URL and RELAY_ALERT_EMAIL)\n\n`);
    },
  };
}
