import { thousands } from "../thousands.js";
/** Where progress goes: stderr, or anything with the same two members. */
export type ProgressOutput = { isTTY?: boolean; write(text: string): unknown };

const TTY_INTERVAL_MS = 100;
/** The longest table name (webhook_messages) and a space. */
const LABEL_WIDTH = 17;
const LINE_INTERVAL_MS = 5_000;

/**
 * One table's (or file's) progress: `clicks  12,000 / 50,000  24%  8,312 rows/s`. On a terminal the line is redrawn in
 * place (`\r`); elsewhere (a log file, CI) a plain line is written every few seconds and at the end.
 */
export class ProgressBar {
  private readonly startedAt: number;
  private readonly startDone: number;
  private lastDrawAt = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private readonly total: number,
    private done: number,
    private readonly unit = "rows",
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    this.lastDrawAt = this.startedAt;
    this.startDone = done;
    if (out.isTTY) this.draw();
  }

  advance(rows: number): void {
    this.done += rows;
    const now = this.now();
    if (now - this.lastDrawAt >= (this.out.isTTY ? TTY_INTERVAL_MS : LINE_INTERVAL_MS)) this.draw();
  }

  finish(note = ""): void {
    this.draw(note);
    if (this.out.isTTY) this.out.write("\n");
  }

  private draw(note = ""): void {
    this.lastDrawAt = this.now();
    const seconds = Math.max((this.lastDrawAt - this.startedAt) / 1000, 0.001);
    const rate = Math.round((this.done - this.startDone) / seconds);
    const percent = this.total === 0 ? 100 : Math.min(100, Math.floor((this.done / this.total) * 100));
    const line = [
      this.label.padEnd(LABEL_WIDTH),
      `${thousands(this.done)} / ${thousands(this.total)}`.padStart(23),
      `${percent}%`.padStart(5),
      `${thousands(rate)} ${this.unit}/s`.padStart(15),
      note,
    ]
      .join("  ")
      .trimEnd();
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }
}
