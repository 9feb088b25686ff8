import { randomFillSync } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_BYTES = 10;

// Entropy drawn in bulk: one randomFillSync per 400 ids instead of one per id (a hot path).
const pool = Buffer.alloc(RANDOM_BYTES * 400);
let poolOffset = pool.length;

function randomChunk(): Buffer {
  if (poolOffset + RANDOM_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const chunk = pool.subarray(poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
  return chunk;
}

/** A time-sortable id (ULID layout: 48-bit ms time, 80 random bits) with a prefix, e.g. `sgn_01J…`. */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomChunk();
  let tail = '';
  for (let i = 0; i < 16; i++) {
    // 16 five-bit groups out of the 80 random bits.
    const bit = i * 5;
    const byte = bit >> 3;
    const value = (((random[byte]! << 8) | (random[byte + 1] ?? 0)) >> (11 - (bit & 7))) & 31;
    tail += CROCKFORD[value];
  }
  return `${prefix}_${time}${tail}`;
}
