import type { Connection, Submittable } from "pg";

/** A field of a tuple in PostgreSQL's binary COPY format: its bytes, or null. */
export type CopyField = Buffer | null;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/**
 * `COPY (…) TO STDOUT (FORMAT binary)` read whole, as a query of node-postgres. A `bytea` arrives as its own
 * bytes; through a query it arrives as hex text twice its size, which the server encodes and the driver decodes
 * (ADR 35). The statement is sent by the simple protocol, which takes no parameters.
 */
export class BinaryCopyOut implements Submittable {
  readonly done: Promise<Buffer>;
  private readonly chunks: Buffer[] = [];
  private settle!: (error: Error | null) => void;

  constructor(private readonly statement: string) {
    this.done = new Promise((resolve, reject) => {
      let settled = false;
      this.settle = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve(Buffer.concat(this.chunks));
      };
    });
  }

  submit(connection: Connection): void {
    connection.query(this.statement);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    // The driver's parser reuses its buffer for the next bytes that arrive: the chunk is copied out of it.
    this.chunks.push(Buffer.from(message.chunk));
  }

  handleError(error: Error): void {
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle(null);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {
    this.settle(new Error("COPY FROM is not what this reads"));
  }
}

/** The tuples of a binary COPY's output, each as its fields' bytes (views into `data`). */
export function copyTuples(data: Buffer): CopyField[][] {
  if (data.length === 0) return [];
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE))
    throw new Error("not PostgreSQL's binary COPY format");
  let at = 15 + 4 + data.readInt32BE(15);
  const tuples: CopyField[][] = [];
  for (;;) {
    const count = data.readInt16BE(at);
    at += 2;
    if (count === -1) return tuples;
    const fields: CopyField[] = [];
    for (let i = 0; i < count; i++) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) fields.push(null);
      else {
        fields.push(data.subarray(at, at + length));
        at += length;
      }
    }
    tuples.push(fields);
  }
}
