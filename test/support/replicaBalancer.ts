import http from "node:http";
import type { AddressInfo } from "node:net";

/** Headers of one hop only, which a proxy does not pass on. */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "content-length",
]);

function passedOn(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name.toLowerCase())));
}

/**
 * What a Kubernetes Service is to the router and the subgraphs (k8s/base: `ORDERS_URL` names the
 * `orders` Service, in front of two pods), for tests that run two replicas of a service as
 * processes: one address in front of the replicas, each request to the next replica in turn.
 * Replicas join and leave as their readiness does (`add` once ready, `remove` when killed), as a
 * Service's endpoints follow the pods' readiness probes; a request that cannot even connect (the
 * endpoint list lags a crash) goes to the next replica, since nothing of it reached the dead one.
 * A request cut off after it was sent is answered 502, as a load balancer answers it: whether it
 * happened is then unknown to the caller, which is the case the services must handle.
 */
export class ReplicaBalancer {
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly replicas: Array<{ url: string; name: string }> = [];
  private next = 0;
  /** Requests answered by each replica (by the name it was added with), and those no replica answered. */
  readonly served = new Map<string, number>();
  failed = 0;

  private constructor(readonly name: string) {
    this.server = http.createServer((request, response) => void this.forward(request, response));
    this.server.keepAliveTimeout = 5000;
  }

  static async start(name: string): Promise<ReplicaBalancer> {
    const balancer = new ReplicaBalancer(name);
    await new Promise<void>((resolve) => balancer.server.listen(0, "127.0.0.1", resolve));
    return balancer;
  }

  /** The Service's address (`http://127.0.0.1:<port>`). */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * A replica (its base URL) takes requests from now on; `name` tells it apart in `served` (a
   * replica restarted on the same port is another process).
   */
  add(url: string, name = url): void {
    if (!this.replicas.some((each) => each.url === url)) this.replicas.push({ url, name });
  }

  /** A replica takes no new requests. */
  remove(url: string): void {
    const index = this.replicas.findIndex((each) => each.url === url);
    if (index >= 0) this.replicas.splice(index, 1);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private async forward(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of request) chunks.push(chunk as Buffer);
    } catch {
      response.destroy();
      return;
    }
    const body = Buffer.concat(chunks);
    // Each replica at most once; a replica that refuses the connection is passed over.
    const tries = this.replicas.length;
    for (let attempt = 0; attempt < tries; attempt += 1) {
      const replica = this.replicas[this.next++ % this.replicas.length];
      if (!replica) break;
      const outcome = await this.send(replica.url, request, body, response);
      if (outcome === "answered") {
        this.served.set(replica.name, (this.served.get(replica.name) ?? 0) + 1);
        return;
      }
      if (outcome === "cut off") break;
    }
    this.failed += 1;
    if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
    response.end(`${this.name}: no replica answered`);
  }

  /** Sends the request to one replica and pipes its answer back. */
  private send(
    replica: string,
    request: http.IncomingMessage,
    body: Buffer,
    response: http.ServerResponse,
  ): Promise<"answered" | "not connected" | "cut off"> {
    const target = new URL(request.url ?? "/", replica);
    return new Promise((resolve) => {
      let connected = false;
      const outgoing = http.request(
        target,
        {
          method: request.method,
          agent: this.agent,
          headers: { ...passedOn(request.headers), "content-length": body.length },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, passedOn(answer.headers));
          answer.pipe(response);
          answer.once("end", () => resolve("answered"));
          answer.once("error", () => {
            response.destroy();
            resolve("cut off");
          });
        },
      );
      outgoing.once("socket", (socket) => {
        // A kept-alive socket is connected already; a new one once it connects.
        if (!socket.connecting) connected = true;
        else socket.once("connect", () => (connected = true));
      });
      outgoing.once("error", (error: NodeJS.ErrnoException) => {
        // Refused, or a kept-alive socket the replica had closed before this request was written.
        const neverReached = !connected || error.code === "ECONNREFUSED";
        resolve(neverReached && !response.headersSent ? "not connected" : "cut off");
      });
      outgoing.end(body);
    });
  }
}
