import { generateKeyPairSync, randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { createLogger, scrubSecrets } from "../logger";

/** A logger whose lines a test reads. */
function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger("test", { level: "info", destination }), text: () => lines.join("") };
}

describe("logs never carry a secret, whatever key it is logged under", () => {
  const jwt =
    "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiI1ZjFlIiwicm9sZXMiOlsiQURNSU4iXX0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
  const refreshToken = randomBytes(32).toString("base64url");
  const privateKeyPem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const adminPassword = "correct horse battery staple";
  const secrets = [jwt, refreshToken, privateKeyPem.split("\n")[1]!, adminPassword, "hunter2-db-password", "sm7p-pass"];

  it("removes them from objects, nested, under keys that name a secret or under any other key", () => {
    const { logger, text } = capturingLogger();
    logger.info(
      {
        request: { headers: { Authorization: `Bearer ${jwt}`, Cookie: "session=abc" } },
        settings: { ADMIN_PASSWORD: adminPassword, JWT_PRIVATE_KEY: privateKeyPem },
        // Keys that say nothing about what they hold.
        payload: {
          value: refreshToken,
          list: [jwt],
          note: `reset link https://shop.example/reset?token=${refreshToken}`,
        },
        database: "postgres://commerce:hunter2-db-password@db:5432/commerce_users",
        smtp: { url: "smtp://mailer:sm7p-pass@smtp.example:587" },
        routerSignature: `t=1,v1=${"a".repeat(64)}`,
      },
      "started",
    );
    const logged = text();
    for (const secret of secrets) expect(logged).not.toContain(secret);
    expect(logged).not.toContain("a".repeat(64));
    // What is not secret stays readable.
    expect(logged).toContain("db:5432/commerce_users");
    expect(logged).toContain("https://shop.example/reset?token=[redacted]");
  });

  it("removes them from messages, interpolated values, errors and a child's bindings", () => {
    const { logger, text } = capturingLogger();
    const failure = new TypeError(`login failed for token ${refreshToken}`);
    Object.assign(failure, { config: { auth: { password: adminPassword } } });
    logger.error({ err: failure }, "could not verify %s", `Bearer ${jwt}`);
    logger
      .child({ module: "m", accessToken: jwt })
      .child({ context: { apiKey: "k-4f1e" } })
      .warn(`key ${privateKeyPem}`);
    const logged = text();
    for (const secret of [...secrets, "k-4f1e"]) expect(logged).not.toContain(secret);
    const [errorLine, childLine] = logged
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, any>);
    expect(errorLine!.err.type).toBe("TypeError");
    expect(errorLine!.err.message).toBe("login failed for token [redacted]");
    expect(childLine!.module).toBe("m");
  });

  it("leaves ordinary text alone", () => {
    const ordinary = "order 3f0c2b1e-8a4d-4b7e-9c1a-2d3e4f5a6b7c placed: 2 lines, total 19.99 USD";
    expect(scrubSecrets(ordinary)).toBe(ordinary);
    const sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    expect(scrubSecrets(sha256)).toBe(sha256);
  });

  it("scrubs a bare value as it scrubs one in a sentence, short plain ids included", () => {
    // Ids, trace ids and the like (letters, digits and hyphens, up to 42) are passed on as they are.
    for (const id of ["3f0c2b1e-8a4d-4b7e-9c1a-2d3e4f5a6b7c", "0af7651916cd43dd8448eb211c80319c", "ORDER-42", ""])
      expect(scrubSecrets(id)).toBe(id);
    const opaque = `${"a1B2-".repeat(8)}c3D`;
    expect(opaque).toHaveLength(43);
    expect(scrubSecrets(opaque)).toBe("[redacted]");
    expect(scrubSecrets(refreshToken)).toBe("[redacted]");
    expect(scrubSecrets("sk_live_51HxAbCdEfGhIjKlMnOp")).toBe("[redacted]");
  });

  it("removes the payment provider's keys and its customers' client secrets, wherever they appear", () => {
    const stripeSecrets = [
      "sk_live_51HxAbCdEfGhIjKlMnOp",
      "rk_test_51HxRestricted",
      "whsec_0123456789abcdefABCDEF",
      "pi_3NxYzAbC_secret_kLmNoPqRsT",
      "seti_1AbC_secret_XyZ",
    ];
    const text = scrubSecrets(
      `stripe refused: key ${stripeSecrets[0]} (or ${stripeSecrets[1]}), endpoint ${stripeSecrets[2]}, ` +
        `action ${stripeSecrets[3]} / ${stripeSecrets[4]}`,
    );
    for (const secret of stripeSecrets) expect(text).not.toContain(secret);
    expect(scrubSecrets("payment pi_3NxYzAbC and setup seti_1AbC")).toBe("payment pi_3NxYzAbC and setup seti_1AbC");
  });

  it("removes a guest's order access token, wherever it appears", () => {
    const token = `ga1.1796212800.${"Ab_-".repeat(10)}xyz`;
    const text = scrubSecrets(`guestOrder { payment(accessToken: "${token}") }`);
    expect(text).not.toContain(token.split(".")[2]);
    expect(text).toContain("[redacted]");
  });
});
