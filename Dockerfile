# The production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time and served by whitenoise with hashed names.
RUN DEBUG=true STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput -v0
ENV STATIC_ROOT=/app/staticfiles

RUN useradd --create-home --uid 1000 engagement && mkdir -p /app/var && chown engagement /app/var
USER engagement

EXPOSE 8000
CMD ["gunicorn", "engagement.wsgi"]
