# faqbot container image.
#   docker build -t faqbot .
#   docker run -e DISCORD_TOKEN=... -v faqbot-data:/data faqbot
# The shipped FAQ is at /app/faq.toml; mount your own over it to edit content.

FROM rust:1-slim-bookworm AS builder
WORKDIR /src
# Dependencies first, in their own layer, so editing the code or the FAQ
# does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && echo 'fn main() {}' > benches/answer.rs \
    && cargo build --release --locked --bin faqbot \
    && rm -rf src benches
COPY src ./src
COPY benches ./benches
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin faqbot

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /data faqbot \
    && mkdir -p /data /app && chown faqbot /data
COPY --from=builder /src/target/release/faqbot /usr/local/bin/faqbot
COPY faq.toml /app/faq.toml
ENV FAQBOT_FAQ=/app/faq.toml
# The question log and its key live on the volume.
ENV FAQBOT_DB=/data/faqbot.db
USER faqbot
WORKDIR /data
VOLUME ["/data"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["faqbot"]
CMD ["run"]
