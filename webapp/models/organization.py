"""Organisation: a tenant whose account the collector follows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Index, Integer, String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Model
from webapp.models.types import Money, UTCDateTime, utcnow


class Organization(Model):
    __tablename__ = "organizations"
    # The portfolio's duplicate-name lookup for the rows of a page (migration 0004_portfolio).
    __table_args__ = (Index("ix_organizations_name", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    provider_account_ref: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    low_balance_threshold: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.provider_account_ref}>"


# The portfolio's default order (name A→Z case-insensitively, then id) read from an index, so the first page
# of any number of organisations is a short index scan (migration 0010_portfolio_order).
Index("ix_organizations_lower_name_id", func.lower(Organization.name), Organization.id)
# The search (lower(name) LIKE '%…%') reads the names that contain the text: a trigram index, PostgreSQL only
# (migration 0017_organization_name_search; SQLite reads every name).
Index(
    "ix_organizations_lower_name_trgm",
    func.lower(Organization.name),
    postgresql_using="gin",
    postgresql_ops={"lower_1": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
