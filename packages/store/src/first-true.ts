/**
 * The first index in [0, n) whose probe answers true, or n when none does, for answers that are
 * false up to some index and true from it on. Guarantees: probes at most `width` indexes per round
 * (one call of `probe`, so one round trip when it reads Redis), hence about log_{width+1}(n) rounds;
 * never probes an index outside [0, n).
 */
export async function firstTrue(n: number, width: number, probe: (indexes: readonly number[]) => Promise<readonly boolean[]>): Promise<number> {
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`width must be a positive integer, got ${width}`);
  let lo = 0; // every index below lo answered false
  let hi = n; // hi answered true, or is n
  while (lo < hi) {
    const span = hi - lo;
    const count = Math.min(width, span);
    // Evenly spaced, distinct and inside [lo, hi): k * span / (count + 1) < span for k ≤ count.
    const indexes = Array.from({ length: count }, (_, k) => lo + Math.floor(((k + 1) * span) / (count + 1)));
    const answers = await probe(indexes);
    const first = answers.findIndex((a) => a);
    if (first === -1) {
      lo = (indexes[count - 1] as number) + 1;
    } else {
      hi = indexes[first] as number;
      if (first > 0) lo = (indexes[first - 1] as number) + 1;
    }
  }
  return hi;
}
