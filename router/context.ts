import type { Logger } from "../subgraphs/common/logger";

/** What the router knows about a request; subgraph requests carry parts of it along. */
export interface RouterContext {
  requestId: string;
  logger: Logger;
  /** The caller's `Authorization` header, forwarded to every subgraph. */
  authorization?: string;
}
