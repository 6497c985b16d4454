import {
  developmentRouterSigningSecret,
  routerSignatureHeader,
  signRouterRequest,
} from "../../subgraphs/common/auth/routerCredential";

export interface GraphQLResponse<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
  /**
   * Sign the body as the router does (on by default), so a test may call a subgraph directly;
   * the router ignores the header. `false` sends the request as any client would write it.
   */
  signed?: boolean;
}

/** The secret test services sign with: the environment's, or the development default they start with. */
export const testRouterSigningSecret = process.env.ROUTER_SIGNING_SECRET || developmentRouterSigningSecret;

/** The router credential for `body`: what a test adds to call a subgraph directly. */
export function routerSignature(body: string): Record<string, string> {
  return { [routerSignatureHeader]: signRouterRequest(testRouterSigningSecret, body) };
}

/** Posts one GraphQL operation over HTTP, as a client would (signed as the router signs, unless told not to). */
export async function graphql<Data = Record<string, unknown>>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<GraphQLResponse<Data>> {
  const body = JSON.stringify({ query, variables: options.variables ?? {} });
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.signed === false ? {} : routerSignature(body)),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body,
  });
  return (await response.json()) as GraphQLResponse<Data>;
}

/** Like `graphql`, but fails the test with the errors when there are any. */
export async function graphqlData<Data = Record<string, any>>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<Data> {
  const result = await graphql<Data>(url, query, options);
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors ?? result, null, 2)}`);
  }
  return result.data;
}
