# Treasury Stress Monitor: the dashboard behind gunicorn, store on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TSM_STORE=/data/store.sqlite \
    TSM_HOST=0.0.0.0 \
    TSM_PORT=8050

WORKDIR /app
COPY pyproject.toml README.md ./
COPY app.py config.py ./
COPY analytics ./analytics
COPY data ./data
COPY components ./components
COPY cli ./cli
COPY assets ./assets
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 tsm \
    && mkdir -p /data && chown tsm /data

USER tsm
VOLUME ["/data"]
EXPOSE 8050
# Two workers share the store read-only (SQLite WAL); `tsm refresh` can run beside them:
#   docker exec <container> tsm refresh
CMD ["sh", "-c", "gunicorn --workers 2 --threads 4 --timeout 120 --bind ${TSM_HOST}:${TSM_PORT} app:server"]
HEALTHCHECK --interval=60s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"TSM_PORT\"]}/', timeout=4)"
