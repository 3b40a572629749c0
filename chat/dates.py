"""Dates as people write them in each interface language: "15 Aug", "15. Aug.", "15 серп.",
"15 авг."; months as "Aug 2025", "Aug. 2025", "серп. 2025", "авг. 2025"."""

from __future__ import annotations

import datetime as dt

# Abbreviated month names; Russian has a form of its own after a day ("16 мая", "май 2025").
MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.".split(),
    "uk": "січ. лют. бер. квіт. трав. черв. лип. серп. вер. жовт. лист. груд.".split(),
    "ru": "янв. февр. март апр. май июнь июль авг. сент. окт. нояб. дек.".split(),
}
MONTHS_AFTER_DAY = {
    **MONTHS,
    "ru": "янв. февр. марта апр. мая июня июля авг. сент. окт. нояб. дек.".split(),
}
DAY_FORMAT = {
    "en": "{day} {month}",
    "de": "{day}. {month}",
    "uk": "{day} {month}",
    "ru": "{day} {month}",
}


def day_label(date: dt.date, language: str, with_year: bool = False) -> str:
    """ "15 Aug", or "15 Aug 2025" with the year."""
    lang = language if language in MONTHS else "en"
    text = DAY_FORMAT[lang].format(day=date.day, month=MONTHS_AFTER_DAY[lang][date.month - 1])
    return f"{text} {date.year}" if with_year else text


def month_label(date: dt.date, language: str) -> str:
    """ "Aug 2025"."""
    lang = language if language in MONTHS else "en"
    return f"{MONTHS[lang][date.month - 1]} {date.year}"


def period_label(first: dt.date, last: dt.date, language: str) -> str:
    """ "Dec 1994 – Nov 2025", or "Dec 2025" for one month."""
    start, end = month_label(first, language), month_label(last, language)
    return start if start == end else f"{start} \u2013 {end}"
