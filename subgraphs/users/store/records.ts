import type { Address, User } from "../generated/prisma/client";

/**
 * A user row. `signedInAs` marks the user a sign-in (register, login, refresh) has just
 * authenticated: that response may show them their own private fields, although the request
 * itself carried no token.
 */
export type UserRecord = User & { signedInAs?: true };
export type AddressRecord = Address;
export type { PushDeviceRecord } from "./contactStore";
export type { OidcIdentityRecord } from "./oidcIdentityStore";
