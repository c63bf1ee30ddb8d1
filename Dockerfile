# The production image: Casefile under gunicorn, static files served by WhiteNoise.
FROM python:3.11-slim-trixie

# pg_dump and pg_restore for manage.py backup and restore: Debian 13's PostgreSQL 17, the
# version of the db service (a client must be at least as new as the server it dumps).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-17 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app

COPY pyproject.toml README.md ./
COPY casefile ./casefile
RUN pip install --no-cache-dir .
COPY manage.py ./
COPY templates ./templates
COPY static ./static
# Settings refuse to load without these; collectstatic needs neither a real key nor a database.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --create-home casefile && install -d -o casefile -g casefile /backups
USER casefile
EXPOSE 8000
# gthread: a long download streams from its thread while the worker keeps answering
# the master, so the timeout stops hung requests, not big exports.
CMD ["gunicorn", "casefile.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "--access-logfile", "-"]
