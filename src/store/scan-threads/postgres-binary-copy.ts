import type { Connection, Submittable } from "pg";

/** A field of a tuple in PostgreSQL's binary COPY format: its bytes, or null. */
export type CopyField = Buffer | null;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const EMPTY = Buffer.alloc(0);

/**
 * `COPY (…) TO STDOUT (FORMAT binary)` as a query of node-postgres: a `bytea` arrives as its own bytes, where an
 * ordinary query brings it as hex text twice its size, encoded by the server and decoded by the driver (ADR 35).
 * The statement is sent by the simple protocol, which takes no parameters.
 */
export class BinaryCopyOut implements Submittable {
  readonly done: Promise<CopyField[][]>;
  private readonly reader = new CopyTupleReader();
  private settle!: (error: Error | null) => void;

  constructor(private readonly statement: string) {
    this.done = new Promise((resolve, reject) => {
      let settled = false;
      this.settle = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else {
          try {
            resolve(this.reader.finish());
          } catch (unfinished) {
            reject(unfinished);
          }
        }
      };
    });
  }

  submit(connection: Connection): void {
    connection.query(this.statement);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    try {
      this.reader.push(message.chunk);
    } catch (error) {
      this.settle(error as Error);
    }
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
  handleCopyInResponse(connection: Connection): void {
    // A COPY … FROM waits for rows: it is told there are none, and fails with the server's error.
    (connection as Connection & { sendCopyFail(message: string): void }).sendCopyFail("this reads a COPY TO");
  }
}

type Stage = "header" | "extension" | "count" | "length" | "field" | "end";

/**
 * PostgreSQL's binary COPY format read as it arrives, in pieces split anywhere. Each field is copied into a buffer
 * of its own as its bytes come: the driver reuses the buffer it hands a message out of, and a buffer per field is
 * all that stays allocated (one buffer for the whole output, cut into views, cost the serving process 40–80 MB more
 * at peak; ADR 35).
 */
export class CopyTupleReader {
  private readonly tuples: CopyField[][] = [];
  private stage: Stage = "header";
  /** The start of a fixed-size part whose end has not arrived yet. */
  private carry = EMPTY;
  private extension = 0;
  private tuple: CopyField[] = [];
  private fieldsLeft = 0;
  private field = EMPTY;
  private filled = 0;
  private received = false;

  push(chunk: Buffer): void {
    this.received ||= chunk.length > 0;
    let at = 0;
    while (at < chunk.length) {
      if (this.stage === "end") throw new Error("bytes after the end of a binary COPY");
      if (this.stage === "field") {
        const length = Math.min(this.field.length - this.filled, chunk.length - at);
        chunk.copy(this.field, this.filled, at, at + length);
        this.filled += length;
        at += length;
        if (this.filled === this.field.length) this.endField(this.field);
        continue;
      }
      const size = this.sizeOfPart();
      if (this.carry.length === 0 && chunk.length - at >= size) {
        this.consume(chunk.subarray(at, at + size));
        at += size;
        continue;
      }
      const length = Math.min(size - this.carry.length, chunk.length - at);
      this.carry = Buffer.concat([this.carry, chunk.subarray(at, at + length)]);
      at += length;
      if (this.carry.length === size) {
        const part = this.carry;
        this.carry = EMPTY;
        this.consume(part);
      }
    }
  }

  /** The tuples read, once the output has ended. */
  finish(): CopyField[][] {
    if (this.stage !== "end" && this.received) throw new Error("a binary COPY that ended early");
    return this.tuples;
  }

  private sizeOfPart(): number {
    return this.stage === "header"
      ? 19
      : this.stage === "extension"
        ? this.extension
        : this.stage === "count"
          ? 2
          : 4;
  }

  private consume(part: Buffer): void {
    switch (this.stage) {
      case "header":
        if (!part.subarray(0, 11).equals(SIGNATURE)) throw new Error("not PostgreSQL's binary COPY format");
        this.extension = part.readInt32BE(15);
        this.stage = this.extension > 0 ? "extension" : "count";
        return;
      case "extension":
        this.stage = "count";
        return;
      case "count": {
        const count = part.readInt16BE(0);
        if (count === -1) this.stage = "end";
        else {
          this.tuple = [];
          this.fieldsLeft = count;
          if (count === 0) this.tuples.push(this.tuple);
          else this.stage = "length";
        }
        return;
      }
      case "length": {
        const length = part.readInt32BE(0);
        if (length < -1) throw new Error(`a field of ${length} bytes in a binary COPY`);
        if (length <= 0) this.endField(length === -1 ? null : EMPTY);
        else {
          this.field = Buffer.allocUnsafe(length);
          this.filled = 0;
          this.stage = "field";
        }
        return;
      }
    }
  }

  private endField(field: CopyField): void {
    this.tuple.push(field);
    this.fieldsLeft -= 1;
    if (this.fieldsLeft > 0) this.stage = "length";
    else {
      this.tuples.push(this.tuple);
      this.stage = "count";
    }
  }
}
