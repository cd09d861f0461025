"""The small pieces of markup that pages draw by the hundred (a portfolio page: 25 rows of amounts, changes and
times): built here once per call rather than as Jinja macros, which cost several times more per call than the
formatting inside them. Every text that could come from data (a currency, a label, a formatted amount or time)
goes through markupsafe's escape (ISO dates and plain decimals cannot hold markup); the result is Markup, so a
template prints it as is. Registered as template globals by webapp.web.templating."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from markupsafe import Markup, escape

from webapp.domain.money import format_amount, format_money_usual, is_displayable
from webapp.web.timezones import current_zone, full_time, local_date, local_time, time_ago


def plain_amount(value: Decimal) -> str:
    """The plain decimal form (as in forms and CSV); an undisplayable stored value is named as such."""
    return format_amount(value) if is_displayable(value) else "invalid value"


def _muted(text: str) -> Markup:
    return Markup(f'<span class="muted">{escape(text)}</span>')  # noqa: S704 - escaped


def stamp(moment: datetime | None, missing: str = "—") -> Markup:
    """A timestamp in the viewer's zone (date and clock, unbreakable each), spelled out in full in its title;
    the machine-readable `datetime` stays UTC."""
    if moment is None:
        return _muted(missing)
    tz = current_zone()
    return Markup(  # noqa: S704 - every inserted text is escaped
        f'<time datetime="{moment.isoformat()}" title="{escape(full_time(moment, tz))}">'
        f'<span class="nowrap">{local_date(moment, tz)}</span> '
        f'<span class="nowrap">{escape(local_time(moment, date=False, tz=tz))}</span></time>'
    )


def ago(moment: datetime | None, missing: str = "never") -> Markup:
    """A relative time ("2 hours ago") with the absolute local time in its title."""
    if moment is None:
        return _muted(missing)
    return Markup(  # noqa: S704 - every inserted text is escaped
        f'<time class="ago" datetime="{moment.isoformat()}" title="{escape(local_time(moment))}">'
        f"{escape(time_ago(moment))}</time>"
    )


def _exact(amount: Decimal, currency: str | None) -> str:
    """The stored value in full, for a title: "-865.6134 EUR"."""
    return f"{plain_amount(amount)} {escape(currency or '')}"


def usual(amount: Decimal | None, currency: str | None) -> Markup:
    """An amount in its currency's usual decimals (so columns line up), the exact stored value in its title."""
    if amount is None:
        return _muted("—")
    text = escape(format_money_usual(amount, currency))
    return Markup(f'<span title="{_exact(amount, currency)}">{text}</span>')  # noqa: S704 - escaped


def signed(amount: Decimal | None, currency: str | None, up_is_good: bool = True) -> Markup:
    """A change: "+" and the "up" colour when it rose (or "down" where rising is bad), muted when it did not move."""
    if amount is None:
        return _muted("—")
    text = escape(format_money_usual(amount, currency))
    if not amount:
        return _muted(text)
    rose = amount > 0
    colour = "up" if rose == up_is_good else "down"
    sign = "+" if rose else ""
    title = _exact(amount, currency)
    return Markup(f'<span class="{colour}" title="{title}">{sign}{text}</span>')  # noqa: S704 - escaped


def amount_cell(amount: Decimal | None, currency: str | None, negative: bool = False) -> Markup:
    """A table cell of an amount in its usual decimals, the exact stored value in the cell's title."""
    title = f' title="{_exact(amount, currency)}"' if amount is not None and currency else ""
    text = "—" if amount is None else escape(format_money_usual(amount, currency))
    return Markup(f'<td class="num{" negative" if negative else ""}"{title}>{text}</td>')  # noqa: S704 - escaped
