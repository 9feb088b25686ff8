import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** A buffered line is written within this long, however quiet the relay is. */
export const FLUSH_WITHIN_MS = 1_000;
/** pino's level number for `warn`: this and above (error, fatal) are written at once. */
const WARN_LEVEL = 40;

/** A destination that buffers (pino's SonicBoom): `flush()` writes what it holds. */
export interface FlushableDestination extends DestinationStream {
  flush(callback?: (error?: Error) => void): void;
}

export interface LoggerTimers {
  setTimeout(callback: () => void, ms: number): { unref?(): unknown };
}

/** Fields that never reach a log line, at the top level or one level down (`signup.email`). */
const REDACTED_FIELDS = ['email', 'first_name', 'last_name', 'authorization', 'secretKey'] as const;
const CENSOR = '[redacted]';

function censorNested(value: object): object {
  const found = REDACTED_FIELDS.filter((field) => Object.hasOwn(value, field));
  if (found.length === 0) return value;
  // The prototype and every other own property kept, so an Error is still written as one.
  const descriptors = Object.getOwnPropertyDescriptors(value) as Record<string, PropertyDescriptor>;
  for (const field of found) descriptors[field] = { value: CENSOR, enumerable: true, writable: true, configurable: true };
  return Object.create(Object.getPrototypeOf(value) as object | null, descriptors) as object;
}

/**
 * Censors REDACTED_FIELDS in a line's fields, copying only a line that holds one. pino's own
 * `redact` did this by running its path parser over every top-level value of every line: a
 * third of the relay's allocations per signup, profiled under load.
 */
export function redactLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    let censored: unknown = value;
    if ((REDACTED_FIELDS as readonly string[]).includes(key)) censored = CENSOR;
    else if (typeof value === 'object' && value !== null) censored = censorNested(value);
    if (censored !== value) (copy ??= { ...fields })[key] = censored;
  }
  return copy ?? fields;
}

/** What every relay logger is built with (the flush hook aside). */
export const LOGGER_OPTIONS = {
  base: { service: 'vantio-relay' },
  formatters: { log: redactLogFields },
} satisfies LoggerOptions;

/**
 * Structured JSON logs. PII and secrets are never passed to the logger in the first
 * place; the redact list is a second line of defence for fields that might slip in.
 *
 * A buffering destination (the default stdout, or any with `flush()`) is flushed at once
 * after a warning or an error, and within FLUSH_WITHIN_MS after any other line, so
 * `docker logs -f` shows a quiet relay's lines when they happen.
 */
export function createLogger(level: string, destination?: DestinationStream, timers: LoggerTimers = globalThis): Logger {
  const stream = destination ?? stdoutDestination();
  const flushable = isFlushable(stream) ? stream : undefined;
  let flushPending = false;
  const flushNow = () => {
    flushPending = false;
    // A destination that is gone (closed stdout) must not take the relay down with it.
    try {
      flushable?.flush();
    } catch {
      // Nothing to write to: the line is lost either way.
    }
  };
  return pino(
    {
      level,
      ...LOGGER_OPTIONS,
      ...(flushable && {
        hooks: {
          logMethod(args, write, lineLevel) {
            write.apply(this, args);
            if (lineLevel >= WARN_LEVEL) return flushNow();
            if (flushPending) return;
            // One timer per second at most, and none at all while nothing is logged.
            flushPending = true;
            timers.setTimeout(flushNow, FLUSH_WITHIN_MS).unref?.();
          },
        },
      }),
    },
    stream,
  );
}

function isFlushable(stream: DestinationStream): stream is FlushableDestination {
  return typeof (stream as Partial<FlushableDestination>).flush === 'function';
}

/**
 * Buffered, asynchronous stdout: a synchronous write per line costs a syscall on every
 * request and can stall behind the database's fsync when stdout is a file. Lines go out
 * in 4 KB writes under load, and within a second (warnings and errors at once) when quiet.
 * Call `logger.flush()` before exiting (main.ts does on shutdown and on fatal errors).
 */
function stdoutDestination(): FlushableDestination {
  return pino.destination({ dest: 1, sync: false, minLength: 4096 });
}

/** A buffered file destination like stdout's (tests, and the logger benchmark). */
export function bufferedFileDestination(path: string): FlushableDestination {
  return pino.destination({ dest: path, sync: false, minLength: 4096 });
}
