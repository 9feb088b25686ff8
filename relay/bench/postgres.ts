/**
 * The PostgreSQL rows of `npm run bench` (run.ts calls this in the same run, so the ratios
 * compare like with like): durable accepts/s of two relays on one database against the single
 * SQLite relay, and the forward drain of three relays of concurrency 4 against the
 * 12-in-flight bound. Needs a server: BENCH_DATABASE_URL or RELAY_TEST_DATABASE_URL.
 */
import { createTestDatabase } from '../src/store/test-engines';
import { runWrk, startServer, type Server, type WrkResult } from './processes';

export interface BenchRow {
  name: string;
  value: string;
  baseline: string;
  ratio: number;
  target: string;
  ok: boolean;
}

export interface PostgresBenchInput {
  serverUrl: string;
  relayEntry: string;
  relayNodeFlags: string[];
  relayEnv: Record<string, string>;
  emulatorUrl: string;
  seconds: number;
  /** The single SQLite relay's durable accepts/s, measured earlier in this run. */
  sqliteAcceptsPerSec: number;
  clients: number;
  drainLatencyMs: number;
  helpers: {
    checked(result: WrkResult, name: string): WrkResult;
    queued(relayUrl: string): Promise<number>;
    fetchJson(url: string, body?: unknown): Promise<unknown>;
    measureDrain(relayUrl: string, seconds: number): Promise<number>;
    measureUpstreamLatency(emulatorUrl: string, concurrency: number, durationMs: number): Promise<number>;
  };
  log(message: string): void;
}

const ACCEPT_RELAYS = 2;
const DRAIN_RELAYS = 3;
const DRAIN_CONCURRENCY_EACH = 4;

export async function benchPostgres(input: PostgresBenchInput): Promise<BenchRow[]> {
  const { helpers, log } = input;
  const database = await createTestDatabase(input.serverUrl);
  const servers: Server[] = [];
  const start = async (concurrency: number) => {
    const server = await startServer(
      input.relayEntry,
      { ...input.relayEnv, RELAY_DATABASE_URL: database.url, RELAY_FORWARD_CONCURRENCY: String(concurrency) },
      /relay listening on (http:\/\/[\d.:]+)/,
      input.relayNodeFlags,
    );
    servers.push(server);
    return server;
  };
  const rows: BenchRow[] = [];
  try {
    await helpers.fetchJson(`${input.emulatorUrl}/__emulator/faults`, {});
    const acceptors = await Promise.all(Array.from({ length: ACCEPT_RELAYS }, () => start(0)));
    const perRelay = Math.max(1, Math.round(input.clients / ACCEPT_RELAYS));
    log(`postgres accepts: ${ACCEPT_RELAYS} relays, ${perRelay} clients each, ${input.seconds} s …`);
    await Promise.all(acceptors.map((relay) => runWrk(relay.url, '/v1/signups', perRelay, Math.max(2, input.seconds / 5))));
    const before = await helpers.queued(acceptors[0]!.url);
    const results = await Promise.all(
      acceptors.map(async (relay, i) => helpers.checked(await runWrk(relay.url, '/v1/signups', perRelay, input.seconds), `postgres relay ${i + 1}`)),
    );
    const accepted = (await helpers.queued(acceptors[0]!.url)) - before;
    const seconds = Math.max(...results.map((result) => result.requests / result.requestsPerSec));
    const acceptsPerSec = accepted / seconds;
    rows.push({
      name: `postgres durable accepts/s, ${ACCEPT_RELAYS} relays`,
      value: `${acceptsPerSec.toFixed(0)}/s`,
      baseline: `sqlite relay ${input.sqliteAcceptsPerSec.toFixed(0)}/s`,
      ratio: acceptsPerSec / input.sqliteAcceptsPerSec,
      target: '≥ 0.50',
      ok: acceptsPerSec / input.sqliteAcceptsPerSec >= 0.5,
    });
    for (const relay of acceptors) await relay.stop();

    const inFlight = DRAIN_RELAYS * DRAIN_CONCURRENCY_EACH;
    log(`postgres drain: ${DRAIN_RELAYS} relays of concurrency ${DRAIN_CONCURRENCY_EACH}, emulator latency ${input.drainLatencyMs} ms …`);
    await helpers.fetchJson(`${input.emulatorUrl}/__emulator/faults`, { latency_ms: input.drainLatencyMs });
    const drainers = await Promise.all(Array.from({ length: DRAIN_RELAYS }, () => start(DRAIN_CONCURRENCY_EACH)));
    const drainRate = await helpers.measureDrain(drainers[0]!.url, Math.max(4, input.seconds));
    const latencyMs = await helpers.measureUpstreamLatency(input.emulatorUrl, inFlight, 2_000);
    const bound = inFlight / (latencyMs / 1000);
    rows.push({
      name: `postgres drain, ${DRAIN_RELAYS} relays × ${DRAIN_CONCURRENCY_EACH}`,
      value: `${drainRate.toFixed(1)}/s`,
      baseline: `bound ${bound.toFixed(0)}/s (${inFlight} ÷ ${latencyMs.toFixed(1)} ms)`,
      ratio: drainRate / bound,
      target: '≥ 0.90',
      ok: drainRate / bound >= 0.9,
    });
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await database.drop();
  }
  return rows;
}
