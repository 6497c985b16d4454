import { developmentRouterSigningSecret } from "../auth/routerCredential";
import { ConfigurationError } from "../environment";

/**
 * Values that make a laptop work out of the box and a production deployment unsafe: published
 * in this repository, so anyone can use them. A variable left at (or set to) one of them is
 * refused in production. A service that adds a development default of a secret lists it here.
 */
export const developmentOnlyValues: Readonly<Record<string, readonly string[]>> = {
  ROUTER_SIGNING_SECRET: [developmentRouterSigningSecret],
  ROUTER_SIGNING_SECRET_PREVIOUS: [developmentRouterSigningSecret],
  // The users service's development admin (subgraphs/users/environment.ts; a test holds them equal).
  ADMIN_PASSWORD: ["admin-password-for-development"],
};

/**
 * What a process's settings would make unsafe in production, one line each, naming the variable:
 * development secrets, any origin allowed by CORS, every proxy trusted to state client addresses.
 * Empty outside production.
 */
export function productionProblems(settings: object): string[] {
  const values = settings as Readonly<Record<string, unknown>>;
  if (values.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  for (const [variable, published] of Object.entries(developmentOnlyValues)) {
    const value = values[variable];
    if (typeof value === "string" && published.includes(value))
      problems.push(`${variable}: is the published development value; set a secret of your own in production`);
  }
  if (typeof values.CORS_ORIGINS === "string" && values.CORS_ORIGINS.split(",").some((origin) => origin.trim() === "*"))
    problems.push("CORS_ORIGINS: * lets any web page call the API; list the storefront's origins in production");
  if (typeof values.TRUST_PROXY === "string" && values.TRUST_PROXY.trim() === "true")
    problems.push(
      "TRUST_PROXY: true believes X-Forwarded-For from anyone, so per-address limits can be dodged; name the proxies or a hop count",
    );
  return problems;
}

/** Refuses to start in production with an unsafe setting, saying which (every one at once). */
export function refuseUnsafeProductionSettings(service: string, settings: object): void {
  const problems = productionProblems(settings);
  if (problems.length > 0) throw new ConfigurationError(service, problems);
}
