import { lockUntilCommit } from "../common/database/advisoryLock";
import type { UnitOfWork } from "../common/events/unitOfWork";
import type { Logger } from "../common/logger";
import type { Revocations } from "./domain/identity";
import type { PasswordHasher } from "./domain/passwordHashing";
import { developmentAdmin, type UsersEnvironment } from "./environment";
import type { UsersTx } from "./store/database";
import { revokeAllSessions } from "./store/sessionStore";
import { findUserByEmail, insertUser, updateUser } from "./store/userStore";

/**
 * Makes sure the back office has an admin: creates ADMIN_EMAIL with ADMIN_PASSWORD, or grants
 * ADMIN to an existing account of that email. Whoever registered that email before cannot keep
 * a password of their own choosing on an admin account: the promoted account gets
 * ADMIN_PASSWORD and its sessions are revoked. An account that is already an admin is left as
 * it is, so a password the admin has changed since survives restarts.
 */
export async function ensureAdmin(
  deps: {
    unitOfWork: UnitOfWork<UsersTx>;
    passwords: PasswordHasher;
    logger: Logger;
    revocations: Revocations;
    accessTokenTtlSeconds: number;
  },
  env: Pick<UsersEnvironment, "ADMIN_EMAIL" | "ADMIN_PASSWORD">,
): Promise<void> {
  const email = (env.ADMIN_EMAIL ?? developmentAdmin.email).toLowerCase();
  const password = env.ADMIN_PASSWORD ?? developmentAdmin.password;
  if (!env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) {
    deps.logger.warn(
      { email, password },
      "using the development admin account; set ADMIN_EMAIL and ADMIN_PASSWORD outside development",
    );
  }
  const passwordHash = await deps.passwords.hash(password);
  await deps.unitOfWork(async (tx, emit) => {
    // One replica at a time, so two starting together do not both create the admin.
    await lockUntilCommit(tx, "users:ensure-admin");
    const existing = await findUserByEmail(tx, email);
    if (existing?.roles.includes("ADMIN")) return;
    // The operator vouches for ADMIN_EMAIL: the admin's address counts as verified.
    const emailVerifiedAt = existing?.emailVerifiedAt ?? new Date();
    const admin = existing
      ? await updateUser(tx, existing.id, { roles: [...existing.roles, "ADMIN"], passwordHash, emailVerifiedAt })
      : await insertUser(tx, {
          email,
          name: "Administrator",
          passwordHash,
          roles: ["CUSTOMER", "ADMIN"],
          emailVerifiedAt,
        });
    const data = { userId: admin.id, email: admin.email, name: admin.name, roles: admin.roles };
    emit(existing ? "users.user.updated" : "users.user.registered", data);
    if (!existing?.emailVerifiedAt) emit("users.user.email_verified", { userId: admin.id, email: admin.email });
    // In Redis before the commit: if that fails, the promotion rolls back and the start fails.
    if (existing)
      await deps.revocations.revoke(
        await revokeAllSessions(tx, existing.id, "PROMOTED_TO_ADMIN"),
        deps.accessTokenTtlSeconds,
      );
    deps.logger.info(
      { email },
      existing
        ? "granted ADMIN to an existing account, with ADMIN_PASSWORD, and revoked its sessions"
        : "created the admin account",
    );
  });
}
