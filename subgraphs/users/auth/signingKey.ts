import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
  type KeyLike,
} from "jose";
import { createPublicKey } from "node:crypto";
import type { Logger } from "../../common/logger";
import type { UsersDb } from "../store/database";

export interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  /** The public half, as served in the JWKS. */
  publicJwk: JWK;
}

async function fromPrivateJwk(privateJwk: JWK): Promise<SigningKey> {
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  return {
    kid,
    privateKey: (await importJWK(privateJwk, "EdDSA")) as KeyLike,
    publicJwk: { ...publicJwk, kid, alg: "EdDSA", use: "sig" },
  };
}

/** The production key, from JWT_PRIVATE_KEY (Ed25519, PKCS#8 PEM); its id is its JWK thumbprint. */
export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  const privateKey = await importPKCS8(pem.replace(/\\n/g, "\n"), "EdDSA");
  const publicJwk = await exportJWK(createPublicKey(pem.replace(/\\n/g, "\n")));
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: "EdDSA", use: "sig" } };
}

/**
 * The public half of the key that signed before the current one (JWT_PREVIOUS_PUBLIC_KEY), for
 * the JWKS: an SPKI public-key PEM, or the old private key's PEM (only its public half is kept).
 */
export async function previousPublicJwkFromPem(pem: string): Promise<JWK> {
  const publicKey = createPublicKey(pem.replace(/\\n/g, "\n"));
  if (publicKey.asymmetricKeyType !== "ed25519") throw new Error("JWT_PREVIOUS_PUBLIC_KEY must be an Ed25519 key");
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { ...publicJwk, kid, alg: "EdDSA", use: "sig" };
}

/**
 * Outside production: the key generated the first time the service started, kept in its
 * database, so tokens stay valid across restarts and every replica signs with the same key.
 */
export async function developmentSigningKey(db: UsersDb, logger: Logger): Promise<SigningKey> {
  const existing = await db.signingKey.findFirst({ orderBy: { createdAt: "asc" } });
  if (existing) return fromPrivateJwk(existing.privateJwk as unknown as JWK);
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const { d: _private, ...publicJwk } = privateJwk;
  const kid = await calculateJwkThumbprint(publicJwk);
  // Replicas starting together on an empty database each generate a key: under one lock, only
  // the first stores its own and every other one finds it. (Without the lock, "the oldest" was
  // judged by transaction start times, so a replica whose insert committed first could read only
  // its own key while the other's, started earlier, became the oldest: two keys in use, and a
  // token of one refused where the other's key set was fetched.)
  const stored = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended('users.development_signing_key', 0))::text`;
    const first = await tx.signingKey.findFirst({ orderBy: { createdAt: "asc" } });
    if (first) return first.privateJwk as unknown as JWK;
    await tx.signingKey.create({ data: { kid, privateJwk: { ...privateJwk, kid } } });
    logger.warn({ kid }, "generated a development signing key for access tokens (set JWT_PRIVATE_KEY in production)");
    return { ...privateJwk, kid };
  });
  return fromPrivateJwk(stored);
}
