import { z } from "zod";
import { env, runtimeEnvironment } from "../../subgraphs/common/environment";

/** The storefront server's settings (documented in .env.example). */
export const storefrontEnvironment = z.object({
  NODE_ENV: runtimeEnvironment.shape.NODE_ENV,
  /** Where the storefront listens; `npm start` prints its URL beside the router's. */
  STOREFRONT_PORT: env.port(3000),
  STOREFRONT_HOST: z.string().default("0.0.0.0"),
  /** The router's GraphQL endpoint as the storefront server reaches it (server-side rendering). */
  ROUTER_URL: env.url("http://localhost:4000/graphql"),
  /** The router's endpoint as shoppers' browsers reach it; ROUTER_URL when unset. */
  STOREFRONT_PUBLIC_ROUTER_URL: z.url().optional(),
  /**
   * `built` serves `npm run storefront:build`'s output (production, tests); `vite` compiles on
   * the fly for development. Defaults to `vite` in development, `built` otherwise.
   */
  STOREFRONT_RENDER: z.enum(["vite", "built"]).optional(),
});

export type StorefrontEnvironment = z.infer<typeof storefrontEnvironment>;
