import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

export interface OidcTestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/** Claims an account of the test provider answers with. */
export interface OidcTestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/**
 * A real OpenID Connect provider (`oidc-provider`), started by a test as a child process (the
 * package is ES modules only, which jest's CommonJS runtime cannot load), on a port of its own.
 */
export class OidcTestProvider {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
  ) {}

  static async start(clients: OidcTestClient[]): Promise<OidcTestProvider> {
    const script = path.join(__dirname, "oidcServer.mjs");
    const child = spawn(process.execPath, [script, JSON.stringify({ clients })], {
      stdio: ["ignore", "pipe", process.env.TEST_LOG_LEVEL ? "inherit" : "ignore"],
    });
    const issuer = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once("line", (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
      child.once("exit", (code) => reject(new Error(`the OIDC test provider exited (${code}) before listening`)));
    });
    return new OidcTestProvider(child, issuer);
  }

  /** Puts an account the provider signs in as `login` (its subject) with these claims. */
  async putAccount(login: string, claims: OidcTestAccount): Promise<void> {
    const response = await fetch(`${this.issuer}/test/accounts/${encodeURIComponent(login)}`, {
      method: "PUT",
      body: JSON.stringify(claims),
    });
    if (response.status !== 204) throw new Error(`could not put the account ${login}: HTTP ${response.status}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}

/** A browser's cookie jar, for one host: enough for the provider's interaction cookies. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const separator = pair!.indexOf("=");
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}

/**
 * Follows an authorization URL as a browser would: the provider's login page (signing in as
 * `login`, any password: its development interactions check none) and its consent page, by
 * submitting their forms, until the provider redirects to `redirectUri`. Returns the query the
 * provider put on that redirect (`code`, `state`, `iss`, or `error`).
 */
export async function authorizeInBrowser(
  authorizationUrl: string,
  login: string,
  redirectUri: string,
): Promise<URLSearchParams> {
  const jar = new CookieJar();
  let request: { url: string; method: "GET" | "POST"; form?: URLSearchParams } = {
    url: authorizationUrl,
    method: "GET",
  };
  for (let step = 0; step < 20; step += 1) {
    if (request.url.startsWith(redirectUri)) return new URL(request.url).searchParams;
    const response = await fetch(request.url, {
      method: request.method,
      redirect: "manual",
      headers: {
        cookie: jar.header(),
        ...(request.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: request.form,
    });
    jar.take(response);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      request = { url: new URL(location, request.url).toString(), method: "GET" };
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status}: ${page.slice(0, 500)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (!action || !prompt) throw new Error(`no login or consent form on the provider's page: ${page.slice(0, 500)}`);
    const form = new URLSearchParams({ prompt });
    if (prompt === "login") {
      form.set("login", login);
      form.set("password", "any password");
    }
    request = { url: new URL(action.replace(/&amp;/g, "&"), request.url).toString(), method: "POST", form };
  }
  throw new Error("the provider never redirected back");
}
