"""The integration API under /api: token endpoint, tenant resources, CSV, OpenAPI and docs."""

from webapp.api import docs, exports, forecast, resources, token  # noqa: F401 - each registers its routes on bp
from webapp.api.blueprint import bp

__all__ = ["bp"]
