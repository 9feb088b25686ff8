# vantio-signup relay: widget bundles, admin dashboard and the relay in one image.
#   docker build -t vantio-relay .
#   docker run -d -p 8787:8787 -v vantio-data:/data \
#     -e VANTIO_API_URL=https://vantio.app -e VANTIO_SECRET_KEY=sk_live_… \
#     -e RELAY_ADMIN_TOKEN=… -e RELAY_ALLOWED_ORIGINS=https://club.example.edu vantio-relay
# See docs/operations.md (reverse proxy, TLS, backups, metrics).

# ---- build: dev dependencies, native module, bundles, the relay bundle ----
FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 falls back to compiling from source when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY relay/package.json relay/
COPY widget/package.json widget/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
COPY . .
# The widget bundles, the admin dashboard and relay/dist/main.js (the relay bundled by esbuild).
RUN npm run build
# Only production dependencies go to the runtime image.
RUN npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime ----
FROM node:20-slim
ENV NODE_ENV=production \
    RELAY_HOST=0.0.0.0 \
    RELAY_PORT=8787 \
    RELAY_DB=/data/relay.sqlite
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# The database lives on a volume owned by the unprivileged `node` user (uid 1000).
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8787
# No curl in slim images: Node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.RELAY_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node as PID 1, no npm in between: SIGTERM reaches the relay, which drains and stops.
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=128", "relay/dist/main.js"]
