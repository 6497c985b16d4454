import type { Caller } from "../subgraphs/common/auth/caller";
import type { Logger } from "../subgraphs/common/logger";

/** What the router knows about a request; subgraph requests carry parts of it along. */
export interface RouterContext {
  requestId: string;
  logger: Logger;
  /** The verified caller, or null; subgraphs verify the forwarded token again themselves. */
  caller: Caller | null;
  /** Headers passed on to every subgraph request: identity, trace context, client address. */
  forwardedHeaders: Record<string, string>;
}
