# syntax=docker/dockerfile:1
# Postmill: one image for the API and the delivery worker.
#   docker build -t postmill .
#   docker run postmill api       # PORT 8080
#   docker run postmill worker    # WORKER_PORT 9091: /healthz, /readyz, /metrics
# Build: pnpm installs the workspace from the lockfile and bundles each app (scripts/build-app.mjs:
# workspace packages inlined, third-party packages external); `pnpm deploy --prod` then gives each
# app its own production node_modules. The runtime stage holds only those two directories.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Corepack cannot fetch pnpm in every build environment; npm can. Keep in step with packageManager.
ARG PNPM_VERSION=10.34.9
RUN npm install --global "pnpm@${PNPM_VERSION}"
WORKDIR /src
# Dependencies first, from the lockfile alone, so source changes reuse this layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store pnpm fetch
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile --offline
RUN pnpm --filter @postmill/app-api --filter @postmill/app-worker run build
# --legacy: the workspace does not inject its packages (pnpm 10's default deploy needs that); the
# bundles inline the workspace packages anyway and need only the third-party dependencies.
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm --filter @postmill/app-api deploy --prod --legacy --offline /out/api \
 && pnpm --filter @postmill/app-worker deploy --prod --legacy --offline /out/worker \
 && test -f /out/api/dist/main.js && test -f /out/worker/dist/main.js

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=build --chown=0:0 /out/api /app/api
COPY --from=build --chown=0:0 /out/worker /app/worker
COPY --chmod=0755 infra/docker/entrypoint.sh /usr/local/bin/postmill-entrypoint
# The node image's unprivileged user, by number so Kubernetes' runAsNonRoot can verify it. The
# files stay owned by root: the process cannot change its own code.
USER 1000:1000
EXPOSE 8080 9091
ENTRYPOINT ["postmill-entrypoint"]
CMD ["api"]
