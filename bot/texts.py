"""Interface text of the bot in en, de, uk and ru; knowledge wording lives in knowledge/messages.py."""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "uk": "Українська", "ru": "Русский"}

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": (
            "Hi! I answer questions about the negotiations to end Russia's war against Ukraine: the "
            "20-point plan, the November 28-point draft, the European counter-proposal, and what "
            "Ukraine, Russia, the US and Europe want. Every answer is dated and sourced.\n\n"
            "Just ask, e.g. <i>zaporizhzhia npp?</i> or <i>what does putin want</i>."
        ),
        "help_intro": "Ask a question in plain words, or use a command:",
        "help_groups": "In groups, address me with /ask, a mention, or a reply to one of my messages.",
        "help_inline": "In any chat: type @{bot} and a question.",
        "cmd_start": "Start and short introduction",
        "cmd_help": "What I can do",
        "cmd_ask": "Ask a question: /ask QUESTION",
        "cmd_topics": "Browse the knowledge base by topic",
        "cmd_plan": "Walk through the 20-point plan (or the 28-point draft)",
        "cmd_compare": "Ukraine, Russia, US, Europe side by side: /compare ISSUE",
        "cmd_timeline": "Key dates",
        "cmd_sources": "The publishers I cite",
        "cmd_lang": "Choose the answer language",
        "ask_usage": "Ask me something after the command, e.g. <code>/ask zaporizhzhia npp</code>.",
        "btn_sources": "Sources",
        "btn_related": "Related",
        "btn_back": "« Back",
        "btn_prev": "‹ Prev",
        "btn_next": "Next ›",
        "btn_plan_20": "20-point plan",
        "btn_plan_28": "28-point draft",
        "expired": "This button has expired. Ask me again, please.",
        "lang_choose": "Choose the language for my answers:",
        "lang_set": "Done: I'll answer in English.",
        "topics_title": "Topics — choose one:",
        "topic_entries": "<b>{topic}</b> — {count} entries:",
        "plan_title": "<b>{plan}</b> — page {page} of {pages}",
        "compare_choose": "Compare the parties on which issue?",
        "compare_unknown": "I have no comparison on that. Choose one:",
        "timeline_title": "<b>Timeline</b>",
        "sources_title": "<b>Publishers I cite</b> ({count} sources)",
        "sources_of": "<b>Sources for:</b> {title}",
        "related_of": "<b>Related to:</b> {title}",
        "reliability": "note",
        "flood": "You're asking faster than I can keep up. Please wait {seconds} seconds.",
        "error": "Sorry, something went wrong on my side. Please try again in a moment.",
        "no_results": "Nothing in my knowledge base matches. Try other words.",
        "inline_help": "Type a question about the Ukraine peace talks",
    },
    "de": {
        "welcome": (
            "Hallo! Ich beantworte Fragen zu den Verhandlungen über ein Ende des russischen Kriegs gegen "
            "die Ukraine: den 20-Punkte-Plan, den 28-Punkte-Entwurf vom November, den europäischen "
            "Gegenvorschlag und die Positionen der Ukraine, Russlands, der USA und Europas. Jede Antwort "
            "hat ein Datum und Quellen.\n\nFragen Sie einfach, z. B. <i>AKW Saporischschja?</i> oder "
            "<i>was will Putin</i>."
        ),
        "help_intro": "Stellen Sie eine Frage in eigenen Worten oder nutzen Sie einen Befehl:",
        "help_groups": "In Gruppen: mit /ask, einer Erwähnung oder einer Antwort auf meine Nachricht.",
        "help_inline": "In jedem Chat: @{bot} und eine Frage tippen.",
        "cmd_start": "Start und kurze Einführung",
        "cmd_help": "Was ich kann",
        "cmd_ask": "Eine Frage stellen: /ask FRAGE",
        "cmd_topics": "Die Wissensbasis nach Themen durchsuchen",
        "cmd_plan": "Den 20-Punkte-Plan (oder den 28-Punkte-Entwurf) durchgehen",
        "cmd_compare": "Ukraine, Russland, USA, Europa im Vergleich: /compare THEMA",
        "cmd_timeline": "Wichtige Daten",
        "cmd_sources": "Die Medien, die ich zitiere",
        "cmd_lang": "Antwortsprache wählen",
        "ask_usage": "Schreiben Sie die Frage hinter den Befehl, z. B. <code>/ask AKW Saporischschja</code>.",
        "btn_sources": "Quellen",
        "btn_related": "Verwandt",
        "btn_back": "« Zurück",
        "btn_prev": "‹ Zurück",
        "btn_next": "Weiter ›",
        "btn_plan_20": "20-Punkte-Plan",
        "btn_plan_28": "28-Punkte-Entwurf",
        "expired": "Diese Schaltfläche ist abgelaufen. Bitte fragen Sie noch einmal.",
        "lang_choose": "Wählen Sie die Sprache meiner Antworten:",
        "lang_set": "Erledigt: Ich antworte auf Deutsch.",
        "topics_title": "Themen — bitte wählen:",
        "topic_entries": "<b>{topic}</b> — {count} Einträge:",
        "plan_title": "<b>{plan}</b> — Seite {page} von {pages}",
        "compare_choose": "Bei welchem Thema vergleichen?",
        "compare_unknown": "Dazu habe ich keinen Vergleich. Bitte wählen:",
        "timeline_title": "<b>Zeitleiste</b>",
        "sources_title": "<b>Zitierte Medien</b> ({count} Quellen)",
        "sources_of": "<b>Quellen zu:</b> {title}",
        "related_of": "<b>Verwandt mit:</b> {title}",
        "reliability": "Hinweis",
        "flood": "Sie fragen schneller, als ich antworten kann. Bitte warten Sie {seconds} Sekunden.",
        "error": "Entschuldigung, bei mir ist etwas schiefgegangen. Bitte gleich noch einmal versuchen.",
        "no_results": "Nichts in meiner Wissensbasis passt. Versuchen Sie andere Wörter.",
        "inline_help": "Frage zu den Ukraine-Friedensgesprächen eingeben",
    },
    "uk": {
        "welcome": (
            "Привіт! Я відповідаю на питання про переговори щодо завершення війни Росії проти України: "
            "план із 20 пунктів, листопадовий проєкт із 28 пунктів, європейську контрпропозицію та "
            "позиції України, Росії, США і Європи. Кожна відповідь має дату й джерела.\n\n"
            "Просто запитайте, напр. <i>запорізька аес?</i> або <i>чого хоче путін</i>."
        ),
        "help_intro": "Поставте питання своїми словами або скористайтеся командою:",
        "help_groups": "У групах звертайтеся через /ask, згадку або відповідь на моє повідомлення.",
        "help_inline": "У будь-якому чаті: наберіть @{bot} і питання.",
        "cmd_start": "Початок і коротке знайомство",
        "cmd_help": "Що я вмію",
        "cmd_ask": "Поставити питання: /ask ПИТАННЯ",
        "cmd_topics": "Переглянути базу знань за темами",
        "cmd_plan": "Пункти плану з 20 пунктів (або проєкту з 28)",
        "cmd_compare": "Україна, Росія, США, Європа поруч: /compare ТЕМА",
        "cmd_timeline": "Ключові дати",
        "cmd_sources": "Видання, на які я посилаюся",
        "cmd_lang": "Обрати мову відповідей",
        "ask_usage": "Напишіть питання після команди, напр. <code>/ask запорізька аес</code>.",
        "btn_sources": "Джерела",
        "btn_related": "Пов'язане",
        "btn_back": "« Назад",
        "btn_prev": "‹ Назад",
        "btn_next": "Далі ›",
        "btn_plan_20": "План із 20 пунктів",
        "btn_plan_28": "Проєкт із 28 пунктів",
        "expired": "Ця кнопка застаріла. Будь ласка, запитайте ще раз.",
        "lang_choose": "Оберіть мову моїх відповідей:",
        "lang_set": "Готово: відповідатиму українською.",
        "topics_title": "Теми — оберіть:",
        "topic_entries": "<b>{topic}</b> — записів: {count}",
        "plan_title": "<b>{plan}</b> — сторінка {page} з {pages}",
        "compare_choose": "За якою темою порівняти?",
        "compare_unknown": "Такого порівняння в мене немає. Оберіть:",
        "timeline_title": "<b>Хронологія</b>",
        "sources_title": "<b>Видання, які я цитую</b> (джерел: {count})",
        "sources_of": "<b>Джерела до:</b> {title}",
        "related_of": "<b>Пов'язане з:</b> {title}",
        "reliability": "примітка",
        "flood": "Ви питаєте швидше, ніж я встигаю. Зачекайте, будь ласка, {seconds} с.",
        "error": "Вибачте, у мене щось пішло не так. Спробуйте ще раз за хвилину.",
        "no_results": "У моїй базі знань нічого не знайшлося. Спробуйте інші слова.",
        "inline_help": "Введіть питання про мирні переговори",
    },
    "ru": {
        "welcome": (
            "Привет! Я отвечаю на вопросы о переговорах о прекращении войны России против Украины: "
            "план из 20 пунктов, ноябрьский проект из 28 пунктов, европейское контрпредложение и "
            "позиции Украины, России, США и Европы. У каждого ответа есть дата и источники.\n\n"
            "Просто спросите, напр. <i>запорожская аэс?</i> или <i>чего хочет путин</i>."
        ),
        "help_intro": "Задайте вопрос своими словами или воспользуйтесь командой:",
        "help_groups": "В группах обращайтесь через /ask, упоминание или ответ на моё сообщение.",
        "help_inline": "В любом чате: наберите @{bot} и вопрос.",
        "cmd_start": "Начало и краткое знакомство",
        "cmd_help": "Что я умею",
        "cmd_ask": "Задать вопрос: /ask ВОПРОС",
        "cmd_topics": "Просмотреть базу знаний по темам",
        "cmd_plan": "Пункты плана из 20 пунктов (или проекта из 28)",
        "cmd_compare": "Украина, Россия, США, Европа рядом: /compare ТЕМА",
        "cmd_timeline": "Ключевые даты",
        "cmd_sources": "Издания, на которые я ссылаюсь",
        "cmd_lang": "Выбрать язык ответов",
        "ask_usage": "Напишите вопрос после команды, напр. <code>/ask запорожская аэс</code>.",
        "btn_sources": "Источники",
        "btn_related": "Связанное",
        "btn_back": "« Назад",
        "btn_prev": "‹ Назад",
        "btn_next": "Далее ›",
        "btn_plan_20": "План из 20 пунктов",
        "btn_plan_28": "Проект из 28 пунктов",
        "expired": "Эта кнопка устарела. Пожалуйста, спросите ещё раз.",
        "lang_choose": "Выберите язык моих ответов:",
        "lang_set": "Готово: буду отвечать по-русски.",
        "topics_title": "Темы — выберите:",
        "topic_entries": "<b>{topic}</b> — записей: {count}",
        "plan_title": "<b>{plan}</b> — страница {page} из {pages}",
        "compare_choose": "По какой теме сравнить?",
        "compare_unknown": "Такого сравнения у меня нет. Выберите:",
        "timeline_title": "<b>Хронология</b>",
        "sources_title": "<b>Издания, которые я цитирую</b> (источников: {count})",
        "sources_of": "<b>Источники к:</b> {title}",
        "related_of": "<b>Связано с:</b> {title}",
        "reliability": "примечание",
        "flood": "Вы спрашиваете быстрее, чем я успеваю. Подождите, пожалуйста, {seconds} с.",
        "error": "Извините, у меня что-то пошло не так. Попробуйте ещё раз через минуту.",
        "no_results": "В моей базе знаний ничего не нашлось. Попробуйте другие слова.",
        "inline_help": "Введите вопрос о мирных переговорах",
    },
}


def t(language: str | None, key: str, **values: object) -> str:
    """Interface text in `language` (English if unknown), with `values` filled in.

    Texts are trusted markup; callers escape `values` that come from users or the knowledge base.
    """
    table = _TEXTS.get(language or "en", _TEXTS["en"])
    template = table.get(key) or _TEXTS["en"][key]
    return template.format(**values) if values else template
