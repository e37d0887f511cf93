"""``python -m kinerja_skp``: serve the skp service (host/port from settings)."""

import uvicorn

from .main import create_app
from .service_layer.watch import StatusWatch
from .settings import Settings


class Server(uvicorn.Server):
    """uvicorn, ending the status long polls as soon as a shutdown is asked for:
    they answer with the current status at once instead of holding the
    shutdown for up to their ``wait`` (the client simply asks again)."""

    def handle_exit(self, sig, frame) -> None:
        watch.close()
        super().handle_exit(sig, frame)


settings = Settings()
watch = StatusWatch()
config = uvicorn.Config(create_app(settings, watch=watch), host=settings.host, port=settings.port, log_config=None,
                        timeout_graceful_shutdown=10)
Server(config).run()
