/**
 * The users subgraph's public surface: what starts it (the process entry, the stack, tests) and
 * what other code may call in-process. Everything else under subgraphs/users is its own.
 */
export { createUsersService } from "./service";
export { usersEnvironment, developmentAdmin, type UsersEnvironment } from "./environment";
export { createUsersDatabase, type UsersDb, type UsersTx } from "./store/database";
export { ensureAdmin } from "./admin";

// Identity operations and their parts, for callers that run them side by side (race tests).
export {
  login,
  logout,
  refreshSession,
  resetPassword,
  type IdentityDependencies,
  type Revocations,
} from "./domain/identity";
export { scryptPasswordHasher, type PasswordHasher } from "./domain/passwordHashing";
export { newOpaqueToken, tokenHash } from "./domain/secrets";
export { AccessTokens } from "./auth/accessTokens";
export { signingKeyFromPem } from "./auth/signingKey";
export { LoginThrottle } from "./store/loginThrottle";
export { AccountEmailThrottle } from "./store/accountEmailThrottle";
