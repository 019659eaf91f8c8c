/**
 * A small seeded pseudo-random generator (mulberry32) with the draws the fuzz case
 * generators need. Same seed, same sequence, on every machine: a failing case is
 * reproduced by its seed alone.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A random subset of `items`, in their order. */
  subset<T>(items: readonly T[]): T[];
  /** `length` characters drawn from `alphabet`. */
  string(length: number, alphabet?: string): string;
  bytes(length: number): Uint8Array<ArrayBuffer>;
}

const PRINTABLE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:{}[]"\\/\'`$#@!?%&*()<>;,=+~|';

/** Mixes a seed with a stream number (category, case index) into an independent seed. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    subset: <T>(items: readonly T[]): T[] => items.filter(() => next() < 0.5),
    string: (length, alphabet = PRINTABLE) => Array.from({ length }, () => alphabet[int(0, alphabet.length - 1)]).join(''),
    bytes: (length) => Uint8Array.from({ length }, () => int(0, 255)),
  };
}
