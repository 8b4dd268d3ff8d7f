/**
 * How one attribute of one day's events is stored in `event_columns.data`:
 *   - values: [1][width: 1, 2 or 4][u32 length of the dictionary][dictionary as a JSON array of string | null]
 *     [padding to `width`][one code per event, `width` bytes, little-endian: the index of its value];
 *   - times (ms since the start of the UTC day) and amounts: [2][0 0 0][u32 per event], [3][0 0 0 0 0 0 0][f64 per event].
 */
export type ValueColumn = {
  type: "values";
  dictionary: (string | null)[];
  codes: Uint8Array | Uint16Array | Uint32Array;
};
export type NumberColumn = { type: "times"; values: Uint32Array } | { type: "amounts"; values: Float64Array };
export type DecodedColumn = ValueColumn | NumberColumn;

const VALUES = 1;
const TIMES = 2;
const AMOUNTS = 3;

export function encodeValues(values: readonly (string | null)[]): Buffer {
  const dictionary: (string | null)[] = [];
  const index = new Map<string | null, number>();
  const codes = new Uint32Array(values.length);
  values.forEach((value, i) => {
    let code = index.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      index.set(value, code);
    }
    codes[i] = code;
  });
  const width = dictionary.length <= 0x100 ? 1 : dictionary.length <= 0x10000 ? 2 : 4;
  const json = Buffer.from(JSON.stringify(dictionary));
  const start = align(6 + json.length, width);
  const out = Buffer.alloc(start + values.length * width);
  out[0] = VALUES;
  out[1] = width;
  out.writeUInt32LE(json.length, 2);
  json.copy(out, 6);
  const typed = width === 1 ? Uint8Array.from(codes) : width === 2 ? Uint16Array.from(codes) : codes;
  Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).copy(out, start);
  return out;
}

export function encodeTimes(values: readonly number[]): Buffer {
  return withTag(TIMES, 4, Buffer.from(Uint32Array.from(values).buffer));
}

export function encodeAmounts(values: readonly number[]): Buffer {
  return withTag(AMOUNTS, 8, Buffer.from(Float64Array.from(values).buffer));
}

export function decodeColumn(data: Uint8Array): DecodedColumn {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  switch (buffer[0]) {
    case VALUES: {
      const width = buffer[1];
      const length = buffer.readUInt32LE(2);
      const dictionary = JSON.parse(buffer.toString("utf8", 6, 6 + length)) as (string | null)[];
      const body = buffer.subarray(align(6 + length, width));
      const codes =
        width === 1 ? body : width === 2 ? typedOf(body, Uint16Array, 2) : typedOf(body, Uint32Array, 4);
      return { type: "values", dictionary, codes };
    }
    case TIMES:
      return { type: "times", values: typedOf(buffer.subarray(4), Uint32Array, 4) };
    case AMOUNTS:
      return { type: "amounts", values: typedOf(buffer.subarray(8), Float64Array, 8) };
    default:
      throw new Error(`event column of unknown type ${buffer[0]}`);
  }
}

function withTag(tag: number, header: number, body: Buffer): Buffer {
  const out = Buffer.alloc(header + body.length);
  out[0] = tag;
  body.copy(out, header);
  return out;
}

const align = (offset: number, width: number) => Math.ceil(offset / width) * width;

/** A typed view of little-endian numbers, copied when the bytes are not aligned for it. */
function typedOf<T extends Uint16Array | Uint32Array | Float64Array>(
  bytes: Buffer,
  type: { new (buffer: ArrayBufferLike, offset: number, length: number): T; new (length: number): T },
  width: number,
): T {
  const length = Math.floor(bytes.byteLength / width);
  if (bytes.byteOffset % width === 0) return new type(bytes.buffer, bytes.byteOffset, length);
  const copy = new type(length);
  Buffer.from(copy.buffer).set(bytes.subarray(0, length * width));
  return copy;
}
