"""Browsing without a question: /timeline period by period with each event once, /plan's points one
line each, in private chats and groups and in the four languages.

The timeline and plan logic is plain data (knowledge/browse.py), tested first; then conversations
against the real Application over HTTP to the fake Bot API."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
from telegram.constants import InlineKeyboardMarkupLimit, MessageLimit
from telegram.ext import Application

from chat.browsing import PLAN_LINES_PER_PAGE, TIMELINE_EVENTS_PER_PAGE, keypad
from chat.callbacks import PlanPoint, TimelineEntry, TimelinePage, decode
from chat.dates import day_label, month_label, period_label
from chat.render import visible_length
from chat.settings import Settings
from chat.texts import t
from knowledge.browse import (
    TimelineEvent,
    plan_lines,
    plan_pages,
    timeline_events,
    timeline_periods,
)
from knowledge.loader import KnowledgeBase
from knowledge.schema import LANGUAGES, Kind
from testkit.fakes import FakeBotAPI
from testkit.fakes.conversation import Chat
from testkit.fakes.records import SentMessage
from testkit.harness import settings_for

# --- the timeline as data ------------------------------------------------------------------------


def test_each_event_is_on_the_timeline_once(base: KnowledgeBase) -> None:
    events = timeline_events(base)
    shown = [e.entry.id for e in events]
    folded = [entry_id for e in events for entry_id in e.same_event]
    every_event = [e.id for e in base.entries.values() if e.kind is Kind.event]
    # Every event entry is reachable, shown or folded into the event it tells again, and only once.
    assert Counter(shown + folded) == Counter(every_event)
    assert len({(e.date, e.title("en")) for e in events}) == len(events)
    dates = [e.date for e in events]
    assert dates == sorted(dates)
    # The events the base told two or three times are one line each.
    by_id = {e.entry.id: e for e in events}
    assert set(by_id["tl-mar-a-lago"].same_event) == {
        "us-mar-a-lago-meeting",
        "ua-zelensky-after-mar-a-lago",
    }
    assert set(by_id["tl-oil-sanctions-2025-10"].same_event) == {
        "econ-oil-sanctions",
        "us-sanctions-rosneft-lukoil",
    }
    assert by_id["tl-anchorage-2025"].same_event == ("us-alaska-summit",)
    assert by_id["tl-berlin-talks"].same_event == ("europe-berlin-talks",)
    # Different happenings of one day stay apart: the EU loan and Putin's press conference.
    on_dec_19 = {e.entry.id for e in events if e.date == dt.date(2025, 12, 19)}
    assert on_dec_19 == {"tl-eu-loan-90bn", "tl-putin-press-conference"}
    on_nov_21 = {e.entry.id for e in events if e.date == dt.date(2025, 11, 21)}
    assert on_nov_21 == {"p28-thanksgiving-deadline", "p28-putin-reaction"}


def test_an_events_folded_entries_are_of_its_day_and_share_a_topic(base: KnowledgeBase) -> None:
    for event in timeline_events(base):
        for entry_id in event.same_event:
            folded = base.entries[entry_id]
            assert folded.event_date == event.date, entry_id
            assert set(folded.topics) & set(event.entry.topics) - {"timeline"}, entry_id


def test_event_titles_leave_the_date_to_the_line(base: KnowledgeBase) -> None:
    by_id = {e.entry.id: e for e in timeline_events(base)}
    assert by_id["tl-anchorage-2025"].title("en") == "Trump-Putin summit in Anchorage"
    assert by_id["tl-anchorage-2025"].title("de") == "Trump-Putin-Gipfel in Anchorage"
    assert by_id["tl-berlin-talks"].title("en") == "The Berlin talks"
    assert by_id["tl-berlin-talks"].title("uk") == "Переговори в Берліні"
    assert by_id["p28-thanksgiving-deadline"].title("ru") == (
        "Дедлайн Трампа для Киева ко Дню благодарения"
    )


def test_timeline_periods_are_whole_months_that_fit_a_page(base: KnowledgeBase) -> None:
    events = timeline_events(base)
    periods = timeline_periods(events, TIMELINE_EVENTS_PER_PAGE)
    assert [e for p in periods for e in p.events] == events
    assert [p.start for p in periods] == [
        1 + sum(len(q.events) for q in periods[:i]) for i in range(len(periods))
    ]
    assert all(len(p.events) <= TIMELINE_EVENTS_PER_PAGE for p in periods)
    for before, after in zip(periods, periods[1:], strict=False):
        assert (before.last.year, before.last.month) < (after.first.year, after.first.month)


def test_a_month_fuller_than_a_page_starts_a_page_and_is_split(base: KnowledgeBase) -> None:
    entry = next(iter(base.entries.values()))
    crowded = [TimelineEvent(dt.date(2025, 12, day), entry) for day in range(1, 8)]
    events = [
        TimelineEvent(dt.date(2025, 11, 30), entry),
        *crowded,
        TimelineEvent(dt.date(2026, 1, 6), entry),
    ]
    periods = timeline_periods(events, 3)
    assert [len(p.events) for p in periods] == [1, 3, 3, 2]
    assert [(p.first.month, p.last.month) for p in periods] == [
        (11, 11),
        (12, 12),
        (12, 12),
        (12, 1),
    ]
    assert sum((list(p.events) for p in periods), []) == events


# --- the plans as data ---------------------------------------------------------------------------


def points_of(label: str) -> list[int]:
    first, _, last = label.partition("\u2013")
    return list(range(int(first), int(last or first) + 1))


def test_the_20_points_are_one_page_of_numbered_lines(base: KnowledgeBase) -> None:
    lines = plan_lines(base, "20")
    numbered = [line for line in lines if line.numbered]
    assert sorted(n for line in numbered for n in points_of(line.label)) == list(range(1, 21))
    pages = plan_pages(lines, PLAN_LINES_PER_PAGE)
    assert len(pages) <= 2 and pages[0] == numbered
    labels = [line.label for line in lines]
    assert len(labels) == len(set(labels))
    assert {line.entry.kind for line in lines} == {Kind.plan_point}
    four = next(line for line in lines if line.label == "4")
    assert four.text("en") == "Ukraine's army stays at 800,000"
    assert four.text("de") == "Ukrainische Armee bleibt bei 800.000 Soldaten"


def test_the_28_point_draft_drops_the_prefix_its_lines_share(base: KnowledgeBase) -> None:
    lines = plan_lines(base, "28")
    assert [line.label for line in lines] == list("ABCDEF")[: len(lines)]
    assert lines[0].text("en") == "Crimea, Donbas and the buffer zone"
    assert lines[0].text("uk") == "Крим, Донбас і буферна зона"


# --- dates and keypads ---------------------------------------------------------------------------


def test_dates_are_written_as_each_language_writes_them() -> None:
    day = dt.date(2025, 5, 16)
    assert [day_label(day, lang) for lang in LANGUAGES] == [
        "16 May",
        "16. Mai",
        "16 трав.",
        "16 мая",
    ]
    assert day_label(dt.date(2025, 12, 14), "de", with_year=True) == "14. Dez. 2025"
    assert month_label(day, "ru") == "май 2025"
    assert period_label(dt.date(1994, 12, 5), dt.date(2025, 11, 28), "en") == (
        "Dec 1994 \u2013 Nov 2025"
    )
    assert period_label(dt.date(2025, 12, 2), dt.date(2025, 12, 28), "uk") == "груд. 2025"


@pytest.mark.parametrize(("count", "rows"), [(1, [1]), (6, [6]), (11, [6, 5]), (13, [5, 5, 3])])
def test_keypad_rows_are_even_and_within_telegrams_limit(count: int, rows: list[int]) -> None:
    from telegram import InlineKeyboardButton

    buttons = [InlineKeyboardButton(str(n), callback_data=str(n)) for n in range(count)]
    laid = keypad(buttons)
    assert [len(row) for row in laid] == rows
    assert max(rows) <= InlineKeyboardMarkupLimit.BUTTONS_PER_ROW


def test_page_callbacks_are_validated() -> None:
    assert decode(TimelineEntry(1, "tl-mar-a-lago").encode()) == TimelineEntry(1, "tl-mar-a-lago")
    longest = PlanPoint(20, 999, "x" * 48).encode()
    assert len(longest.encode()) <= 64 and decode(longest) == PlanPoint(20, 999, "x" * 48)
    assert decode("1|tp|3") == TimelinePage(3)
    for forged in ("1|tp|-1", "1|tp|x", "1|te|0|UPPER", "1|pp|21|0|p20-overview", "1|pp|20|0"):
        assert decode(forged) is None


# --- conversations -------------------------------------------------------------------------------


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path) -> Settings:
    return settings_for(api, tmp_path)


LINE = re.compile(r"^(?P<label>[0-9A-Z\u2013]+)\. (?P<rest>.+)$")


def labels(message: SentMessage) -> list[str]:
    return [text for row in message.buttons for text, _ in row]


def listed(message: SentMessage) -> dict[str, str]:
    """The numbered (or lettered) lines of a page: label -> the rest of the line."""
    found = {}
    for line in message.plain.splitlines():
        match = LINE.match(line)
        if match:
            assert match["label"] not in found, f"{match['label']} twice on one page"
            found[match["label"]] = match["rest"]
    return found


def assert_whole_labels(message: SentMessage, language: str) -> None:
    """Every button says a whole thing: a line's number or letter, or one of the bot's own
    button texts; nothing cut off mid-word."""
    own = {t(language, key) for key in ("btn_prev", "btn_next", "btn_back", "btn_overview")}
    own |= {t(language, "btn_plan_20"), t(language, "btn_plan_28")}
    page_labels = set(listed(message))
    for label in labels(message):
        assert label in own or label in page_labels, label
    assert (
        sum(len(row) for row in message.buttons) <= InlineKeyboardMarkupLimit.TOTAL_BUTTON_NUMBER
    )


async def walk(chat: Chat, first: SentMessage, language: str = "en") -> list[SentMessage]:
    """Every page, by Next until there is none; each one edited into the same message."""
    pages = [first]
    while t(language, "btn_next") in labels(pages[-1]):
        replies = await chat.press(pages[-1], t(language, "btn_next"))
        assert [m.is_edit for m in replies] == [True]
        assert replies.last.message_id == first.message_id
        pages.append(replies.last)
    return pages


async def test_timeline_shows_each_event_once_on_compact_pages(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    chat = api.private_chat()
    replies = await chat.send("/timeline")
    assert len(replies) == 1
    first = replies.last
    # Before: one 2,267-character message with 36 buttons, most events two or three times.
    assert visible_length(first.text) <= 1000 and sum(len(r) for r in first.buttons) <= 16
    assert first.plain.startswith("Timeline: Dec 1994 \u2013 Nov 2025 \u2014 page 1 of")
    pages = await walk(chat, first)
    assert len(pages) >= 2
    lines: list[str] = []
    opened: list[str] = []
    for page in pages:
        assert visible_length(page.text) <= MessageLimit.MAX_TEXT_LENGTH
        assert_whole_labels(page, "en")
        on_page = listed(page)
        numbers = [label for label in labels(page) if label.isdigit()]
        assert numbers == list(on_page)  # a button for every line, in order
        lines += on_page.values()
        for row in page.buttons:
            for _label, data in row:
                callback = decode(data)
                if isinstance(callback, TimelineEntry):
                    opened.append(callback.entry_id)
    # Numbered 1..N across the pages, no line and no entry twice.
    assert len(lines) == len(set(lines)) == len(opened) == len(set(opened))
    text = "\n".join(lines)
    for name in ("Anchorage", "Rosneft", "Mar-a-Lago", "Berlin", "Paris", "Geneva", "Budapest"):
        assert text.count(name) == 1, name
    # Every event of the base is reachable: opened itself or told by the event it is part of.
    told = {e.entry.id: e.same_event for e in timeline_events(base)}
    reachable = set(opened) | {folded for entry_id in opened for folded in told[entry_id]}
    assert reachable == {e.id for e in base.entries.values() if e.kind is Kind.event}


async def test_an_event_opens_in_place_and_back_returns_to_its_page(
    api: FakeBotAPI, bot: Application
) -> None:
    chat = api.private_chat()
    first = (await chat.send("/timeline")).last
    second = (await chat.press(first, "Next ›")).last
    number = next(n for n, rest in listed(second).items() if "Mar-a-Lago" in rest)
    opened = await chat.press(second, number)
    assert [m.is_edit for m in opened] == [True]
    assert opened.last.plain.startswith("28 Dec 2025: Trump and Zelensky at Mar-a-Lago")
    assert "Sources" in labels(opened.last)
    back = await chat.press(opened.last, "« Back")
    assert back.last.plain == second.plain and back.last.message_id == first.message_id


async def test_a_stale_page_number_gets_a_polite_answer_and_the_nearest_page(
    api: FakeBotAPI, bot: Application
) -> None:
    chat = api.private_chat()
    first = (await chat.send("/timeline")).last
    api.callback_query("1|tp|99", first)
    calls = await api.wait_for("answerCallbackQuery")
    assert calls[0].params.get("text") == t("en", "page_gone")
    edits = await api.wait_for("editMessageText")
    assert edits[-1].sent is not None and "page 2 of 2" in edits[-1].sent.plain
    for data in ("1|te|0|no-such-entry", "1|pp|20|0|no-such-entry"):
        api.clear_calls()
        api.callback_query(data, first)
        calls = await api.wait_for("answerCallbackQuery")
        assert "expired" in calls[0].params.get("text", "")


async def test_a_double_tap_on_next_changes_nothing_and_says_no_error(
    api: FakeBotAPI, bot: Application
) -> None:
    chat = api.private_chat()
    first = (await chat.send("/timeline")).last
    second = (await chat.press(first, "Next ›")).last
    api.clear_calls()
    api.callback_query(TimelinePage(1).encode(), second)  # the same Next, tapped twice
    await api.wait_for("answerCallbackQuery")
    refused = await api.wait_for("editMessageText")
    assert "not modified" in (refused[0].error or "")
    assert (await chat.send("/help")).last.plain  # still running
    assert len(api.calls_to("sendMessage")) == 1  # the /help reply; no apology


async def test_plan_shows_all_20_points_one_line_each(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    replies = await chat.send("/plan")
    assert len(replies) == 1
    first = replies.last
    assert first.plain.startswith("20-point plan \u2014 page 1 of 2")
    # Before: 3 points a page, 11 pages, 6 taps to reach points 15-20. Now all on the first page.
    points = listed(first)
    assert sorted(n for label in points for n in points_of(label)) == list(range(1, 21))
    assert points["4"] == "Ukraine's army stays at 800,000"
    assert visible_length(first.text) <= 1000
    pages = await walk(chat, first)
    assert len(pages) == 2
    for page in pages:
        assert_whole_labels(page, "en")
        assert [label for label in labels(page) if label in listed(page)] == list(listed(page))
    assert "Also in the plan, outside its numbering:" in pages[1].plain
    assert all(label.isalpha() for label in listed(pages[1]))

    again = await chat.press(pages[1], "‹ Prev")
    four = await chat.press(again.last, "4")
    assert four.last.plain.startswith("Point 4: Ukraine's army stays at 800,000")
    back = await chat.press(four.last, "« Back")
    assert back.last.plain == first.plain
    overview = await chat.press(back.last, "Overview")
    assert overview.last.plain.startswith("The 20-point peace plan")
    draft = await chat.press((await chat.press(overview.last, "« Back")).last, "28-point draft")
    assert draft.last.plain.startswith("28-point draft \u2014 page 1 of 1")
    assert listed(draft.last)["A"] == "Crimea, Donbas and the buffer zone"


async def test_in_a_group_each_command_is_one_message_and_buttons_edit_it(
    api: FakeBotAPI, bot: Application
) -> None:
    group = api.group_chat()
    for command in ("/timeline", "/plan"):
        api.clear_calls()
        replies = await group.send(command)
        assert [m.is_edit for m in replies] == [False]
        pages = await walk(group, replies.last)
        opened = await group.press(pages[-1], labels(pages[-1])[0])
        assert [m.is_edit for m in opened] == [True]
        back = await group.press(opened.last, "« Back")
        assert back.last.message_id == replies.last.message_id
        assert len(api.calls_to("sendMessage", group.chat_id)) == 1, command


ANCHORAGE = {
    "en": "15 Aug \u2014 Trump-Putin summit in Anchorage",
    "de": "15. Aug. \u2014 Trump-Putin-Gipfel in Anchorage",
    "uk": "15 серп. \u2014 Саміт Трампа і Путіна в Анкориджі",
    "ru": "15 авг. \u2014 Саммит Трампа и Путина в Анкоридже",
}
POINT_4 = {
    "en": "Ukraine's army stays at 800,000",
    "de": "Ukrainische Armee bleibt bei 800.000 Soldaten",
    "uk": "Армія України залишається на рівні 800 тисяч",
    "ru": "Армия Украины остаётся на уровне 800 тысяч",
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_timeline_and_plan_in_every_language(
    api: FakeBotAPI, bot: Application, language: str
) -> None:
    chat = api.private_chat(user_id=2000 + LANGUAGES.index(language), language_code=language)
    timeline = (await chat.send("/timeline")).last
    assert ANCHORAGE[language] in listed(timeline).values()
    period = period_label(dt.date(1994, 12, 5), dt.date(2025, 11, 28), language)
    heading = t(language, "timeline_page", period=period, page=1, pages=2)
    assert timeline.plain.startswith(re.sub(r"<[^>]+>", "", heading))
    assert_whole_labels(timeline, language)
    pages = await walk(chat, timeline, language)
    assert len(pages) == 2
    plan = (await chat.send("/plan")).last
    assert listed(plan)["4"] == POINT_4[language]
    assert_whole_labels(plan, language)
