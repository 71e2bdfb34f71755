# lossbot: the bot, installed exactly as CI installs it (pip -c constraints.txt), with the PostgreSQL driver.
# Build: docker build -t lossbot .   Run: see compose.yaml and the README ("Docker").
# The Python of constraints.txt (it was resolved with 3.11).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-cache-dir -q -c constraints.txt '.[postgres]' \
    && useradd --system --home-dir /data --create-home lossbot

# SQLite (one instance) lives in the volume; compose.yaml sets DATABASE_URL to its PostgreSQL instead.
# The HTTP server (webhook, /healthz, /metrics) listens on every interface of the container.
ENV DATABASE_URL=sqlite:////data/lossbot.db LISTEN_HOST=0.0.0.0 LISTEN_PORT=8080
VOLUME /data
WORKDIR /data
USER lossbot
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=10s --start-period=60s \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=8).status != 200)"

ENTRYPOINT ["lossbot"]
CMD ["run"]
