# faqbot container image.
#   docker build -t faqbot .
#   docker run -e DISCORD_TOKEN=... -v faqbot-data:/data faqbot
# The shipped FAQ is at /app/faq.toml; mount your own over it to edit content
# (`docker run --rm -v "$PWD/faq.toml:/app/faq.toml:ro" faqbot check`).
# Any other subcommand works the same way: `docker run --rm faqbot ask "..."`.
# scripts/container-check.sh builds and smoke-tests this file without Docker.

FROM rust:1-slim-bookworm AS builder
WORKDIR /src
# Dependencies first, in their own layer, so editing the code or the FAQ
# does not rebuild them. Cargo refuses a manifest whose targets are missing,
# so the stub has the library, the binary and every [[bench]] in Cargo.toml.
# The stub's own build outputs are deleted afterwards so that the real build
# below always recompiles the crate, whatever the copied files' timestamps.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && for bench in answer discord store; do echo 'fn main() {}' > "benches/$bench.rs"; done \
    && cargo build --release --locked --bin faqbot \
    && rm -rf src benches \
        target/release/faqbot target/release/faqbot.d \
        target/release/.fingerprint/faqbot-* \
        target/release/deps/faqbot-* target/release/deps/libfaqbot-*
COPY src ./src
COPY benches ./benches
RUN cargo build --release --locked --bin faqbot

FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="faqbot" \
      org.opencontainers.image.description="A Discord FAQ bot for a skin clinic: sourced microneedling answers, honest no-match replies and red-flag triage." \
      org.opencontainers.image.licenses="MIT"
# Only CA certificates on top of slim Debian; the binary needs nothing else
# (SQLite is built in). A fixed numeric UID/GID so that volume ownership is
# predictable and Kubernetes' runAsNonRoot can verify the user.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 faqbot \
    && useradd --uid 10001 --gid faqbot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin faqbot \
    && mkdir -p /data /app \
    && chown faqbot:faqbot /data
COPY --from=builder /src/target/release/faqbot /usr/local/bin/faqbot
COPY faq.toml /app/faq.toml
# The sentence encoder: read at start-up, never downloaded.
COPY models/minilm-l6 /app/models/minilm-l6
# The question log and its key live on the volume, and so does the phrasing
# vector cache (a restart then skips embedding the FAQ). The health file is
# rewritten by the running bot every 5 s and read by `faqbot health`; with a
# read-only root filesystem, mount a tmpfs on /tmp.
ENV FAQBOT_FAQ=/app/faq.toml \
    FAQBOT_MODEL=/app/models/minilm-l6 \
    FAQBOT_CACHE_DIR=/data/cache \
    FAQBOT_DB=/data/faqbot.db \
    FAQBOT_HEALTH_FILE=/tmp/faqbot.health
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["faqbot", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["faqbot"]
CMD ["run"]
