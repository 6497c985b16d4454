import http from "node:http";
import { routerSignatureHeader, signRouterRequest } from "../subgraphs/common/auth/routerCredential";

interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * A small GraphQL client for load: keeps latency per call and counts errors. It speaks plain
 * `http.request` over keep-alive connections: the global `fetch` cost the load generator
 * 0.3-1 ms more CPU per call, which on this 2-core machine is taken from the platform it measures.
 */
export class LoadClient {
  errors = 0;
  readonly errorSamples: string[] = [];
  private readonly target: URL;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  /** `signingSecret`: sign each request as the router does, to call a subgraph directly. */
  constructor(
    url: string,
    private readonly signingSecret?: string,
  ) {
    this.target = new URL(url);
  }

  async request<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<{ data?: T; ms: number; ok: boolean }> {
    const started = performance.now();
    try {
      const body = JSON.stringify({ query, variables });
      const response = await this.post(body, {
        "content-type": "application/json",
        ...headers,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(this.signingSecret ? { [routerSignatureHeader]: signRouterRequest(this.signingSecret, body) } : {}),
      });
      const answer = JSON.parse(response.body) as { data?: T; errors?: Array<{ message: string }> };
      const ms = performance.now() - started;
      if (answer.errors?.length || !answer.data) {
        this.errors += 1;
        if (this.errorSamples.length < 5)
          this.errorSamples.push(answer.errors?.[0]?.message ?? `HTTP ${response.status}`);
        return { ms, ok: false, ...(answer.data ? { data: answer.data } : {}) };
      }
      return { data: answer.data, ms, ok: true };
    } catch (error) {
      this.errors += 1;
      if (this.errorSamples.length < 5) this.errorSamples.push((error as Error).message);
      return { ms: performance.now() - started, ok: false };
    }
  }

  /** Closes the idle keep-alive connections, so that the process can exit. */
  close(): void {
    this.agent.destroy();
  }

  private post(body: string, headers: Record<string, string>): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname + this.target.search,
          method: "POST",
          agent: this.agent,
          headers: { ...headers, "content-length": Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }
}

/** Runs `work` in `concurrency` loops until `deadline`; returns how many calls completed. */
export async function runLoops(concurrency: number, deadline: number, work: () => Promise<unknown>): Promise<number> {
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await work();
        done += 1;
      }
    }),
  );
  return done;
}
