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
VOLUME ["/data"]
EXPOSE 8443
# The knowledge base loads, validates and answers: the same path every question takes.
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s --retries=3 \
    CMD briefing-bot ask "zaporizhzhia npp" --json > /dev/null || exit 1
CMD ["briefing-bot", "run"]
