import { randomBytes } from "node:crypto";
import { SecretSealer } from "../../subgraphs/common/secrets/sealedSecrets";
import { graphqlData } from "./graphqlClient";
import { testAdmin } from "./testSubgraph";

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string; roles: string[] };
}

const authFields = "accessToken refreshToken expiresIn user { id email name roles }";

/** Registers a new customer through `url` (the router or the users subgraph). */
export async function registerCustomer(
  url: string,
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<Session & { password: string }> {
  const password = overrides.password ?? "correct horse battery";
  const input = {
    email: overrides.email ?? `customer-${randomBytes(5).toString("hex")}@example.com`,
    name: overrides.name ?? "Test Customer",
    password,
  };
  const { register } = await graphqlData<{ register: Session }>(
    url,
    `mutation($input: RegisterInput!) { register(input: $input) { ${authFields} } }`,
    {
      variables: { input },
    },
  );
  return { ...register, password };
}

export async function login(url: string, email: string, password: string): Promise<Session> {
  const { login: session } = await graphqlData<{ login: Session }>(
    url,
    `mutation($input: LoginInput!) { login(input: $input) { ${authFields} } }`,
    {
      variables: { input: { email, password } },
    },
  );
  return session;
}

/** Signs in as the admin every test users service ensures at start. */
export function loginAdmin(url: string): Promise<Session> {
  return login(url, testAdmin.email, testAdmin.password);
}

/**
 * The token inside a sealed link of a users event (a reset, verification or email-change link),
 * opened as the notifications service would, with the key the services share (the development
 * key unless the test set SECRET_SEALING_KEY).
 */
export function tokenOfSealedLink(link: { sealed: string } | undefined, key?: Buffer): string {
  if (!link) throw new Error("the event carries no sealed link");
  return SecretSealer.fromSetting(key).open(link.sealed).token;
}
