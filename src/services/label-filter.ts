// Docker's `label=key` / `label=key=value` filter, one reading for containers, images, volumes and networks.

/** Whether `labels` has the filter's `key`, or `key` with exactly `value` (the value may hold "="). */
export function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return filter in labels;
  return labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}
