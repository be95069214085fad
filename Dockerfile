# syntax=docker/dockerfile:1
# One image for Sapa's gateway, worker and dashboard; docker-compose.yml picks the command.
# TypeScript runs through tsx (as in development), so there is no separate compile step except the
# dashboard's Vite build.

# --- deps: install from the lockfile. Only the manifests are copied first, so source changes don't
# invalidate the (slow) npm ci layer.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY channels/package.json channels/
COPY gateway/package.json gateway/
COPY workflows/package.json workflows/
COPY dashboard/package.json dashboard/
COPY testkit/package.json testkit/
# Dev dependencies stay: tsx (the runtime for TypeScript), and Vite/Remix dev for the build below.
RUN npm ci --no-audit --no-fund && npm cache clean --force

# --- build: the dashboard's server and client bundles, and the prebuilt workflow bundle (the
# worker then starts without running webpack; docker-compose.yml points SAPA_WORKFLOW_BUNDLE at it).
FROM deps AS build
COPY . .
RUN npm run build -w @sapa/dashboard && npm run build -w @sapa/workflows

# --- runtime
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# Attachments (docker-compose mounts one volume here for gateway, worker and dashboard); a new
# named volume takes this folder's owner, so the node user can write to it.
RUN mkdir -p /data/media && chown node:node /data/media
# Never run as root inside the container.
USER node
EXPOSE 3100 3000
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
