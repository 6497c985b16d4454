import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from "react";
import type { Session, SessionState } from "./apollo/session";

const SessionContext = createContext<Session | null>(null);
const unknown: SessionState = { status: "unknown" };

export function SessionProvider({ session, children }: { session: Session | null; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The session object (null while rendering on the server). */
export function useSessionStore(): Session | null {
  return useContext(SessionContext);
}

/**
 * The session as pages see it. The server and the first (hydrating) render in the browser say
 * `unknown`, so the HTML matches; the stored session shows right after.
 */
export function useSession(): SessionState {
  const session = useContext(SessionContext);
  return useSyncExternalStore(session?.subscribe ?? noSubscribe, session?.getState ?? (() => unknown), () => unknown);
}

const noSubscribe = () => () => undefined;

/** False on the server and during hydration, true once the page runs in the browser. */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
