import { ConfigurationError, parseEnvironment, subgraphEnvironment } from "../environment";
import { databaseUrlFor, describeDatabase } from "../database/databaseUrl";

describe("environment", () => {
  it("applies the documented local defaults", () => {
    const settings = parseEnvironment("products", subgraphEnvironment, {});
    expect(settings).toMatchObject({
      NODE_ENV: "development",
      POSTGRES_URL: "postgres://postgres@127.0.0.1:5432",
      DATABASE_PREFIX: "commerce_",
      NATS_URL: "nats://127.0.0.1:4222",
      NATS_NAMESPACE: "commerce",
      REDIS_URL: "redis://127.0.0.1:6379",
    });
  });

  it("lists every invalid variable at once", () => {
    let caught: unknown;
    try {
      parseEnvironment("products", subgraphEnvironment, {
        NATS_URL: "not a url",
        DATABASE_PREFIX: "Bad-Prefix",
        NODE_ENV: "staging",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    const problems = (caught as ConfigurationError).problems.join("\n");
    expect(problems).toMatch(/NATS_URL/);
    expect(problems).toMatch(/DATABASE_PREFIX/);
    expect(problems).toMatch(/NODE_ENV/);
    expect((caught as Error).message.startsWith("products: invalid configuration")).toBe(true);
  });

  it("treats empty variables as unset", () => {
    expect(parseEnvironment("x", subgraphEnvironment, { REDIS_URL: "" }).REDIS_URL).toBe("redis://127.0.0.1:6379");
  });

  it("names each service's database with the prefix, unless DATABASE_URL is given", () => {
    const location = { POSTGRES_URL: "postgres://app:secret@db.internal:6543", DATABASE_PREFIX: "bench_" };
    expect(databaseUrlFor("orders", location)).toBe("postgres://app:secret@db.internal:6543/bench_orders");
    expect(describeDatabase(databaseUrlFor("orders", location))).toBe("db.internal:6543/bench_orders");
    expect(databaseUrlFor("orders", { ...location, DATABASE_URL: "postgres://x@y/z" })).toBe("postgres://x@y/z");
  });
});
