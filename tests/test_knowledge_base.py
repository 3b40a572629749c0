"""The knowledge base: the shipped content is sound, and `kb check` catches each kind of
problem."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from bot.cli import main
from chat.render import escape, render_answer, visible_length
from knowledge.answer import Engine, compose
from knowledge.browse import find_topics
from knowledge.loader import KnowledgeBase
from knowledge.normalize import normalize
from knowledge.plain import body_text
from knowledge.schema import LANGUAGES, Kind, Source
from knowledge.validate import load_base, near_duplicates
from knowledge.versions import content_version, diff_bases
from testkit.kb_trees import SOURCES, entry, write_tree

LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+): (?P<entry>[^:]+): (?P<field>[^:]+): (?P<msg>.+)$"
)


def run_check(
    capsys: pytest.CaptureFixture[str], directory: Path
) -> tuple[int, list[dict[str, str]]]:
    code = main(["kb", "check", str(directory)])
    out = capsys.readouterr().out
    problems = []
    for line in out.splitlines():
        match = LINE.match(line)
        assert match, f"not in FILE:LINE: ENTRY_ID: FIELD: message form: {line!r}"
        problems.append(match.groupdict())
    return code, problems


# --- the shipped base ----------------------------------------------------------------------------


def test_shipped_base_has_the_promised_breadth(base: KnowledgeBase) -> None:
    assert len(base.entries) >= 100
    for entry_ in base.entries.values():
        counts = {lang: len(p) for lang, p in entry_.phrasings.by_language().items()}
        assert counts["en"] >= 6 and min(counts[lang] for lang in ("de", "uk", "ru")) >= 2, (
            entry_.id
        )
    kinds = Counter(e.kind for e in base.entries.values())
    assert kinds[Kind.comparison] >= 8 and kinds[Kind.plan_point] >= 10 and kinds[Kind.event] >= 5


def test_shipped_base_covers_the_comparison_issues(base: KnowledgeBase) -> None:
    for needed in (
        "cmp-territory",
        "cmp-nato",
        "cmp-guarantees",
        "cmp-znpp",
        "cmp-army",
        "cmp-sanctions-assets",
        "cmp-elections",
        "cmp-reconstruction",
        "cmp-28-vs-20",
    ):
        comparison = base.entries[needed]
        assert comparison.kind is Kind.comparison and len(comparison.positions) >= 2


def test_every_entry_renders_in_every_language_within_one_message(base: KnowledgeBase) -> None:
    for entry_ in base.entries.values():
        for language in LANGUAGES:
            answer = compose(base, entry_, "", language)
            markup = render_answer(answer)
            assert 0 < visible_length(markup) <= 4096, (entry_.id, language)
            assert escape(entry_.title.get(language)) in markup
            assert answer.sources and answer.as_of is not None


def test_shipped_base_passes_kb_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    steps = [line for line in err.splitlines() if line.startswith("kb check: ")]
    assert [re.sub(r"\d+(\.\d+)?", "N", line) for line in steps] == [
        "kb check: read N files, N entries (N s)",
        "kb check: measured the rendered answers (N s)",
        "kb check: compared N phrasings for ones too alike to tell apart (N s)",
    ]  # each step as it finishes, on stderr


def test_dump_prints_every_entry_with_phrasings_and_sources(
    base: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "dump"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["version"] == content_version(base)
    assert [e["id"] for e in data["entries"]] == list(base.entries)
    first = data["entries"][0]
    assert set(first["phrasings"]) == set(LANGUAGES) and first["sources"] and first["answer"]["en"]


# --- a small tree, broken on purpose -------------------------------------------------------------

# A verdict as curators write it (an unquoted yes is YAML's boolean true, taken as meant).
VERDICT = """\
    verdict:
      answer: yes
      questions:
        en: ["is alpha settled"]
        de: ["ist alpha entschieden"]
        uk: ["чи вирішено альфа"]
        ru: ["решено ли альфа"]
      because: {en: "it is [1].", de: "es ist so [1].", uk: "так [1].", ru: "да [1]."}
"""


def test_valid_tree_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, problems = run_check(capsys, write_tree(tmp_path))
    assert (code, problems) == (0, [])


@pytest.mark.parametrize(
    ("entries", "entry_id", "field", "message"),
    [
        (
            entry("alpha-entry", "alpha", "    colour: red\n"),
            "alpha-entry",
            "colour",
            "unknown field",
        ),
        (
            entry("alpha-entry", "alpha").replace(
                '    title: {en: "About alpha", de: "Über alpha", '
                'uk: "Про alpha", ru: "О alpha"}\n',
                "",
            ),
            "alpha-entry",
            "title",
            "required field is missing",
        ),
        (
            entry("alpha-entry", "alpha").replace("as_of: 2025-12-24", "as_of: 2025-13-40"),
            "alpha-entry",
            "as_of",
            "date",
        ),
        (
            entry("alpha-entry", "alpha").replace("sources: [src-one]", "sources: []"),
            "alpha-entry",
            "sources",
            "at least 1",
        ),
        (
            entry("alpha-entry", "alpha").replace("sources: [src-one]", "sources: [src-nope]"),
            "alpha-entry",
            "sources.0",
            "unknown id 'src-nope'",
        ),
        (
            entry("alpha-entry", "alpha").replace("topics: [plan-20]", "topics: [weather]"),
            "alpha-entry",
            "topics.0",
            "unknown id 'weather'",
        ),
        (
            entry("alpha-entry", "alpha", "    related: [gamma-entry]\n"),
            "alpha-entry",
            "related.0",
            "unknown id 'gamma-entry'",
        ),
        (
            entry("alpha-entry", "alpha", answer="x " * 320),
            "alpha-entry",
            "answer.en",
            "more than a summary's 600",
        ),
        (
            entry("alpha-entry", "alpha", "    details: " + "x " * 2100 + "\n"),
            "alpha-entry",
            "answer.en",
            "more than one Telegram message",
        ),
        (
            entry("alpha-entry", "alpha", answer="Claimed twice [1][2]."),
            "alpha-entry",
            "answer.en",
            "marker [2] cites no source: the entry has 1",
        ),
        (
            entry("alpha-entry", "alpha", answer="Yes, alpha is settled."),
            "alpha-entry",
            "answer.en",
            "opens with a bare yes or no",
        ),
        (
            entry("alpha-entry", "alpha", VERDICT.replace("is alpha settled", "alpha settled")),
            "alpha-entry",
            "verdict.questions.en.0",
            "is not a yes/no question",
        ),
        (
            entry("alpha-entry", "alpha") + entry("alpha-entry", "beta"),
            "alpha-entry",
            "id",
            "duplicate entry id",
        ),
        (
            entry("alpha-entry", "alpha") + entry("beta-entry", "alpha"),
            "alpha-entry",
            "phrasings",
            "cannot be told apart",
        ),
    ],
    ids=[
        "unknown-field",
        "missing-field",
        "bad-date",
        "no-sources",
        "unknown-source",
        "unknown-topic",
        "unknown-related",
        "summary-too-long",
        "more-view-too-long",
        "marker-out-of-range",
        "answer-opens-with-yes",
        "verdict-not-a-yes-no-question",
        "duplicate-id",
        "confusable",
    ],
)
def test_check_names_file_line_entry_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    entries: str,
    entry_id: str,
    field: str,
    message: str,
) -> None:
    code, problems = run_check(capsys, write_tree(tmp_path, entries))
    assert code == 1
    hit = [p for p in problems if p["entry"] == entry_id and p["field"] == field]
    assert hit, problems
    assert (
        message in hit[0]["msg"] and hit[0]["file"] == "entries.yaml" and int(hit[0]["line"]) > 1
    )


def test_confusable_phrasings_name_both_entries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, problems = run_check(
        capsys, write_tree(tmp_path, entry("alpha-entry", "alpha") + entry("beta-entry", "alpha"))
    )
    assert any("beta-entry" in p["msg"] for p in problems if p["entry"] == "alpha-entry")


def _misspelt(texts: list[str], seed: int) -> list[str]:
    """Each text once more with one letter dropped, doubled or changed, or two words swapped: near
    pairs on both sides of the confusable line."""
    rng = random.Random(seed)
    out = []
    for text in texts:
        words = text.split()
        at = rng.randrange(len(text))
        out.append(
            rng.choice(
                [
                    text[:at] + text[at + 1 :],
                    text[:at] + text[at] + text[at:],
                    text[:at] + "x" + text[at + 1 :],
                    " ".join(words[1:2] + words[:1] + words[2:]),
                ]
            )
        )
    return out


@pytest.mark.parametrize("cutoff", [96.0, 90.0])
def test_near_duplicates_finds_what_comparing_every_pair_finds(
    base: KnowledgeBase, cutoff: float
) -> None:
    """The blocked search for confusable phrasings misses no pair the all-pairs comparison finds
    and finds no other: shipped phrasings, misspelt copies of them, and short texts."""
    shipped = sorted(
        {
            normalize(p)
            for e in base.entries.values()
            for items in e.phrasings.by_language().values()
            for p in items
        }
    )
    sample = shipped[::12]
    texts = [*sample, *_misspelt([t for t in sample if t], seed=5)]
    texts += ["", "a", "ab", "ba", "abc", "abd", "a b", "b a", "kyiv", "kiev", "x y z", "z y x"]
    groups = [n % 7 for n in range(len(texts))]
    scores = cdist(texts, texts, scorer=fuzz.token_sort_ratio, processor=None)
    every_pair = {
        (i, j)
        for i, j in zip(*np.nonzero(scores >= cutoff), strict=True)
        if i < j and texts[i] and texts[j]
    }
    assert len(every_pair) > 100  # the sample holds near pairs to find
    assert set(near_duplicates(texts, cutoff)) == every_pair
    assert set(near_duplicates(texts, cutoff, groups=groups)) == {
        (i, j) for i, j in every_pair if groups[i] != groups[j]
    }


def test_a_phrasing_one_letter_from_an_off_topic_question_is_confusable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = '  en: ["weather in lisbon tomorrow morning please", "best pizza dough recipe"]\n'
    tree = write_tree(
        tmp_path,
        entry("alpha-entry", "alpha")
        + entry("beta-entry", "beta").replace(
            '"beta six now"', '"weather in lisbon tomorow morning please"'
        ),
        off_topic_yaml="off_topic:\n" + extra,
    )
    code, problems = run_check(capsys, tree)
    assert code == 1
    assert [(p["entry"], p["field"]) for p in problems] == [("beta-entry", "phrasings")]
    assert "an off-topic question (off_topic.yaml)" in problems[0]["msg"]


OFF_TOPIC = (
    "off_topic:\n"
    '  en: ["weather in lisbon tomorrow", "best pizza dough recipe"]\n'
    '  de: ["wetter morgen"]\n'
)


def test_off_topic_questions_are_read_with_the_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path, off_topic_yaml=OFF_TOPIC)
    assert run_check(capsys, root) == (0, [])
    assert load_base(root).off_topic.texts() == [
        "weather in lisbon tomorrow",
        "best pizza dough recipe",
        "wetter morgen",
    ]
    assert (
        load_base(write_tree(tmp_path / "plain")).off_topic.texts() == []
    )  # the file is optional


@pytest.mark.parametrize(
    ("text", "field", "line", "message"),
    [
        (OFF_TOPIC.replace("  de:", "  fr:"), "fr", 3, "unknown field"),
        (OFF_TOPIC.replace('"wetter morgen"', '"x"'), "de.0", 3, "at least 2 characters"),
        ("off_topic: [weather]\n", "-", 1, "valid dictionary"),
        (OFF_TOPIC + "extra: 1\n", "off_topic", 1, "only a 'off_topic' mapping"),
    ],
    ids=["unknown-language", "too-short", "not-a-mapping", "extra-key"],
)
def test_broken_off_topic_file_names_file_line_and_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    field: str,
    line: int,
    message: str,
) -> None:
    code, problems = run_check(capsys, write_tree(tmp_path, off_topic_yaml=text))
    assert code == 1
    hit = [p for p in problems if p["file"] == "off_topic.yaml" and p["field"] == field]
    assert hit and message in hit[0]["msg"] and int(hit[0]["line"]) == line, problems


def test_off_topic_question_that_is_an_entry_phrasing_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path, off_topic_yaml='off_topic:\n  en: ["what about alpha three"]\n')
    code, problems = run_check(capsys, root)
    assert code == 1
    assert [(p["entry"], p["field"]) for p in problems] == [("alpha-entry", "phrasings")]
    assert "off-topic question (off_topic.yaml)" in problems[0]["msg"]


def test_bad_url_and_undated_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = (
        "sources:\n  - id: src-one\n    publisher: P\n    title: T\n    url: not a url\n"
        "    published: 2025-12-01\n"
        "  - id: src-two\n    publisher: P\n    title: T\n    url: https://example.org/\n"
    )
    code, problems = run_check(capsys, write_tree(tmp_path, sources_yaml=sources))
    assert code == 1
    fields = {(p["file"], p["entry"], p["field"]) for p in problems}
    assert ("sources.yaml", "src-one", "url") in fields
    assert any(p["entry"] == "src-two" and "date_note" in p["msg"] for p in problems)


def test_yaml_syntax_error_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(tmp_path)
    (root / "broken.yaml").write_text(
        "entries:\n  - id: x\n    title: [unclosed\n", encoding="utf-8"
    )
    code, problems = run_check(capsys, root)
    assert code == 1
    assert [(p["file"], p["msg"].startswith("YAML syntax error")) for p in problems] == [
        ("broken.yaml", True)
    ]
    assert int(problems[0]["line"]) >= 3


def test_one_broken_file_reports_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = entry("alpha-entry", "alpha", "    colour: red\n").replace(
        "as_of: 2025-12-24", "as_of: someday"
    ) + entry("beta-entry", "beta").replace("sources: [src-one]", "sources: [src-nope]")
    code, problems = run_check(capsys, write_tree(tmp_path, broken))
    assert code == 1
    assert {(p["entry"], p["field"]) for p in problems} >= {
        ("alpha-entry", "colour"),
        ("alpha-entry", "as_of"),
        ("beta-entry", "sources.0"),
    }


def test_problem_lines_point_at_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_tree(
        tmp_path, entry("alpha-entry", "alpha").replace("as_of: 2025-12-24", "as_of: nope")
    )
    _, problems = run_check(capsys, root)
    lines = (root / "entries.yaml").read_text().splitlines()
    assert "as_of: nope" in lines[int(problems[0]["line"]) - 1]


# --- versions ------------------------------------------------------------------------------------


def test_version_is_stable_and_diff_lists_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write_tree(tmp_path / "old")
    same = write_tree(tmp_path / "same")
    new = write_tree(
        tmp_path / "new",
        entry("alpha-entry", "alpha", answer="A corrected answer.")
        + entry("gamma-entry", "gamma"),
    )
    assert content_version(load_base(old)) == content_version(load_base(same))
    diff = diff_bases(load_base(old), load_base(new))
    assert [c.entry_id for c in diff.added] == ["gamma-entry"]
    assert [c.entry_id for c in diff.changed] == ["alpha-entry"]
    assert [c.entry_id for c in diff.removed] == ["beta-entry"]
    assert main(["kb", "diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "added\tgamma-entry\tplan-20\tAbout gamma" in out
    assert "changed\talpha-entry\tplan-20\tAbout alpha" in out
    assert "removed\tbeta-entry\tplan-20\tAbout beta" in out


def test_off_topic_questions_change_the_version_but_no_entry(tmp_path: Path) -> None:
    plain = load_base(write_tree(tmp_path / "plain"))
    with_off_topic = load_base(write_tree(tmp_path / "off", off_topic_yaml=OFF_TOPIC))
    assert content_version(plain) != content_version(with_off_topic)
    assert diff_bases(plain, with_off_topic).empty


def test_changing_a_cited_source_changes_the_entry(tmp_path: Path) -> None:
    old = load_base(write_tree(tmp_path / "old"))
    moved = load_base(
        write_tree(
            tmp_path / "new",
            sources_yaml=(tmp_path / "old" / "sources.yaml")
            .read_text()
            .replace("https://example.org/one", "https://example.org/1"),
        )
    )
    assert {c.entry_id for c in diff_bases(old, moved).changed} == {"alpha-entry", "beta-entry"}


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_cyrillic_answers_write_names_in_cyrillic(base: KnowledgeBase, language: str) -> None:
    """Under 5% of the words of a uk/ru title and body in Latin letters, overall and in every
    answer once the names of publications (which stay as published) are left out."""
    engine = Engine(base)
    publications = {
        w.casefold() for s in base.sources.values() for w in re.findall(r"[^\W\d_]+", s.publisher)
    }
    publications |= {
        "kaizen",
        "blog",
        "the",
        "times",
        "news",
        "bloomberg",
        "axios",
        "nbc",
        "afp",
        "reuters",
    }
    total = latin = 0
    for entry_ in base.entries.values():
        answer = engine.compose(entry_, "", language)
        words = re.findall(r"[^\W\d_]+", answer.title + " " + body_text(answer))
        foreign = [w for w in words if re.search("[A-Za-z]", w)]
        total, latin = total + len(words), latin + len(foreign)
        other = [w for w in foreign if w.casefold() not in publications]
        assert len(other) / len(words) < 0.05, (entry_.id, other)
    assert latin / total < 0.05


def test_kb_check_names_a_missing_translation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = entry("alpha-entry", "alpha").replace(
        '    title: {en: "About alpha", de: "Über alpha", uk: "Про alpha", ru: "О alpha"}',
        '    title: "About alpha"',
    )
    code, problems = run_check(capsys, write_tree(tmp_path, plain + entry("beta-entry", "beta")))
    assert code == 1
    assert {(p["entry"], p["field"], p["msg"]) for p in problems} == {
        ("alpha-entry", f"title.{language}", "translation missing")
        for language in ("de", "uk", "ru")
    }


def test_kb_check_names_a_source_note_missing_a_translation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plain note is English alone; a note may be partly translated; a full one is fine."""
    sources = SOURCES.replace(
        "    title: First report\n", "    title: First report\n    reliability: Small outlet\n"
    ).replace(
        "    title: Second report\n",
        '    title: Second report\n    reliability: {en: "State media", de: "Staatsmedien"}\n',
    )
    sources += """\
  - id: src-three
    publisher: Third Daily
    title: Third report
    url: https://example.org/three
    published: 2025-12-24
    reliability: {en: "Use with care", de: "Mit Vorsicht", uk: "Обережно", ru: "Осторожно"}
"""
    code, problems = run_check(capsys, write_tree(tmp_path, sources_yaml=sources))
    assert code == 1
    lines = sources.splitlines()
    at = {s: str(lines.index(f"  - id: {s}") + 1) for s in ("src-one", "src-two")}
    assert {(p["file"], p["line"], p["entry"], p["field"], p["msg"]) for p in problems} == {
        ("sources.yaml", at[source], source, f"reliability.{language}", "translation missing")
        for source, languages in (("src-one", ("de", "uk", "ru")), ("src-two", ("uk", "ru")))
        for language in languages
    }


def test_topics_are_found_by_a_word_of_their_titles(base: KnowledgeBase) -> None:
    """The README's `/subscribe nato territory`: words people use, not internal ids."""
    assert find_topics(base, ["nato", "territory"]) == ({"security", "territory"}, [])
    assert find_topics(base, ["sanction", "НАТО", "Donbas"]) == (
        {"economy", "security", "territory"},
        [],
    )
    # A word of several topics' titles, or too short to tell, stays unknown.
    assert find_topics(base, ["position", "us"]) == (set(), ["position", "us"])


@pytest.mark.parametrize(
    ("url", "sound"),
    [
        ("https://www.reuters.com/world/europe/some-story-2025-12-24/", True),
        ("http://kremlin.ru/events/president/news/78815", True),
        ("ftp://example.org/file", False),
        ("https://", False),
        ("www.example.org/no-scheme", False),
        ("https://example.org/a b", False),
        ('https://example.org/"onmouseover=', False),
    ],
)
def test_a_source_address_is_a_web_address_kept_as_written(url: str, sound: bool) -> None:
    fields = {"id": "some-source", "publisher": "P", "title": "T", "published": "2025-12-24"}
    if sound:
        assert Source.model_validate({**fields, "url": url}).url == url
    else:
        with pytest.raises(ValueError, match="url"):
            Source.model_validate({**fields, "url": url})
