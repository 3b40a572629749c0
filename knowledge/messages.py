"""Interface wording of an answer in the four languages (the knowledge itself lives in the
YAML)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "known_then": "I know nothing after {date}, so I cannot tell you the current state. As of then:",
        "after_knowledge_date": (
            "My knowledge base covers the negotiations to end Russia's war against Ukraine up to "
            "{date}: I know nothing that happened after it, so I cannot tell you the current state."
        ),
        "known_until_then": "What I knew up to {date}:",
        "empty": 'Ask me about the negotiations to end Russia\'s war against Ukraine, e.g. "what does the 20-point plan say about the army?"',
        "knowledge_date": "Knowledge up to",
        "as_of": "As of",
        "sources": "Sources",
        "related": "Related",
        "did_you_mean": "I'm not sure what you mean. Did you mean:",
        "no_answer": (
            "I don't know: my knowledge base covers the negotiations to end Russia's war against "
            "Ukraine (the peace plans and the positions of Ukraine, Russia, the US and Europe) up to "
            "{date}, and nothing in it fits this question."
        ),
        "out_of_scope": "This is outside what I cover.",
        "sources_differ": "Sources differ",
        "translation_missing": "(No translation of this answer yet; here it is in English.)",
        "date_not_shown": "date not shown",
        "ukraine": "Ukraine",
        "russia": "Russia",
        "united_states": "United States",
        "europe": "Europe",
        "plan_28": "28-point draft (Nov 2025)",
        "plan_20": "20-point plan (Dec 2025)",
        "european_plan": "European counter-proposal",
        "yes": "Yes",
        "no": "No",
        "relay": "relay",
        "sources_differ_more": "Sources differ on this: see More.",
        "more_sources": "+{count}",
    },
    "de": {
        "known_then": "Nach dem {date} weiß ich nichts mehr, den aktuellen Stand kann ich also nicht nennen. Stand damals:",
        "after_knowledge_date": (
            "Meine Wissensbasis deckt die Verhandlungen über ein Ende des russischen Kriegs gegen die "
            "Ukraine bis zum {date} ab: Was danach geschah, weiß ich nicht, den aktuellen Stand kann "
            "ich also nicht nennen."
        ),
        "known_until_then": "Was ich bis zum {date} wusste:",
        "empty": "Fragen Sie mich zu den Verhandlungen über ein Ende des russischen Kriegs gegen die Ukraine, z. B. „Was sagt der 20-Punkte-Plan zur Armee?“",
        "knowledge_date": "Wissensstand bis",
        "as_of": "Stand",
        "sources": "Quellen",
        "related": "Verwandt",
        "did_you_mean": "Ich bin nicht sicher, was gemeint ist. Meinten Sie:",
        "no_answer": (
            "Das weiß ich nicht: Meine Wissensbasis deckt die Verhandlungen über ein Ende des "
            "russischen Kriegs gegen die Ukraine (die Friedenspläne und die Positionen der Ukraine, "
            "Russlands, der USA und Europas) bis zum {date} ab, und nichts darin passt zu dieser Frage."
        ),
        "out_of_scope": "Das liegt außerhalb dessen, was ich abdecke.",
        "sources_differ": "Quellen widersprechen sich",
        "translation_missing": "(Noch keine Übersetzung dieser Antwort; hier auf Englisch.)",
        "date_not_shown": "Datum nicht angegeben",
        "ukraine": "Ukraine",
        "russia": "Russland",
        "united_states": "USA",
        "europe": "Europa",
        "plan_28": "28-Punkte-Entwurf (Nov. 2025)",
        "plan_20": "20-Punkte-Plan (Dez. 2025)",
        "european_plan": "Europäischer Gegenvorschlag",
        "yes": "Ja",
        "no": "Nein",
        "relay": "Übernahme",
        "sources_differ_more": "Die Quellen widersprechen sich hier: siehe Mehr.",
        "more_sources": "+{count}",
    },
    "uk": {
        "known_then": "Після {date} я нічого не знаю, тож не можу сказати, як є зараз. Станом на тоді:",
        "after_knowledge_date": (
            "Моя база знань охоплює переговори про завершення війни Росії проти України до {date}: "
            "про те, що сталося після цього, я не знаю, тож поточного стану сказати не можу."
        ),
        "known_until_then": "Що я знав станом на {date}:",
        "empty": "Запитайте мене про переговори щодо завершення війни Росії проти України, наприклад: «що план із 20 пунктів каже про армію?»",
        "knowledge_date": "Знання станом на",
        "as_of": "Станом на",
        "sources": "Джерела",
        "related": "Пов'язане",
        "did_you_mean": "Не впевнений, що ви маєте на увазі. Можливо:",
        "no_answer": (
            "Не знаю: моя база знань охоплює переговори про завершення війни Росії проти України "
            "(мирні плани та позиції України, Росії, США і Європи) до {date}, і ніщо в ній не "
            "відповідає цьому питанню."
        ),
        "out_of_scope": "Це поза темою, яку я охоплюю.",
        "sources_differ": "Джерела розходяться",
        "translation_missing": "(Перекладу цієї відповіді ще немає; ось англійською.)",
        "date_not_shown": "дата не вказана",
        "ukraine": "Україна",
        "russia": "Росія",
        "united_states": "США",
        "europe": "Європа",
        "plan_28": "Проєкт із 28 пунктів (лист. 2025)",
        "plan_20": "План із 20 пунктів (груд. 2025)",
        "european_plan": "Європейська контрпропозиція",
        "yes": "Так",
        "no": "Ні",
        "relay": "передрук",
        "sources_differ_more": "Джерела тут розходяться: див. «Більше».",
        "more_sources": "+{count}",
    },
    "ru": {
        "known_then": "После {date} я ничего не знаю, поэтому не могу сказать, как обстоит дело сейчас. На тот момент:",
        "after_knowledge_date": (
            "Моя база знаний охватывает переговоры о завершении войны России против Украины до "
            "{date}: о том, что произошло после, я не знаю, поэтому текущее положение назвать не "
            "могу."
        ),
        "known_until_then": "Что я знал по состоянию на {date}:",
        "empty": "Спросите меня о переговорах о прекращении войны России против Украины, например: «что план из 20 пунктов говорит об армии?»",
        "knowledge_date": "Знания по состоянию на",
        "as_of": "По состоянию на",
        "sources": "Источники",
        "related": "Связанное",
        "did_you_mean": "Не уверен, что вы имеете в виду. Возможно:",
        "no_answer": (
            "Не знаю: моя база знаний охватывает переговоры о прекращении войны России против Украины "
            "(мирные планы и позиции Украины, России, США и Европы) до {date}, и ничто в ней не "
            "подходит к этому вопросу."
        ),
        "out_of_scope": "Это вне темы, которую я охватываю.",
        "sources_differ": "Источники расходятся",
        "translation_missing": "(Перевода этого ответа пока нет; вот он на английском.)",
        "date_not_shown": "дата не указана",
        "ukraine": "Украина",
        "russia": "Россия",
        "united_states": "США",
        "europe": "Европа",
        "plan_28": "Проект из 28 пунктов (нояб. 2025)",
        "plan_20": "План из 20 пунктов (дек. 2025)",
        "european_plan": "Европейское контрпредложение",
        "yes": "Да",
        "no": "Нет",
        "relay": "перепечатка",
        "sources_differ_more": "Источники здесь расходятся: см. «Подробнее».",
        "more_sources": "+{count}",
    },
}


# Short month names for dates in compact source lines ("24 Dec 2025", "24. Dez. 2025").
MONTHS: dict[str, tuple[str, ...]] = {
    "en": tuple("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()),
    "de": tuple("Jan. Feb. März Apr. Mai Juni Juli Aug. Sep. Okt. Nov. Dez.".split()),
    "uk": tuple("січ. лют. бер. квіт. трав. черв. лип. серп. вер. жовт. лист. груд.".split()),
    "ru": tuple("янв. февр. марта апр. мая июня июля авг. сент. окт. нояб. дек.".split()),
}
# The month alone ("Dec 2025"), where a source gives only the month of the event it covers.
MONTHS_ALONE: dict[str, tuple[str, ...]] = {
    "en": MONTHS["en"],
    "de": MONTHS["de"],
    "uk": tuple(
        "січ. лют. берез. квіт. трав. черв. лип. серп. верес. жовт. листоп. груд.".split()
    ),
    "ru": tuple("янв. февр. март апр. май июнь июль авг. сент. окт. нояб. дек.".split()),
}


def short_date(language: str, value: str) -> str:
    """A full or partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) as a reader of `language` writes it
    briefly: "24 Dec 2025", "24. Dez. 2025", "24 груд. 2025", "Dec 2025"."""
    parts = value.split("-")
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return value
    year, month = parts[0], int(parts[1])
    if not 1 <= month <= 12:
        return value
    if len(parts) == 2:
        return f"{MONTHS_ALONE.get(language, MONTHS_ALONE['en'])[month - 1]} {year}"
    day = int(parts[2])
    name = MONTHS.get(language, MONTHS["en"])[month - 1]
    return f"{day}. {name} {year}" if language == "de" else f"{day} {name} {year}"


def source_date(language: str, when: str, dated: bool = True) -> str:
    """A source's date as a reader of `language` writes it; `dated` False: `when` is the date of
    the event it covers, the page showing none, and the reader is told so."""
    shown = short_date(language, when)
    return shown if dated else f"{shown}, {wording(language, 'date_not_shown')}"


def wording(language: str, key: str) -> str:
    """Interface text in `language`, falling back to English."""
    return TEXTS.get(language, TEXTS["en"]).get(key) or TEXTS["en"][key]


def disagreement_note(language: str, disagreement: str) -> tuple[str | None, str]:
    """The "Sources differ" label in `language` and the note to follow it, never saying it twice."""
    starts = disagreement.casefold().startswith("sources differ")
    if language == "en" and starts:
        return None, disagreement
    if starts and disagreement[len("sources differ") :].startswith(":"):
        disagreement = disagreement[len("sources differ:") :].lstrip()
    return wording(language, "sources_differ"), disagreement
