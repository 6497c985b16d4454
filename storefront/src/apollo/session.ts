/**
 * The signed-in session in the browser: the access token for requests and the single-use refresh
 * token for the next pair (AuthPayload). Kept in localStorage so a reload stays signed in; a
 * starter's trade-off (an httpOnly cookie set by a backend-for-frontend is stricter against XSS).
 *
 * `refresh()` is single-flight: many requests failing at once with an expired token share one
 * `refreshSession` call, since a refresh token used twice revokes the whole session.
 */
export interface SessionUser {
  id: string;
  name: string;
  email: string;
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds after which the access token is no longer accepted. */
  expiresAt: number;
  user: SessionUser;
}

export interface AuthPayloadLike {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: SessionUser;
}

export type SessionState =
  { status: "signedOut"; expired: boolean } | { status: "signedIn"; user: SessionUser } | { status: "unknown" };

type Refresher = (refreshToken: string) => Promise<AuthPayloadLike>;

const storageKey = "storefront.session";
/** Refresh a little before the server would refuse the token, so requests seldom see a 401. */
const refreshMarginMs = 15_000;

export class Session {
  private tokens: SessionTokens | null = null;
  private expired = false;
  private inFlight: Promise<boolean> | null = null;
  private readonly listeners = new Set<() => void>();
  private snapshot: SessionState = { status: "unknown" };

  constructor(
    private readonly refresher: Refresher,
    private readonly storage: Storage | null = typeof localStorage === "undefined" ? null : localStorage,
  ) {
    try {
      const stored = this.storage?.getItem(storageKey);
      this.tokens = stored ? (JSON.parse(stored) as SessionTokens) : null;
    } catch {
      this.tokens = null;
    }
    this.snapshot = this.computeState();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** For useSyncExternalStore: the same object until something changes. */
  getState = (): SessionState => this.snapshot;

  get user(): SessionUser | null {
    return this.tokens?.user ?? null;
  }

  signIn(payload: AuthPayloadLike): void {
    this.expired = false;
    this.store({
      accessToken: payload.accessToken,
      refreshToken: payload.refreshToken,
      expiresAt: Date.now() + payload.expiresIn * 1000,
      user: payload.user,
    });
  }

  /** Forgets the tokens; `expired` tells the pages to say the session ran out. */
  signOut(options: { expired?: boolean } = {}): void {
    this.expired = options.expired ?? false;
    this.store(null);
  }

  get refreshToken(): string | null {
    return this.tokens?.refreshToken ?? null;
  }

  /** The access token to send now, refreshed first when it is (about to be) out of date. */
  async accessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (this.tokens.expiresAt - refreshMarginMs <= Date.now()) await this.refresh();
    return this.tokens?.accessToken ?? null;
  }

  /** Gets a new pair; on failure the shopper is signed out and asked to sign in again. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.refreshOnce().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async refreshOnce(): Promise<boolean> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return false;
    try {
      this.signIn(await this.refresher(refreshToken));
      return true;
    } catch {
      this.signOut({ expired: true });
      return false;
    }
  }

  private store(tokens: SessionTokens | null): void {
    this.tokens = tokens;
    try {
      if (tokens) this.storage?.setItem(storageKey, JSON.stringify(tokens));
      else this.storage?.removeItem(storageKey);
    } catch {
      // Private browsing may refuse storage: the session then lasts as long as the page.
    }
    this.snapshot = this.computeState();
    for (const listener of this.listeners) listener();
  }

  private computeState(): SessionState {
    return this.tokens
      ? { status: "signedIn", user: this.tokens.user }
      : { status: "signedOut", expired: this.expired };
  }
}
