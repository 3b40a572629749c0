"""The `briefing-bot` command line: ask questions, check and compare knowledge bases,
run the bot.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic collector off while the modules and the saved base and index load: they make
    ~10^5 objects that all live on, and the ~110 collections they set off were 7% of an `ask`
    (11 paired runs); no cycle is left to collect meanwhile.

    What they made is frozen at the end (kept out of every later collection, as load_engine
    does with the index): left young, the first collection after scanned it all, 20 ms after
    the engine's modules and 46 ms after the bot's (measured with gc.callbacks)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


# numpy's OpenBLAS starts one thread per core when it loads, and they spin: 40 of numpy's 96 ms
# of import CPU (median of 11). The engine's products are small enough that one thread serves
# them as fast (bench.speed at 100k phrasings, paired: p50 1.97 -> 1.82 ms, p99 13.0 -> 7.5 ms).
# Set before numpy loads; an operator's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

with _collector_paused():
    from knowledge.answer import Answer, Engine
    from knowledge.followup import Previous
    from knowledge.loader import KnowledgeBase, KnowledgeError, bundled_dir, knowledge_date_of
    from knowledge.plain import as_text, body_text

# The bot's own modules are imported inside the commands that need them: `ask` and `kb` must not
# load telegram, SQLAlchemy or Alembic (a second of start-up each time), nor `ask` the checks of
# a base's files (knowledge.validate, knowledge.versions).
if TYPE_CHECKING:
    from chat.notifications import PublishResult
    from chat.settings import Settings


def _knowledge_dir(value: str | None) -> Path:
    chosen = value or os.environ.get("KNOWLEDGE_DIR")
    return Path(chosen) if chosen else bundled_dir()


def _load(directory: Path) -> KnowledgeBase:
    from chat.render import answer_length
    from knowledge.validate import load_base

    return load_base(directory, measure=answer_length)


def _progress(command: str) -> Callable[[str], None]:
    """Prints each finished step of a long command on stderr, with the seconds so far."""
    start = time.monotonic()

    def report(step: str) -> None:
        print(f"{command}: {step} ({time.monotonic() - start:.1f} s)", file=sys.stderr, flush=True)

    return report


def answer_json(answer: Answer) -> dict[str, Any]:
    """The --json form of one answer."""
    return {
        "answered": answer.answered,
        "reason": answer.reason,
        "knowledge_date": answer.knowledge_date.isoformat() if answer.knowledge_date else None,
        "entry_id": answer.entry_id,
        "confidence": round(answer.confidence, 4),
        "language": answer.language,
        "title": answer.title,
        "verdict": answer.verdict.value if answer.verdict else None,
        "body": body_text(answer),
        "text": as_text(answer),
        "sources": [
            {
                "publisher": s.publisher,
                "title": s.title,
                "url": s.url,
                "published": s.published,
                "relay": s.relay,
                "reliability": s.reliability,  # the note in the answer's language
            }
            for s in answer.sources
        ],
        "as_of": answer.as_of.isoformat() if answer.as_of else None,
        "suggestions": [{"entry_id": s.entry_id, "title": s.title} for s in answer.suggestions],
        "follow_up": None
        if answer.follow_up is None
        else {
            "shift": answer.follow_up.shift.value,
            "after": answer.follow_up.previous_entry_id,
            "query": answer.follow_up.query,
        },
    }


def _questions(path: str) -> Iterator[tuple[int, str | None]]:
    """(line number, question) for each non-blank line; None for a line that is not UTF-8."""
    stream: BinaryIO = sys.stdin.buffer if path == "-" else open(path, "rb")
    try:
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
                continue
            if line.strip():
                yield number, line.rstrip("\r\n")
    finally:
        if path != "-":
            stream.close()


def _index_cache_dir() -> Path | None:
    """INDEX_CACHE_DIR, read without the bot's settings (pydantic-settings is not needed here)."""
    chosen = os.environ.get("INDEX_CACHE_DIR", "").strip()
    return Path(chosen) if chosen else None


def _saved_engine(directory: str | None) -> Engine:
    """The engine on the saved base and index (built and saved when missing or stale), without
    the rendered-length check (that is `kb check`'s): it would import telegram."""
    from knowledge import patterns
    from knowledge.saved_index import load_base_saved, load_index

    cache = _index_cache_dir()
    with _collector_paused():
        base, version = load_base_saved(_knowledge_dir(directory), cache)
        engine = Engine(base, index=load_index(base, cache, version=version), version=version)
    patterns.save()  # the compiled patterns, for the next `ask`
    return engine


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch and args.after:
        print("error: --after goes with one QUESTION, not --batch", file=sys.stderr)
        return 2
    engine = _saved_engine(args.knowledge_dir)
    if args.batch:
        bad = 0
        for number, question in _questions(args.batch):
            if question is None:  # one error line; the rest of the batch goes on
                bad += 1
                error = f"line {number}: not valid UTF-8"
                print(
                    json.dumps({"line": number, "error": error}) if args.json else f"! {error}\n"
                )
                continue
            answer = engine.ask(question, args.lang)
            if args.json:
                print(
                    json.dumps({"question": question, **answer_json(answer)}, ensure_ascii=False)
                )
            else:
                print(f"? {question}\n{as_text(answer)}\n")
        return 1 if bad else 0
    if not args.question:
        print("error: give a QUESTION or --batch FILE", file=sys.stderr)
        return 2
    previous = None
    if args.after:
        if args.after not in engine.base.entries:
            print(f"error: --after {args.after}: no such entry", file=sys.stderr)
            return 2
        previous = Previous(args.after)
    answer = engine.ask(" ".join(args.question), args.lang, after=previous)
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False, indent=2))
    else:
        print(as_text(answer))
    return 0


def cmd_kb_check(args: argparse.Namespace) -> int:
    from chat.render import answer_length
    from knowledge.validate import check_base
    from knowledge.versions import content_version

    directory = _knowledge_dir(args.dir)
    base, problems = check_base(directory, measure=answer_length, progress=_progress("kb check"))
    for problem in problems:
        print(problem)
    if base is None:
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    kinds = Counter(e.kind.value for e in base.entries.values())
    phrasings = sum(
        len(p) for e in base.entries.values() for p in e.phrasings.by_language().values()
    )
    print(
        f"ok: {len(base.entries)} entries, {phrasings} phrasings, {len(base.sources)} sources, "
        f"{len(base.topics)} topics, {len(base.off_topic.texts())} off-topic questions; "
        f"version {content_version(base)}; "
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        file=sys.stderr,
    )
    return 0


def cmd_kb_diff(args: argparse.Namespace) -> int:
    from knowledge.versions import content_version, diff_bases

    old, new = _load(Path(args.old)), _load(Path(args.new))
    diff = diff_bases(old, new)
    print(f"version {content_version(old)} -> {content_version(new)}")
    for label, changes in (
        ("added", diff.added),
        ("changed", diff.changed),
        ("removed", diff.removed),
    ):
        for change in changes:
            print(f"{label}\t{change.entry_id}\t{','.join(change.topics)}\t{change.title}")
    if diff.empty:
        print("no entries changed")
    return 0


def cmd_kb_dump(args: argparse.Namespace) -> int:
    from knowledge.versions import content_version

    base = _load(_knowledge_dir(args.dir))
    data = {
        "version": content_version(base),
        "topics": [t.model_dump(mode="json") for t in base.topics.values()],
        "sources": [s.model_dump(mode="json") for s in base.sources.values()],
        "entries": [e.model_dump(mode="json") for e in base.entries.values()],
    }
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def cmd_kb_publish(args: argparse.Namespace) -> int:
    """Publishes a knowledge base as a new version.

    Validates, diffs against the last published version, records it and enqueues notifications.
    """
    import asyncio

    from chat.notifications import publish
    from knowledge.validate import load_base
    from knowledge.versions import content_version
    from storage.db import Database

    directory = _knowledge_dir(args.dir)
    print(f"checking {directory} ...", file=sys.stderr)
    from chat.render import answer_length

    # The full check, confusable phrasings included; a broken base raises KnowledgeError, exit 1.
    report = _progress("kb publish")
    base = load_base(directory, measure=answer_length, confusable=True, progress=report)
    settings = _settings()

    def progress(stage: str, done: int, total: int) -> None:
        print(f"  {stage}: {done}/{total}", file=sys.stderr)

    async def run() -> PublishResult:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await publish(db, base, note=args.note, progress=progress)
        finally:
            await db.close()

    from knowledge.saved_index import load_index

    load_index(base, settings.index_cache_dir)  # ready before any bot asks for it
    report("search index saved")
    print(f"publishing version {content_version(base)} ...", file=sys.stderr)
    result = asyncio.run(run())
    if not result.recorded:
        print(f"unchanged: version {result.version} is already published; nothing enqueued")
        return 0
    if result.baseline:
        print(
            f"baseline: version {result.version} recorded ({len(base.entries)} entries); "
            "nothing enqueued"
        )
        return 0
    print(f"published version {result.previous} -> {result.version}")
    for label, changes in (
        ("added", result.diff.added),
        ("changed", result.diff.changed),
        ("removed", result.diff.removed),
    ):
        for change in changes:
            print(f"{label}\t{change.entry_id}\t{','.join(change.topics)}\t{change.title}")
    if result.diff.empty:
        print("no entries changed (topics only)")
    print(f"enqueued {result.enqueued} notification(s)")
    return 0


def _settings() -> Settings:
    from pydantic import ValidationError

    from chat.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SystemExit(
            f"error: setting {str(first['loc'][0]).upper()}: {first['msg']}"
        ) from None


def cmd_run(args: argparse.Namespace) -> int:
    """Runs the bot until interrupted: long polling, or the durable webhook intake with --webhook
    (bot/intake.py: each update stored before it is acknowledged)."""
    import asyncio

    # The collector off while telegram, SQLAlchemy and the bot's modules load and the application
    # is built, as for `ask`: the ~10^5 objects they make live on, and collecting meanwhile was
    # a fifth of these imports' CPU (~100 of ~480 ms, measured). load_engine freezes them after.
    with _collector_paused():
        from telegram.error import InvalidToken, NetworkError, TelegramError

        from bot.app import ALLOWED_UPDATES, build_application, configure_logging

        settings = _settings()
    if args.knowledge_dir:
        settings.knowledge_dir = Path(args.knowledge_dir)
    try:
        token = settings.token()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, token)
    if args.webhook and not settings.webhook_url:
        print("error: --webhook needs WEBHOOK_URL (the public HTTPS address)", file=sys.stderr)
        return 2
    try:
        with _collector_paused():
            app = build_application(settings, webhook=args.webhook)
    except KnowledgeError as exc:  # one line naming the directory, not every problem
        where = settings.knowledge_dir or bundled_dir()
        print(
            f"error: the knowledge base in {where} is broken: {exc}; "
            f"run 'briefing-bot kb check {where}'",
            file=sys.stderr,
        )
        return 1
    try:
        if args.webhook:
            from bot.intake import serve

            asyncio.run(serve(app))
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print("error: Telegram rejected the bot token (TELEGRAM_BOT_TOKEN)", file=sys.stderr)
        return 2
    except NetworkError as exc:
        print(
            f"error: cannot reach the Bot API at {settings.telegram_api_url}: "
            f"{type(exc).__name__}",
            file=sys.stderr,
        )
        return 3
    except TelegramError as exc:
        print(
            f"error: the Bot API refused to start the bot: {str(exc).replace(token, '[TOKEN]')}",
            file=sys.stderr,
        )
        return 3
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print("database schema is up to date", file=sys.stderr)
    return 0


def cmd_report_unanswered(args: argparse.Namespace) -> int:
    import asyncio

    from storage.db import Database

    async def rows() -> list[tuple[str, str, int, float, Any]]:
        db = Database(_settings().database_url)
        try:
            await db.upgrade()
            return await db.unanswered(args.limit)
        finally:
            await db.close()

    found = asyncio.run(rows())
    if args.json:
        for text, lang, count, score, last in found:
            print(
                json.dumps(
                    {
                        "text": text,
                        "language": lang,
                        "count": count,
                        "best_score": round(score, 3),
                        "last_asked": last.isoformat(),
                    },
                    ensure_ascii=False,
                )
            )
    else:
        print("times\tlang\tbest\tlast asked\tquestion")
        for text, lang, count, score, last in found:
            print(f"{count}\t{lang}\t{score:.2f}\t{last:%Y-%m-%d %H:%M}\t{text}")
    return 0


def _feedback_since(days: float) -> tuple[list[Any], list[Any], Counter[str]]:
    """The questions, choices and entries reached in the last `days` days, from DATABASE_URL."""
    import asyncio
    import datetime as dt

    from storage import feedback
    from storage.db import Database, utcnow

    async def rows() -> tuple[list[Any], list[Any], Counter[str]]:
        db = Database(_settings().database_url)
        try:
            await db.upgrade()
            since = utcnow() - dt.timedelta(days=days)
            return (
                await feedback.questions_since(db, since),
                await feedback.choices_since(db, since),
                await feedback.reached_since(db, since),
            )
        finally:
            await db.close()

    return asyncio.run(rows())


def cmd_report_suggestions(args: argparse.Namespace) -> int:
    """Questions worth adding as phrasings, unanswered questions grouped, entries confused."""
    from knowledge.curation import suggestions_report

    engine = _saved_engine(args.knowledge_dir)
    questions, choices, _ = _feedback_since(args.since)
    report = suggestions_report(engine, questions, choices, args.since, limit=args.limit)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
        return 0
    totals = report.totals
    print(
        f"last {args.since:g} days: {totals.questions} questions ({totals.answered} answered, "
        f'{totals.did_you_mean} "did you mean", {totals.unanswered} unanswered); '
        f"{totals.choices} entries chosen after a question"
    )
    print("\nworth adding as phrasings (edit the --json output and run 'briefing-bot kb learn'):")
    for entry in report.phrasings:
        print(
            f"{entry.entry_id}\t{entry.file}\t{entry.count} question(s)\t"
            f"{','.join(entry.languages)}\t{entry.title}"
        )
        for question in entry.questions:
            print(
                f"  {question.count}\t{question.language}\t"
                f"{','.join(question.via)}\t{question.text}"
            )
    print('\nunanswered and "did you mean" questions, grouped:')
    for cluster in report.clusters:
        print(
            f"{cluster.count}\t{','.join(cluster.languages)}\t{cluster.text}\t"
            f'({cluster.unanswered} unanswered, {cluster.did_you_mean} "did you mean")'
        )
        closest = ", ".join(f"{c.entry_id} ({c.confidence:.2f})" for c in cluster.closest)
        print(f"  closest: {closest or '-'}")
        if cluster.chosen:
            print("  chosen: " + ", ".join(f"{e} x{n}" for e, n in cluster.chosen.items()))
        for alike in cluster.questions[1:]:
            print(f"  also {alike.count}\t{alike.language}\t{alike.text}")
    print("\nentries confused with each other:")
    for confusion in report.confused:
        first, second = confusion.entries
        print(
            f"{first} <-> {second}\tthe other chosen {confusion.chosen_instead}x, "
            f"offered together {confusion.offered_together}x"
        )
        for example in confusion.examples:
            print(f"  e.g. {example}")
        for phrasing in confusion.closest:
            print(
                f"  closest phrasing of {phrasing.entry_id}: {phrasing.phrasing} "
                f"({phrasing.score:g})"
            )
    return 0


def cmd_report_stale(args: argparse.Namespace) -> int:
    """Entries older than --days, by topic, with the questions that reached them meanwhile."""
    from knowledge.curation import stale_entries, stale_json
    from storage.db import utcnow

    base = _load(_knowledge_dir(args.knowledge_dir))
    _, _, reached = _feedback_since(args.days)
    today = utcnow().date()
    topics = stale_entries(base, today, args.days, reached)
    if args.json:
        print(json.dumps(stale_json(topics, today, args.days), ensure_ascii=False, indent=1))
        return 0
    print(f"entries whose as_of is over {args.days} days before {today.isoformat()}:")
    for topic in topics:
        print(
            f"{topic.topic_id}\t{topic.title}\t{len(topic.entries)} entries\t"
            f"{topic.questions} question(s)"
        )
        for entry in topic.entries:
            print(
                f"  {entry.as_of.isoformat()}\t{entry.age_days} days\t{entry.questions}\t"
                f"{entry.entry_id}\t{entry.title}"
            )
    if not topics:
        print("none")
    return 0


def cmd_kb_learn(args: argparse.Namespace) -> int:
    """Adds accepted suggestions as phrasings; writes nothing unless `kb check` then passes."""
    from chat.render import answer_length
    from knowledge.learning import learn, read_accepted

    directory = _knowledge_dir(args.dir)
    accepted, problems = read_accepted(Path(args.file))
    if not problems:
        if not accepted:
            print(f"{args.file}: no phrasings to add", file=sys.stderr)
            return 1
        result = learn(directory, accepted, args.file, measure=answer_length)
        problems = result.problems
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"error: nothing added to {directory}", file=sys.stderr)
        return 1
    for name, item in result.added:
        print(f"added\t{name}\t{item.entry_id}\t{item.language}\t{item.text}")
    print(
        f"{len(result.added)} phrasing(s) added to {directory}; kb check passes", file=sys.stderr
    )
    return 0


def _knowledge_date_line() -> str:
    """What the base knows up to, read cheaply (no validation) for the help text."""
    known = knowledge_date_of(_knowledge_dir(None))
    if known is None:
        return ""
    return (
        f"The knowledge base is current up to {known.isoformat()}; "
        "it knows nothing after that day."
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("briefing-bot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


class _VersionAction(argparse.Action):
    """--version, looked up only when asked for (importlib.metadata cost every command 15 ms)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS, help="show the version and exit")
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(f"{parser.prog} {_version()}")  # on stdout, as argparse's own version action
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """A command whose help may end with what is read only when help is shown: `ask --help`'s
    knowledge date (read for every question, it cost `ask` 17 ms)."""

    describe: Callable[[], str] | None = None

    def format_help(self) -> str:
        if self.describe is not None:
            self.description = self.describe()
        return super().format_help()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing-bot", description=__doc__)
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ask = commands.add_parser("ask", help="answer a question from the knowledge base")
    ask.describe = lambda: f"Answer a question from the knowledge base. {_knowledge_date_line()}"
    ask.add_argument("question", nargs="*", help="the question")
    ask.add_argument(
        "--lang", choices=["en", "de", "uk", "ru"], help="answer language (default: detected)"
    )
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument("--batch", metavar="FILE", help="one question per line ('-' for stdin)")
    ask.add_argument(
        "--knowledge-dir", metavar="DIR", help="another knowledge base (or KNOWLEDGE_DIR)"
    )
    ask.add_argument(
        "--after",
        metavar="ENTRY_ID",
        help="read the question as a follow-up of this entry's answer ('and russia?')",
    )
    ask.set_defaults(handler=cmd_ask)

    kb = commands.add_parser("kb", help="check, compare and dump knowledge bases")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_commands.add_parser("check", help="validate a knowledge base")
    check.add_argument(
        "dir", nargs="?", help="directory (default: KNOWLEDGE_DIR or the bundled base)"
    )
    check.set_defaults(handler=cmd_kb_check)
    diff = kb_commands.add_parser("diff", help="entries added, changed and removed")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.set_defaults(handler=cmd_kb_diff)
    dump = kb_commands.add_parser("dump", help="print the whole base as JSON")
    dump.add_argument("dir", nargs="?")
    dump.set_defaults(handler=cmd_kb_dump)
    publish = kb_commands.add_parser("publish", help="record a new version and notify subscribers")
    publish.add_argument(
        "dir", nargs="?", help="directory (default: KNOWLEDGE_DIR or the bundled base)"
    )
    publish.add_argument("--note", help="what this version is about, kept with it")
    publish.set_defaults(handler=cmd_kb_publish)
    learn = kb_commands.add_parser(
        "learn", help="add accepted suggestions (report suggestions --json, edited) as phrasings"
    )
    learn.add_argument("file", help="YAML or JSON with a 'phrasings' list")
    learn.add_argument(
        "dir", nargs="?", help="directory (default: KNOWLEDGE_DIR or the bundled base)"
    )
    learn.set_defaults(handler=cmd_kb_learn)

    run = commands.add_parser("run", help="run the Telegram bot (settings from the environment)")
    run.add_argument(
        "--webhook", action="store_true", help="webhook server instead of long polling"
    )
    run.add_argument("--knowledge-dir", metavar="DIR")
    run.set_defaults(handler=cmd_run)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(handler=cmd_db_upgrade)

    report = commands.add_parser("report", help="reports for curators")
    report_commands = report.add_subparsers(dest="report_command", required=True)
    unanswered = report_commands.add_parser(
        "unanswered", help="questions the base could not answer"
    )
    unanswered.add_argument("--limit", type=int, default=100)
    unanswered.add_argument("--json", action="store_true")
    unanswered.set_defaults(handler=cmd_report_unanswered)
    suggestions = report_commands.add_parser(
        "suggestions",
        help="questions worth adding as phrasings, unanswered ones grouped, entries confused",
    )
    suggestions.add_argument(
        "--since", type=float, default=30, metavar="DAYS", help="the last DAYS days (30)"
    )
    suggestions.add_argument("--limit", type=int, default=50, help="items per section (50)")
    suggestions.add_argument("--json", action="store_true")
    suggestions.add_argument("--knowledge-dir", metavar="DIR")
    suggestions.set_defaults(handler=cmd_report_suggestions)
    stale = report_commands.add_parser(
        "stale", help="entries not updated for N days, by topic, with the questions they drew"
    )
    stale.add_argument("--days", type=int, default=30, help="as_of older than this (30)")
    stale.add_argument("--json", action="store_true")
    stale.add_argument("--knowledge-dir", metavar="DIR")
    stale.set_defaults(handler=cmd_report_stale)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(
            f"error: the knowledge base is broken ({len(exc.problems)} problem(s)); "
            "run 'briefing-bot kb check'",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


def entry_point() -> NoReturn:
    """The `briefing-bot` command: main(), then out without tearing the interpreter down.

    Freeing the loaded base and index object by object at exit was 11% of an `ask`'s CPU (10
    paired runs); the operating system takes the process back at once. What is buffered is
    written first (standard streams, log handlers); every command has closed its own files and
    connections by the time main() returns.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (ask ... | head): nothing left to tell it
        pass
    if "logging" in sys.modules:  # its handlers flushed, when a command used it (`ask` not)
        sys.modules["logging"].shutdown()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
