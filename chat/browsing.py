"""Pages for browsing without a question: the timeline period by period and a plan point by point.

Each page is one message: numbered lines, and a keypad of their numbers (or letters) that opens a
line's entry in place, with a way back to the page. Short pages, short buttons: nothing to cut.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardMarkupLimit

from chat.callbacks import CallbackData, PlanPage, PlanPoint, TimelineEntry, TimelinePage
from chat.dates import day_label, period_label
from chat.render import escape
from chat.texts import t
from knowledge.browse import PlanLine, TimelinePeriod
from knowledge.schema import Entry

TIMELINE_EVENTS_PER_PAGE = 12  # months are joined into one page while they fit
PLAN_LINES_PER_PAGE = 15  # the 13 lines that hold the 20 points of the December plan fit one page
KEYPAD_WIDTH = min(6, InlineKeyboardMarkupLimit.BUTTONS_PER_ROW)  # fits a phone's width


@dataclass(frozen=True)
class Page:
    text: str
    keyboard: InlineKeyboardMarkup


def pager(
    to_page: Callable[[int], CallbackData], page: int, pages: int, language: str
) -> list[InlineKeyboardButton]:
    """‹ Prev and Next › where there is somewhere to go."""
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(t(language, "btn_prev"), callback_data=to_page(page - 1).encode())
        )
    if page < pages - 1:
        row.append(
            InlineKeyboardButton(t(language, "btn_next"), callback_data=to_page(page + 1).encode())
        )
    return row


def keypad(buttons: Sequence[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Rows of at most KEYPAD_WIDTH buttons, as even as they can be (6+5, not 6+1 ... 5+5+3)."""
    if not buttons:
        return []
    rows = -(-len(buttons) // KEYPAD_WIDTH)
    width = -(-len(buttons) // rows)
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def timeline_page(periods: Sequence[TimelinePeriod], page: int, language: str) -> Page:
    """One period: "3. 15 Aug — Trump-Putin summit in Anchorage", the year where it changes."""
    period = periods[page]
    heading = t(
        language,
        "timeline_page",
        period=escape(period_label(period.first, period.last, language)),
        page=page + 1,
        pages=len(periods),
    )
    lines = [heading, ""]
    buttons = []
    year = None
    for number, event in enumerate(period.events, start=period.start):
        date = day_label(event.date, language, with_year=event.date.year != year)
        year = event.date.year
        lines.append(f"{number}. <b>{escape(date)}</b> — {escape(event.title(language))}")
        data = TimelineEntry(page, event.entry.id).encode()
        buttons.append(InlineKeyboardButton(str(number), callback_data=data))
    lines += ["", f"<i>{escape(t(language, 'timeline_hint'))}</i>"]
    rows = keypad(buttons)
    if len(periods) > 1:
        rows.append(pager(TimelinePage, page, len(periods), language))
    return Page("\n".join(lines), InlineKeyboardMarkup(rows))


def plan_page(
    plan: int,
    pages: Sequence[Sequence[PlanLine]],
    page: int,
    overview: Entry | None,
    language: str,
) -> Page:
    """One page of a plan's points: "4. Ukraine's army stays at 800,000"."""
    name = t(language, f"btn_plan_{plan}")
    lines = [t(language, "plan_title", plan=escape(name), page=page + 1, pages=len(pages)), ""]
    shown = pages[page]
    if shown and not shown[0].numbered and any(line.numbered for p in pages for line in p):
        lines += [escape(t(language, "plan_unnumbered")), ""]
    buttons = []
    for line in shown:
        lines.append(f"<b>{escape(line.label)}.</b> {escape(line.text(language))}")
        data = PlanPoint(plan, page, line.entry.id).encode()
        buttons.append(InlineKeyboardButton(line.label, callback_data=data))
    lines += ["", f"<i>{escape(t(language, 'plan_hint'))}</i>"]
    rows = keypad(buttons)
    nav = pager(lambda p: PlanPage(plan, p), page, len(pages), language)
    if nav:
        rows.append(nav)
    other = 28 if plan == 20 else 20
    last = [
        InlineKeyboardButton(
            t(language, f"btn_plan_{other}"), callback_data=PlanPage(other, 0).encode()
        )
    ]
    if overview is not None:
        data = PlanPoint(plan, page, overview.id).encode()
        last.insert(0, InlineKeyboardButton(t(language, "btn_overview"), callback_data=data))
    rows.append(last)
    return Page("\n".join(lines), InlineKeyboardMarkup(rows))
