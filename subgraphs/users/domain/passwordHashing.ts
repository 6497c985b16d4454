import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Passwords are stored only as scrypt hashes (memory-hard), as
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` so that each hash keeps the parameters it was made
 * with and the cost can be raised without breaking existing passwords.
 * Defaults: N = 2^16, r = 8, p = 1 (64 MiB of memory per hash), 16-byte salt, 32-byte hash.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

const keyLength = 32;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 2 ** logN * r * 128 * 2 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export function scryptPasswordHasher(logN: number, r = 8, p = 1): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, logN, r, p);
      return ["scrypt", logN, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
    },
    async verify(password, stored) {
      const [scheme, storedLogN, storedR, storedP, salt, expected] = stored.split("$");
      if (scheme !== "scrypt" || !salt || !expected) return false;
      const key = await derive(
        password,
        Buffer.from(salt, "base64url"),
        Number(storedLogN),
        Number(storedR),
        Number(storedP),
      );
      const expectedKey = Buffer.from(expected, "base64url");
      return expectedKey.length === key.length && timingSafeEqual(expectedKey, key);
    },
  };
}
