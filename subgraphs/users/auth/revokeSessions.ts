import type { SessionRevocations } from "../../common/auth/sessionRevocations";

export type Revocations = Pick<SessionRevocations, "revoke">;

/**
 * Records sessions as revoked in Redis, where the router and every subgraph look, and throws
 * unless they are. Called inside the unit of work, after the database changes and before the
 * commit: a Redis failure then rolls the database back and the caller gets an error to retry,
 * instead of a committed revocation whose access tokens keep working. (Revoking a session whose
 * database change then rolls back only signs it out: the safe direction.)
 */
export async function revokeSessions(revocations: Revocations, sessionIds: readonly string[], forSeconds: number): Promise<void> {
  await revocations.revoke(sessionIds, forSeconds);
}
