"""The declarative base every model extends: Flask-SQLAlchemy's db.Model, typed for the checker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webapp.extensions import db

if TYPE_CHECKING:
    from sqlalchemy.orm import DeclarativeBase

    class Model(DeclarativeBase):
        """What db.Model is at run time, as the type checker can see it."""

else:
    Model = db.Model
