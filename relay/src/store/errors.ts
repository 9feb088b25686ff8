/**
 * Recognises "the database cannot take this write right now" in the errors of both engines,
 * so the HTTP layer can answer 503 "nothing was stored, try again" instead of a bare 500.
 *
 * - better-sqlite3 throws `SqliteError` with an extended result code in `code`
 *   (SQLITE_FULL, SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, SQLITE_BUSY_SNAPSHOT, …);
 *   a closed connection throws a TypeError "The database connection is not open".
 * - node-postgres puts the SQLSTATE in `code` (class 08 connection exception, 53 insufficient
 *   resources with 53100 disk full, 57P01–57P03 shutdown, 25006 read-only transaction), a
 *   broken socket its errno code (ECONNREFUSED, …), and pg-pool a plain message.
 * - Node's own file errors (a backup, a WAL file): ENOSPC, EROFS, EIO.
 */
/** probeWritable(): the file system is nearly full (signups may still fit, but not for long). */
export class LowDiskSpaceError extends Error {
  constructor(
    readonly freeBytes: number,
    readonly minFreeBytes: number,
  ) {
    const mb = (bytes: number) => `${Math.floor(bytes / 1024 / 1024)} MB`;
    super(`its disk has ${mb(freeBytes)} free, below RELAY_MIN_FREE_DISK_MB (${mb(minFreeBytes)})`);
    this.name = 'LowDiskSpaceError';
  }
}

export type StorageUnavailableReason = 'full' | 'readonly' | 'io' | 'busy' | 'closed' | 'unreachable';

export interface StorageUnavailable {
  reason: StorageUnavailableReason;
}

const SQLITE_PREFIXES: Array<[prefix: string, reason: StorageUnavailableReason]> = [
  ['SQLITE_FULL', 'full'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_READONLY', 'readonly'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_CANTOPEN', 'unreachable'],
  ['SQLITE_NOTADB', 'io'],
  ['SQLITE_CORRUPT', 'io'],
];

const SQLSTATES: Record<string, StorageUnavailableReason> = {
  '53100': 'full', // disk_full
  '25006': 'readonly', // read_only_sql_transaction
  '57P01': 'unreachable', // admin_shutdown
  '57P02': 'unreachable', // crash_shutdown
  '57P03': 'unreachable', // cannot_connect_now
  '58030': 'io', // io_error
  '40001': 'busy', // serialization_failure
  '40P01': 'busy', // deadlock_detected
  '55P03': 'busy', // lock_not_available
};

const ERRNO: Record<string, StorageUnavailableReason> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'readonly',
  EIO: 'io',
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  ETIMEDOUT: 'unreachable',
  EPIPE: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
};

const MESSAGES: Array<[pattern: RegExp, reason: StorageUnavailableReason]> = [
  [/^store is closed$/, 'closed'],
  [/database connection is not open/i, 'closed'],
  // pg and pg-pool: a dropped or exhausted connection.
  [/^Connection terminated( unexpectedly| due to connection timeout)?$/, 'unreachable'],
  [/^timeout exceeded when trying to connect$/, 'unreachable'],
  [/^Client has encountered a connection error and is not queryable$/, 'unreachable'],
  [/^Cannot use a pool after calling end on the pool$/, 'closed'],
];

function classifyOne(error: unknown): StorageUnavailable | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_')) {
      const match = SQLITE_PREFIXES.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
      return match ? { reason: match[1] } : null;
    }
    const sqlstate = SQLSTATES[code];
    if (sqlstate) return { reason: sqlstate };
    if (/^08[0-9A-Z]{3}$/.test(code)) return { reason: 'unreachable' }; // connection_exception
    if (/^53[0-9A-Z]{3}$/.test(code)) return { reason: 'busy' }; // insufficient_resources: memory, connections
    const errno = ERRNO[code];
    if (errno) return { reason: errno };
  }
  const message = MESSAGES.find(([pattern]) => pattern.test(error.message));
  return message ? { reason: message[1] } : null;
}

/** The reason the store cannot take writes now, or null when `error` is something else (a bug). */
export function isStorageUnavailable(error: unknown): StorageUnavailable | null {
  // Drivers wrap: pg's AggregateError for several addresses, `cause` chains elsewhere.
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const found = classifyOne(current);
    if (found) return found;
    if (current instanceof AggregateError) {
      for (const inner of current.errors) {
        const innerFound = classifyOne(inner);
        if (innerFound) return innerFound;
      }
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return null;
}

/** A sentence for people: what happened, that nothing was stored, what to do. */
export function describeStorageUnavailable({ reason }: StorageUnavailable): string {
  const what: Record<StorageUnavailableReason, string> = {
    full: 'its disk is full',
    readonly: 'its database is read-only',
    io: 'its database reported an I/O error',
    busy: 'its database is busy',
    closed: 'it is shutting down',
    unreachable: 'its database cannot be reached',
  };
  return `The relay cannot store anything right now (${what[reason]}); nothing was stored. Try again later.`;
}

/** Seconds a client should wait before trying again. */
export function retryAfterSeconds({ reason }: StorageUnavailable): number {
  return reason === 'busy' ? 1 : reason === 'closed' ? 5 : 30;
}
