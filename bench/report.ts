import { maxUnattributedPercent } from "./windowAccount";
import { workCountNames } from "./workCounters";

type Latency = { p50: number | null; p95?: number | null; p99: number | null };

const latency = (l: Latency) => `p50 ${l.p50} ms, p99 ${l.p99} ms`;
const value = (v: number | null | undefined) => (v === null || v === undefined ? "-" : String(v));

const counterLabels: Record<string, string> = {
  sqlStatements: "SQL statements",
  sqlCommits: "SQL commits (incl. single statements outside a transaction)",
  natsMessagesSent: "NATS messages sent (publishes, acks, pull requests)",
  natsMessagesReceived: "NATS messages received (deliveries, replies)",
  eventsPublished: "events published",
  eventsConsumed: "events consumed and handled",
  eventsIgnored: "events delivered only to be ignored",
  httpRequests: "HTTP requests served (router and subgraphs)",
  redisCommands: "Redis commands",
};

/** The bench's result as Markdown: each checkout run and their median, then the Products runs. */
export function markdown(result: Record<string, any>): string {
  const runs = result.checkout.runs as Array<Record<string, any>>;
  const med = result.checkout.median as Record<string, any>;
  const p = result.products;
  const s = result.settings;
  const header = ["measure", ...runs.map((_, n) => `run ${n + 1}`), "median", "target"];
  const row = (name: string, cells: string[], medianCell: string, target = "") =>
    `| ${[name, ...cells, medianCell, target].join(" | ")} |`;
  const processes = Object.keys(runs[0]?.account.cpuMsPerOrder ?? {});
  const mode =
    s.mode === "open"
      ? `open loop, ${s.rate} orders/s arriving, ${s.customers} customers`
      : `closed loop, ${s.customers} customers`;
  return [
    `# Benchmark ${result.date}`,
    "",
    `${result.machine.cores} cores, Node ${result.machine.node}; ${mode}; ${runs.length} runs of ${s.seconds}s, each measured over a steady window after ${s.warmupSeconds}s of warm-up; router workers: ${s.routerWorkers}; public response cache: ${s.publicCacheSeconds}s. Everything (databases, NATS, Redis, seven services, load generator) on this machine.${result.autovacuum && result.autovacuum !== "the server's own" ? ` ${result.autovacuum[0]!.toUpperCase()}${result.autovacuum.slice(1)}.` : ""}`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    row(
      "orders per second (confirmed in the window)",
      runs.map((run) => value(run.account.ordersPerSecond)),
      value(med.ordersPerSecond),
      "≥ 100",
    ),
    row(
      "orders placed / confirmed / cancelled / saga timeouts / failed",
      runs.map((run) => `${run.placed} / ${run.confirmed} / ${run.cancelled} / ${run.sagaTimeouts} / ${run.failed}`),
      "",
    ),
    ...(s.mode === "open"
      ? [
          row(
            "arrivals not started (no free customer by the end)",
            runs.map((run) => value(run.notStarted)),
            "",
          ),
          row(
            "arrival → CONFIRMED",
            runs.map((run) => latency(run.arrivalToConfirmedMs)),
            latency(med.arrivalToConfirmedMs),
          ),
        ]
      : []),
    row(
      "placeOrder latency",
      runs.map((run) => latency(run.placeOrderMs)),
      latency(med.placeOrderMs),
      "p99 < 150 ms",
    ),
    row(
      "saga latency (placed → subscriber sees CONFIRMED)",
      runs.map((run) => latency(run.sagaMs)),
      latency(med.sagaMs),
      "p99 < 1 s",
    ),
    row(
      "**CPU ms per confirmed order, platform** (services, their PostgreSQL backends, Redis, NATS)",
      runs.map((run) => value(run.account.cpuMsPerOrderTotal)),
      `**${value(med.cpuMsPerOrderTotal)}**`,
      "≤ 20",
    ),
    ...processes.map((name) =>
      row(
        `CPU ms per order: ${name}`,
        runs.map((run) => value(run.account.cpuMsPerOrder[name])),
        value(med.cpuMsPerOrder[name]),
      ),
    ),
    ...workCountNames.map((name) =>
      row(
        `per order: ${counterLabels[name] ?? name}`,
        runs.map((run) => value(run.account.workPerOrder?.[name])),
        value(med.workPerOrder[name]),
      ),
    ),
    row(
      "machine busy %",
      runs.map((run) => value(run.account.machine.busyPercent)),
      value(med.busyPercent),
    ),
    row(
      "machine time not attributed to a measured process %",
      runs.map((run) => value(run.account.machine.unattributedPercent)),
      value(med.unattributedPercent),
      `≤ ${maxUnattributedPercent}`,
    ),
    row(
      "steal %",
      runs.map((run) => value(run.account.machine.stealPercent)),
      "",
      "0",
    ),
    row(
      "load average (1 min) before → after",
      runs.map((run) => `${run.loadAverage.before[0].toFixed(1)} → ${run.loadAverage.after[0].toFixed(1)}`),
      "",
    ),
    "",
    ...(result.checkout.flagged
      ? [
          "**Flagged:** the CPU figures of these runs are not clean measurements:",
          ...runs.flatMap((run, n) => run.account.flags.map((flag: string) => `- run ${n + 1}: ${flag}`)),
          "",
        ]
      : []),
    "| Products | result | target |",
    "| --- | --- | --- |",
    `| through the router (with stock), anonymous, public cache | ${p.viaRouter.requestsPerSecond} req/s; ${latency(p.viaRouter.latencyMs)} | ≥ 1,000 req/s |`,
    `| through the router (with stock), no-cache | ${p.viaRouterUncached.requestsPerSecond} req/s; ${latency(p.viaRouterUncached.latencyMs)} | |`,
    `| own fields through the router, no-cache | ${p.ownFieldsViaRouter.requestsPerSecond} req/s; ${latency(p.ownFieldsViaRouter.latencyMs)} | |`,
    `| own fields straight to the subgraph | ${p.ownFieldsDirect.requestsPerSecond} req/s; ${latency(p.ownFieldsDirect.latencyMs)} | |`,
    `| router cost ratio (direct req/s ÷ via router req/s) | ${p.routerCostRatio} | ≤ 1.5 |`,
    `| errors (all runs) | ${result.errors.count} | |`,
    "",
    `Machine busy during the Products runs: ${p.machineBusyPercent}%.`,
    "",
    "| process | CPU % of one core, Products runs | peak memory MB |",
    "| --- | --- | --- |",
    ...Object.entries(result.processes as Record<string, { productsCpuPercent: number; peakMemoryMb: number }>).map(
      ([name, stats]) => `| ${name} | ${stats.productsCpuPercent} | ${stats.peakMemoryMb} |`,
    ),
    "",
  ].join("\n");
}
