/**
 * Multi-row upserts: one statement per `batch` rows (plus single-row ones for the remainder). The
 * per-statement cost dominates SQLite writes from Node, so this roughly halves the cost per row.
 */
import type Database from 'better-sqlite3';

export class BatchUpsert<T> {
  private readonly one: Database.Statement;
  private readonly many: Database.Statement;
  private readonly args: unknown[];
  private readonly width: number;

  /**
   * @param head `INSERT INTO t (a, b, …) VALUES` — the rows are appended.
   * @param tail the `ON CONFLICT …` clause.
   * @param fill writes one row's values into `args` at `at`.
   */
  constructor(db: Database.Database, head: string, width: number, tail: string, private readonly fill: (row: T, args: unknown[], at: number) => void, private readonly batch = 32) {
    this.width = width;
    const row = '(' + new Array(width).fill('?').join(', ') + ')';
    this.one = db.prepare(`${head} ${row} ${tail}`);
    this.many = db.prepare(`${head} ${new Array(batch).fill(row).join(', ')} ${tail}`);
    this.args = new Array(width * batch);
  }

  /** Writes every row (call inside a transaction). */
  run(rows: Iterable<T>): void {
    const args = this.args;
    let n = 0;
    for (const r of rows) {
      this.fill(r, args, n * this.width);
      if (++n === this.batch) {
        this.many.run(args);
        n = 0;
      }
    }
    const single = new Array(this.width);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < this.width; j++) single[j] = args[i * this.width + j];
      this.one.run(single);
    }
  }
}
