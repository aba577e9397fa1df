// An ordinary module that imports two others and is imported by the entry.
import { Histogram } from './histogram.js';
import { mean, spread } from './numbers.js';

export function summarize(samples, bucketWidth) {
  const histogram = samples.reduce((into, sample) => into.add(sample), new Histogram(bucketWidth));
  const buckets = histogram.entries();
  return {
    mean: mean(samples),
    spread: spread(samples),
    buckets: buckets.length,
    fullest: buckets.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0],
  };
}
