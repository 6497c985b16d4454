import type { UnitOfWork } from "../common/events/unitOfWork";
import type { BaseContext } from "../common/server/subgraphDefinition";
import type { ApiKeyDependencies } from "./domain/apiKeys";
import type { ContactChannelDependencies } from "./domain/contactChannels";
import type { IdentityDependencies } from "./domain/identity";
import type { OidcSignInDependencies } from "./domain/oidcSignIn";
import type { StaffRoleDependencies } from "./domain/staffRoles";
import type { PrivacyDependencies } from "./domain/privacyRequests";
import type { UsersLoaders } from "./loaders";
import type { UsersDb, UsersTx } from "./store/database";

export interface Context extends BaseContext {
  db: UsersDb;
  unitOfWork: UnitOfWork<UsersTx>;
  loaders: UsersLoaders;
  identity: IdentityDependencies;
  contacts: ContactChannelDependencies;
  oidc: OidcSignInDependencies;
  staffRoles: StaffRoleDependencies;
  apiKeys: ApiKeyDependencies;
  privacy: PrivacyDependencies;
}
