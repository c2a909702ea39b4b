# syntax=docker/dockerfile:1
# The API server. Configure it through the environment (see app/core/config.py):
#   DATABASE_URL  postgresql+asyncpg://user:password@host:5432/teikei, or the SQLite default below
#   JWT_SECRET    required: the image runs with ENVIRONMENT=production, which refuses the development key
#   ENVIRONMENT, LOG_LEVEL, LOG_JSON, DOCS_ENABLED, OPENAPI_ENABLED, METRICS_TOKEN,
#   RATE_LIMIT_STORAGE_URI (redis://... with replicas), PORT
# Start: migrations (alembic upgrade head), then uvicorn on 0.0.0.0:${PORT:-8000}. Replicas starting together
# take turns at the migrations (an advisory lock on PostgreSQL); the later ones find nothing to do. To migrate
# once per release instead, run `alembic upgrade head` as a one-shot job from this image before the rollout:
#   docker run --rm --entrypoint alembic -e DATABASE_URL=... <image> upgrade head

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
# Exactly the locked runtime dependencies, each file checked against its hash (`make lock` refreshes them).
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    DATABASE_URL=sqlite+aiosqlite:////data/teikei.db \
    PORT=8000
RUN groupadd --system --gid 10001 teikei \
    && useradd --system --uid 10001 --gid teikei --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin teikei \
    && install --directory --owner teikei --group teikei --mode 0750 /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/teikei
# The application runs from its source here (uvicorn and Alembic look in the working directory);
# Alembic needs its config and scripts beside it.
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
USER teikei:teikei
# The SQLite default lives here; mount a volume at /data to keep it across containers.
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=3)"
# exec: uvicorn replaces the shell as PID 1, so it receives SIGTERM and shuts down gracefully.
ENTRYPOINT ["/bin/sh", "-c", "alembic upgrade head && exec uvicorn --factory app.main:create_app --host 0.0.0.0 --port \"${PORT:-8000}\" --no-access-log --no-server-header"]
