# One image for web, worker and beat (see docker-compose.yml).
#   docker build -t insight-portal .

# --- Front-end packages: the pinned design system and chart.js from package-lock.json -------------
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# --- Application ----------------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production
WORKDIR /app

# WeasyPrint (the Summary PDF) loads pango through its fontconfig/FreeType backend; DejaVu is its font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first (from pyproject.toml alone) so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
COPY --from=assets /app/node_modules ./node_modules
# Editable, so settings.BASE_DIR stays /app (templates/, static/, node_modules/ live here).
RUN pip install --no-deps -e .

# Static files are collected at build time with the production settings. The secret key and host
# given here exist only for this one command; the running container must get real ones from its
# environment (settings.py refuses to start without them).
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdefghij \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v 0

RUN useradd --system --create-home --home-dir /home/insight --shell /usr/sbin/nologin insight \
    && mkdir -p /app/media \
    && chown insight /app/media
USER insight

EXPOSE 8000
CMD ["gunicorn", "insight.config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
