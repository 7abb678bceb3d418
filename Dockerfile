# SneakyScanner production image: the app with nmap and Chromium inside.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends nmap chromium curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

ENV SNEAKY_HOST=0.0.0.0 \
    SNEAKY_PORT=5000 \
    SNEAKY_DATA_DIR=/app/data \
    SNEAKY_CONFIG_DIR=/app/configs \
    SNEAKY_OUTPUT_DIR=/app/output \
    PYTHONUNBUFFERED=1

VOLUME ["/app/data", "/app/output"]
EXPOSE 5000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${SNEAKY_PORT}/api/settings/health" || exit 1

# Migrations run at start; the first start prints the generated admin password once
# unless SNEAKY_ADMIN_PASSWORD is set.
CMD ["python", "app.py"]
