import type { Address, User } from "../generated/prisma/client";

export type UserRecord = User;
export type AddressRecord = Address;
