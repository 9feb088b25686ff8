import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. PII and secrets are never passed to the logger in the first
 * place; the redact list is a second line of defence for fields that might slip in.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vantio-relay' },
      redact: {
        paths: [
          'email',
          'first_name',
          'last_name',
          '*.email',
          '*.first_name',
          '*.last_name',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'secretKey',
          '*.secretKey',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? stdoutDestination(),
  );
}

/**
 * Buffered, asynchronous stdout: a synchronous write per line costs a syscall on every
 * request and can stall behind the database's fsync when stdout is a file. Call
 * `logger.flush()` before exiting (main.ts does on shutdown and on fatal errors).
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096 });
}
