export interface GraphQLResponse<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface RequestOptions {
  variables?: Record<string, unknown>;
  token?: string;
  headers?: Record<string, string>;
}

/** Posts one GraphQL operation over HTTP, as a client would. */
export async function graphql<Data = Record<string, unknown>>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
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
