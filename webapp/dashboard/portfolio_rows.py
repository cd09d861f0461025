"""The portfolio's table rows, built in Python: a page draws 25 of them, and as a Jinja loop a row cost about
140 µs of template machinery (function calls, attribute look-ups, escaping each output) around 40 µs of
formatting; as one string here it costs about 50 µs (docs/performance.md). Every text from the data goes
through markupsafe's escape. The table around the rows stays in templates/partials/portfolio_table.html."""

from __future__ import annotations

from flask import url_for
from markupsafe import Markup, escape

from webapp.domain.money import format_money
from webapp.queries.portfolio import PortfolioRow
from webapp.web.cells import ago, amount_cell, signed, stamp
from webapp.web.timezones import day_month_year

AlertBadge = tuple[int, bool, list[str]]  # open alerts: how many, any critical, their rules (queries.alerts)
REFERENCE = '<span class="ref" title="Provider reference (another organisation has the same name)">'
ANOMALY = '<span class="badge warn" title="A spend anomaly episode is open: see the organisation page">anomaly</span>'
STALE = (
    '<span class="badge stale" title="No successful balance check for more than two collection intervals">stale</span>'
)


def portfolio_row(row: PortfolioRow, badge: AlertBadge | None, alerts_url: str) -> Markup:
    """One <tr>: name (and the provider reference when another organisation has the same name), badges,
    balance, 7-day change, cost this month, runs out, unchanged since, last checked."""
    return Markup(  # noqa: S704 - every inserted text is escaped
        f"<tr>{_name(row)}{_badges(row, badge, alerts_url)}"
        f"{amount_cell(row.amount, row.currency, row.overdrawn)}"
        f'<td class="num">{signed(row.change_7d, row.currency)}</td>'
        f"{amount_cell(row.cost, row.cost_currency)}{_runs_out(row)}"
        f'<td class="time">{stamp(row.collected_at)}</td><td class="time">{ago(row.checked_at)}</td></tr>'
    )


def _name(row: PortfolioRow) -> str:
    link = url_for("dashboard.organization", organization_id=row.id)
    cell = f'<td class="org-name"><a href="{link}">{escape(row.name)}</a>'
    if row.reference:
        cell += f" {REFERENCE}{escape(row.reference)}</span>"
    if not row.active:
        cell += ' <span class="badge">inactive</span>'
    return cell + "</td>"


def _badges(row: PortfolioRow, badge: AlertBadge | None, alerts_url: str) -> str:
    """The open alerts (one badge, coloured by the worst level, to the alerts page), then the row's states;
    "ok" when it has none."""
    parts = []
    if badge:
        count, severe, rules = badge
        title = escape("Open alerts: " + ", ".join(rules))
        colour = "bad" if severe else "warn"
        text = f"{count} alert{'s' if count != 1 else ''}"
        parts.append(f'<a class="badge {colour} alert-badge" href="{alerts_url}" title="{title}">{text}</a>')
    if row.overdrawn:
        parts.append('<span class="badge bad" title="The balance is below zero">overdrawn</span>')
    if row.low_balance:
        threshold = escape(format_money(row.threshold, row.currency))
        parts.append(f'<span class="badge bad" title="Under the threshold of {threshold}">low balance</span>')
    if row.short_runway and not row.overdrawn:
        parts.append('<span class="badge warn" title="Expected to run out within 14 days">runs out soon</span>')
    if row.anomaly_open:
        parts.append(ANOMALY)
    if row.stale:
        parts.append(STALE)
    if not (row.overdrawn or row.low_balance or row.short_runway or row.stale or row.anomaly_open):
        parts.append('<span class="badge ok">ok</span>')
    return f'<td class="badges">{"".join(parts)}</td>'


def _runs_out(row: PortfolioRow) -> str:
    """The depletion forecast's expected day and the days from today, its 80 % band in the title; "depleted"
    when overdrawn, "—" with the reason in the title when there is no forecast."""
    if row.overdrawn:
        inner = '<span class="negative" title="The balance is below zero">depleted</span>'
    elif row.runs_out_on is None or row.runs_out_earliest is None or row.runs_out_latest is None:
        reason = escape(row.forecast_reason or "no completed day yet")
        inner = f'<span class="muted" title="No forecast: {reason}">—</span>'
    else:
        band = f"80 % band: {row.runs_out_earliest.isoformat()} to {row.runs_out_latest.isoformat()}"
        day = f'<time datetime="{row.runs_out_on.isoformat()}">{day_month_year(row.runs_out_on)}</time>'
        inner = f'<span title="{band}">{day} <span class="muted">· {row.runway_days} d</span></span>'
    return f'<td class="num runs-out-cell">{inner}</td>'
