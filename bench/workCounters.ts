/**
 * The work an order costs, counted by the services themselves on `/metrics`: SQL statements and
 * commits, NATS messages sent and received, events published and consumed (and those a consumer
 * received only to ignore), HTTP requests served, Redis commands. The bench reads every process's
 * metrics before and after a window and divides the difference by the orders confirmed in it.
 */
export interface WorkCounts {
  sqlStatements: number;
  sqlCommits: number;
  natsMessagesSent: number;
  natsMessagesReceived: number;
  eventsPublished: number;
  eventsConsumed: number;
  eventsIgnored: number;
  httpRequests: number;
  redisCommands: number;
}

export const workCountNames: ReadonlyArray<keyof WorkCounts> = [
  "sqlStatements",
  "sqlCommits",
  "natsMessagesSent",
  "natsMessagesReceived",
  "eventsPublished",
  "eventsConsumed",
  "eventsIgnored",
  "httpRequests",
  "redisCommands",
];

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
export function parsePrometheus(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Requests that are the work itself, not the bench looking at it (scrapes, probes). */
const countedRoute = (route: string | undefined) => route !== "/metrics" && !route?.startsWith("/health");

/** The work counts in one process's metrics. */
export function workCountsOf(text: string): WorkCounts {
  const counts = Object.fromEntries(workCountNames.map((name) => [name, 0])) as unknown as WorkCounts;
  for (const { name, labels, value } of parsePrometheus(text)) {
    if (name === "sql_statements_total") counts.sqlStatements += value;
    else if (name === "sql_commits_total") counts.sqlCommits += value;
    else if (name === "nats_messages_sent_total") counts.natsMessagesSent += value;
    else if (name === "nats_messages_received_total") counts.natsMessagesReceived += value;
    else if (name === "events_published_total") counts.eventsPublished += value;
    else if (name === "events_consumed_total") {
      if (labels.outcome === "ignored") counts.eventsIgnored += value;
      else counts.eventsConsumed += value;
    } else if (name === "http_request_duration_seconds_count" && countedRoute(labels.route))
      counts.httpRequests += value;
    else if (name === "redis_commands_total") counts.redisCommands += value;
  }
  return counts;
}

export function addCounts(a: WorkCounts, b: WorkCounts): WorkCounts {
  return Object.fromEntries(workCountNames.map((name) => [name, a[name] + b[name]])) as unknown as WorkCounts;
}

export function subtractCounts(to: WorkCounts, from: WorkCounts): WorkCounts {
  return Object.fromEntries(workCountNames.map((name) => [name, to[name] - from[name]])) as unknown as WorkCounts;
}

/** Every process's work counts now, read from its `/metrics`; a process that cannot answer counts nothing. */
export async function scrapeWorkCounts(metricsUrls: Record<string, string>): Promise<Record<string, WorkCounts>> {
  return Object.fromEntries(
    await Promise.all(
      Object.entries(metricsUrls).map(async ([name, url]) => {
        try {
          return [name, workCountsOf(await (await fetch(url)).text())] as const;
        } catch {
          return [name, workCountsOf("")] as const;
        }
      }),
    ),
  );
}
