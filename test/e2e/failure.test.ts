import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "nats";
import { dropDatabase } from "../../subgraphs/common/database/provision";
import { deleteStreams } from "../../subgraphs/common/events/streams";
import { projectRoot } from "../../subgraphs/common/projectRoot";
import { freePort } from "../../scripts/processStack";
import { PrivateNats } from "../support/privateNats";
import { PrivateRedis } from "../support/privateRedis";
import { newTestId } from "../support/testNames";
import { testSettings } from "../support/testSubgraph";
import { waitFor } from "../support/waitFor";

interface ServiceProcess {
  child: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<number | null>;
}

/** Starts the products subgraph as its own process, as a container would, collecting its JSON log lines. */
async function startProducts(testId: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "subgraphs/products/main.ts"], {
    cwd: projectRoot,
    env: { ...testSettings(testId), LOG_LEVEL: "info", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output, exited };
}

const ready = async (service: ServiceProcess) => {
  try {
    const response = await fetch(`${service.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as { checks: Record<string, { ok: boolean; error?: string }> } };
  } catch {
    return { status: 0, body: { checks: {} } };
  }
};

describe("failure: start-up with a dependency down, truthful readiness, and graceful shutdown", () => {
  const testId = newTestId();
  let nats: PrivateNats;
  let redis: PrivateRedis;
  let products: ServiceProcess | undefined;

  beforeAll(async () => {
    nats = await PrivateNats.start();
    redis = await PrivateRedis.reserve();
  });

  afterAll(async () => {
    if (products && products.child.exitCode === null) {
      products.child.kill("SIGKILL");
      await products.exited;
    }
    await redis?.pause();
    await nats?.destroy();
    await dropDatabase(`${process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432"}/${testId}_products`);
    const main = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
    await deleteStreams(await main.jetstreamManager(), testId);
    await main.close();
  });

  it("waits for Redis at start, with backoff, and starts once it is there", async () => {
    products = await startProducts(testId, { NATS_URL: nats.url, REDIS_URL: redis.url, STARTUP_TIMEOUT_SECONDS: "30" });
    await waitFor(() => products!.output.some((line) => line.includes("waiting for Redis")), "the service to say it waits for Redis");
    expect((await ready(products)).status).toBe(0);
    await redis.resume();
    await waitFor(async () => (await ready(products!)).status === 200, "the service to become ready", 30_000);
  });

  it("logs each request as JSON with its request id and trace id", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    await fetch(`${products!.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-test-42", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: JSON.stringify({ query: "{ categories { id } }" }),
    });
    const line = await waitFor(() => products!.output.find((each) => each.includes("req-test-42")), "the request's log line");
    expect(JSON.parse(line)).toMatchObject({ level: 30, service: "products", requestId: "req-test-42", traceId, method: "POST", path: "/graphql", status: 200, durationMs: expect.any(Number) });
  });

  it("tells the truth on /health/ready while Redis, then NATS, is down", async () => {
    await redis.pause();
    await waitFor(async () => (await ready(products!)).status === 503, "readiness to fail without Redis");
    expect((await ready(products!)).body.checks.redis?.ok).toBe(false);
    expect((await ready(products!)).body.checks.database?.ok).toBe(true);
    await redis.resume();
    await waitFor(async () => (await ready(products!)).status === 200, "readiness to come back with Redis", 15_000);

    await nats.pause();
    await waitFor(async () => (await ready(products!)).status === 503, "readiness to fail without NATS");
    expect((await ready(products!)).body.checks.nats?.ok).toBe(false);
    await nats.resume();
    await waitFor(async () => (await ready(products!)).status === 200, "readiness to come back with NATS", 15_000);
  });

  it("on SIGTERM stops taking work, finishes what is in flight, and exits cleanly", async () => {
    const service = products!;
    const requests = Array.from({ length: 40 }, () =>
      fetch(`${service.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ products(first: 50) { totalCount edges { node { id } } } }" }) }).then(
        (response) => response.status,
        () => "refused",
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    service.child.kill("SIGTERM");
    const statuses = await Promise.all(requests);
    // Requests already taken are answered; none is cut off half-way.
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === "refused")).toBe(true);
    expect(await service.exited).toBe(0);
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });
});
