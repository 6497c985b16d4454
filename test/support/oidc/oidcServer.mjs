// A real OpenID Connect provider (the `oidc-provider` package) for tests, run as a child process:
// the package is ES modules only, which jest's CommonJS runtime cannot load. It prints one JSON line
// `{"issuer": ...}` once it listens. Configuration comes as JSON in argv[2]:
// { clients: [{ client_id, client_secret, redirect_uris }] }. Accounts are put with
// `PUT /test/accounts/<login>` and a JSON body of claims (`email`, `email_verified`, `name`); the
// development interactions then sign in as any login put there, so a test drives the login and
// consent pages by HTTP as a browser would.
import { createServer } from "node:http";
import Provider from "oidc-provider";

const settings = JSON.parse(process.argv[2] ?? "{}");
/** Claims by login (the account id, which is also the subject). */
const accounts = new Map();

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: settings.clients.map((client) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    ...client,
  })),
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ["a cookie key only for tests"] },
  async findAccount(_ctx, id) {
    const claims = accounts.get(id);
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
});
provider.proxy = false;

const providerCallback = provider.callback();
server.on("request", (request, response) => {
  const match = /^\/test\/accounts\/([^/?]+)$/.exec(request.url ?? "");
  if (request.method === "PUT" && match) {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      accounts.set(decodeURIComponent(match[1]), JSON.parse(body));
      response.writeHead(204).end();
    });
    return;
  }
  providerCallback(request, response);
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
