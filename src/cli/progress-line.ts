/** A one-line progress indicator on stderr, shown only when stderr is a terminal. */
export class ProgressLine {
  private shown = false;
  private lastPct = -1;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(done: number, total: number): void {
    if (!this.out.isTTY || total <= 0) return;
    const pct = Math.floor((done / total) * 100);
    if (pct === this.lastPct) return;
    this.lastPct = pct;
    this.shown = true;
    this.out.write(`\rreplaying: ${pct}% of ${(total / 1e6).toFixed(1)} MB`);
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
  }
}
