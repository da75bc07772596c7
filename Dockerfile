# Treasury Stress Monitor: the dashboard under gunicorn (`tsm serve`), store on a volume.
# Base image pinned by digest (refresh with `docker buildx imagetools inspect python:3.11-slim-bookworm`);
# dependencies pinned with hashes in requirements.lock.
FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# Inside the container the app listens on every interface; `docker run -p 127.0.0.1:8050:8050`
# (README) publishes it to the host's loopback only.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TSM_STORE=/data/store.sqlite \
    TSM_HOST=0.0.0.0 \
    TSM_PORT=8050

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md app.py config.py market_state.py ./
COPY analytics ./analytics
COPY data ./data
COPY components ./components
COPY cli ./cli
COPY service ./service
COPY assets ./assets
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
    && useradd --create-home --uid 10001 tsm \
    && mkdir -p /data && chown tsm /data

USER 10001
# The DEMO set and its market state, computed once here into ~/.cache/tsm (data/derived_cache.py):
# a new container then starts without spending seconds on them.
RUN TSM_STORE=/tmp/absent.sqlite TSM_WARM_UP=0 python -c "import app"
# plotly.js's basic bundle (data/plotly_bundle.py), checked against its pinned sha512: the
# first chart comes about a second sooner in a browser with an empty cache. Built without
# network, the image serves the full bundle instead.
RUN tsm plotly-bundle || echo "plotly.js basic bundle not fetched: the full bundle will be served"
VOLUME ["/data"]
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('TSM_PORT', '8050'), timeout=4)"]
# Workers, threads, timeouts and the refresh schedule come from the environment (README, Serving).
CMD ["tsm", "serve"]
