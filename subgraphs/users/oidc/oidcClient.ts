import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { discover, providerTimeoutMs, type DiscoveryDocument } from "./discovery";
import { IdentityProviderUnavailableError } from "./errors";
import { acceptedAlgorithms, identityClaims, verifyIdToken, type IdentityClaims } from "./idToken";
import type { OidcProviderSettings } from "./providerSettings";

/** How long a discovery document is trusted before it is fetched again. */
const discoveryTtlMs = 60 * 60 * 1000;

const tokenResponseSchema = z.object({ id_token: z.string(), access_token: z.string().optional() });
const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** The provider refused the authorization code: used, expired, or issued for another sign-in. */
export class CodeRefusedError extends Error {
  override name = "CodeRefusedError";
}

/** What the authorization request carries, besides the provider's settings. */
export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
}

/** What redeeming a code needs: the values the sign-in kept when it started. */
export interface CodeRedemption {
  code: string;
  redirectUri: string;
  codeVerifier: string;
  nonce: string;
}

/**
 * The users service as a confidential OpenID Connect client of one provider, by the authorization
 * code flow with PKCE (S256). Endpoints and keys come from the issuer's discovery document
 * (refetched hourly); the keys are fetched again for a key id not seen yet, so the provider's key
 * rotations need nothing here.
 */
export class OidcClient {
  private discovery: { document: Promise<DiscoveryDocument>; fetchedAt: number } | undefined;
  private keys: { uri: string; keySet: JWTVerifyGetKey } | undefined;

  constructor(readonly settings: OidcProviderSettings) {}

  private async document(): Promise<DiscoveryDocument> {
    if (!this.discovery || Date.now() - this.discovery.fetchedAt > discoveryTtlMs) {
      const document = discover(this.settings.issuer);
      this.discovery = { document, fetchedAt: Date.now() };
      // A failed fetch is not kept: the next sign-in tries again.
      document.catch(() => {
        if (this.discovery?.document === document) this.discovery = undefined;
      });
    }
    return this.discovery.document;
  }

  private keySet(uri: string): JWTVerifyGetKey {
    if (this.keys?.uri !== uri) {
      this.keys = { uri, keySet: createRemoteJWKSet(new URL(uri), { timeoutDuration: providerTimeoutMs }) };
    }
    return this.keys.keySet;
  }

  /** The URL to send the browser to. */
  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    const url = new URL((await this.document()).authorization_endpoint);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", this.settings.clientId);
    url.searchParams.set("redirect_uri", request.redirectUri);
    url.searchParams.set("scope", "openid email profile");
    url.searchParams.set("state", request.state);
    url.searchParams.set("nonce", request.nonce);
    url.searchParams.set("code_challenge", request.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
    return url.toString();
  }

  /**
   * Exchanges the code at the token endpoint (with the PKCE verifier and the client's secret),
   * verifies the ID token, and completes missing claims from the UserInfo endpoint. Throws
   * CodeRefusedError when the provider refuses the code, IdTokenRejectedError when the ID token
   * does not verify, IdentityProviderUnavailableError when the provider cannot be asked.
   */
  async redeem(redemption: CodeRedemption): Promise<IdentityClaims> {
    const document = await this.document();
    const tokens = await this.exchange(document, redemption);
    const claims = await verifyIdToken(tokens.id_token, {
      issuer: this.settings.issuer,
      clientId: this.settings.clientId,
      nonce: redemption.nonce,
      algorithms: acceptedAlgorithms(document.id_token_signing_alg_values_supported),
      keys: this.keySet(document.jwks_uri),
    });
    // Many providers keep the profile claims out of the ID token when they issue an access token.
    if (claims.email === null && document.userinfo_endpoint && tokens.access_token) {
      return { ...claims, ...(await this.userInfo(document.userinfo_endpoint, tokens.access_token, claims.subject)) };
    }
    return claims;
  }

  private async exchange(document: DiscoveryDocument, redemption: CodeRedemption) {
    const { clientId, clientSecret } = this.settings;
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      code: redemption.code,
      redirect_uri: redemption.redirectUri,
      code_verifier: redemption.codeVerifier,
    });
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    // client_secret_basic is the default (RFC 6749 2.3.1); client_secret_post only where it is all the provider takes.
    const methods = document.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
    if (methods.includes("client_secret_basic") || !methods.includes("client_secret_post")) {
      const credentials = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
    } else {
      body.set("client_id", clientId);
      body.set("client_secret", clientSecret);
    }
    let response: Response;
    let answer: unknown;
    try {
      response = await fetch(document.token_endpoint, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(providerTimeoutMs),
      });
      answer = await response.json();
    } catch (error) {
      throw new IdentityProviderUnavailableError(`its token endpoint did not answer (${(error as Error).message})`);
    }
    if (!response.ok) {
      const refusal = tokenErrorSchema.safeParse(answer);
      if (response.status === 400 && refusal.success && refusal.data.error === "invalid_grant") {
        throw new CodeRefusedError(refusal.data.error_description ?? "invalid_grant");
      }
      const error = refusal.success ? refusal.data.error : `HTTP ${response.status}`;
      throw new IdentityProviderUnavailableError(`its token endpoint refused the exchange (${error})`);
    }
    const tokens = tokenResponseSchema.safeParse(answer);
    if (!tokens.success) throw new IdentityProviderUnavailableError("its token endpoint returned no ID token");
    return tokens.data;
  }

  private async userInfo(endpoint: string, accessToken: string, subject: string) {
    let answer: unknown;
    try {
      const response = await fetch(endpoint, {
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
        signal: AbortSignal.timeout(providerTimeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      answer = await response.json();
    } catch (error) {
      throw new IdentityProviderUnavailableError(`its UserInfo endpoint did not answer (${(error as Error).message})`);
    }
    const info = z.object({ sub: z.string() }).loose().safeParse(answer);
    // UserInfo must speak of the ID token's subject (OpenID Connect Core 5.3.2), or it is ignored.
    if (!info.success || info.data.sub !== subject) return {};
    return identityClaims(info.data);
  }
}
