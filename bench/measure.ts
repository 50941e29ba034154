// What every figure of the bench shares: the run's options, the Figure it reports, and
// the side-by-side measurement (warm-up, rounds alternating which side goes first, the
// median of the per-round ratios).
import { Bench } from "tinybench";

export const quick = process.argv.includes("--quick");
export const ROUNDS = quick ? 3 : 7;

/** One figure of the table. */
export interface Figure {
  readonly name: string;
  readonly layer: string;
  /** What is divided by what. */
  readonly ratioOf: string;
  readonly ratio: number;
  /** Pass when `ratio` is at most this (or at least, for `atLeast`). */
  readonly target: number;
  readonly atLeast?: boolean;
  readonly stretch?: number;
  readonly details: Record<string, number | string>;
}

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Runs two tasks side by side for `ROUNDS` rounds and gives the median per-operation
 * latency (µs) of each and the median of the per-round ratios a/b.
 */
export async function sideBySide(
  a: { name: string; fn: () => unknown; opts?: object },
  b: { name: string; fn: () => unknown; opts?: object },
  options: { time: number; iterations: number; batch?: number },
): Promise<{ a: number; b: number; ratio: number }> {
  const batch = options.batch ?? 1;
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({
      time: options.time,
      iterations: options.iterations,
      warmup: true,
      warmupTime: Math.min(200, options.time),
      warmupIterations: Math.min(50, options.iterations),
      throws: true,
    });
    // Alternate which runs first, so neither always gets the warmer machine.
    const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
    bench.add(first.name, first.fn, first.opts);
    bench.add(second.name, second.fn, second.opts);
    await bench.run();
    const p50 = (name: string) => {
      const r = bench.getTask(name)?.result as { latency?: { p50: number } } | undefined;
      if (r?.latency === undefined) throw new Error(`task ${name} did not complete`);
      return (r.latency.p50 * 1000) / batch;
    };
    as.push(p50(a.name));
    bs.push(p50(b.name));
    ratios.push(p50(a.name) / p50(b.name));
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
