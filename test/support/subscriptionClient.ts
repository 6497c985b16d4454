import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface Received {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A graphql-ws client on the router's /graphql, as a storefront would open it. */
export function subscriptionClient(
  httpUrl: string,
  token?: string,
  options: { onClosed?: (event: { code: number; reason: string }) => void } = {},
): Client {
  return createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => options.onClosed?.(event as { code: number; reason: string }) },
  });
}

/** Subscribes and collects what arrives (and when: `arrivals`, for order updates); `stop` unsubscribes. */
export function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const messages: Received[] = [];
  const arrivals: Array<{ orderId: string; status: string; at: number }> = [];
  let error: unknown;
  let completed = false;
  const stop = client.subscribe<Record<string, any>>(
    { query, variables },
    {
      next: (message) => {
        const at = Date.now();
        messages.push(message as Received);
        const order = Object.values((message as Received).data ?? {})[0] as
          { id?: string; status?: string } | undefined;
        if (order?.id && order.status) arrivals.push({ orderId: order.id, status: order.status, at });
      },
      error: (cause) => {
        error = cause;
      },
      complete: () => {
        completed = true;
      },
    },
  );
  return {
    messages,
    arrivals,
    stop,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
  };
}
