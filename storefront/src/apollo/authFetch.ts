import type { Session } from "./session";

/**
 * `fetch` for the HTTP link: adds the access token, and when the router answers 401
 * (UNAUTHENTICATED: the token expired or was revoked) refreshes the session once and repeats the
 * request with the new token. If the refresh fails too, the session is closed as expired and the
 * 401 goes back to the page, which asks the shopper to sign in again.
 */
export function authenticatedFetch(session: Session, baseFetch: typeof fetch = fetch): typeof fetch {
  const send = (input: RequestInfo | URL, init: RequestInit | undefined, token: string | null) => {
    const headers = new Headers(init?.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    else headers.delete("authorization");
    return baseFetch(input, { ...init, headers });
  };
  return async (input, init) => {
    const token = await session.accessToken();
    const response = await send(input, init, token);
    if (response.status !== 401 || !token) return response;
    if (!(await session.refresh())) return response;
    return send(input, init, await session.accessToken());
  };
}
