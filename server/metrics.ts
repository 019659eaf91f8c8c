/**
 * Prometheus metrics in the text exposition format (version 0.0.4), hand-rolled: three
 * metric kinds are all the server needs, and a library would add more than it saves.
 * Label values come from the server itself (collection names, refusal codes), never
 * from a client, so their number stays small.
 */

type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

interface Metric {
  render(): string[];
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();

  constructor(readonly name: string, private readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`,
      ...[...this.values].map(([labels, value]) => `${this.name}${labels} ${value}`)];
  }
}

export class Gauge implements Metric {
  constructor(readonly name: string, private readonly help: string, private readonly read: () => number) {}

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, `${this.name} ${this.read()}`];
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(readonly name: string, private readonly help: string, private readonly buckets: readonly number[]) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    for (const [i, bound] of this.buckets.entries()) if (value <= bound) entry.counts[i]! += 1;
    entry.sum += value;
    entry.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      for (const [i, bound] of this.buckets.entries()) lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[i]}`);
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`, `${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines;
  }
}

/** Seconds; from a fast local push to a slow one under lock contention. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The server's metrics, served at `/metrics`. */
export class ServerMetrics {
  readonly pushes = new Counter('fieldbook_pushes_total', 'Push requests answered, by collection (replays included).');
  readonly replays = new Counter('fieldbook_push_replays_total', 'Pushes answered from a write-id receipt without applying them again.');
  readonly pulls = new Counter('fieldbook_pulls_total', 'Pull requests answered, by collection.');
  readonly conflicts = new Counter('fieldbook_conflicts_total', 'Push rows answered with a conflict, by collection.');
  readonly refusals = new Counter('fieldbook_refusals_total', 'Push rows refused under the server rules, by collection and code.');
  readonly pushSeconds = new Histogram('fieldbook_push_duration_seconds', 'Push latency in seconds, by collection.', LATENCY_BUCKETS);
  readonly pullSeconds = new Histogram('fieldbook_pull_duration_seconds', 'Pull latency in seconds, by collection.', LATENCY_BUCKETS);
  /** Pushes being processed right now (graceful shutdown waits for them). */
  inFlightPushes = 0;
  private readonly metrics: Metric[];

  constructor(openStreams: () => number) {
    this.metrics = [this.pushes, this.replays, this.pulls, this.conflicts, this.refusals, this.pushSeconds, this.pullSeconds,
      new Gauge('fieldbook_open_streams', 'Live change-stream subscriptions on this instance.', openStreams),
      new Gauge('fieldbook_in_flight_pushes', 'Pushes being processed on this instance.', () => this.inFlightPushes)];
  }

  /** The whole registry in the Prometheus text format. */
  render(): string {
    return this.metrics.flatMap((m) => m.render()).join('\n') + '\n';
  }
}
