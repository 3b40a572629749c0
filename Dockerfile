# Briefing Bot: long polling by default; `briefing-bot run --webhook` behind a reverse proxy.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY handlers ./handlers
COPY chat ./chat
COPY storage ./storage
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/briefing-bot.sqlite3
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 briefing \
    && mkdir -p /data && chown briefing:briefing /data
USER briefing
WORKDIR /home/briefing
# The bundled base's search index and validated base, saved at install (INDEX_CACHE_DIR, by default
# ~/.cache/briefing-bot): a container's start memory-maps them instead of building them.
RUN python -c "from bot.app import load_engine; from chat.settings import Settings; load_engine(Settings(_env_file=None))"
VOLUME ["/data"]
EXPOSE 8443
# /healthz of the running bot (intake live, database answering); an `ask` process per probe
# took 8-12 s and 257 MB. It needs the server on (HEALTH_PORT not 0).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('HEALTH_PORT', '9090') + '/healthz', timeout=4)" || exit 1
CMD ["briefing-bot", "run"]
