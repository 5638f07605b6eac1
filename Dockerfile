# syntax=docker/dockerfile:1
# Build: docker build -t listing-screening .
# Run:   docker run -p 8000:8000 -e SCREENING_BOOTSTRAP_ADMIN_KEY=... -v screening-data:/data listing-screening

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY screening ./screening
COPY api ./api
COPY models ./models
RUN pip install --upgrade pip && pip install .

FROM python:3.11-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 screening \
 && mkdir -p /data && chown screening:screening /data
COPY --from=builder /opt/venv /opt/venv
COPY data /app/data
ENV PATH=/opt/venv/bin:$PATH \
    SCREENING_DATA_DIR=/data \
    HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1
USER screening
WORKDIR /app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz').status==200 else 1)"
CMD ["screening", "serve", "--host", "0.0.0.0", "--port", "8000"]
