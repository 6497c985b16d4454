import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper";
import type { Express } from "express";
import type { JWTVerifyGetKey } from "jose";
import type { Caller } from "../auth/caller";
import type { SessionRevocations } from "../auth/sessionRevocations";
import type { DocumentNode } from "graphql";
import type { JetStreamClient, JetStreamManager, NatsConnection } from "nats";
import type { Redis } from "ioredis";
import type { DatabaseOptions, PrismaLike, SqlExecutor, TransactionClientOf } from "../database/prismaOptions";
import type { z } from "zod";
import type { SubgraphEnvironment } from "../environment";
import type { AnyEventHandler, EventConsumer } from "../events/eventConsumer";
import type { EventEnvelope } from "../events/envelope";
import type { OutboxRelay } from "../events/outboxRelay";
import type { UnitOfWork } from "../events/unitOfWork";
import type { Logger } from "../logger";
import type { ServiceMetrics } from "../metrics";
import type { ServiceName } from "../serviceNames";
import type { WorkerName } from "../workerNames";
import type { GraphQLExchange } from "./exchange";

/** The settings every subgraph has: the shared ones and the port it listens on. */
export interface SubgraphSettings extends SubgraphEnvironment {
  PORT: number;
}

/** Everything a running subgraph holds: its connections and the event plumbing around them. */
export interface SubgraphRuntime<Db, Env extends SubgraphSettings = SubgraphSettings> {
  name: ServiceName;
  env: Env;
  logger: Logger;
  metrics: ServiceMetrics;
  databaseUrl: string;
  db: Db;
  nats: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  redis: Redis;
  relay: OutboxRelay;
  unitOfWork: UnitOfWork<TransactionClientOf<Db>>;
  /**
   * A unit of work in a transaction of our own on the pool (`sql(tx)` and raw queries only, no
   * Prisma models), at a fraction of the CPU of Prisma's interactive transaction; absent when
   * the database client shares no pool.
   */
  sqlUnitOfWork?: UnitOfWork<SqlExecutor>;
  revocations: SessionRevocations;
  consumers: EventConsumer<TransactionClientOf<Db>>[];
}

/** A background job of a service (a poller, a scheduler): started after the consumers, stopped before them. */
export interface BackgroundWorker {
  readonly name: WorkerName;
  start(): void;
  stop(): Promise<void>;
  isRunning(): boolean;
  /** Works now rather than at the next interval: a commit made work due. */
  wake?(): void;
}

/** What every request's context holds; services add their own loaders and helpers. */
export interface BaseContext {
  requestId: string;
  logger: Logger;
  /** The verified caller; null for an anonymous request. */
  caller: Caller | null;
  /** The client's address (through trusted proxies), for rate limits. */
  clientAddress: string;
}

/**
 * One subgraph: its schema and resolvers, its database, its event handlers and its request
 * context. `startSubgraph` turns a definition into a running service.
 */
export interface SubgraphDefinition<
  Db extends PrismaLike,
  Context extends BaseContext,
  Env extends SubgraphSettings = SubgraphSettings,
> {
  name: ServiceName;
  /** The service's settings, validated at start (its `environment.ts`). */
  environment: z.ZodType<Env>;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context> | object;
  createDatabase(databaseUrl: string, options: DatabaseOptions): Db;
  createContext(
    runtime: SubgraphRuntime<Db, Env>,
    base: BaseContext,
    request: GraphQLExchange,
  ): Context | Promise<Context>;
  eventHandlers?: ReadonlyArray<AnyEventHandler<TransactionClientOf<Db>>>;
  /** Runs once the connections are open, before the service accepts requests. */
  onStart?(runtime: SubgraphRuntime<Db, Env>): Promise<void>;
  /** Called after every commit that wrote events, with those events (live notifications). */
  onEventsCommitted?(runtime: SubgraphRuntime<Db, Env>, events: readonly EventEnvelope[]): void;
  /** Background jobs, such as the payment-window watcher or the payment attempts. */
  workers?(runtime: SubgraphRuntime<Db, Env>): BackgroundWorker[];
  /** Public keys to verify access tokens with; by default the users service's JWKS. */
  verificationKeys?(runtime: SubgraphRuntime<Db, Env>): JWTVerifyGetKey;
  /** Extra HTTP routes beside /graphql, health and metrics. */
  routes?(app: Express, runtime: SubgraphRuntime<Db, Env>): void;
}

/** Declares a subgraph with its types inferred. */
export function defineSubgraph<Db extends PrismaLike, Context extends BaseContext, Env extends SubgraphSettings>(
  definition: SubgraphDefinition<Db, Context, Env>,
): SubgraphDefinition<Db, Context, Env> {
  return definition;
}
