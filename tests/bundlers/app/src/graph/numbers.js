// An ordinary module: plain functions over numbers.
export function mean(values) {
  let total = 0;
  for (const value of values) total += value;
  return values.length ? total / values.length : 0;
}

export function spread(values) {
  const lowest = Math.min(...values);
  const highest = Math.max(...values);
  return highest - lowest;
}

// Not imported by anyone: bundlers drop it.
export function unusedMedian(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}
