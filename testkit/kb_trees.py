"""Small knowledge-base trees written by tests, valid unless a test breaks them on purpose."""

from __future__ import annotations

from pathlib import Path

SOURCES = """\
sources:
  - id: src-one
    publisher: Example News
    title: First report
    url: https://example.org/one
    published: 2025-12-24
  - id: src-two
    publisher: Other Wire
    title: Second report
    url: https://example.org/two
    date_note: not shown on the page
    event_date: 2025-12
"""

TOPICS = """\
topics:
  - id: plan-20
    title: {en: "20-point plan", de: "20-Punkte-Plan"}
  - id: russia
    title: {en: "Russia"}
"""


def entry(entry_id: str, subject: str, extra: str = "", answer: str | None = None) -> str:
    """One valid entry whose phrasings all mention `subject`, so two entries never collide."""
    return f"""\
  - id: {entry_id}
    title: {{en: "About {subject}", de: "Über {subject}", uk: "Про {subject}", ru: "О {subject}"}}
    kind: fact
    topics: [plan-20]
    phrasings:
      en: ["{subject} one", "{subject} two please", "what about {subject} three",
           "{subject} four?", "tell me {subject} five", "{subject} six now"]
      de: ["{subject} eins", "was ist {subject} zwei"]
      uk: ["{subject} один", "що таке {subject} два"]
      ru: ["{subject} раз", "что такое {subject} два"]
    answer:
      en: "{answer or "A short answer about " + subject + "."}"
      de: "Eine kurze Antwort zu {subject}."
      uk: "Коротка відповідь про {subject}."
      ru: "Короткий ответ о {subject}."
    sources: [src-one]
    as_of: 2025-12-24
{extra}"""


def write_tree(root: Path, entries: str | None = None, **files: str) -> Path:
    """Writes sources.yaml, topics.yaml and entries.yaml (or the given files) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    contents = {
        "sources.yaml": SOURCES,
        "topics.yaml": TOPICS,
        "entries.yaml": "entries:\n"
        + (
            entries
            if entries is not None
            else entry("alpha-entry", "alpha") + entry("beta-entry", "beta")
        ),
    }
    contents.update({name.replace("_yaml", ".yaml"): text for name, text in files.items()})
    for name, text in contents.items():
        (root / name).write_text(text, encoding="utf-8")
    return root
