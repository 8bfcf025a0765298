/**
 * A deterministic generator for the books the SQL aggregates are checked on: the same book every
 * run. `random(n)` gives an integer from 0 to n − 1.
 */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    // The high bits: an LCG's low bits repeat with a short period (the last two every 4 calls).
    return Math.floor((state / 2147483648) * n);
  };
}
