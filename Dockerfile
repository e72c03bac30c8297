# Build the release binary, then run it on a slim image with the database on a volume.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY migrations migrations
COPY data data
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/claimtrail claimtrail \
    && mkdir -p /var/lib/claimtrail && chown claimtrail /var/lib/claimtrail
COPY --from=build /src/target/release/claimtrail /usr/local/bin/claimtrail
USER claimtrail
WORKDIR /var/lib/claimtrail
ENV CLAIMTRAIL_BIND=0.0.0.0:8080 \
    CLAIMTRAIL_DATABASE=/var/lib/claimtrail/claimtrail.db
EXPOSE 8080
VOLUME ["/var/lib/claimtrail"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["claimtrail"]
CMD ["serve"]
