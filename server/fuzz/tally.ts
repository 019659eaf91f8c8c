/** Counts of fuzz outcomes per category, and the table the fuzz run prints. */
import { FUZZ_CATEGORIES, type FuzzCategory } from './fuzz-case';

export class Tally {
  private readonly counts = new Map<FuzzCategory, Map<string, number>>();

  add(category: FuzzCategory, outcome: string): void {
    const outcomes = this.counts.get(category) ?? new Map<string, number>();
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    this.counts.set(category, outcomes);
  }

  total(category?: FuzzCategory): number {
    const categories = category ? [category] : [...this.counts.keys()];
    return categories.reduce((sum, c) => sum + [...(this.counts.get(c)?.values() ?? [])].reduce((a, b) => a + b, 0), 0);
  }

  /** Outcome counts of one category, most frequent first. */
  outcomes(category: FuzzCategory): [string, number][] {
    return [...(this.counts.get(category) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  /** A Markdown table: one row per category with its total and outcome counts. */
  format(): string {
    const lines = ['| category | cases | outcomes (status or close code, error or rejection codes: count) |', '| --- | ---: | --- |'];
    for (const category of FUZZ_CATEGORIES) {
      if (!this.counts.has(category)) continue;
      const outcomes = this.outcomes(category).map(([outcome, n]) => `${outcome}: ${n}`).join(', ');
      lines.push(`| ${category} | ${this.total(category)} | ${outcomes} |`);
    }
    lines.push(`| **all** | ${this.total()} | |`);
    return lines.join('\n');
  }
}
