// An ordinary module of the app's module graph: a histogram with a class, methods, a Map and
// arrow functions, so that the source maps have identifiers of every kind to map.
export class Histogram {
  constructor(bucketWidth) {
    this.bucketWidth = bucketWidth;
    this.counts = new Map();
  }

  add(value) {
    const bucket = Math.floor(value / this.bucketWidth);
    this.counts.set(bucket, (this.counts.get(bucket) || 0) + 1);
    return this;
  }

  entries() {
    return [...this.counts.entries()].sort((left, right) => left[0] - right[0]);
  }
}
