// PostgreSQL's binary COPY format read as it arrives (ADR 35): the same tuples however the bytes are split, and
// output that is not that format, cut short or followed by more bytes refused. The bytes are written here from
// the format's description in PostgreSQL's manual ("COPY", "Binary Format"); the real server's output is read in
// test/contract/postgres-binary-copy.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CopyField, CopyTupleReader } from "../../src/store/scan-threads/postgres-binary-copy.js";

function binaryCopy(tuples: CopyField[][], extension = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [
    Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"),
    int32(0),
    int32(extension.length),
    extension,
  ];
  for (const tuple of tuples) {
    parts.push(int16(tuple.length));
    for (const field of tuple) parts.push(...(field === null ? [int32(-1)] : [int32(field.length), field]));
  }
  parts.push(int16(-1));
  return Buffer.concat(parts);
}
const int16 = (value: number) => Buffer.from([(value >> 8) & 0xff, value & 0xff]);
function int32(value: number) {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

function read(pieces: Buffer[]): CopyField[][] {
  const reader = new CopyTupleReader();
  for (const piece of pieces) reader.push(piece);
  return reader.finish();
}

const TUPLES: CopyField[][] = [
  [
    Buffer.from([0, 0, 1, 0x9a, 0xd2, 0x4b, 0x6c, 0]),
    Buffer.from("cities"),
    Buffer.from([0, 1, 2, 255, 254]),
  ],
  [Buffer.from("x"), null, Buffer.alloc(0)],
  [],
  [Buffer.alloc(70_000, 7)],
];

test("the same tuples whether the output comes whole, a byte at a time, or cut at random places", () => {
  const whole = binaryCopy(TUPLES);
  assert.deepEqual(read([whole]), TUPLES);
  assert.deepEqual(read([...whole].map((byte) => Buffer.from([byte]))), TUPLES);
  for (let round = 0; round < 20; round++) {
    const pieces: Buffer[] = [];
    for (let at = 0; at < whole.length; ) {
      const size = Math.min(
        whole.length - at,
        Math.floor(Math.random() * 40) + (round % 2 === 0 ? 0 : 9_000),
      );
      pieces.push(whole.subarray(at, at + size));
      at += size;
    }
    assert.deepEqual(read(pieces), TUPLES);
  }
});

test("each field is a buffer of its own, not a view of the pieces it arrived in", () => {
  const whole = binaryCopy(TUPLES);
  const piece = Buffer.from(whole);
  const tuples = read([piece]);
  piece.fill(0);
  assert.deepEqual(tuples, TUPLES);
});

test("a header extension is skipped", () => {
  assert.deepEqual(read([binaryCopy(TUPLES, Buffer.from("future"))]), TUPLES);
});

test("no output at all reads as no tuples", () => {
  assert.deepEqual(read([]), []);
});

test("output that is not a binary COPY, ends early, or goes on after its end is refused", () => {
  assert.throws(
    () => read([Buffer.from("day\tname\tdata\n1\tcities\t\\x00\n")]),
    /not PostgreSQL's binary COPY/,
  );
  const whole = binaryCopy(TUPLES);
  assert.throws(() => read([whole.subarray(0, whole.length - 1)]), /ended early/);
  assert.throws(() => read([whole.subarray(0, 30)]), /ended early/);
  assert.throws(() => read([whole, Buffer.from([0])]), /after the end/);
  const negative = Buffer.concat([whole.subarray(0, 19), int16(1), int32(-2), int16(-1)]);
  assert.throws(() => read([negative]), /-2 bytes/);
});
