import DataLoader from "dataloader";
import { routerSignatureHeader, signRouterRequest } from "../auth/routerCredential";

export interface EntityClientOptions {
  /** The owning subgraph's GraphQL endpoint. */
  url: string;
  typename: string;
  /** Fields to fetch, as GraphQL selection text (`id sku name`). */
  selection: string;
  /** Headers of the request being served (its Authorization), so the owner authorizes as usual. */
  headers?: Record<string, string>;
  /** ROUTER_SIGNING_SECRET: subgraphs answer only requests signed with it, as the router signs them. */
  signingSecret: string;
  timeoutMs?: number;
}

/** The owning subgraph could not be asked; not the client's fault. */
export class EntityLookupError extends Error {
  override name = "EntityLookupError";
}

/**
 * Asks the subgraph that owns an entity for it directly, by id, with federation's `_entities`
 * field: the fallback when a local read model has not heard of an entity yet (its event is
 * still on the way). Lookups in one tick go out as one request, signed as the router signs its
 * own (the owner answers nothing else).
 */
export function entityLoader<T extends { id: string }>(options: EntityClientOptions): DataLoader<string, T | null> {
  const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${options.typename} { ${options.selection} } } }`;
  return new DataLoader<string, T | null>(
    async (ids) => {
      let response: Response;
      const request = JSON.stringify({
        query,
        variables: { representations: ids.map((id) => ({ __typename: options.typename, id })) },
      });
      try {
        response = await fetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...options.headers,
            [routerSignatureHeader]: signRouterRequest(options.signingSecret, request),
          },
          body: request,
          signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
        });
      } catch (error) {
        throw new EntityLookupError(`cannot reach ${options.url}: ${(error as Error).message}`);
      }
      const body = (await response.json().catch(() => ({}))) as {
        data?: { _entities?: Array<T | null> };
        errors?: Array<{ message: string }>;
      };
      const entities = body.data?._entities;
      if (!response.ok || !entities) {
        throw new EntityLookupError(
          `${options.url} answered ${response.status}: ${body.errors?.[0]?.message ?? "no entities"}`,
        );
      }
      return ids.map((_, index) => entities[index] ?? null);
    },
    { maxBatchSize: 200 },
  );
}
