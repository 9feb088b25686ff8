import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A time-sortable id (ULID layout: 48-bit ms time, 80 random bits) with a prefix, e.g. `sgn_01J…`. */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(10);
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
