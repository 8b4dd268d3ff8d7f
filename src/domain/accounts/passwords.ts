import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Passwords are stored as `scrypt$N$r$p$salt$hash` (base64url), so a stronger cost applies to new hashes
 * without breaking the old ones.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 };
/** For the test suites' servers only (config.ts: `testPasswordCost`): 32 times cheaper, so 32 times weaker. */
export const TEST_ONLY_COST = { N: 2 ** 10, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

function derive(password: string, salt: Buffer, length: number, cost: typeof COST): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that at N=2^15, r=8.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** Hashes new passwords at `cost`; verifies at the cost each stored value names. */
export const scryptHasher = (cost: typeof COST): PasswordHasher => ({
  async hash(password) {
    const salt = randomBytes(SALT_BYTES);
    const hash = await derive(password, salt, HASH_BYTES, cost);
    return ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64url"), hash.toString("base64url")].join(
      "$",
    );
  },
  async verify(password, stored) {
    const [scheme, n, r, p, salt, hash] = stored.split("$");
    if (scheme !== "scrypt" || !salt || !hash) return false;
    const expected = Buffer.from(hash, "base64url");
    const cost = { N: Number(n), r: Number(r), p: Number(p) };
    if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger)) return false;
    const actual = await derive(password, Buffer.from(salt, "base64url"), expected.length, cost);
    return timingSafeEqual(actual, expected);
  },
});

export const scryptPasswords = scryptHasher(COST);

let decoy: Promise<string> | undefined;

/** Checked against when no user has the email, so that a wrong address costs as long as a wrong password. */
export const decoyHash = (hasher: PasswordHasher) => {
  decoy ??= hasher.hash(randomBytes(12).toString("base64url"));
  return decoy;
};
