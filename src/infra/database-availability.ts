import type { Logger } from "pino";
import { isDatabaseUnavailable } from "../store/unavailable.js";

/** How long after a request met an unavailable database this process still reports itself not ready. */
const RECENT_FAILURE_MS = 5_000;
/** The write probe runs at most this often, however often readiness is asked. */
const PROBE_EVERY_MS = 1_000;
/** During a long outage, the log repeats the cause this often, with how many requests failed meanwhile. */
const LOG_EVERY_MS = 30_000;

/** What the HTTP layer tells a client to wait before retrying, in seconds. */
export const RETRY_AFTER_SECONDS = RECENT_FAILURE_MS / 1000;

/**
 * Whether the database can take writes now, from two signals: a write probe (one row rewritten), and the
 * failures that requests met. Both are needed: a full SQLite file still rewrites a row in place, while inserts
 * that need a new page fail.
 */
export class DatabaseAvailability {
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private failedSinceLog = 0;
  private down = false;
  private probe: { at: number; pending: boolean; result: Promise<boolean> } | undefined;

  constructor(
    private readonly writeProbe: () => Promise<void>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * True when `error` says the database is unavailable (down, unreachable, disk full, I/O error), which is then
   * remembered for readiness. The first failure of an outage is logged with its real cause.
   */
  failedWith(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    const now = this.now();
    const outageStarts = now - this.lastFailureAt > RECENT_FAILURE_MS;
    this.lastFailureAt = now;
    this.down = true;
    this.failedSinceLog++;
    if (outageStarts || now - this.lastLoggedAt >= LOG_EVERY_MS) {
      this.logger.error(
        { err: error, failed: this.failedSinceLog },
        "the database is unavailable: requests that need it are answered 503, and clicks go unrecorded, until it returns",
      );
      this.lastLoggedAt = now;
      this.failedSinceLog = 0;
    }
    return true;
  }

  /** Ready: a write commits, and no request met an unavailable database in the last few seconds. */
  async isAvailable(): Promise<boolean> {
    const writes = await this.probeWrites();
    const available = writes && this.now() - this.lastFailureAt > RECENT_FAILURE_MS;
    if (available && this.down) {
      this.down = false;
      this.logger.info("the database is available again");
    }
    return available;
  }

  /**
   * Concurrent and repeated callers within a second share one probe, so readiness polls cost at most one write
   * a second; a probe still waiting for a dead server is shared until it ends.
   */
  private probeWrites(): Promise<boolean> {
    const now = this.now();
    if (this.probe && (this.probe.pending || now - this.probe.at < PROBE_EVERY_MS)) return this.probe.result;
    const probe = { at: now, pending: true, result: Promise.resolve(false) };
    probe.result = this.writeProbe().then(
      () => true,
      (error) => {
        if (!this.failedWith(error)) this.logger.error({ err: error }, "the readiness write probe failed");
        return false;
      },
    );
    void probe.result.finally(() => {
      probe.pending = false;
    });
    this.probe = probe;
    return probe.result;
  }
}
