/**
 * Seeded randomness for the emulator: ids, fault shares and latency jitter all draw from
 * one injectable generator so a test run with a fixed seed is reproducible.
 */
import { randomInt } from 'node:crypto';

/** Returns a float in [0, 1), like Math.random. */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for test data (not for secrets). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A fresh seed for runs that did not ask for determinism (ids then differ across restarts). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** `prefix` + `length` lowercase base-36 characters, e.g. `ref_k3v9q0x1b2c4`. */
export function randomId(random: Random, prefix: string, length = 12): string {
  let id = prefix;
  for (let i = 0; i < length; i += 1) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return id;
}

/**
 * True with probability `rate`. Rates of 0 and 1 decide without drawing, so switching a
 * fault fully off or on does not shift the id sequence of a seeded run.
 */
export function chance(random: Random, rate: number): boolean {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  return random() < rate;
}

/** Uniform integer in 0..max (inclusive); no draw when max is 0. */
export function uniformInt(random: Random, max: number): number {
  return max <= 0 ? 0 : Math.floor(random() * (max + 1));
}
