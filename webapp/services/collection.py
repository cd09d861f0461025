"""The per-organisation advisory lock for services that serialise on it (api_clients).

Collection itself moved to webapp/collection/; the lock is a one-row concern of the models.
"""

from webapp.models.collection import lock_organization

__all__ = ["lock_organization"]
