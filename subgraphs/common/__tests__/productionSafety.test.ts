import { developmentAdmin } from "../../users";
import { developmentRouterSigningSecret } from "../auth/routerCredential";
import { ConfigurationError } from "../environment";
import { developmentOnlyValues, productionProblems, refuseUnsafeProductionSettings } from "../server/productionSafety";

describe("production refuses unsafe settings, saying which", () => {
  const safe = {
    NODE_ENV: "production",
    ROUTER_SIGNING_SECRET: "a-secret-of-our-own-32-characters-long",
    CORS_ORIGINS: "https://shop.example",
    TRUST_PROXY: "1",
    ADMIN_PASSWORD: "an admin password of our own",
  };

  it("accepts settings of its own", () => {
    expect(productionProblems(safe)).toEqual([]);
  });

  it("names every unsafe variable at once", () => {
    const unsafe = {
      ...safe,
      ROUTER_SIGNING_SECRET: developmentRouterSigningSecret,
      CORS_ORIGINS: "https://shop.example, *",
      TRUST_PROXY: "true",
      ADMIN_PASSWORD: developmentAdmin.password,
    };
    expect(() => refuseUnsafeProductionSettings("router", unsafe)).toThrow(ConfigurationError);
    const problems = productionProblems(unsafe);
    expect(problems.map((problem) => problem.split(":")[0]).sort()).toEqual([
      "ADMIN_PASSWORD",
      "CORS_ORIGINS",
      "ROUTER_SIGNING_SECRET",
      "TRUST_PROXY",
    ]);
    expect(problems.join("\n")).not.toContain(developmentRouterSigningSecret);
  });

  it("lets development run on the defaults", () => {
    expect(productionProblems({ ...safe, NODE_ENV: "development", CORS_ORIGINS: "*" })).toEqual([]);
  });

  it("knows the users service's development admin password", () => {
    expect(developmentOnlyValues.ADMIN_PASSWORD).toContain(developmentAdmin.password);
  });
});
