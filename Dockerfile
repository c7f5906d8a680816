# syntax=docker/dockerfile:1
# customer-sync as a container image, for jobs/k8s-indexed-job.yaml or `docker run`. Build from the project root:
#   docker build -t customer-sync .
# better-sqlite3 compiles from source where no prebuilt binary can be fetched, so the build stages carry python3, make
# and g++; the final image holds Node, the production dependencies and the compiled CLI, and runs as a non-root user.
# The checkpoint and the reports live on the volume /var/lib/customer-sync, the working folder, where the defaults
# (.customer-sync/checkpoint.sqlite, reports/<run-id>/) land:
#   docker run --rm -v cs-state:/var/lib/customer-sync -v "$PWD/exports:/data:ro" --env-file fluent.env \
#     customer-sync sync /data/customers.csv --config /app/jobs/nightly.json
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# The compiled CLI: every dependency (TypeScript too); npm ci's prepare script runs the build into dist/.
FROM toolchain AS build
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm ci --no-audit --no-fund

# Production dependencies only. Scripts are off so prepare (which needs TypeScript) does not run; then better-sqlite3's
# own install script builds its native module.
FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
RUN groupadd --system --gid 10001 customer-sync \
  && useradd --system --uid 10001 --gid customer-sync --home-dir /var/lib/customer-sync --no-create-home \
    --shell /usr/sbin/nologin customer-sync \
  && install -d -m 700 -o customer-sync -g customer-sync /var/lib/customer-sync
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY jobs ./jobs
# The sandbox (`customer-sync sandbox`, --sandbox) builds its schema from these.
COPY fixtures/fluent-customer-schema.graphql fixtures/fluent-access-schema.graphql ./fixtures/
USER customer-sync
WORKDIR /var/lib/customer-sync
VOLUME ["/var/lib/customer-sync"]
ENTRYPOINT ["/app/bin/customer-sync"]
CMD ["--help"]
