# Curbside's production image (Debian bookworm, multi-stage).
# The build stage compiles a release build of `curbside` (which embeds the
# OpenAPI document, the migrations and SQL functions, and the Redoc bundle from web/); the
# runtime stage holds only the shared libraries the binary links against and
# runs it as the unprivileged user `curbside`.
#
# No HEALTHCHECK: the slim image has no HTTP client and curl would add a second
# TLS stack for nothing. Probe GET /healthz (alive) and GET /readyz (database
# reachable) from outside instead, as orchestrators and load balancers do.

FROM debian:bookworm AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gcc libc6-dev meson ninja-build pkg-config python3 nodejs npm ca-certificates \
      libulfius-dev libjansson-dev libjwt-dev libcurl4-gnutls-dev libyder-dev liborcania-dev \
      libmicrohttpd-dev libgnutls28-dev libargon2-dev libhpdf-dev libqrencode-dev \
      libjpeg62-turbo-dev libpng-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*

# The docs UI bundle, in its own layer: cached while the lock file is unchanged.
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund

WORKDIR /src
COPY . .
RUN meson setup /build --buildtype=release \
 && ninja -C /build

FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libulfius2.7 libjansson4 libjwt0 libcurl3-gnutls libyder2.0 liborcania2.3 \
      libmicrohttpd12 libgnutls30 libargon2-1 libhpdf-2.3.0 libqrencode4 libjpeg62-turbo \
      libpng16-16 libpq5 tzdata ca-certificates \
      fonts-dejavu-core fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin curbside

COPY --from=build /build/curbside /usr/local/bin/curbside

USER curbside
ENV CURBSIDE_LISTEN=0.0.0.0:8080 \
    CURBSIDE_ENV=production
EXPOSE 8080
ENTRYPOINT ["curbside"]
CMD ["serve"]
