"""The curator's loop, end to end on SQLite and PostgreSQL: what users choose after a question is
recorded without the user, reported (`report suggestions`, `report stale`, /stats), and learned
back into the base (`kb learn`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import json
import shutil
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select, update
from telegram.ext import Application

from bot.cli import main
from chat.callbacks import decode
from chat.feedback import CHOICE_WINDOW_SECONDS, Asked, RecentQuestions
from chat.render import answer_length
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.curation import AskedQuestion, Via, clusters, stale_entries
from knowledge.loader import bundled_dir
from knowledge.validate import load_base
from storage import feedback
from storage.db import Database, Unanswered, utcnow
from storage.feedback import ChoiceRow, QuestionRow
from testkit.fakes import FakeBotAPI, SentMessage
from testkit.harness import running_bot, settings_for
from testkit.kb_trees import entry, write_tree

ADMIN = 777
VAGUE = "peace plan??"  # answered with "did you mean" by the bundled base
T = TypeVar("T")


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path, chat_db_url: str) -> Settings:
    return settings_for(api, tmp_path, database_url=chat_db_url, admin_ids=[ADMIN])


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    chat_db_url: str,
) -> Callable[..., Awaitable[tuple[int, str, str]]]:
    """`briefing-bot ARGS` against the test's database: (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", chat_db_url)
    monkeypatch.delenv("KNOWLEDGE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)

    async def run(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(main, [str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
    """The first truthy result of `check`, asked again until `timeout` (the bot records after it
    replies)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            assert result, "the condition never held"
            return result
        await asyncio.sleep(0.05)


async def rows(settings: Settings, model: Any) -> list[Any]:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            return list(await session.scalars(select(model).order_by(model.id)))
    finally:
        await db.close()


def choice_buttons(message: SentMessage) -> list[tuple[str, str]]:
    """(title, entry id) of each "did you mean" button."""
    out = []
    for row in message.buttons:
        for text, data in row:
            callback = decode(data)
            assert callback is not None
            out.append((text, str(getattr(callback, "entry_id", ""))))
    return out


def copy_of_bundled_base(tmp_path: Path) -> Path:
    return Path(shutil.copytree(bundled_dir(), tmp_path / "kb"))


# --- the loop of the issue ----------------------------------------------------------------------


async def test_a_did_you_mean_choice_is_reported_under_the_entry_and_learned(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
    cli: Callable[..., Awaitable[tuple[int, str, str]]],
    tmp_path: Path,
) -> None:
    chat = api.private_chat(user_id=5001)
    replies = await chat.send(VAGUE)
    assert "Did you mean" in replies.last.plain
    choices = choice_buttons(replies.last)
    assert len(choices) >= 2
    title, chosen = choices[-1]  # not the first: the user knows better than the ranking
    opened = await chat.press(replies.last, title)
    assert opened.last.plain.startswith(title)
    await eventually(lambda: rows(settings, ChoiceRow))

    code, out, _ = await cli("report", "suggestions", "--json")
    assert code == 0
    report = json.loads(out)
    by_entry = {e["entry_id"]: e for e in report["phrasings"]}
    assert by_entry[chosen]["questions"] == [
        {"text": VAGUE, "language": "en", "count": 1, "via": ["did_you_mean"]}
    ]
    assert by_entry[chosen]["file"] == load_base().origin[chosen]
    assert report["totals"]["did_you_mean"] == 1 and report["totals"]["choices"] == 1
    first = choices[0][1]
    assert any(
        set(c["entries"]) == {first, chosen} and c["chosen_instead"] == 1
        for c in report["confused"]
    )

    # The curator accepts the report as it is: kb learn adds the question to that entry.
    kb = copy_of_bundled_base(tmp_path)
    name = by_entry[chosen]["file"]
    before = (kb / name).read_text(encoding="utf-8")
    accepted = tmp_path / "accepted.json"
    accepted.write_text(out, encoding="utf-8")
    code, out, err = await cli("kb", "learn", accepted, kb)
    assert code == 0, err
    assert out.strip() == f"added\t{name}\t{chosen}\ten\t{VAGUE}"
    after = (kb / name).read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert len(changed) == 1 and changed[0].endswith(f'- "{VAGUE}"')
    assert VAGUE in load_base(kb).entries[chosen].phrasings.en
    code, _, err = await cli("kb", "check", kb)
    assert code == 0, err
    # Learned, it is no longer suggested.
    code, out, _ = await cli("report", "suggestions", "--json", "--knowledge-dir", kb)
    assert chosen not in {e["entry_id"] for e in json.loads(out)["phrasings"]}


async def test_related_and_inline_choices_are_recorded_without_the_user(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
    engine: Engine,
    cli: Callable[..., Awaitable[tuple[int, str, str]]],
) -> None:
    chat = api.private_chat(user_id=5002)
    answer = (await chat.send("what does putin want")).last
    related = await chat.press(answer, "Related")
    title, related_id = next(
        (text, str(getattr(decode(data), "entry_id", "")))
        for row in related.last.buttons
        for text, data in row
        if text != "« Back"
    )
    await chat.press(related.last, title)
    # Sources, then back to it: opening the same entry again is not a second choice.
    sources = await chat.press(api.sent_messages(5002)[-1], "Sources")
    await chat.press(sources.last, "« Back")

    query = "peace plan"
    results = await api.inline(query, user_id=5002)
    assert len(results) >= 2
    api.choose_inline(query, results[-1]["id"], user_id=5002)
    recorded = await eventually(
        lambda: _at_least(rows(settings, ChoiceRow), 2)  # the related entry and the inline one
    )
    assert [(c.via, c.entry_id, c.top_entry_id) for c in recorded] == [
        ("related", related_id, "russia-demands"),
        ("inline", results[-1]["id"], results[0]["id"]),
    ]
    assert recorded[0].text == "what does putin want" and recorded[1].text == query

    # Nothing stored names the user or the chat.
    stored = [*await rows(settings, QuestionRow), *recorded]
    columns = {c.name for model in (QuestionRow, ChoiceRow) for c in model.__table__.columns}
    assert not {c for c in columns if "user" in c or "chat" in c}
    assert "5002" not in " ".join(str(vars(row)) for row in stored)

    code, out, _ = await cli("report", "suggestions", "--json")
    by_entry = {e["entry_id"]: e for e in json.loads(out)["phrasings"]}
    assert engine.ask(query).entry_id is None  # "did you mean": worth a phrasing
    assert {"text": query, "language": "en", "count": 1, "via": ["inline"]} in by_entry[
        results[-1]["id"]
    ]["questions"]
    assert {
        "text": "what does putin want",
        "language": "en",
        "count": 1,
        "via": ["related"],
    } in by_entry[related_id]["questions"]


async def _at_least(found: Awaitable[list[T]], count: int) -> list[T]:
    items = await found
    return items if len(items) >= count else []


async def test_a_rephrasing_after_a_non_answer_links_the_two(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
    cli: Callable[..., Awaitable[tuple[int, str, str]]],
) -> None:
    better = "would ukraine join nato under the 20 point plan"
    chat = api.private_chat(user_id=5003)
    assert "Did you mean" in (await chat.send(VAGUE)).last.plain
    answered = (await chat.send(better)).last
    assert answered.plain.startswith("NATO in the 20-point plan")
    # In a group, another member's question is not the first asker's rephrasing.
    group = api.group_chat(-4100, user_id=5004)
    await group.send(f"/ask {VAGUE}")
    await group.send(f"/ask {better}", user_id=5005)

    questions = await eventually(lambda: _at_least(rows(settings, QuestionRow), 4))
    assert [(q.text, q.outcome, q.rephrase_of) for q in questions] == [
        (VAGUE, "suggest", None),
        (better, "answer", questions[0].id),
        (VAGUE, "suggest", None),
        (better, "answer", None),
    ]
    code, out, _ = await cli("report", "suggestions", "--json")
    by_entry = {e["entry_id"]: e for e in json.loads(out)["phrasings"]}
    assert by_entry["p20-nato"]["questions"] == [
        {"text": VAGUE, "language": "en", "count": 1, "via": ["rephrase"]}
    ]
    code, out, _ = await cli("report", "suggestions")
    assert code == 0 and "last 30 days: 4 questions (2 answered" in out
    assert "p20-nato\tplan_20.yaml\t1 question(s)\ten\t" in out
    assert f"  1\ten\trephrase\t{VAGUE}\n" in out


async def test_a_tap_is_tied_only_to_the_question_whose_offer_the_message_shows() -> None:
    recent = RecentQuestions()
    offered = {"entry-a": Via.did_you_mean, "entry-b": Via.did_you_mean}
    stored: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
    asked = Asked(stored, "q", "en", 1, 10, 0.0, True, "entry-a", offered)
    recent.add(5, asked)
    shown = ["entry-a", "entry-b"]
    assert recent.offering(5, 11, "entry-b", shown, 1.0) == (asked, Via.did_you_mean)
    assert recent.offering(5, 11, "entry-b", [*shown, "entry-c"], 1.0) is None  # a topic list
    assert recent.offering(5, 9, "entry-b", shown, 1.0) is None  # a message before the question
    assert recent.offering(6, 11, "entry-b", shown, 1.0) is None  # another chat
    assert recent.offering(5, 11, "entry-b", shown, CHOICE_WINDOW_SECONDS + 1) is None
    assert recent.non_answer_before(5, 1, 60.0, 180.0) is asked
    assert recent.non_answer_before(5, 2, 60.0, 180.0) is None  # someone else in the chat
    assert recent.non_answer_before(5, 1, 200.0, 180.0) is None  # minutes later


async def test_no_rephrase_link_outside_the_window(
    api: FakeBotAPI, tmp_path: Path, chat_db_url: str, engine: Engine
) -> None:
    settings = settings_for(api, tmp_path, database_url=chat_db_url, rephrase_window_seconds=0)
    async with running_bot(settings, engine):
        chat = api.private_chat(user_id=5006)
        await chat.send(VAGUE)
        await chat.send("when would ukraine hold elections under the 20 point plan")
        questions = await eventually(lambda: _at_least(rows(settings, QuestionRow), 2))
    assert [q.rephrase_of for q in questions] == [None, None]


# --- reports ------------------------------------------------------------------------------------


async def test_report_stale_counts_the_questions_that_reached_each_entry(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
    cli: Callable[..., Awaitable[tuple[int, str, str]]],
) -> None:
    chat = api.private_chat(user_id=5007)
    for _ in range(2):
        assert "Russia" in (await chat.send("what does putin want")).last.plain
    await eventually(lambda: _at_least(rows(settings, QuestionRow), 2))
    code, out, _ = await cli("report", "stale", "--days", "1", "--json")
    assert code == 0
    report = json.loads(out)
    base = load_base()
    demands = base.entries["russia-demands"]
    listed = {
        (t["topic"], e["entry_id"]): e["questions"] for t in report["topics"] for e in t["entries"]
    }
    assert all(listed[(topic, "russia-demands")] == 2 for topic in demands.topics)
    assert sum(listed.values()) == 2 * len(demands.topics)
    # The most read topic comes first, its most read entry first.
    first = report["topics"][0]
    assert first["topic"] in demands.topics and first["entries"][0]["entry_id"] == demands.id
    code, out, _ = await cli("report", "stale", "--days", "1")
    assert f"\t2\trussia-demands\t{demands.title.en}" in out


def test_questions_alike_in_words_are_one_cluster_with_its_closest_entries(engine: Engine) -> None:
    texts = [
        "best borscht recipe",
        "borscht recipe please",
        "recipe for borscht?",
        "weather in kyiv",
        "kyiv weather",
        VAGUE,
        "peace plan",
        "best borscht recipe",
        "what does putin want",  # answered: no cluster
    ]
    asked = []
    for number, text in enumerate(texts):
        answer = engine.ask(text)
        offered = tuple(s.entry_id for s in answer.suggestions)
        asked.append(
            AskedQuestion(number, text, "en", answer.outcome.value, answer.entry_id, offered)
        )
    found = clusters(engine, asked)
    assert [(c.text, c.count, c.unanswered, c.did_you_mean) for c in found] == [
        ("best borscht recipe", 4, 4, 0),
        ("kyiv weather", 2, 2, 0),
        ("peace plan", 2, 0, 2),
    ]
    assert [q.text for q in found[0].questions] == [
        "best borscht recipe",
        "borscht recipe please",
        "recipe for borscht?",
    ]
    vague = next(c for c in found if c.text == "peace plan")
    assert vague.closest[0].entry_id in asked[5].offered


def test_stale_is_as_of_older_than_the_days(tmp_path: Path) -> None:
    base = load_base(write_tree(tmp_path / "kb"), measure=answer_length)  # as_of 2025-12-24
    reached = Counter({"beta-entry": 3})
    found = stale_entries(base, dt.date(2025, 12, 31), 5, reached)
    assert [
        (t.topic_id, [(e.entry_id, e.age_days, e.questions) for e in t.entries]) for t in found
    ] == [("plan-20", [("beta-entry", 7, 3), ("alpha-entry", 7, 0)])]
    assert stale_entries(base, dt.date(2025, 12, 31), 7, reached) == []


async def test_stats_shows_the_top_of_both_reports_to_admins_only(
    api: FakeBotAPI, bot: Application, settings: Settings
) -> None:
    reader = api.private_chat(user_id=5008)
    replies = await reader.send(VAGUE)
    title, _ = choice_buttons(replies.last)[-1]
    await reader.press(replies.last, title)
    await reader.send("best borscht recipe with <beets>")
    await eventually(lambda: rows(settings, ChoiceRow))

    denied = await reader.send("/stats")
    assert denied.last.plain == "Only the bot's administrators can see the statistics."
    admin = api.private_chat(user_id=ADMIN)
    assert "/stats DAYS" in (await admin.send("/stats soon")).last.plain
    stats = (await admin.send("/stats 1")).last
    text = stats.plain
    assert text.startswith("The last 1 days: 2 questions: 0 answered, 1 with “did you mean”")
    assert f"“{VAGUE}” ×1 (en) → {title}" in text
    assert "“best borscht recipe with <beets>” ×1" in text and "&lt;beets&gt;" in stats.text
    assert "Not updated for over 1 days" in text and "briefing-bot report stale" in text
    german = api.private_chat(user_id=ADMIN + 1, language_code="de")
    bot.bot_data.services.settings.admin_ids.append(ADMIN + 1)
    assert "Lohnt sich als Formulierung" in (await german.send("/stats")).last.plain


# --- privacy -------------------------------------------------------------------------------------


async def test_records_older_than_the_retention_are_pruned(
    api: FakeBotAPI, tmp_path: Path, db_url: str, engine: Engine
) -> None:
    settings = settings_for(api, tmp_path, database_url=db_url, feedback_retention_days=30)
    db = Database(db_url)
    await db.upgrade()
    old = utcnow() - dt.timedelta(days=31)
    for age in ("old", "new"):
        question = await feedback.record_question(db, age, "en", "none", 0.1, unanswered=True)
        await feedback.record_choice(
            db, age, "en", "russia-demands", feedback.Via.inline, question_id=question
        )
    async with db.write() as session:
        await session.execute(
            update(QuestionRow).where(QuestionRow.text == "old").values(asked_at=old)
        )
        await session.execute(
            update(ChoiceRow).where(ChoiceRow.text == "old").values(chosen_at=old)
        )
        await session.execute(
            update(Unanswered).where(Unanswered.text == "old").values(asked_at=old)
        )
    await db.close()

    async def pruned() -> bool:
        return [q.text for q in await rows(settings, QuestionRow)] == ["new"]

    async with running_bot(settings, engine):
        await eventually(pruned)
    assert [c.text for c in await rows(settings, ChoiceRow)] == ["new"]
    assert [u.text for u in await rows(settings, Unanswered)] == ["new"]


# --- kb learn ------------------------------------------------------------------------------------


def test_kb_learn_keeps_flow_lists_and_refuses_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb = write_tree(tmp_path / "kb")
    original = (kb / "entries.yaml").read_text(encoding="utf-8")
    accepted = tmp_path / "accepted.yaml"

    def learn(text: str) -> tuple[int, str]:
        accepted.write_text(text, encoding="utf-8")
        capsys.readouterr()
        code = main(["kb", "learn", str(accepted), str(kb)])
        return code, capsys.readouterr().err

    code, err = learn(
        "phrasings:\n"
        "  - entry_id: beta-entry\n"
        "    questions:\n"
        '      - {text: "what\'s beta, \\"really\\"", language: de}\n'
        "      - {text: 'beta in simple words', language: en}\n"
    )
    assert code == 0, err
    changed = (kb / "entries.yaml").read_text(encoding="utf-8")
    assert changed == original.replace(
        'was ist beta zwei"]', 'was ist beta zwei", "what\'s beta, \\"really\\""]'
    ).replace('"beta six now"]', '"beta six now", "beta in simple words"]')
    base = load_base(kb, measure=answer_length, confusable=True)
    assert base.entries["beta-entry"].phrasings.de[-1] == 'what\'s beta, "really"'

    # Each bad item names the file, the line, the entry and the field; nothing is written.
    code, err = learn(
        "phrasings:\n"
        "  - entry_id: alpha-entry\n"
        "    questions:\n"
        "      - text: alpha by another name\n"
        "        language: fr\n"
        "  - questions: []\n"
    )
    assert code == 1
    assert f"{accepted}:5: alpha-entry: questions.0.language: Input should be" in err
    assert f"{accepted}:6: phrasings[1]: entry_id: required field is missing" in err
    code, err = learn(
        "phrasings:\n"
        "  - entry_id: gamma-entry\n"
        "    questions: [{text: gamma please, language: en}]\n"
        "  - entry_id: alpha-entry\n"
        "    questions:\n"
        "      - {text: 'Alpha  one', language: en}\n"
        "      - {text: alpha elsewhere, language: en}\n"
        "      - {text: Alpha elsewhere, language: en}\n"
    )
    assert code == 1
    assert f"{accepted}:3: gamma-entry: entry_id: no such entry in {kb}" in err
    assert "already a phrasing of this entry" in err and "asked for twice (first at line 7)" in err
    # A phrasing another entry already has would fail kb check: refused the same way.
    code, err = learn(
        "phrasings:\n  - entry_id: alpha-entry\n    questions: [{text: beta one, language: en}]\n"
    )
    assert code == 1 and "cannot be told apart" in err and "nothing added" in err
    assert (kb / "entries.yaml").read_text(encoding="utf-8") == changed
    assert learn("not: [a list]")[0] == 1


def test_kb_learn_appends_to_block_lists_in_the_list_style(tmp_path: Path) -> None:
    kb = write_tree(
        tmp_path / "kb",
        entry("alpha-entry", "alpha").replace(
            '      en: ["alpha one", "alpha two please", "what about alpha three",\n'
            '           "alpha four?", "tell me alpha five", "alpha six now"]\n',
            "      en:\n"
            + "".join(
                f"        - '{p}'\n"
                for p in ("alpha one", "alpha two please", "what about alpha three")
            )
            + "        - 'alpha four?'  # a comment stays\n"
            + "".join(f"        - '{p}'\n" for p in ("tell me alpha five", "alpha six now")),
        ),
    )
    accepted = tmp_path / "accepted.yaml"
    accepted.write_text(
        "phrasings:\n  - entry_id: alpha-entry\n"
        '    questions: [{text: "alpha\'s seventh", language: en}]\n',
        encoding="utf-8",
    )
    assert main(["kb", "learn", str(accepted), str(kb)]) == 0
    text = (kb / "entries.yaml").read_text(encoding="utf-8")
    assert "        - 'alpha six now'\n        - 'alpha''s seventh'\n      de:" in text
    assert "# a comment stays" in text
    assert load_base(kb).entries["alpha-entry"].phrasings.en[-1] == "alpha's seventh"
