import { guestCartToken } from "../guestCartToken";
import { guestOrderKey, rememberGuestOrder } from "../guestOrders";

/** The browser's localStorage, as far as these modules use it (tests run in Node). */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

describe("what a guest keeps in the browser", () => {
  beforeEach(() => {
    Object.defineProperty(globalThis, "localStorage", { value: new MemoryStorage(), configurable: true });
  });
  afterAll(() => {
    Reflect.deleteProperty(globalThis, "localStorage");
  });

  it("keeps the cart token, tells listeners when it changes, and forgets it", () => {
    const changes: Array<string | null> = [];
    const unsubscribe = guestCartToken.subscribe(() => changes.push(guestCartToken.get()));
    expect(guestCartToken.get()).toBeNull();
    guestCartToken.set("secret-token");
    expect(guestCartToken.get()).toBe("secret-token");
    guestCartToken.set(null);
    expect(guestCartToken.get()).toBeNull();
    unsubscribe();
    guestCartToken.set("another");
    expect(changes).toEqual(["secret-token", null]);
  });

  it("finds a guest's orders by id, keeping the last ten", () => {
    for (let index = 1; index <= 12; index += 1)
      rememberGuestOrder(`order-${index}`, { number: `N-${index}`, email: "guest@example.com" });
    expect(guestOrderKey("order-12")).toEqual({ number: "N-12", email: "guest@example.com" });
    expect(guestOrderKey("order-3")).toEqual({ number: "N-3", email: "guest@example.com" });
    expect(guestOrderKey("order-2")).toBeNull();
    expect(guestOrderKey("order-1")).toBeNull();
    // Remembered again, an order moves to the newest place instead of taking two.
    rememberGuestOrder("order-3", { number: "N-3", email: "guest@example.com" });
    rememberGuestOrder("order-13", { number: "N-13", email: "guest@example.com" });
    expect(guestOrderKey("order-3")).not.toBeNull();
    expect(guestOrderKey("order-4")).toBeNull();
  });
});
