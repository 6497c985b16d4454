import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { DependencyUnavailableError } from "../dependencies";

/** The request id a caller (or the router) sent, or a new one; it ties log lines across services. */
export function requestIdOf(headers: http.IncomingHttpHeaders): string {
  const given = headers["x-request-id"];
  return (Array.isArray(given) ? given.join(", ") : given) ?? randomUUID();
}

/** Listens on `host`:`port` (0: any free port) and resolves with the port taken. */
export async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new DependencyUnavailableError("port", `${host}:${port}`, "address already in use")
          : error,
      ),
    );
    server.listen(port, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}
