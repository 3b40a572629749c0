"""An answer that fits a phone screen: the yes or no first where the base settles the question,
the summary with [n] markers tied to the sources, a compact source line, positions and details
behind More, every source with its reliability note behind Sources, weak relays labelled."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path

import pytest
from telegram.ext import Application

from bench.evalset import EVAL_SET, read_yaml
from bot.cli import main
from chat.callbacks import EntrySources, decode
from chat.render import COMPACT_SOURCES, render_answer, render_sources_detail, visible_length
from chat.settings import Settings
from knowledge.answer import Engine
from knowledge.loader import KnowledgeBase
from knowledge.messages import short_date, wording
from knowledge.plain import as_text
from knowledge.schema import LANGUAGES, YesNo
from knowledge.yesno import asks_yes_or_no
from testkit.fakes import FakeBotAPI
from testkit.harness import settings_for
from testkit.kb_trees import SOURCES, entry, write_tree

# The first message of a typical answer, in visible characters (issue 14).
FIRST_MESSAGE_LIMIT = 1200


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path) -> Settings:
    return settings_for(api, tmp_path)


def labels(message: object) -> list[str]:
    return [text for row in getattr(message, "buttons", []) for text, _ in row]


def is_answer(message: object) -> bool:
    """An entry's answer (not "did you mean" or "I don't know"): it has a Sources button."""
    data = [data for row in getattr(message, "buttons", []) for _, data in row]
    return any(isinstance(decode(d), EntrySources) for d in data)


# --- yes or no, first --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "question", "first"),
    [
        ("en", "Does the 20-point plan keep Ukraine's army at 800,000?", "Yes — "),
        ("de", "Wurde der 20-Punkte-Plan unterschrieben?", "Nein — "),
        ("uk", "Чи прийняла Росія план з 20 пунктів?", "Ні — "),
        ("ru", "Рушится ли российская экономика?", "Нет — "),
    ],
)
async def test_a_yes_no_question_is_answered_yes_or_no_first_in_the_askers_language(
    api: FakeBotAPI, bot: Application, language: str, question: str, first: str
) -> None:
    replies = await api.private_chat(language_code=language).send(question)
    answer = replies.last
    assert answer.plain.startswith(first), answer.plain[:80]
    assert answer.text.startswith("<b>")  # the yes or no in bold
    # ... then why, then the entry's title and summary, as for any other answer
    assert re.search(r"\[\d\]", answer.plain.split("\n\n")[0])  # why, with its source
    assert visible_length(answer.text) <= FIRST_MESSAGE_LIMIT


async def test_yes_or_no_is_never_invented(api: FakeBotAPI, bot: Application) -> None:
    """Only the questions a verdict settles get it: not a question asking what, not a yes/no
    question with another number, not an entry without a verdict."""
    chat = api.private_chat()
    for question in (
        "what does the 20 point plan say about the army",  # same entry, no yes/no question
        "Is Ukraine's army capped at 600,000 under the new plan?",  # a number the base says no to
        "Will Ukraine join NATO?",  # cmp-nato settles no yes or no
    ):
        replies = await chat.send(question)
        first_line = replies.last.plain.split("\n")[0]
        assert not first_line.startswith(("Yes", "No ")), (question, first_line)
        assert is_answer(replies.last)  # an answer all the same


def test_yes_no_questions_by_the_rules_of_each_language() -> None:
    assert asks_yes_or_no("does the plan cap the army", "en")
    assert not asks_yes_or_no("what does the plan say about the army", "en")
    assert asks_yes_or_no("Gibt es eine Waffenruhe?", "de")
    assert not asks_yes_or_no("Was sagt der Plan zur Armee?", "de")
    assert asks_yes_or_no("чи вступить україна до нато", "uk")
    assert asks_yes_or_no("Україна вступить до НАТО?", "uk")  # no question word, a question mark
    assert not asks_yes_or_no("що каже план про армію?", "uk")
    assert asks_yes_or_no("вступит ли украина в нато", "ru")
    assert not asks_yes_or_no("что говорит план об армии?", "ru")


def test_the_base_settles_yes_no_questions_in_four_languages(
    base: KnowledgeBase, engine: Engine
) -> None:
    settled = [e for e in base.entries.values() if e.verdict is not None]
    assert len(settled) >= 15
    assert {e.verdict.answer for e in settled if e.verdict} == {YesNo.yes, YesNo.no}
    for settling in settled:
        assert settling.verdict is not None
        for language in LANGUAGES:
            question = getattr(settling.verdict.questions, language)[0]
            answer = engine.ask(question)
            assert (answer.entry_id, answer.verdict) == (settling.id, settling.verdict.answer), (
                settling.id,
                language,
            )


# --- the first message fits a phone screen ------------------------------------------------------


def typical_questions(base: KnowledgeBase, engine: Engine) -> list[tuple[str, str, str]]:
    """(entry, language, question) for the 20 entries most often expected by the eval set, in each
    language: the set's first question in that language the engine answers with an entry, else
    the entry's first written phrasing."""
    questions = read_yaml(EVAL_SET)["questions"]
    expected = Counter(
        q["expect"][0] for q in questions if isinstance(q["expect"], list) and q["expect"]
    )
    asked: dict[tuple[str, str], str] = {}
    for q in questions:
        if isinstance(q["expect"], list) and q["expect"] and engine.ask(q["q"]).answered:
            asked.setdefault((q["expect"][0], q["lang"][:2]), q["q"])
    out = []
    for entry_id, _ in expected.most_common(20):
        phrasings = base.entries[entry_id].phrasings.by_language()
        for language in LANGUAGES:
            question = asked.get((entry_id, language), phrasings[language][0])
            out.append((entry_id, language, question))
    return out


async def test_typical_answers_fit_a_phone_screen_in_four_languages(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase, engine: Engine
) -> None:
    lengths: dict[str, list[int]] = {language: [] for language in LANGUAGES}
    typical = typical_questions(base, engine)
    # One asker per question, all at once: the flood limit is for people, not for this test's 80
    # questions, and the bot answers them concurrently as it would 80 people. The bot-wide send
    # limit alone spreads 80 answers over ~3 s, so each asker waits up to 30 s (5 s, the default,
    # ran out under load).
    asked = await asyncio.gather(
        *(
            api.private_chat(user_id=20_000 + number, language_code=language).send(
                question, timeout=30.0
            )
            for number, (_, language, question) in enumerate(typical)
        )
    )
    for (entry_id, language, question), replies in zip(typical, asked, strict=True):
        first = replies[0]
        assert is_answer(replies.last), (entry_id, language, question)
        length = visible_length(first.text)
        assert length <= FIRST_MESSAGE_LIMIT, (entry_id, language, question, length)
        assert len(replies) == 1, (entry_id, language)  # one message, not a wall
        lengths[language].append(length)
    assert all(len(found) == 20 for found in lengths.values())


def test_every_summary_is_at_most_600_characters_and_every_first_message_one_screen(
    base: KnowledgeBase, engine: Engine
) -> None:
    for settled in base.entries.values():
        for language in LANGUAGES:
            assert len(settled.answer.get(language)) <= 600, (settled.id, language)
            answer = engine.compose(settled, "", language, settled=True)
            assert visible_length(render_answer(answer)) <= FIRST_MESSAGE_LIMIT + 200, (
                settled.id,
                language,
            )


# --- markers, the source line, More and Sources --------------------------------------------------


async def test_markers_link_to_their_sources_and_the_source_line_is_compact(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    question = "does the 20-point plan keep ukraine's army at 800,000"
    replies = await api.private_chat().send(question)
    answer = replies.last
    cited = base.sources_of(base.entries["p20-point-4-army"])
    assert f'<a href="{cited[0].url}">[1]</a>' in answer.text
    line = next(x for x in answer.plain.split("\n") if x.startswith("Sources: "))
    assert line.count(" · ") == COMPACT_SOURCES  # three named, then "+2"
    assert line.endswith(f"+{len(cited) - COMPACT_SOURCES}")
    assert "[1] Ukrinform, 24 Dec 2025" in line
    assert "As of 2025-12-27" in answer.plain  # the date the answer is current as of stays


async def test_more_shows_positions_and_details_and_less_goes_back(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    chat = api.private_chat()
    first = (await chat.send("/compare nato")).last
    comparison = base.entries["cmp-nato"]
    assert comparison.details is not None
    assert "Ukraine:" not in first.plain and labels(first)[0] == "More"
    more = (await chat.press(first, "More")).last
    assert more.is_edit
    for party in ("Ukraine:", "Russia:", "United States:", "Europe:"):
        assert party in more.plain
    assert comparison.details.en[:40] in more.plain
    assert labels(more)[0] == "« Less"
    less = (await chat.press(more, "« Less")).last
    assert less.plain == first.plain

    # German asker, German answer: More keeps the language the answer was given in.
    chat = api.private_chat(user_id=4711, language_code="de")
    german = (await chat.send("NATO-Beitritt der Ukraine, wer will was?")).last
    assert labels(german)[0] == "Mehr"
    expanded = (await chat.press(german, "Mehr")).last
    assert "Russland:" in expanded.plain or "Ukraine:" in expanded.plain
    assert labels(expanded)[0] == "« Weniger"


async def test_a_verdict_survives_more_and_less(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    first = (await chat.send("Has Russia accepted Zelensky's 20-point plan?")).last
    assert first.plain.startswith("No — ")
    more = (await chat.press(first, "More")).last
    assert more.plain.startswith("No — ") and len(more.plain) > len(first.plain)
    assert (await chat.press(more, "« Less")).last.plain == first.plain


async def test_forged_more_buttons_expire(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat()
    replies = await chat.send("/topics")
    for data in ("1|m|no-such-entry|1|0|en", "1|m|russia-demands|1|0|xx", "1|m|russia-demands|2"):
        api.callback_query(data, replies.last.message)
        calls = await api.wait_for("answerCallbackQuery")
        assert "expired" in calls[-1].params.get("text", "")


async def test_the_sources_command_labels_publishers_cited_only_through_relays(
    api: FakeBotAPI, bot: Application
) -> None:
    listed = "\n".join((await api.private_chat().send("/sources")).texts)
    assert re.search(r"thequickflash.com \(Associated Press copy\) \(\d+\) \(relay\)", listed)
    assert "Ukrinform (" in listed and "Ukrinform (relay)" not in listed


async def test_sources_show_every_source_with_notes_and_relay_labels(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    chat = api.private_chat()
    first = (await chat.send("28-point draft frozen assets 100 billion")).last
    entry_ = base.entries["p28-frozen-assets"]
    cited = base.sources_of(entry_)
    assert all(s.relay for s in cited)  # three copies and an aggregator: labelled everywhere
    assert first.plain.count("(relay)") == len(cited)
    sources = (await chat.press(first, "Sources")).last
    for number, source in enumerate(cited, start=1):
        assert f"[{number}] {source.publisher} (relay) — " in sources.plain
        assert source.reliability and source.reliability.en in sources.plain


async def test_a_german_answers_sources_give_the_notes_in_german(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    chat = api.private_chat(user_id=4712, language_code="de")
    first = (await chat.send("28-Punkte-Entwurf eingefrorene Vermögenswerte 100 Milliarden")).last
    cited = base.sources_of(base.entries["p28-frozen-assets"])
    sources = (await chat.press(first, "Quellen")).last
    for source in cited:
        assert source.reliability and source.reliability.de
        assert f"Hinweis: {source.reliability.de}" in sources.plain
        assert source.reliability.en not in sources.plain


async def test_inline_answers_have_the_same_shape_and_buttons(
    api: FakeBotAPI, bot: Application
) -> None:
    results = await api.inline("does the 20-point plan keep ukraine's army at 800,000")
    text = results[0]["input_message_content"]["message_text"]
    assert text.startswith("<b>Yes</b> — ")
    buttons = [b["text"] for row in results[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert "Sources" in buttons
    compared = await api.inline("nato membership positions compared")
    buttons = [b["text"] for row in compared[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[:2] == ["More", "Sources"]


async def test_in_groups_the_answer_replies_to_the_question(
    api: FakeBotAPI, bot: Application
) -> None:
    group = api.group_chat()
    asked = await group.send("/ask Has Russia accepted Zelensky's 20-point plan?")
    assert asked.last.plain.startswith("No — ") and asked.last.reply_to is not None
    more = (await group.press(asked.last, "More")).last
    assert more.is_edit and more.plain.startswith("No — ")


# --- kb check -----------------------------------------------------------------------------------


def test_kb_check_accepts_a_verdict_and_flags_an_unlabelled_relay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verdict = """\
    verdict:
      answer: "yes"
      questions:
        en: ["is alpha settled"]
        de: ["ist alpha entschieden"]
        uk: ["чи вирішено альфа"]
        ru: ["решено ли альфа"]
      because: {en: "it is [1].", de: "es ist so [1].", uk: "так [1].", ru: "да [1]."}
"""
    good = write_tree(tmp_path / "good", entry("alpha-entry", "alpha", verdict))
    assert main(["kb", "check", str(good)]) == 0
    capsys.readouterr()
    copied = SOURCES.replace("publisher: Other Wire", "publisher: Other Wire (republished copy)")
    bad = write_tree(tmp_path / "bad", sources_yaml=copied)
    assert main(["kb", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "sources.yaml:" in out and ": src-two: relay: " in out


@pytest.mark.parametrize("language", LANGUAGES)
def test_source_dates_behind_sources_are_in_the_readers_language(
    base: KnowledgeBase, engine: Engine, language: str
) -> None:
    undated = next(
        (entry_, source)
        for entry_ in base.entries.values()
        for source in base.sources_of(entry_)
        if source.published is None
    )
    listed = render_sources_detail(base, undated[0], "{title}", "note", language)
    printed = as_text(engine.compose(undated[0], "?", language))  # what `ask` prints
    for text in (listed, printed):
        assert wording(language, "date_not_shown") in text
        if language != "en":
            assert "date not shown" not in text
    dated = next(
        (entry_, source)
        for entry_ in base.entries.values()
        for source in base.sources_of(entry_)
        if source.published is not None
    )
    shown = render_sources_detail(base, dated[0], "{title}", "note", language)
    printed = as_text(engine.compose(dated[0], "?", language))
    assert dated[1].published is not None
    assert f"({short_date(language, dated[1].published.isoformat())})" in shown
    assert f"({short_date(language, dated[1].published.isoformat())}) {dated[1].url}" in printed
