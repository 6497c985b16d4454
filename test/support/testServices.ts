import type { RunningRouter } from "../../router";
import type { RunningSubgraph } from "../../subgraphs/common/server/startSubgraph";
import type { ServiceName } from "../../subgraphs/common/serviceNames";
import { inventoryService, type InventoryDb } from "../../subgraphs/inventory";
import { createNotificationsService, type NotificationsDb, type Transports } from "../../subgraphs/notifications";
import { ordersService, type OrdersDb } from "../../subgraphs/orders";
import { createPaymentsService, type SimulatedPaymentProvider, type PaymentsDb } from "../../subgraphs/payments";
import { productsService, type ProductsDb } from "../../subgraphs/products";
import { type UsersEnvironment, createUsersService, type UsersDb } from "../../subgraphs/users";
import { newTestId } from "./testNames";
import { startTestRouter } from "./testRouter";
import { cleanUpTest, startTestSubgraph } from "./testSubgraph";

export interface RunningServices {
  users: RunningSubgraph<UsersDb, UsersEnvironment>;
  products: RunningSubgraph<ProductsDb>;
  inventory: RunningSubgraph<InventoryDb>;
  orders: RunningSubgraph<OrdersDb>;
  /** With the simulated provider it talks to, whose log tests read. */
  payments: RunningSubgraph<PaymentsDb> & { provider: SimulatedPaymentProvider };
  notifications: RunningSubgraph<NotificationsDb>;
}

const start: {
  [N in ServiceName]: (
    testId: string,
    overrides: Record<string, string>,
    options: StartOptions,
  ) => Promise<RunningServices[N]>;
} = {
  users: (testId, overrides) => startTestSubgraph(createUsersService(), testId, overrides),
  products: (testId, overrides) => startTestSubgraph(productsService, testId, overrides),
  inventory: (testId, overrides) => startTestSubgraph(inventoryService, testId, overrides),
  orders: (testId, overrides) => startTestSubgraph(ordersService, testId, overrides),
  payments: async (testId, overrides) => {
    const definition = createPaymentsService();
    return Object.assign(await startTestSubgraph(definition, testId, overrides), {
      provider: definition.provider as SimulatedPaymentProvider,
    });
  },
  notifications: (testId, overrides, options) =>
    startTestSubgraph(createNotificationsService({ transports: options.notificationTransports }), testId, overrides),
};

export type TestServices<N extends ServiceName> = Pick<RunningServices, N | "users"> & {
  testId: string;
  /** The router in front of them, when asked for. */
  router: RunningRouter;
  /** Settings every service and the router share: where the users service's keys are. */
  shared: Record<string, string>;
  cleanUp(): Promise<void>;
};

export interface StartOptions {
  router?: boolean;
  /** Settings for every service (not the router). */
  common?: Record<string, string>;
  /** Extra settings per service. */
  settings?: Partial<Record<ServiceName | "router", Record<string, string>>>;
  /** Transports the notifications service sends through instead of its own (a recorder of texts and pushes). */
  notificationTransports?: Partial<Transports>;
}

/**
 * Starts the named subgraphs in this process, always with the users service (first, since every
 * other one verifies tokens with its keys), and, unless told otherwise, the router in front.
 */
export async function startServices<N extends ServiceName>(
  names: readonly N[],
  options: StartOptions = {},
): Promise<TestServices<N>> {
  const testId = newTestId();
  const running: Partial<RunningServices> = {};
  let router: RunningRouter | undefined;
  let result: TestServices<N> | undefined;
  const cleanUp = async () => {
    await router?.stop();
    // A test may have replaced a service (a restart); clean up what the result holds now.
    const holder = (result ?? running) as unknown as Record<string, RunningSubgraph<unknown> | undefined>;
    const current = [...new Set<string>(["users", ...names])].map((name) => holder[name]);
    await cleanUpTest(testId, current as Array<RunningSubgraph<unknown>>);
  };
  try {
    const users = await start.users(testId, { ...options.common, ...options.settings?.users }, options);
    running.users = users;
    const shared: Record<string, string> = {
      ...options.common,
      USERS_JWKS_URL: new URL("/.well-known/jwks.json", users.url).toString(),
      REDIS_KEY_PREFIX: `${testId}:`,
    };
    shared.USERS_URL = users.url;
    // Services that look products and stock up directly (read-your-writes) need their URLs first.
    if ((names as readonly string[]).includes("products")) {
      running.products = await start.products(testId, { ...shared, ...options.settings?.products }, options);
      shared.PRODUCTS_URL = running.products.url;
    }
    if ((names as readonly string[]).includes("inventory")) {
      running.inventory = await start.inventory(testId, { ...shared, ...options.settings?.inventory }, options);
      shared.INVENTORY_URL = running.inventory.url;
    }
    const others = names.filter((name) => !["users", "products", "inventory"].includes(name));
    await Promise.all(
      others.map(async (name) => {
        (running as Record<string, unknown>)[name] = await start[name](
          testId,
          { ...shared, ...options.settings?.[name] },
          options,
        );
      }),
    );
    if (options.router !== false) {
      const urls = Object.fromEntries(
        Object.entries(running).map(([name, service]) => [name, (service as RunningSubgraph<unknown>).url]),
      );
      router = await startTestRouter(urls, {
        USERS_JWKS_URL: shared.USERS_JWKS_URL!,
        REDIS_KEY_PREFIX: shared.REDIS_KEY_PREFIX!,
        ...options.settings?.router,
      });
    }
    result = {
      ...(running as Pick<RunningServices, N | "users">),
      testId,
      router: router as RunningRouter,
      shared,
      cleanUp,
    };
    return result;
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
