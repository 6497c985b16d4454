import { ensureServices, ServicesUnavailableError } from "../services/ensureServices";
import { infrastructureNames, type InfrastructureName } from "../services/infrastructure";
import { describeMissing, planServices, type Findings } from "../services/plan";

const all = <T>(value: T) =>
  Object.fromEntries(infrastructureNames.map((name) => [name, value])) as Record<InfrastructureName, T>;
const required: InfrastructureName[] = ["postgres", "redis", "nats"];

function findings(changes: Partial<Findings> & { down?: InfrastructureName[]; elsewhere?: InfrastructureName[] }) {
  const { down = [], elsewhere = [], ...rest } = changes;
  return {
    reachable: Object.fromEntries(infrastructureNames.map((name) => [name, !down.includes(name)])),
    local: Object.fromEntries(infrastructureNames.map((name) => [name, !elsewhere.includes(name)])),
    dockerEngine: false,
    binaries: all(false),
    ...rest,
  } as Findings;
}

describe("deciding how to bring up PostgreSQL, Redis, NATS and the mail catcher", () => {
  it("starts nothing when everything answers", () => {
    expect(planServices([...required, "mailpit"], findings({}))).toEqual({
      compose: [],
      binaries: [],
      missing: [],
      without: [],
    });
  });

  it("starts what is down with docker compose where a Docker engine runs, even when binaries are there too", () => {
    const plan = planServices(
      [...required, "mailpit"],
      findings({ down: ["postgres", "mailpit"], dockerEngine: true, binaries: all(true) }),
    );
    expect(plan).toEqual({ compose: ["postgres", "mailpit"], binaries: [], missing: [], without: [] });
  });

  it("starts what is down from the machine's binaries when no Docker engine runs", () => {
    const plan = planServices(required, findings({ down: ["redis", "nats"], binaries: all(true) }));
    expect(plan).toEqual({ compose: [], binaries: ["redis", "nats"], missing: [], without: [] });
  });

  it("goes on without the mail catcher when it can be started neither way", () => {
    const plan = planServices(
      [...required, "mailpit"],
      findings({ down: ["mailpit"], binaries: { ...all(true), mailpit: false } }),
    );
    expect(plan).toEqual({ compose: [], binaries: [], missing: [], without: ["mailpit"] });
  });

  it("calls a required server missing when neither Docker nor its binary is there, and says what to install", () => {
    const plan = planServices(required, findings({ down: ["nats"], binaries: { ...all(true), nats: false } }));
    expect(plan.missing).toEqual([{ name: "nats", what: expect.stringMatching(/install Docker.*nats-server/) }]);
    expect(describeMissing(plan, () => "127.0.0.1:4222 (NATS_URL)")).toBe(
      "NATS with JetStream is not reachable at 127.0.0.1:4222 (NATS_URL): install Docker (docker compose starts it), " +
        "or nats-server 2.9 or newer (Debian: apt-get install nats-server).",
    );
  });

  it("never starts a server that is expected on another machine", () => {
    const plan = planServices(
      required,
      findings({ down: ["postgres"], elsewhere: ["postgres"], dockerEngine: true, binaries: all(true) }),
    );
    expect(plan.compose).toEqual([]);
    expect(plan.missing).toEqual([{ name: "postgres", what: "start it there, or set POSTGRES_URL to where one runs" }]);
  });

  it("asks only about the servers wanted", () => {
    expect(planServices(["postgres"], findings({ down: ["redis", "mailpit"] }))).toEqual({
      compose: [],
      binaries: [],
      missing: [],
      without: [],
    });
  });
});

describe("ensureServices on this machine", () => {
  it("leaves running servers alone", async () => {
    const lines: string[] = [];
    const plan = await ensureServices(required, { log: (line) => lines.push(line) });
    expect(plan).toEqual({ compose: [], binaries: [], missing: [], without: [] });
    expect(lines).toEqual([]);
  });

  it("says plainly which server is missing, and where it was looked for", async () => {
    const env = { ...process.env, REDIS_URL: "redis://192.0.2.1:6379" };
    const failure = ensureServices(required, { env, log: () => undefined });
    await expect(failure).rejects.toThrow(ServicesUnavailableError);
    await expect(failure).rejects.toThrow(
      "Redis is not reachable at 192.0.2.1:6379 (REDIS_URL): start it there, or set REDIS_URL to where one runs.",
    );
  });
});
