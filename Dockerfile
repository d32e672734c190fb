# syntax=docker/dockerfile:1
# csms in a container: a Debian 12 build stage (the project's own dependency
# script, a Release build), then a runtime stage with only the shared libraries
# and the binaries, running as an unprivileged user with its state in a volume.
#   docker build -t csms .
#   docker compose -f deploy/docker-compose.yml up -d
FROM debian:12-slim AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
# The project's own dependency list (the same as a developer machine's).
RUN bash scripts/install-deps.sh git ca-certificates && rm -rf /var/lib/apt/lists/*
COPY . .
# .git stays out of the context: pass the version (docker build --build-arg
# CSMS_VERSION=$(git describe --tags --always)), else the project version is used.
ARG CSMS_VERSION=""
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCSMS_TESTS=OFF \
      -DCSMS_VERSION="${CSMS_VERSION}" \
 && cmake --build build -j "$(nproc)" --target csms csmsctl ocpp-sim \
 && install -m 0755 build/bin/csms build/bin/csmsctl build/bin/ocpp-sim /usr/local/bin/

FROM debian:12-slim AS runtime
# The shared libraries the binaries link (ldd: libssl/libcrypto, SQLite, fmt,
# libmodbus; Boost is header-only here), tzdata for site time zones.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libssl3 libsqlite3-0 libfmt9 libmodbus5 tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system csms \
 && useradd --system --gid csms --home-dir /var/lib/csms --shell /usr/sbin/nologin csms \
 && install -d -o csms -g csms -m 0700 /var/lib/csms \
 && install -d -m 0755 /etc/csms
COPY --from=build /usr/local/bin/csms /usr/local/bin/csmsctl /usr/local/bin/ocpp-sim /usr/local/bin/
COPY deploy/container.json /etc/csms/csms.json
USER csms
WORKDIR /var/lib/csms
VOLUME ["/var/lib/csms"]
# OCPP websocket, admin API (bound to all interfaces inside the container: publish
# it on the host's loopback only), station uploads.
EXPOSE 8180 8181 8182
HEALTHCHECK --interval=30s --timeout=5s CMD csmsctl --url http://127.0.0.1:8181 version > /dev/null || exit 1
ENTRYPOINT ["/usr/local/bin/csms"]
CMD ["--config", "/etc/csms/csms.json"]
