// Child processes for the benchmark: each server runs alone, as it would in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface Server {
  url: string;
  child: ChildProcess;
  /** Peak resident set size (VmHWM) in MB, read from /proc while it runs. */
  peakRssMb(): number;
  /** CPU time (user + system) the process has used so far, in ms. */
  cpuMs(): number;
  /** Peak anonymous (own, not file-backed) memory in MB, sampled every 100 ms. */
  peakAnonMb(): number;
  stop(): Promise<void>;
}

/** Spawns `node <entry>` and resolves with the URL from its `… listening on http://…` line. */
export function startServer(entry: string, env: Record<string, string>, pattern: RegExp, nodeFlags: string[] = []): Promise<Server> {
  // TypeScript entries run through tsx; the bundled relay (.js) runs on plain node, as in production.
  const args = [...nodeFlags, ...(entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before listening:\n${stderr}`)));
    child.stdout!.on('data', (chunk) => {
      stdout += String(chunk);
      const match = pattern.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume(); // keep draining so a chatty child never blocks on a full pipe
      let peakAnonKb = 0;
      const sampler = setInterval(() => {
        try {
          const anon = Number(/RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
          peakAnonKb = Math.max(peakAnonKb, anon);
        } catch {
          clearInterval(sampler); // the process is gone
        }
      }, 100);
      sampler.unref();
      child.once('exit', () => clearInterval(sampler));
      resolve({
        url: match[1]!,
        child,
        peakAnonMb: () => peakAnonKb / 1024,
        peakRssMb: () => {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
        },
        cpuMs: () => {
          // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in ticks.
          const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
          return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
        },
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
          }),
      });
    });
  });
}

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  non2xx: number;
  socketErrors: number;
  p50Ms: number;
  p99Ms: number;
}

let wrkRuns = 0;

/**
 * Runs wrk with the signup Lua script and parses its summary. Each run gets its own tag, so
 * its people are new: Lua's unseeded random gave every run the same emails, and a run after
 * the warm-up measured duplicates (answered without a write) as accepts.
 */
export function runWrk(url: string, path: string, connections: number, seconds: number): Promise<WrkResult> {
  const script = new URL('./signup.lua', import.meta.url).pathname;
  const tag = `r${process.pid}x${++wrkRuns}c${connections}`;
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url, '--', path, tag];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += String(chunk)));
    child.stderr.on('data', (chunk) => (out += String(chunk)));
    child.once('error', (error) =>
      reject(new Error(`wrk could not run (${error.message}); install it with: apt-get install -y wrk`)),
    );
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const number = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
      resolve({
        requestsPerSec: number(/Requests\/sec:\s+([\d.]+)/),
        requests: number(/(\d+) requests in/),
        non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/),
        socketErrors: ['connect', 'read', 'write', 'timeout']
          .map((kind) => number(new RegExp(`${kind} (\\d+)`)))
          .reduce((a, b) => a + b, 0),
        p50Ms: toMs(/50%\s+([\d.]+)(us|ms|s)/.exec(out)),
        p99Ms: toMs(/99%\s+([\d.]+)(us|ms|s)/.exec(out)),
      });
    });
  });
}

function toMs(match: RegExpExecArray | null): number {
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}
