import { unprocessable } from "../errors.js";
import { alphanumeric } from "../ids.js";
import type { KeyOptions } from "./model.js";
import { canonicalKey, KEY_LENGTH } from "./rules.js";

const draws = new Map<number, () => string>();

/** A fresh random key, `prefix/` first when one is asked for; refused when the two make a key Dub would not store. */
export function randomKey({ keyPrefix, keyLength = KEY_LENGTH.default }: KeyOptions = {}): string {
  const prefix = keyPrefix ? `${canonicalKey(keyPrefix)}/` : "";
  if (prefix.length + keyLength > KEY_LENGTH.max) {
    throw unprocessable(
      `too_big: keyLength: prefix and keyLength make a key longer than ${KEY_LENGTH.max} characters`,
    );
  }
  const draw = draws.get(keyLength) ?? alphanumeric(keyLength);
  draws.set(keyLength, draw);
  return prefix + draw();
}
