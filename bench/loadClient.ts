import { routerSignatureHeader, signRouterRequest } from "../subgraphs/common/auth/routerCredential";

/** A small GraphQL client for load: keeps latency per call and counts errors. */
export class LoadClient {
  errors = 0;
  readonly errorSamples: string[] = [];

  /** `signingSecret`: sign each request as the router does, to call a subgraph directly. */
  constructor(
    private readonly url: string,
    private readonly signingSecret?: string,
  ) {}

  async request<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    headers: Record<string, string> = {},
  ): Promise<{ data?: T; ms: number; ok: boolean }> {
    const started = performance.now();
    try {
      const body = JSON.stringify({ query, variables });
      const response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...headers,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(this.signingSecret ? { [routerSignatureHeader]: signRouterRequest(this.signingSecret, body) } : {}),
        },
        body,
      });
      const answer = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
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
