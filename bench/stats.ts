/** What the benchmark drivers report: medians with their noise, and ratios of medians. */

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  return sorted[Math.floor(at)] + (sorted[Math.ceil(at)] - sorted[Math.floor(at)]) * (at - Math.floor(at));
}

/** "median ± half the interquartile range", the noise of the run. */
export function summary(values: number[], digits: number): string {
  const spread = (quantile(values, 0.75) - quantile(values, 0.25)) / 2;
  return `${quantile(values, 0.5).toFixed(digits)} ± ${spread.toFixed(digits)}`;
}

/** The ratio of two medians, as the tables print it. */
export function ratio(a: number[], b: number[]): string {
  return (quantile(a, 0.5) / quantile(b, 0.5)).toFixed(2);
}

export function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}
