"""The read model (SPEC §8): derived from the ledger, rebuilt from it at will, never the other way round.

webapp/read_model computes the rows; docs/data-model.md ("Read model") says what each column means.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Computed, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Model
from webapp.models.snapshots import JSONDocument
from webapp.models.types import Money, MoneyDifference, UTCDateTime

# "Runs out" as the portfolio sorts it: overdrawn ("depleted") before every date, else the expected day
# (webapp.queries.portfolio; the same rule as domain.balance.overdrawn_sql). Valid on PostgreSQL and SQLite.
RUNWAY_ORDER_SQL = "CASE WHEN balance_amount < 0 THEN '0001-01-01' ELSE runs_out_on END"
# The portfolio's figure sorts, each walked in an index in both directions (migration 0013_portfolio_sort_keys).
SORT_KEYS = ("balance_amount", "balance_changed_at", "checked_at", "runway_order")
# The portfolio's status badges that change only when something is written, with their weight in the status sort
# (webapp/queries/portfolio_status.py); the clock-bound ones (stale, runs out within 14 days) are judged when read.
# Their sum is stored (migration 0016_portfolio_status_sort): domain.balance's overdrawn and low-balance rules over
# the summary's copy of the threshold (tests prove they agree).
STATUS_FIXED_WEIGHTS = {"overdrawn": 8, "low-balance": 2}
STATUS_FIXED_SQL = (
    "CASE WHEN balance_amount < 0 THEN 8 ELSE 0 END + CASE WHEN balance_amount < balance_threshold THEN 2 ELSE 0 END"
)
# The 7-day change against the stored base (migration 0015_portfolio_change_base): the portfolio's key where
# change_base_day is today's week-ago day (webapp.queries.portfolio_change).
CHANGE_7D_SQL = "balance_amount - change_base_amount"


class OrganizationSummary(Model):
    """One row per organisation: its current state as of the latest moment its ledger knows."""

    __tablename__ = "organization_summaries"
    __table_args__ = (
        Index("ix_organization_summaries_spend_30d", "spend_30d"),
        Index("ix_organization_summaries_runs_out_on", "runs_out_on"),
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    balance_amount: Mapped[Decimal | None] = mapped_column(Money)
    balance_currency: Mapped[str | None] = mapped_column(String(3))
    balance_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure_streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_kind: Mapped[str | None] = mapped_column(String(20))
    last_failure_reason: Mapped[str | None] = mapped_column(Text)
    mtd_year: Mapped[int | None] = mapped_column(SmallInteger)
    mtd_month: Mapped[int | None] = mapped_column(SmallInteger)
    mtd_total: Mapped[Decimal | None] = mapped_column(Money)
    mtd_currency: Mapped[str | None] = mapped_column(String(3))
    mtd_collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    spend_30d: Mapped[Decimal | None] = mapped_column(Money)
    spend_30d_currency: Mapped[str | None] = mapped_column(String(3))
    runway_spend: Mapped[Decimal | None] = mapped_column(Money)
    runway_spend_currency: Mapped[str | None] = mapped_column(String(3))
    forecast_as_of: Mapped[date | None] = mapped_column(Date)
    forecast_method: Mapped[str | None] = mapped_column(String(40))
    forecast_history_days: Mapped[int | None] = mapped_column(SmallInteger)
    forecast_status: Mapped[str | None] = mapped_column(String(20))
    forecast_reason: Mapped[str | None] = mapped_column(Text)
    runs_out_on: Mapped[date | None] = mapped_column(Date)
    runs_out_earliest: Mapped[date | None] = mapped_column(Date)
    runs_out_latest: Mapped[date | None] = mapped_column(Date)
    # Not derived from the ledger: the sorts' keys and tie-breaker (store.differences ignores them, but compares
    # balance_threshold with the organisation's).
    runway_order: Mapped[date | None] = mapped_column(Date, Computed(RUNWAY_ORDER_SQL, persisted=True))
    sort_name: Mapped[str | None] = mapped_column(String(200))  # lower(organizations.name), kept by triggers
    balance_threshold: Mapped[Decimal | None] = mapped_column(Money)  # organizations.low_balance_threshold, ditto
    status_fixed: Mapped[int | None] = mapped_column(SmallInteger, Computed(STATUS_FIXED_SQL, persisted=True))
    # The 7-day change's base, a fact of its day (read_model.change_base; `summaries check` recomputes the amount
    # for the stored day): the balance at the end of change_base_day, written with the summary for the writer's
    # week-ago day and moved to a new day by the daily rebase. change_7d: the change against it (generated).
    change_base_day: Mapped[date | None] = mapped_column(Date)
    change_base_amount: Mapped[Decimal | None] = mapped_column(Money)
    change_7d: Mapped[Decimal | None] = mapped_column(MoneyDifference, Computed(CHANGE_7D_SQL, persisted=True))


# Each sort key with the portfolio's tie-breakers (lower(name), then id, ascending either way), so a page is an
# index walk that stops after its rows. Descending needs its own index: NULLs last, which a backward scan of an
# ascending one would put first. SQLite's index syntax has no NULLS LAST; there the migration writes plain DESC,
# whose order already ends with the NULLs (SQLite orders NULL below every value).
for _key in SORT_KEYS:
    _column = OrganizationSummary.__table__.c[_key]
    Index(f"ix_organization_summaries_{_key}_sort", _column, "sort_name", "organization_id")
    Index(f"ix_organization_summaries_{_key}_sort_desc", _column.desc().nulls_last(), "sort_name", "organization_id")


# "Cost this month": this month's rows in total order, with the same tie-breakers (migration 0014).
_month = (OrganizationSummary.__table__.c.mtd_year, OrganizationSummary.__table__.c.mtd_month)
_total = OrganizationSummary.__table__.c.mtd_total
Index("ix_organization_summaries_mtd_total_sort", *_month, _total, "sort_name", "organization_id")
Index(
    "ix_organization_summaries_mtd_total_sort_desc", *_month, _total.desc().nulls_last(), "sort_name", "organization_id"
)

# "Status": the stored part of the key with the tie-breakers, then what the clock-bound badges are judged from, so a
# walk skips the rows that have one without reading the table (migration 0016).
_status = (OrganizationSummary.__table__.c.status_fixed,)
_judged = ("sort_name", "organization_id", "checked_at", "runs_out_on")
Index("ix_organization_summaries_status_fixed_sort", *_status, *_judged)
Index("ix_organization_summaries_status_fixed_sort_desc", _status[0].desc().nulls_last(), *_judged)
# "7-day change": the rows whose base is today's week-ago day in change order, the same tie-breakers (0015).
_base_day, _change = OrganizationSummary.__table__.c.change_base_day, OrganizationSummary.__table__.c.change_7d
Index("ix_organization_summaries_change_7d_sort", _base_day, _change, "sort_name", "organization_id")
Index(
    "ix_organization_summaries_change_7d_sort_desc",
    _base_day,
    _change.desc().nulls_last(),
    "sort_name",
    "organization_id",
)

# The portfolio's header (queries.portfolio_header): every column its aggregate reads, in currency order, so it is an
# index-only scan grouped as it goes instead of a pass over the whole rows (status_fixed, the last of some thirty
# columns, made each row slow to take apart); migration 0018 (SQLite: on the currency alone, it has no INCLUDE).
HEADER_COLUMNS = (
    "balance_amount",
    "mtd_year",
    "mtd_month",
    "mtd_currency",
    "mtd_total",
    "status_fixed",
    "checked_at",
    "runs_out_on",
)
# What a filter by name tests (queries.portfolio_header.rules and visible_summaries' currency), kept beside the name.
FILTER_COLUMNS = ("balance_amount", "balance_currency", "status_fixed", "checked_at", "runs_out_on")
# A filter's page by name, read from the summaries (queries.portfolio_walk.summaries_by_name): walked in name order
# when many match (a filter's own index serves when few do); migration 0018. On PostgreSQL it carries the columns
# the filters test (INCLUDE, migration 0019), so the walk reads no table row it then rejects.
Index(
    "ix_organization_summaries_sort_name",
    "sort_name",
    OrganizationSummary.__table__.c.organization_id,
    postgresql_include=list(FILTER_COLUMNS),
)
# The search as a condition on the summary (sort_name LIKE '%…%': queries.portfolio_header.visible_summaries), so the
# header of a search reads the summaries that match rather than joining its matches to every summary: a trigram
# index, PostgreSQL only (migration 0019; SQLite reads every summary).
Index(
    "ix_organization_summaries_sort_name_trgm",
    OrganizationSummary.__table__.c.sort_name,
    postgresql_using="gin",
    postgresql_ops={"sort_name": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_organization_summaries_header",
    OrganizationSummary.__table__.c.balance_currency,
    postgresql_include=list(HEADER_COLUMNS),
)


class OrganizationDailyFigure(Model):
    """One organisation's UTC day: closing balance, top-ups, spend, and spend per service and per operator."""

    __tablename__ = "organization_daily_figures"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    closing_balance: Mapped[Decimal | None] = mapped_column(Money)
    balance_currency: Mapped[str | None] = mapped_column(String(3))
    top_ups: Mapped[Decimal] = mapped_column(Money)
    spend: Mapped[Decimal] = mapped_column(Money)
    spend_currency: Mapped[str | None] = mapped_column(String(3))
    spend_by_service: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    spend_by_operator: Mapped[dict[str, str]] = mapped_column(JSONDocument, server_default=text("'{}'"))


class PortfolioChange(Model):
    """Which transaction last changed an organisation, its summary, its assignments or its alert states
    (PostgreSQL triggers write it; 0 stands for a TRUNCATE, which changes them all). The portfolio's header
    and the navigation's alert count are reused while none of these is newer than the snapshot they were
    computed in (queries.snapshot_cache)."""

    __tablename__ = "portfolio_changes"
    __table_args__ = (Index("ix_portfolio_changes_txid", "txid"),)

    organization_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    txid: Mapped[int] = mapped_column(BigInteger)
