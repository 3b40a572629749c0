"""Follow-up questions in context: "and russia?" after an answer about Ukraine and NATO is about
Russia and NATO, for the same user, for a limited time; a new question inherits nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from sqlalchemy import update
from telegram.ext import Application

from bench.followups import MODES, REFUSE, SETS, _expected, evaluate, judged, load_pairs
from bot.cli import main
from chat.callbacks import OpenEntry, decode
from chat.settings import Settings
from knowledge.answer import Engine, Outcome, previous_of
from knowledge.followup import Previous, Shift, point_map, read_cues
from knowledge.loader import KnowledgeBase
from knowledge.schema import Kind, Party
from storage import follow_ups
from storage.db import Database, utcnow
from storage.follow_ups import LastAnswer, recall_in_chat, remember, talk_of
from testkit.fakes import FakeBotAPI, TooManyRequests
from testkit.harness import running_bot, settings_for

WINDOW = 600.0

# (language, first question, follow-up): the example in the four languages.
NATO = [
    ("en", "what does ukraine want on nato", "and russia?"),
    ("de", "Welche Position hat die Ukraine zur NATO?", "und russland?"),
    ("uk", "чого хоче україна щодо нато", "а що з росією?"),
    ("ru", "чего хочет украина по нато", "а россия?"),
]
# Entries that hold Russia's NATO position: its demands, or the NATO comparison (Russia first).
RUSSIA_ON_NATO = ("russia-demands", "cmp-nato")


@pytest.fixture
def settings(api: FakeBotAPI, tmp_path: Path, chat_db_url: str) -> Settings:
    return settings_for(api, tmp_path, database_url=chat_db_url, follow_up_seconds=WINDOW)


def titles(base: KnowledgeBase, language: str) -> list[str]:
    return [base.entries[e].title.get(language) for e in RUSSIA_ON_NATO]


def about_russia_on_nato(text: str, base: KnowledgeBase, language: str) -> bool:
    """An answer (not a choice of entries) with Russia's NATO position."""
    return any(title in text for title in titles(base, language)) and (
        "NATO" in text or "НАТО" in text
    )


async def age(settings: Settings, seconds: float) -> None:
    """Moves every kept last answer `seconds` into the past (no test waits for the clock)."""
    db = Database(settings.database_url)
    async with db.write() as session:
        await session.execute(
            update(LastAnswer).values(answered_at=utcnow() - dt.timedelta(seconds=seconds))
        )
    await db.close()


# --- conversations -------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "first", "follow_up"), NATO)
async def test_and_russia_after_ukraine_on_nato_is_russia_on_nato(
    api: FakeBotAPI,
    bot: Application,
    base: KnowledgeBase,
    language: str,
    first: str,
    follow_up: str,
) -> None:
    chat = api.private_chat(user_id=501, language_code=language)
    asked = await chat.send(first)
    assert "NATO" in asked.last.plain or "НАТО" in asked.last.plain
    answered = await chat.send(follow_up)
    assert about_russia_on_nato(answered.last.plain, base, language), answered.last.plain

    # The same words from someone with no such answer behind them are not about NATO.
    stranger = api.private_chat(user_id=502, language_code=language)
    alone = await stranger.send(follow_up)
    assert not about_russia_on_nato(alone.last.plain, base, language), alone.last.plain


async def test_a_follow_up_typed_while_the_answer_is_still_going_out_follows_it(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    """The answer is remembered before it is sent: Telegram refuses its first try (429, retry in
    a second), and the follow-up typed meanwhile still finds it (it had been remembered only
    once the send returned)."""
    language, first, follow_up = NATO[0]
    first_answer = (await api.private_chat(user_id=504).send(first)).last.plain
    chat = api.private_chat(user_id=503, language_code=language)
    api.fail_next("sendMessage", TooManyRequests(1), chat_id=chat.chat_id)
    start = len(api.calls)
    chat.post(first)
    await api.wait_for("sendMessage", chat_id=chat.chat_id, ok=False, since=start)
    replies = await chat.send(follow_up, timeout=10.0)
    await api.wait_for("sendMessage", 2, chat_id=chat.chat_id, ok=True, since=start)
    answers = [c.params["text"] for c in api.calls[start:] if c.ok and c.chat_id == chat.chat_id]
    followed = [text for text in replies.texts if text != first_answer]
    assert len(answers) == 2 and len(followed) == 1, replies.texts
    assert about_russia_on_nato(followed[0], base, language), followed[0]


@pytest.mark.parametrize(("language", "first", "follow_up"), NATO)
async def test_a_follow_up_after_the_time_limit_stands_alone(
    api: FakeBotAPI,
    bot: Application,
    settings: Settings,
    base: KnowledgeBase,
    language: str,
    first: str,
    follow_up: str,
) -> None:
    chat = api.private_chat(user_id=511, language_code=language)
    await chat.send(first)
    await age(settings, WINDOW + 1)
    late = await chat.send(follow_up)
    assert not about_russia_on_nato(late.last.plain, base, language), late.last.plain


async def test_just_inside_the_time_limit_it_still_follows(
    api: FakeBotAPI, bot: Application, settings: Settings, base: KnowledgeBase
) -> None:
    chat = api.private_chat(user_id=512)
    await chat.send("what does ukraine want on nato")
    await age(settings, WINDOW - 30)
    answered = await chat.send("and russia?")
    assert about_russia_on_nato(answered.last.plain, base, "en")


async def test_in_a_group_only_the_asker_replying_to_the_bot_follows_up(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    group = api.group_chat(user_id=601)
    asked = await group.send(f"@{api.bot_user['username']} what does ukraine want on nato")
    # Another member replying to the same answer has no answer of their own to follow.
    other = await group.send("and russia?", user_id=602, reply_to=asked.last)
    assert not about_russia_on_nato(other.last.plain, base, "en"), other.last.plain
    # The asker, outside the reply thread (a mention), asks a question of its own.
    mention = await group.send(f"@{api.bot_user['username']} and russia?")
    assert not about_russia_on_nato(mention.last.plain, base, "en"), mention.last.plain
    # The asker replying to the bot's answer follows up (the mention above was the asker's last
    # question, so the NATO question is asked again first).
    again = await group.send(f"@{api.bot_user['username']} what does ukraine want on nato")
    answered = await group.send("and russia?", reply_to=again.last)
    assert about_russia_on_nato(answered.last.plain, base, "en"), answered.last.plain
    assert answered.last.reply_to is not None


async def test_a_full_new_question_inherits_nothing(api: FakeBotAPI, bot: Application) -> None:
    chat = api.private_chat(user_id=521)
    await chat.send("what does ukraine want on nato")
    new = await chat.send("who is kirill dmitriev?")
    assert "Dmitriev" in new.last.plain and "NATO membership" not in new.last.plain


async def test_sources_when_and_point_follow_ups(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    chat = api.private_chat(user_id=531)
    point = await chat.send("what does point 4 of the 20-point plan say")
    assert base.entries["p20-point-4-army"].title.en in point.last.plain
    sources = await chat.send("sources?")
    assert sources.last.plain.startswith(
        "Sources for: " + base.entries["p20-point-4-army"].title.en
    )
    assert "href=" in sources.last.text  # each source with its link
    following = await chat.send("and point 5?")
    assert base.entries["p20-point-5-article5"].title.en in following.last.plain
    uk = api.private_chat(user_id=532, language_code="uk")
    await uk.send("що в пункті 12 плану")
    eleventh = await uk.send("а пункт 11?")
    assert base.entries["p20-point-11-non-nuclear"].title.get("uk") in eleventh.last.plain


async def test_a_did_you_mean_choice_moves_the_follow_up_to_the_chosen_entry(
    api: FakeBotAPI, bot: Application, base: KnowledgeBase
) -> None:
    chat = api.private_chat(user_id=533)
    offered = await chat.send("peace plan??")  # "did you mean" with the bundled base
    choices = [(text, decode(data)) for row in offered.last.buttons for text, data in row if data]
    assert len(choices) >= 2, offered.last.plain
    title, callback = choices[-1]  # not the first choice, which the bot keeps until pressed
    assert isinstance(callback, OpenEntry)
    await chat.press(offered.last, title)
    sources = await chat.send("sources?")
    chosen = base.entries[callback.entry_id].title.en
    assert sources.last.plain.startswith("Sources for: " + chosen), sources.last.plain


async def test_a_follow_up_answered_by_another_replica(
    api: FakeBotAPI, settings: Settings, engine: Engine, base: KnowledgeBase
) -> None:
    """The last answer lives in the database: the replica (or the restarted bot) that gets the
    follow-up is not the one that answered."""
    chat = api.private_chat(user_id=551, language_code="de")
    async with running_bot(settings, engine):
        await chat.send("was will die ukraine bei der nato")
    async with running_bot(settings, engine):
        answered = await chat.send("und russland?")
    assert about_russia_on_nato(answered.last.plain, base, "de"), answered.last.plain


async def test_follow_ups_off_when_the_window_is_zero(
    api: FakeBotAPI, tmp_path: Path, engine: Engine, base: KnowledgeBase
) -> None:
    settings = settings_for(api, tmp_path, follow_up_seconds=0)
    async with running_bot(settings, engine):
        chat = api.private_chat(user_id=541)
        await chat.send("what does ukraine want on nato")
        alone = await chat.send("and russia?")
        assert not about_russia_on_nato(alone.last.plain, base, "en")


# --- storage -------------------------------------------------------------------------------------


async def recall(db: Database, talk: str, window: float) -> Previous | None:
    """The last answer alone (chat 0 has no /lang choice)."""
    return (await recall_in_chat(db, 0, talk, window))[1]


async def test_last_answer_is_kept_per_chat_and_user_and_forgotten_after_the_window(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, elsewhere, third = (
        talk_of("secret", chat, user) for chat, user in ((1, 10), (1, 11), (2, 10), (3, 12))
    )
    await remember(db, first, Previous("cmp-nato", "was will die ukraine", "de"), WINDOW)
    await remember(db, second, Previous(None, "best borscht"), WINDOW)
    assert await recall(db, first, WINDOW) == Previous("cmp-nato", "was will die ukraine", "de")
    assert await recall(db, second, WINDOW) == Previous(None, "best borscht")
    assert await recall(db, elsewhere, WINDOW) is None  # another chat
    await remember(db, first, Previous("russia-demands", "want nato russia"), WINDOW)
    assert await recall(db, first, WINDOW) == Previous("russia-demands", "want nato russia")
    async with db.write() as session:
        await session.execute(
            update(LastAnswer)
            .where(LastAnswer.talk == second)
            .values(answered_at=utcnow() - dt.timedelta(seconds=WINDOW + 1))
        )
    assert await recall(db, second, WINDOW) is None
    monkeypatch.setattr(follow_ups, "_swept", {})  # the next write sweeps, as a minute later
    await remember(db, third, Previous("cmp-nato", "nato"), WINDOW)
    async with db.session() as session:
        rows = (await session.execute(LastAnswer.__table__.select())).all()
    assert sorted(r.talk for r in rows) == sorted([first, third])


async def test_recall_in_chat_reads_the_chats_language_with_the_last_answer(db: Database) -> None:
    talk = talk_of("secret", 5, 50)
    assert await recall_in_chat(db, 5, talk, WINDOW) == (None, None)
    await db.set_language(5, "private", "uk")
    assert await recall_in_chat(db, 5, talk, WINDOW) == ("uk", None)
    await remember(db, talk, Previous("cmp-nato", "nato?", "de"), WINDOW)
    assert await recall_in_chat(db, 5, talk, WINDOW) == ("uk", Previous("cmp-nato", "nato?", "de"))
    assert await recall_in_chat(db, 6, talk, WINDOW) == (None, Previous("cmp-nato", "nato?", "de"))
    assert await recall_in_chat(db, 5, talk, 0) == ("uk", None)  # past the window


async def test_a_choice_moves_a_recent_last_answer_only_from_an_offered_entry(
    db: Database,
) -> None:
    talk = talk_of("secret", 1, 10)
    await remember(db, talk, Previous("cmp-guarantees", "security guarantees??", "en"), WINDOW)
    assert not await follow_ups.choose(db, talk, "cmp-nato", ["p20-nato", "cmp-army"], WINDOW)
    assert (await recall(db, talk, WINDOW)) == Previous(
        "cmp-guarantees", "security guarantees??", "en"
    )
    offered = ["cmp-guarantees", "us-berlin-platinum-guarantees"]
    assert await follow_ups.choose(db, talk, "us-berlin-platinum-guarantees", offered, WINDOW)
    assert (await recall(db, talk, WINDOW)) == Previous(
        "us-berlin-platinum-guarantees", "security guarantees??", "en"
    )
    async with db.write() as session:
        await session.execute(
            update(LastAnswer).values(answered_at=utcnow() - dt.timedelta(seconds=WINDOW + 1))
        )
    assert not await follow_ups.choose(db, talk, "cmp-guarantees", offered, WINDOW)


def test_a_conversation_key_names_no_user() -> None:
    """The key depends on the secret, the chat and the user, and holds neither id."""
    key = talk_of("secret", -100123, 4242)
    assert "4242" not in key and "100123" not in key
    assert key != talk_of("other secret", -100123, 4242) != talk_of("secret", -100123, 4243)
    assert LastAnswer.__table__.columns.keys() == [
        "talk",
        "entry_id",
        "question",
        "language",
        "answered_at",
    ]


# --- the engine ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "parties", "plans", "points"),
    [
        ("and russia?", {Party.russia}, set(), []),
        ("und die USA?", {Party.united_states}, set(), []),
        ("а що з росією?", {Party.russia}, set(), []),
        ("а в кремле?", {Party.russia}, set(), []),
        ("what about kyiv's red lines", {Party.ukraine}, set(), []),
        ("and the 28-point draft?", set(), {Party.plan_28}, []),
        ("а за 28 пунктами?", set(), {Party.plan_28}, []),
        ("und im neuen plan?", set(), {Party.plan_20}, []),
        ("а в европейском варианте?", set(), {Party.european_plan}, []),
        ("what about point 5", set(), set(), [5]),
        ("what is point 5 of the 20-point plan", set(), {Party.plan_20}, [5]),
        ("что в 14 пункте", set(), set(), [14]),
        ("а пятый?", set(), set(), [5]),
        ("а 13?", set(), set(), [13]),
        ("und punkt fünf?", set(), set(), [5]),
        ("а пункт п'ять?", set(), set(), [5]),
        ("а пятнадцатый пункт?", set(), set(), [15]),  # not the fifth
        ("what about the 5th point", set(), set(), [5]),
        ("and the second one?", set(), set(), [2]),
        ("putin's press conference on 19 december", {Party.russia}, {Party.plan_20}, []),
    ],
)
def test_read_cues(
    message: str, parties: set[Party], plans: set[Party], points: list[int]
) -> None:
    cues = read_cues(message)
    assert (cues.parties, cues.plans, cues.points) == (parties, plans, points)


def test_a_short_follow_up_keeps_the_conversation_language(engine: Engine) -> None:
    after = Previous("p20-point-12-znpp", "що в пункті 12 плану", "uk")
    assert engine.ask("а пункт 11?", after=after).language == "uk"
    assert (
        engine.ask("а пункт 11?", after=Previous("p20-point-12-znpp", "", "ru")).language == "ru"
    )
    assert engine.ask("and point 11?", after=after).language == "en"


def test_asking_about_the_same_answer() -> None:
    assert read_cues("sources?").sources and read_cues("Quelle?").sources
    assert read_cues("звідки дані").sources and read_cues("источники").sources
    assert read_cues("when was that?").when and read_cues("какого числа?").when
    assert read_cues("wer hat das gesagt?").who and read_cues("хто це запропонував?").who
    assert read_cues("and then?").then and read_cues("а потім?").then


def test_the_point_map_comes_from_the_titles(base: KnowledgeBase) -> None:
    points = point_map(base)
    assert points[4] == "p20-point-4-army"
    assert points[8] == points[9] == "p20-points-8-9-funds"
    assert points[17] == "p20-points-15-20"


@pytest.mark.parametrize(
    ("previous", "question", "message", "expected", "shift"),
    [
        ("p20-point-4-army", "", "sources?", "p20-point-4-army", Shift.sources),
        ("tl-yermak-resigns", "", "wann genau?", "tl-yermak-resigns", Shift.when),
        ("p20-point-4-army", "", "а пятый?", "p20-point-5-article5", Shift.point),
        (
            "p20-point-13-education",
            "",
            "whats the next point",
            "p20-point-14-territory",
            Shift.point,
        ),
        ("p28-thanksgiving-deadline", "", "and then?", "p28-geneva-talks", Shift.next),
        ("p20-point-12-znpp", "", "and in the 28-point draft?", "p28-znpp", Shift.plan),
        ("p28-znpp", "", "а в европейском варианте?", "eu-plan-znpp", Shift.plan),
        # "und zu wahlen?" alone scores 0.88 on one machine, just above the answer bar (0.874), and
        # below it on another: the message with its article is clearly a follow-up (0.84 alone).
        (None, "was steht im friedensplan zu kriegsgefangenen", "und zu den wahlen?", None, None),
    ],
)
def test_resolve_against_an_entry(
    engine: Engine,
    previous: str | None,
    question: str,
    message: str,
    expected: str | None,
    shift: Shift | None,
) -> None:
    answer = engine.ask(message, after=Previous(previous, question))
    if expected is None:  # only words to go on: some follow-up reading, never the old entry
        assert answer.follow_up is not None and answer.follow_up.previous_entry_id is None
        return
    assert (answer.outcome, answer.entry_id) == (Outcome.answer, expected)
    assert answer.follow_up is not None and answer.follow_up.shift is shift
    assert answer.follow_up.previous_entry_id == previous


def test_a_comparison_answering_a_party_follow_up_puts_that_party_first(engine: Engine) -> None:
    after = Previous("cmp-nato", "was will die ukraine bei der nato")
    answer = engine.ask("und russland?", after=after)
    assert answer.entry_id == "cmp-nato" and answer.follow_up is not None
    assert answer.follow_up.sides == (Party.russia,)
    assert [label for label, _ in answer.positions][0] == "Russland"


def test_a_question_of_its_own_is_not_a_follow_up(engine: Engine) -> None:
    after = Previous("cmp-nato", "what does ukraine want on nato")
    for question in (
        "who is kirill dmitriev?",
        "what is the budapest memorandum",
        "and what does putin say about elections?",  # "and ..." with a subject of its own
    ):
        assert engine.ask(question, after=after).follow_up is None
        assert engine.ask(question, after=after).entry_id == engine.ask(question).entry_id


def test_an_unknown_previous_entry_falls_back_to_the_words(engine: Engine) -> None:
    answer = engine.ask("and russia?", after=Previous("no-such-entry", ""))
    assert answer.follow_up is None


def test_what_a_chat_keeps_of_an_answer(engine: Engine) -> None:
    first = engine.ask("what does ukraine want on nato")
    assert previous_of(first) == Previous(first.entry_id, "what does ukraine want on nato", "en")
    follow = engine.ask("and russia?", after=previous_of(first))
    kept = previous_of(follow)
    assert kept is not None and kept.entry_id == follow.entry_id
    assert "nato" in kept.question and "ukraine" not in kept.question  # the subject, now Russia's
    assert previous_of(engine.ask("???")) is None  # nothing to go on: the conversation stays


def test_ask_after_on_the_command_line() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["ask", "--after", "cmp-nato", "and russia?", "--json"])
    data = json.loads(out.getvalue())
    assert code == 0 and data["answered"] and data["entry_id"] in RUSSIA_ON_NATO
    assert data["follow_up"] == {
        "shift": "party",
        "after": "cmp-nato",
        "query": data["follow_up"]["query"],
    }
    with redirect_stdout(io.StringIO()):
        assert main(["ask", "--after", "no-such-entry", "and russia?"]) == 2


# --- quality -------------------------------------------------------------------------------------


def test_follow_up_calibration_set_floor(engine: Engine) -> None:
    """The blind calibration pairs: resolved right in context >= 85%, far above every message
    answered alone (the issue: 6 of 10 follow-ups failed)."""
    runs, _ = evaluate(engine, load_pairs(SETS["calibration"]))
    in_context = runs["in context"].groups["all"]
    alone = runs["alone"].groups["all"]
    assert in_context.total >= 60
    assert in_context.right / in_context.total >= 0.85
    assert alone.right / alone.total < 0.5
    for language in ("en", "de", "uk", "ru"):
        group = runs["in context"].groups[f"lang:{language}"]
        assert group.right / group.total >= 0.75, language


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("calibration-2", 100),  # written later by other hands
        ("calibration-3", 80),  # with follow-ups outside the base
    ],
)
def test_later_follow_up_calibration_set_floors(engine: Engine, name: str, size: int) -> None:
    """The later blind calibration sets: resolved right in context >= 80%."""
    in_context_only = {"in context": MODES["in context"]}
    runs, _ = evaluate(engine, load_pairs(SETS[name]), in_context_only)
    in_context = runs["in context"].groups["all"]
    assert in_context.total >= size
    assert in_context.right / in_context.total >= 0.80


# --- the rules, in the four languages (phrasings written for the tests, from no question set) ----


@pytest.mark.parametrize(
    "message",
    [
        "sources??",
        "where does that come from",
        "got a link?",
        "says who?",
        "Quellen?",
        "woher stammt das?",
        "gibt es dafür einen Beleg",
        "джерела?",
        "звідки інфа",
        "де про це написано",
        "источники",
        "откуда данные??",
        "пруфы?",
    ],
)
def test_asking_for_sources_names_no_subject(message: str) -> None:
    cues = read_cues(message)
    assert cues.sources and cues.own == [], cues.own


@pytest.mark.parametrize(
    "message",
    [
        "where can I read about that?",
        "is that confirmed?",
        "Wo kann ich das nachlesen?",
        "von wo kommt das",
        "ist das belegt?",
        "де можна почитати?",
        "на що ти посилаєшся?",
        "где это написано?",
        "на чем основано?",
    ],
)
def test_sources_of_the_previous_answer(engine: Engine, message: str) -> None:
    after = Previous("mil-recruitment", "how many soldiers did russia recruit in 2025", "en")
    answer = engine.ask(message, after=after)
    assert answer.follow_up is not None and answer.follow_up.shift is Shift.sources
    assert answer.entry_id == "mil-recruitment"


@pytest.mark.parametrize(
    ("message", "when", "who"),
    [
        ("what day was that", True, False),
        ("seit wann?", True, False),
        ("коли це сталося", True, False),
        ("в какой день?", True, False),
        ("von wem?", False, True),
        ("wessen Idee war das?", False, True),
        ("чия це ідея?", False, True),
        ("по чьему приказу?", False, True),
    ],
)
def test_when_and_who_in_their_inflected_forms(message: str, when: bool, who: bool) -> None:
    cues = read_cues(message)
    assert (cues.when, cues.who) == (when, who)


@pytest.mark.parametrize(
    ("message", "back"),
    [
        ("wann war das?", True),
        ("wer hat das mit den USA abgesprochen", True),  # a pronoun before a preposition
        ("Was ist das Budapester Memorandum?", False),  # an article before its noun
        ("Was sagt die Bundesregierung zur Ukraine?", False),
        ("Was bedeutet der Vertrag für die Ukraine?", False),  # an article after a preposition
        ("когда это было", True),
        ("что это такое минские соглашения", False),
        ("хто це сказав?", True),
        ("is there a deal on crimea", False),
        ("who wrote it", True),
    ],
)
def test_articles_point_back_only_as_pronouns(message: str, back: bool) -> None:
    assert read_cues(message).back is back


@pytest.mark.parametrize(
    ("message", "defines"),
    [
        ("who is kirill dmitriev?", True),
        ("Wer ist Steve Witkoff?", True),
        ("хто такий віткофф", True),
        ("что такое будапештский меморандум", True),
        ("what is the next point", False),
        ("was ist das?", False),
        ("what is russia's position", False),  # a side's view: a follow-up may ask that
    ],
)
def test_a_definition_question_is_of_its_own(message: str, defines: bool) -> None:
    assert read_cues(message).defines is defines


@pytest.mark.parametrize(
    ("message", "parties", "plans"),
    [
        ("ну а кремль?", {Party.russia}, set()),
        ("ok and the eu?", {Party.europe}, set()),
        ("und die Russen?", {Party.russia}, set()),
        ("а русские?", {Party.russia}, set()),
        ("was sagen die Amis", {Party.united_states}, set()),
        ("und in Witkoffs Plan?", set(), {Party.plan_28}),
        ("а в плані віткоффа?", set(), {Party.plan_28}),
        ("und im ursprünglichen Entwurf?", set(), {Party.plan_28}),
        ("а в плане зеленского?", set(), {Party.plan_20}),
        ("und Selenskyj?", {Party.ukraine}, set()),
        ("und im Gegenvorschlag?", set(), {Party.european_plan}),
        ("and in the counter proposal?", set(), {Party.european_plan}),
        ("а в контрплані?", set(), {Party.european_plan}),
    ],
)
def test_sides_and_plans_as_people_say_them(
    message: str, parties: set[Party], plans: set[Party]
) -> None:
    cues = read_cues(message)
    assert (cues.parties, cues.plans) == (parties, plans)
    assert cues.continues or len(cues.words) <= 4 or cues.parties


def test_a_message_naming_its_own_subject_inherits_nothing(engine: Engine) -> None:
    after = Previous("cmp-nato", "what does ukraine want on nato", "en")
    for message in (
        "Wann wurde das Budapester Memorandum unterzeichnet?",
        "когда подписали будапештский меморандум",
        "коли підписали будапештський меморандум",
        "when was the budapest memorandum signed",
    ):
        assert engine.ask(message, after=after).follow_up is None, message
    # A continuation, a pointing back or a side alone does not name a subject of its own.
    for message in ("and luhansk?", "und die Krim?", "wer hat das gesagt?", "а що з росією?"):
        assert not engine.follow_ups.names_own_subject(read_cues(message)), message


def test_what_about_x_asks_in_the_previous_frame(engine: Engine) -> None:
    """However well X alone is known, "what about X?" continues the previous answer."""
    after = Previous("cmp-nato", "what does ukraine want on nato", "en")
    for message in (
        "what about the budapest memorandum?",
        "und was ist mit dem Budapester Memorandum?",
        "а як щодо будапештського меморандуму?",
        "а что с будапештским меморандумом?",
    ):
        answer = engine.ask(message, after=after)
        assert answer.follow_up is not None and answer.follow_up.shift is Shift.subject, message


def test_a_follow_up_about_a_later_time_gets_the_knowledge_date(engine: Engine) -> None:
    after = Previous("cmp-nato", "what does ukraine want on nato", "en")
    for message in ("and today?", "und heute?", "а сьогодні?", "а что сейчас?", "and now?"):
        answer = engine.ask(message, after=after)
        assert answer.outcome is Outcome.after and answer.follow_up is None, message


def test_a_later_time_in_stop_words_alone_is_not_an_empty_message(engine: Engine) -> None:
    """ "now", "зараз", "сейчас" match no entry, yet ask about a later time."""
    for message in ("and now?", "what about now?", "а зараз?", "а что сейчас?"):
        assert engine.ask(message).outcome is Outcome.after, message
    assert engine.ask("???").outcome is Outcome.empty


def test_why_and_is_that_all(engine: Engine) -> None:
    after = Previous("ru-reply-to-20-points", "will russia accept the 20 point plan", "en")
    for why in ("why?", "warum?", "чому?", "почему?"):
        answer = engine.ask(why, after=after)
        assert answer.follow_up is not None and answer.answered, why
    for rest in ("is that all?", "ist das alles?", "і все?", "это всё?"):
        answer = engine.ask(rest, after=after)
        assert answer.follow_up is not None and answer.follow_up.shift is Shift.more, rest
        assert answer.entry_id != "ru-reply-to-20-points", rest


def test_why_after_a_record_reads_the_reasons(engine: Engine) -> None:
    """ "Why?" after what was said or done (Russia's reply, a fact) is answered by the analysis of
    its reasons; after a position, which gives its own reasons, by the position again."""
    after = Previous("ru-reply-to-20-points", "will russia accept the 20 point plan", "en")
    for why in ("why?", "warum?", "чому?", "почему?", "how so?", "wie kommt das?"):
        answer = engine.ask(why, after=after)
        assert answer.answered and answer.entry_id is not None, why
        assert engine.base.entries[answer.entry_id].kind is Kind.analysis, why
    after = Previous("ru-no-western-troops", "will russia accept european troops", "en")
    assert engine.ask("why?", after=after).entry_id == "ru-no-western-troops"


@pytest.mark.parametrize(
    ("message", "party"),
    [
        ("wie sieht's aus mit den USA?", Party.united_states),
        ("wie siehts bei Europa aus?", Party.europe),
        ("wie schaut es denn aus mit Russland?", Party.russia),
        ("wie steht's um die Ukraine?", Party.ukraine),
    ],
)
def test_german_how_does_it_look_with_x(message: str, party: Party) -> None:
    cues = read_cues(message)
    assert cues.continues and cues.about and cues.parties == {party}


@pytest.mark.parametrize(
    "message",
    [
        "und was meint Kiew dazu?",
        "what does moscow think?",
        "а что говорят в вашингтоне?",
        "а що кажуть у Києві?",
        "а что насчёт украины?",
        "як щодо сша?",
    ],
)
def test_asking_for_a_sides_view_names_no_subject(message: str) -> None:
    cues = read_cues(message)
    assert cues.parties and cues.own == [], cues.own


@pytest.mark.parametrize(
    ("message", "point", "then", "when", "why"),
    [
        ("und Nummer 3?", 3, False, False, False),
        ("what about number 9?", 9, False, False, False),
        ("и номер 7?", 7, False, False, False),
        ("was geschah danach?", None, True, False, False),
        ("what happened afterwards?", None, True, False, False),
        ("а що сталося згодом?", None, True, False, False),
        ("и что произошло затем?", None, True, False, False),
        ("с какого времени?", None, False, True, False),
        ("з якого часу?", None, False, True, False),
        ("як так?", None, False, False, True),
    ],
)
def test_numbers_afterwards_since_and_how_so(
    message: str, point: int | None, then: bool, when: bool, why: bool
) -> None:
    cues = read_cues(message)
    assert (cues.points[0] if cues.points else None) == point
    assert (cues.then, cues.when, cues.why) == (then, when, why)
    if then:
        assert cues.own == [], cues.own


def test_a_question_outside_the_base_inherits_nothing(engine: Engine) -> None:
    after = Previous("cmp-nato", "what does ukraine want on nato", "en")
    for message in ("how do I bake bread?", "who won the oscars?", "як спекти пиріг?"):
        answer = engine.ask(message, after=after)
        assert answer.follow_up is None and not answer.answered, message
    # "Who" with a word of its own still asks about the previous answer.
    for message in ("who exactly?", "хто саме?", "wer genau?"):
        assert engine.ask(message, after=after).follow_up is not None, message


def test_a_follow_up_expected_to_be_refused(engine: Engine) -> None:
    """`expect: none` in a pair: right when the follow-up is refused, not a set of letters."""
    assert _expected("none") == REFUSE and _expected(["cmp-nato"]) == {"cmp-nato"}
    after = Previous("cmp-nato", "what does ukraine want on nato", "en")
    assert judged(engine.ask("how do I bake bread?", after=after), REFUSE) == (True, True)
    assert judged(engine.ask("and russia?", after=after), REFUSE) == (False, False)


@pytest.mark.parametrize(
    ("message", "side"),
    [
        ("und was ist mit den eingefrorenen russischen Vermögen?", False),  # Russia's assets
        ("what about free trade with the us", False),  # a relation with a side
        ("а что с российскими активами?", False),
        ("and the russian side?", True),  # the side that speaks
        ("und was sagt die russische Regierung?", True),
        ("а що каже російська влада?", True),
        ("und die Russen?", True),
    ],
)
def test_a_side_named_in_a_subject_is_not_the_side_asked_for(message: str, side: bool) -> None:
    cues = read_cues(message)
    assert bool(cues.parties) is side, (cues.parties, cues.own)


def test_an_article_before_a_side_does_not_point_back(engine: Engine) -> None:
    """ "der Wiederaufbau der Ukraine": "der" is an article, not "that"; a question of its own."""
    assert not read_cues("was kostet der Wiederaufbau der Ukraine?").back
    after = Previous("cmp-nato", "what does ukraine want on nato", "en")
    assert engine.ask("was kostet der Wiederaufbau der Ukraine?", after=after).follow_up is None


@pytest.mark.parametrize(
    "message",
    [
        "explain",
        "erklär mal",
        "объясни",
        "роз'ясніть",
        "mehr infos",
        "больше инфы",
        "really?",
        "справді?",
    ],
)
def test_explain_more_info_and_really_are_the_same_answer(engine: Engine, message: str) -> None:
    after = Previous("mil-recruitment", "how many soldiers did russia recruit in 2025", "en")
    answer = engine.ask(message, after=after)
    assert answer.follow_up is not None and answer.follow_up.shift is Shift.same, message
    assert answer.entry_id == "mil-recruitment"


def test_german_asking_forms_after_a_plan_point(engine: Engine) -> None:
    after = Previous("p20-point-12-znpp", "Was sieht der 20-Punkte-Plan zum AKW vor?", "de")
    shifts = {
        "kannst du das genauer erklären?": Shift.same,
        "seit wann ist das bekannt?": Shift.when,
        "und der Punkt danach?": Shift.point,
    }
    for message, shift in shifts.items():
        answer = engine.ask(message, after=after)
        assert answer.follow_up is not None and answer.follow_up.shift is shift, message
    assert engine.ask("und der Punkt danach?", after=after).entry_id == "p20-point-13-education"
    assert read_cues("wie geht es weiter?").then


@pytest.mark.parametrize(
    ("message", "shift"),
    [
        ("more details", Shift.more),
        ("mehr details", Shift.more),
        ("подробнее", Shift.more),
        ("і що далі?", Shift.more),
        ("woher hast du das", Shift.sources),
        ("когда это было?", Shift.when),
    ],
)
def test_asking_more_after_no_answer_asks_the_previous_question_again(
    engine: Engine, message: str, shift: Shift
) -> None:
    after = Previous(None, "how many soldiers did russia recruit in 2025", "en")
    answer = engine.ask(message, after=after)
    assert answer.follow_up is not None and answer.follow_up.shift is shift, message
    offered = [answer.entry_id] + [s.entry_id for s in answer.suggestions]
    assert "mil-recruitment" in offered, message


@pytest.mark.parametrize(
    ("question", "message", "language"),
    [
        (
            "what do ukrainian analysts think about russia's willingness to negotiate",
            "and what does moscow say?",
            "en",
        ),
        (
            "was halten ukrainische Experten von Russlands Verhandlungsbereitschaft",
            "und wie sehen die Russen das?",
            "de",
        ),
        (
            "что думают украинские наблюдатели о готовности россии к переговорам",
            "а как это видят в кремле?",
            "ru",
        ),
    ],
)
def test_the_side_spoken_about_asked_for_its_own_view(
    engine: Engine, base: KnowledgeBase, question: str, message: str, language: str
) -> None:
    after = Previous("ua-observers-doubt-kremlin", question, language)
    answer = engine.ask(message, after=after)
    assert answer.follow_up is not None and answer.follow_up.shift is Shift.party
    assert answer.entry_id not in (None, "ua-observers-doubt-kremlin")
    assert "russia" in base.entries[answer.entry_id].topics
    assert read_cues(message).own == []  # "sehen", "видят": a side's view, no subject


@pytest.mark.parametrize(
    "message",
    [
        "and the referendum, how long would it take?",
        "und das Referendum, wann wäre das?",
        "а референдум, скільки він триватиме?",
    ],
)
def test_a_subject_named_before_a_word_pointing_back_is_a_new_subject(
    engine: Engine, message: str
) -> None:
    cues = read_cues(message)
    assert cues.back and cues.back_to_own, message
    after = Previous("p20-free-economic-zone", "what is the free economic zone in donbas", "en")
    answer = engine.ask(message, after=after)
    assert answer.follow_up is not None and answer.follow_up.shift is Shift.subject, message
    assert read_cues("wer hat das mit Jalta verglichen?").back_to_own is False
