import { ConfigurationError, parseEnvironment } from "../../common/environment";
import { usersEnvironment } from "../environment";

describe("OpenID Connect providers from the environment", () => {
  const google = {
    OIDC_GOOGLE_ISSUER: "https://accounts.google.com",
    OIDC_GOOGLE_CLIENT_ID: "client-id",
    OIDC_GOOGLE_CLIENT_SECRET: "client-secret",
    OIDC_GOOGLE_REDIRECT_URIS: "https://shop.example/sign-in/google, https://app.example/callback",
  };
  const problemsOf = (variables: Record<string, string>) => {
    try {
      parseEnvironment("users", usersEnvironment, variables);
    } catch (error) {
      if (error instanceof ConfigurationError) return error.problems;
      throw error;
    }
    return [];
  };

  it("reads each named provider from its own variables, and keeps no other variable", () => {
    const env = parseEnvironment("users", usersEnvironment, { OIDC_PROVIDERS: "google", ...google, HOME: "/root" });
    expect(env.oidcProviders).toEqual([
      {
        name: "google",
        issuer: "https://accounts.google.com",
        clientId: "client-id",
        clientSecret: "client-secret",
        redirectUris: ["https://shop.example/sign-in/google", "https://app.example/callback"],
      },
    ]);
    expect(env).not.toHaveProperty("HOME");
    expect(env).not.toHaveProperty("OIDC_GOOGLE_CLIENT_SECRET");
    expect(parseEnvironment("users", usersEnvironment, {}).oidcProviders).toEqual([]);
  });

  it("lists every missing or malformed variable by name", () => {
    expect(
      problemsOf({
        OIDC_PROVIDERS: "google,Microsoft",
        ...google,
        OIDC_GOOGLE_CLIENT_SECRET: "",
        OIDC_GOOGLE_ISSUER: "nope",
      }),
    ).toEqual([
      'OIDC_GOOGLE_CLIENT_SECRET: is required for the OIDC provider "google"',
      "OIDC_GOOGLE_ISSUER: must be an absolute http(s) URL",
      'OIDC_PROVIDERS: "Microsoft" is not a provider name: lower-case letters, digits and underscores',
    ]);
  });

  it("wants https issuers and redirect URIs in production", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      OIDC_PROVIDERS: "google",
      ...google,
      OIDC_GOOGLE_REDIRECT_URIS: "http://shop.example/callback",
    });
    expect(problems).toContain(
      'OIDC_GOOGLE_REDIRECT_URIS: "http://shop.example/callback" is not an absolute https URL',
    );
  });
});
