"""``python -m kinerja_portal``: serve the portal (host/port from settings)."""

import uvicorn

from .main import create_app
from .settings import Settings

settings = Settings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, timeout_graceful_shutdown=10)
