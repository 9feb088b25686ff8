/**
 * The CLI's HTTP client for the admin API. Every failure becomes a `CliError` carrying
 * the exit code the CLI promises: 1 operation failed / not found, 2 usage or
 * configuration, 3 relay unreachable or token refused.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface AdminClientOptions {
  url: string;
  token: string;
  /** Which setting named the URL (`--url`, `RELAY_PORT`, …), for the unreachable message. */
  from?: string;
  /** For calls that answer at once (not exports or backups). */
  timeoutMs?: number;
}

export class AdminClient {
  private readonly base: string;

  constructor(private readonly options: AdminClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  /** A JSON call; resolves with the parsed body of a 2xx answer. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, {
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /** A streamed download (CSV export, backup): the caller reads `response.body`. */
  download(path: string): Promise<Response> {
    return this.send('GET', path, {});
  }

  private async send(method: string, path: string, init: { body?: unknown; signal?: AbortSignal }): Promise<Response> {
    const url = `${this.base}/v1/admin${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      const found = this.options.from ? `, found from ${this.options.from}` : '';
      throw new CliError(
        EXIT.unreachable,
        `cannot reach the relay at ${this.base} (${describeNetworkError(error)}${found}); pass --url or set VANTIO_RELAY_URL if it runs elsewhere`,
      );
    }
    if (response.ok) return response;
    throw await toCliError(response, this.base);
  }
}

async function toCliError(response: Response, base: string): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500) || response.statusText;
  let issues: { path: string; message: string }[] = [];
  try {
    const body = JSON.parse(text) as { message?: string; issues?: typeof issues };
    message = body.message ?? message;
    issues = body.issues ?? [];
  } catch {
    // Not our JSON error shape (a proxy page?): keep the text.
  }
  const detail = issues.length ? `\n${issues.map((issue) => `  - ${issue.path || '(body)'}: ${issue.message}`).join('\n')}` : '';
  if (response.status === 401) return new CliError(EXIT.unreachable, `the relay refused the admin token: ${message}`);
  if (response.status === 503 && /admin API is disabled/i.test(message)) return new CliError(EXIT.unreachable, message);
  if (response.status === 400) return new CliError(EXIT.usage, `${message}${detail}`);
  if (response.status === 404 && /^No route/.test(message)) {
    return new CliError(EXIT.unreachable, `${base} does not look like a vantio relay (${message})`);
  }
  return new CliError(EXIT.failed, `${message}${detail}`);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
