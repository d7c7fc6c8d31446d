# syntax=docker/dockerfile:1
# Guanxi CRM: one Node process, SQLite file in /data.
#   docker build -t guanxi .
#   docker run -d -p 3000:3000 -v guanxi-data:/data --name guanxi guanxi
# Optional: SESSION_SECRET (≥32 chars; otherwise one is generated and kept in /data),
# COOKIE_SECURE=1 behind HTTPS, TRUST_PROXY=1 behind a reverse proxy, LOG_LEVEL.
ARG NODE_VERSION=24

# ---- build: install dependencies (native modules), copy browser assets, drop dev dependencies ----
FROM node:${NODE_VERSION}-bookworm-slim AS build
# better-sqlite3 and @node-rs/argon2 ship prebuilt binaries; these are the node-gyp fallback.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
# postinstall (`tsx scripts/copy-assets.ts`) imports src/paths.ts and writes public/vendor,
# so the sources must be in place before `npm ci`.
COPY scripts ./scripts
COPY src ./src
COPY views ./views
COPY public ./public
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund \
 && node -e "new (require('better-sqlite3'))(':memory:').close(); require('@node-rs/argon2')" \
 && test -f public/vendor/htmx.min.js

# ---- runtime ----
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
# App files stay root-owned (read-only to the app); only /data is writable by the node user.
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src ./src
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/scripts ./scripts
# chown before VOLUME: changes made to a volume path after its declaration are discarded.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
# No curl in slim images: node's own fetch. PORT follows the environment if it is overridden.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm or the tsx CLI, which would each add a process between Docker's
# SIGTERM and the app): server.ts handles SIGTERM/SIGINT by draining requests and closing the database.
# Migrations run at start-up.
CMD ["node", "--max-semi-space-size=32", "--import", "tsx", "src/server.ts"]
