"""Near misses: questions that share a name or a place with the base and ask what it does not hold.

The base profiles people by their part in the negotiations. "How old is Putin", "Witkoff's real
estate deals", "зарплата Дмитриева" name someone it profiles and ask about their private life;
"weather in Geneva", "hotels in Miami", "квиток на потяг Київ – Запоріжжя" name a place of the
talks and ask a traveller's question; "когда построили Запорожскую АЭС" asks for a place's history;
"how do the reactors at Zaporizhzhia work" for its engineering, "скільки людей загинуло за час
війни" for casualty figures, "EU sanctions on Iran" about a country the base never names,
"inflation in Ukraine" for figures the base has of Russia only. None is answered from the entry it
comes close to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

from knowledge import patterns
from knowledge.normalize import COLLOQUIAL, canonical, cleaned
from knowledge.timeframe import ELECTION

# Matched on whole words of the cleaned question (casefolded, Latin accents dropped, ё as е).
# Left out on purpose, each a topic of the base too: children (the deported children; asked as a
# possession below), son (Kushner is Trump's son-in-law), house (the White House), income and
# earnings alone (Russia's oil income; a person's annual or personal income is private), school
# and education alone ("went to school" is someone's) and religion (plan points on education and
# churches), state ("состояние переговоров"), growth ("рост экономики"), "verdient" alone (it also
# deserves; "was verdient" earns), a wealth fund (Russia's sovereign wealth fund, which Dmitriev
# heads), age and study alone (the mobilisation age, "Trump studied the plan"): age is asked by
# "how old" below, schooling by a university, "studied at" and the Ukrainian and Russian verbs of
# being a student ("навчався", "учился"; "вивчав", "изучал" study a plan).
# Someone's own life, whoever is named, profiled or not ("what did Macron do before he became
# president", "is Merz married", what someone did for a living, a salary, "Gehalt", "зарплата",
# "сколько он получает": the base tells no one's pay; what someone did "before he was
# president"; their free time, "Freizeit", "дозвілля", "досуг"):
# asks_personal_life.
_PERSONAL = {
    # not the asker's own ("my late husband was always on about interest rates")
    "en": r"(?<!my )(?<!my late )(?:wife|husband)|married|spouse|girlfriend|birthday|hobby|hobbies"
    r"|childhood|grew up"
    r"|hometown|how tall|net worth|yacht|university|universities|(?<!-)educated"
    r"|go to (?:college|university|school)|went to (?:college|university|school)|studied at"
    r"|before (?:he|she) (?:became|was elected|(?:entered|went into|got into) politics"
    r"|was (?:president|chancellor|prime minister|envoy))"
    # not people who speak other languages (the plan's minorities)
    r"|languages? does \w+ speak|(?<!who )(?<!people )speaks? (?:\w+ )?languages|before becoming"
    r"|books? (?:\w+ ){0,3}(?:write|wrote|written)|grandchildren|grandkids|football club"
    r"|thesis|dissertation|what did (?:\w+ ){1,2}do before|which party (?:is|does)"
    r"|what did (?:\w+ ){1,2}study|what (?:political )?party"
    r"|before (?:the|her|his) (?:commission|presidency|chancellorship)|salary|salaries|paycheck"
    r"|educational background|where (?:\w+ ){0,2}stud(?:y|ied)"
    r"|did (?:\w+ ){1,3}do for a living|spare time|free time|leisure|recreation|pastimes?"
    # what a channel or account is called, asked ("whats his telegram channel called"; not a
    # channel that called something a provocation, nor the channel through which one talks)
    r"|(?:what|whit)\S* (?:\S+ ){0,3}(?:channel|account|handle) (?:is )?(?:called|named)"
    r"(?! (?:through|by|via|with|the|a|it|him|her|them|on|for|to)(?!\w))",
    "de": r"ehefrau|ehemann|verheiratet|geburtstag|hobbys?|kindheit|aufgewachsen|heimatstadt"
    r"|universitat\w*|studium|studiert|hochschul\w*|welche sprachen spricht"
    r"|bevor (?:er|sie) (?:prasident|politiker|kanzler|premier)\w*|vor (?:seiner|ihrer) zeit als"
    r"|bevor (?:er|sie) (?:\w+ ){1,2}wurde"
    r"|bucher (?:\w+ ){0,9}(?:geschrieben|verfasst)|(?:schrieb|geschrieben) (?:\w+ ){0,3}bucher"
    r"|enkelkinder\w*"
    r"|fussballverein\w*|abschlussarbeit\w*|doktorarbeit\w*|dissertation\w*"
    # how two people met: "wo hat er seine Frau kennengelernt" (talks are "getroffen")
    r"|kennengelernt|kennenlernten|kennen gelernt"
    r"|(?:was fur eine|welche) ausbildung hat|welcher partei"
    # a career before: "was hat er vorher beruflich gemacht" (what he does now is his role)
    r"|beruflich\w* gemacht|(?:vorher|fruher|davor) beruflich\w*"
    r"|vor (?:seiner|ihrer) (?:politischen )?(?:karriere|amtszeit|prasidentschaft|kanzlerschaft)"
    r"|gehalt|jahresgehalt|monatsgehalt|freizeit\w*"
    r"|(?:in|auf) welche schule|welche schule hat|auf welcher schule|zur schule gegangen"
    r"|schule besucht"
    r"|wie heisst (?:sein|ihr) (?:\w+ )?[\w-]*(?:kanal|account|konto)\w*(?! (?:zu|mit))",
    "uk": r"дружин\w*|одружен\w*|день народження|хобі|дитинств\w*|до політики"
    r"|університет\w*|диплом(?:а|ом|і)?|якими мовами (?:\w+ )?(?:розмовля|володі|говор)\w*"
    r"|за освітою|за фахом|в бізнесі|яка в (?:нього|неї) компанія"
    r"|яка (?:\w+ ){0,2}освіта (?:в|у)|де (?:\w+ ){0,2}раніше працював\w*"
    r"|до того,? як (?:став|стала) (?:президент|прем.єр|канцлер|політик)\w*"
    r"|яку (?:\w+ ){0,2}освіту|освіту (?:має|отримав\w*|здобув\w*)"
    r"|(?:книг\w*|книжк\w*) (?:\w+ ){0,3}написав\w*|написав\w* (?:\w+ ){0,3}(?:книг\w*|книжк\w*)"
    r"|онуків|онуки|футбольн\w* клуб\w*|дисертаці\w*|ким (?:\w+ )?працював\w*|якої партії"
    r"|познайоми(?:вся|лася|лися)"
    r"|зарплат\w*|оклад\w*|платн(?:я|і|ю|ею)|(?:скільки|скіки) (?:він|вона) (?:отриму|заробля)\w*"
    r"|вільн\w* час\w*|дозвілл\w*"
    r"|як називається (?:його|її) (?:\w+ )?[\w-]*(?:канал|акаунт)\w*(?! зв)",
    "ru": r"жена|женат|супруг\w*|день рождения|хобби|детств\w*|до политики"
    r"|университет\w*|диплом(?:а|ом|е)?|на каких языках (?:\w+ )?говорит"
    r"|на каком языке (?:\w+ ){0,4}(?:говор|разговарива)\w*|по образованию|по профессии"
    r"|в бизнесе|какая у (?:него|нее) компания"
    r"|(?:получал\w*|получил\w*) (?:\w+ )?образование"
    r"|до того,? как (?:стал|стала) (?:президент|премьер|канцлер|политик)\w*"
    r"|какое (?:\w+ ){0,2}образование|образование (?:получил\w*|имеет)"
    r"|(?:книг\w*|книжк\w*) (?:\w+ ){0,3}написал\w*|написал\w* (?:\w+ ){0,3}(?:книг\w*|книжк\w*)"
    r"|внуков|внуки|футбольн\w* клуб\w*|диссертаци\w*|кем (?:\w+ )?работал\w*|какой партии"
    r"|познакоми(?:лся|лась|лись)"
    r"|зарплат\w*|оклад\w*|(?:сколько|скока) (?:он|она) (?:получа|зарабатыва)\w*"
    r"|свободн\w* врем\w*|досуг\w*"
    r"|как называется (?:его|ее) (?:\w+ )?[\w-]*(?:канал|аккаунт)\w*(?! связ)",
}
# A private life besides, said of someone the base profiles (asks_private_life): words the
# base's topics share too (income, health, born, rich, a favourite), named they are private; and
# gifts, "was hat Putin ihm geschenkt", "що він подарував", "что подарил"; what someone is paid.
_PRIVATE = {
    # ... and whether they are jailed or charged ("sitzt der jetzt im Knast", "його посадили")
    "en": _PERSONAL["en"] + r"|born|daughter|salary|annual income|personal income|earn|earns"
    r"|jailed|in jail|in prison|arrested|charged with"
    r"|wealth(?![ -]fund)|fortune|(?<!bit )rich(?! (?:countries|nations))|billionaire|millionaire"
    r"|property (?:dealings|deals)|worth from"
    r"|real estate"
    r"|mansion"
    r"|grow up|height|health|sick|illness|favou?rite|pets?|golf\w*|football (?:team|club)"
    # a life before politics: "what did Zelensky do before he became president"
    r"|before (?:politics|his presidency|her presidency)|acting career|tv shows|gifts?"
    # what someone is paid ("what's Peskov paid as spokesman"), how long they have held a post,
    # their own time in the forces ("what rank did he reach", "служил ли он в армии"), where they
    # live ("де зараз живе Єрмак")
    # (said of someone: not "how much does Ukraine get paid under Trump's plan")
    r"|(?:what|how much)(?:'s|’s| is| are| was| does| did)? (?!(?:is|are|was|does|did|will"
    r"|would|can|could|should|ukraine|russia|kyiv|moscow|europe|the|they|it) )(?:\w+ ){1,3}"
    r"(?:gets? |got )?paid"
    r"|(?:what|which|whit) rank|(?:served|did (?:\w+ ){1,3}serve) in the (?:army|military|forces"
    r"|armed forces)|where (?:\w+ ){0,3}lives?"
    r"|how (?:many years|long) (?:has|have|had) (?:\w+ ){1,2}(?:worked|served|been working)"
    r" (?:as|for|in)",
    "de": _PERSONAL["de"] + r"|geboren|freundin|tochter|gehalt|vermogen|einkommen"
    r"|im knast|im gefangnis|verhaftet|festgenommen|angeklagt"
    r"|jahreseinkommen|milliardar|millionar|reich|immobilien\w*|villa|anwesen|jacht|yacht"
    r"|gesundheit|golf\w*|fussball\w*"
    r"|krank|lieblings\w*|haustier\w*|(?:was|wat|wie ?viel) verdient|geschenk\w*|geschenkt"
    r"|schenkte\w*|dienstgrad\w*|militarisch\w* rang|rang (?:\w+ ){0,2}(?:armee|militar\w*)"
    r"|(?:in der armee|beim militar|bei der armee) gedient"
    r"|wie lange (?:ist|arbeitet|dient) (?:\w+ ){1,3}schon"
    r"|seit wie vielen jahren|wo (?:\w+ ){0,3}(?:wohnt|lebt)",
    "uk": _PERSONAL["uk"] + r"|народив\w*|народил\w*|навчався|навчалася|дочк\w*|донь\w*"
    r"|посадили|заарештува\w*|заарештован\w*|у в.язниці|за ґратами|за гратами"
    r"|(?:скільки|скіки) (?:\w+ )?отримує"
    # grew, became: of anything ("виріс дефіцит", "до того як стала відомою"), of someone named
    r"|виріс|виросла|до того,? як (?:став|стала)"
    r"|річн\w* дох\w*|особист\w* дох\w*|заробля\w*"
    r"|зарплат\w*|статки|статок|багатий|багатство|мільярдер\w*|мільйонер\w*|нерухом\w*"
    r"|маєт(?:ок|ку|ки|ком)|яхт\w*|зріст|здоров.я|хвор\w*|улюблен\w*|гольф\w*|вболіва\w*"
    r"|до президентства|подарував\w*|подарувал[аи]|подарунк(?:и|ів|ами)"
    r"|(?:в якому|яке|якого) званн\w*"
    r"|служив\w* (?:\w+ ){0,2}(?:у|в) (?:армії|війську|збройних силах|зсу)"
    r"|(?:скільки|скіки) років (?:\w+ ){0,3}(?:працює|служить)|де (?:\w+ ){0,3}(?:живе|мешкає)",
    "ru": _PERSONAL["ru"] + r"|родил\w*|учился|училась|жен[аыеу]|дочь|дочер\w*"
    r"|посадили|арестова\w*|в тюрьме|за решетк\w*"
    # what someone is paid: "сколько Дмитриев получает", "сколько получает Песков"
    r"|(?:сколько|скока) (?:\w+ )?получает"
    r"|вырос|выросла|до того,? как (?:стал|стала)"
    r"|годов\w* доход\w*|личн\w* доход\w*|зарабатыва\w*"
    r"|зарплат\w*|богат\w*(?! стран)|миллиардер\w*|миллионер\w*|недвижимост\w*|особняк\w*|яхт\w*"
    r"|здоровь\w*|болен|болезн\w*|любим\w*|до президентства|поместь\w*|гольф\w*|болеет"
    r"|футбольн\w* (?:команд|клуб)\w*|подарил\w*|подарк(?:и|ов|ами)"
    r"|(?:в каком|какое|какого) звани\w*"
    r"|служил\w* (?:\w+ ){0,2}(?:в|во) (?:арми\w*|войсках|вооруженн\w* сил\w*)"
    r"|(?:сколько|скока) лет (?:\w+ ){0,3}(?:работает|служит)"
    r"|где (?:\w+ ){0,3}(?:живет|проживает)",
}
_PRIVATE_WORDS = patterns.compile(r"(?<!\w)(?:" + "|".join(_PRIVATE.values()) + r")(?!\w)")
_PERSONAL_WORDS = patterns.compile(r"(?<!\w)(?:" + "|".join(_PERSONAL.values()) + r")(?!\w)")
# A residence where talks were held is their venue, not private life: "the meeting at Trump's
# mansion in Florida", "Зеленський у маєтку Трампа" (Mar-a-Lago). Alone, "does Trump have a
# mansion" still asks about his private life.
_RESIDENCE = patterns.compile(r"mansion|villa|anwesen|маєт(?:ок|ку|ки|ком)|особняк\w*|поместь\w*")
_MEETING = patterns.compile(
    r"(?<!\w)(?:meeting|met|meet|talks|summit|negotiations?|treffen|gesprach\w*|verhandlung\w*"
    r"|gipfel\w*|зустріч\w*|зустрів\w*|переговор\w*|перемовин\w*|саміт\w*|встреч\w*"
    r"|встретил\w*|саммит\w*|delegations?|delegation\w*|делегаці\w*|делегаци\w*)(?!\w)"
)


def _spoken(word: str) -> str:
    """An alternation of `word` and the forms people type for it (COLLOQUIAL: "скіки", "скока")."""
    return "|".join([word, *(typed for typed, meant in COLLOQUIAL.items() if meant == word)])


# Age asked with a count of years: "how old is", "wie alt ist", "скільки років Зеленському",
# "Путину сколько лет". In Ukrainian and Russian the name must stand next to it: "скільки років
# діятимуть гарантії Трампа" asks how long Trump's guarantees last.
_HOW_OLD = patterns.compile(r"(?<!\w)(?:how old|wie alt)(?!\w)")
# "На скільки років", "на сколько лет" (for how many years) ask how long, never an age.
_YEARS_OF = patterns.compile(
    rf"(?<!\w)(?<!на )(?:(?:{_spoken('скільки')})\s+(?:\w+\s+)?років"
    rf"|(?:{_spoken('сколько')})\s+(?:\w+\s+)?лет)(?!\w)"
)
# Children asked as a possession: "does Rubio have kids", "hat Rubio Kinder", "у Умєрова є діти",
# "есть ли дети у Уиткоффа", "how many children does Kushner have", "сколько детей у Рубио";
# "how many children did Russia deport" asks no such thing.
_HAS_CHILDREN = patterns.compile(
    r"(?<!\w)(?:(?:has|does)\s+(?:\w+\s+){1,2}(?:have\s+|got\s+)?(?:any\s+)?(?:kids|children)"
    r"|hat\s+(?:(?!die|den|der|ihre|seine)\w+\s+){1,2}(?:eigentlich\s+|auch\s+)?kinder"
    r"|є\s+(?:\w+\s+)?діти|есть\s+(?:ли\s+)?дети"
    r"|how many (?:kids|children) (?:does|has)"
    r"|скільки (?:дітей|діток) (?:у|в)|сколько детей у"
    r"|скільки (?:у|в) \w+ (?:дітей|діток)|сколько у \w+ детей"
    r"|(?:дітей|детей) (?:скільки|сколько) (?:у|в))(?!\w)"
)
NAME_NEAR_YEARS = 2  # hand-set: words between "скільки років" and the name it is said of
_DATIVE_ENDINGS = ("у", "ю", "о")
_WORD = patterns.compile(r"\w+")
TOLD_STEM = 6  # hand-set: letters of a word compared with the closest entry's words


def asks_personal_life(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks about someone's own life (_PERSONAL), named or not, and the
    closest entry (`held()`: its cleaned words) does not tell it."""
    asked = [m.group(0) for m in _PERSONAL_WORDS.finditer(cleaned(question))]
    if not asked:
        return False
    told = held()
    return not all(_told_of_someone(phrase, told) for phrase in asked)


def asks_private_life(
    question: str,
    is_profiled: Callable[[str], bool],
    held: Callable[[], Collection[str]] = frozenset,
) -> bool:
    """True when the question names someone the base profiles (`is_profiled`, of a cleaned word)
    and asks about their private life. A private word among `held()` (the cleaned words of the
    entry the question came closest to, read only for a question with a private word) is what
    that entry tells: "where was Dmitriev born" is answered where his profile says he was born in
    Kyiv."""
    text = cleaned(question)
    words = [(m.start(), m.group(0)) for m in _WORD.finditer(text)]
    named = [at for at, word in words if is_profiled(word)]
    if not named:
        return False
    private = [m.group(0) for m in _PRIVATE_WORDS.finditer(text)]
    if private:
        told = held()
        private = [phrase for phrase in private if not _told_of_someone(phrase, told)]
    people = {canonical(word) for _, word in words if is_profiled(word)}
    venue = all(_RESIDENCE.fullmatch(word) for word in private) and (
        _MEETING.search(text) or len(people) > 1  # one negotiator at another's: a meeting
    )
    if (private and not venue) or _HOW_OLD.search(text) or _HAS_CHILDREN.search(text):
        return True
    # Said of someone, the name is in the dative ("скільки років Трампу", "Путину сколько лет";
    # "Рубио" does not decline): "на скільки років трамп дає гарантії" asks how long his
    # guarantees last.
    of_someone = {at for at, word in words if at in named and word.endswith(_DATIVE_ENDINGS)}
    for match in _YEARS_OF.finditer(text):
        before = [at for at, _ in words if at < match.start()][-NAME_NEAR_YEARS:]
        after = [at for at, _ in words if at >= match.end()][:NAME_NEAR_YEARS]
        if of_someone & {*before, *after}:
            return True
    return False


# A traveller's or a forecaster's question: weather, travel, hotels, sights, a club's membership,
# what a membership, joining a club or a night costs, the midnight sun, what a meal served ("what
# did they eat in Anchorage", "какое вино подавали"; a meal as where the asker sat is none: "at
# Thanksgiving dinner my brother asked when the memorandum was signed").
# Weather's forms are spelt out: Ukrainian "погоджено" (agreed) begins like "погода". Left out:
# population and residents (the people of the occupied territories are a topic of the plans),
# German "Zug" ("im Zuge der Verhandlungen"), "forecast" alone (a weather forecast asks for the
# weather; the base holds Russia's growth forecast and the forecast for Donetsk: 3 blind
# calibration questions labelled in scope left unanswered, none outside it turned away by it
# alone), and Russian "поездка" beside "поезд" (the envoys' trips are the base's).
_TRAVEL = {
    # not the idiom "take a rain check"; not German "sich aufregen" ("warum regen die sich auf")
    "en": r"weather|tempe?rature|rain(?! che(?:ck|que))|snow|how (?:cold|hot|warm)|hotels?"
    r"|tickets?|flights?|trains?|restaurants?"
    r"|tourists?|tourism|sights|sightseeing|club membership|membership (?:at|in|of) the club"
    r"|membership (?:[\w-]+ ){0,4}(?:cost|fee)s?|membership fees?|midnight sun|polar day"
    r"|road closures?|roads? (?:\w+ )?closed|strassensperr\w*|улиц\w* (?:\w+ ){0,2}перекры\w*"
    r"|перекры\w* (?:\w+ )?улиц\w*|вулиц\w* (?:\w+ ){0,2}перекри\w*|перекри\w* (?:\w+ )?вулиц\w*"
    r"|open to the public|overnight|stay the night|visas?|get there|apartments?|real estate"
    r"|(?:cost|costs|price|fee) to join|joining fee|what(?: did| do| will|'d|’d) (?:\w+ ){0,2}eat"
    r"|menu|(?:dishes|food|wine|what) (?:\w+ ){0,3}(?:was|were) served"
    r"|(?:have|had|eat|ate|serve|served) for (?:dinner|lunch|breakfast)"
    # what a club's membership or a residence costs ("how much does it cost to be a member at
    # Mar-a-Lago", "сколько стоит поместье"; the meeting at the residence is the base's)
    r"|cost to (?:be|become) a member(?! of (?:the )?(?:nato|eu|european union))"
    r"|how much (?:is|does) (?:\w+ ){0,3}(?:mansion|estate|villa)"
    r" (?:cost|worth)|(?:price|value) of (?:\w+ ){0,2}(?:mansion|estate|villa)",
    "de": r"wetter\w*|temperatur\w*|regen(?! (?:\w+ )?sich)|wie (?:kalt|warm|heiss)|hotel\w*"
    r"|ticket\w*|flug|fluge"
    r"|restaurant\w*|tourist\w*"
    r"|sehenswurdigkeit\w*|mitgliedschaft im club|clubmitglied\w*|wohnung\w*|immobilie\w*"
    r"|aufnahmegebuhr\w*|mitgliedsbeitrag\w*|gegessen|speisekarte|serviert|zu essen gab"
    r"|gab es (?:\w+ )?zum (?:abend|mittag)?essen"
    r"|(?:was|wieviel|wie viel) kostet (?:(?!nato|eu)\w+ ){0,2}(?:mitgliedschaft|anwesen|villa)"
    r"(?! in (?:der )?(?:nato|eu))",
    # "погоди" as the weather's only after a forecast ("прогноз погоди"): alone it is "wait"
    # ("погоди, а в плані...")
    "uk": r"погод(?:а|у|і|ою)|прогноз\w* погоди"
    r"|температур\w*|дощ\w*|сніг\w*|готел\w*|квит\w*|рейс\w*|потяг\w*"
    r"|ресторан\w*|турист\w*|пам.ятк\w*|членств\w* (?:в|у) клуб\w*|переночува\w*|ночівл\w*"
    # getting there ("як дістатися до Женеви"), not who gets a share ("кому мала дістатися")
    r"|віз[аиу]|як дістатися|дістатися (?:до|в|у)|скільки коштує (?:\w+ ){0,3}ніч|сонц\w*"
    # a flat, not a headquarters ("штаб-квартира" of the coalition's force)
    r"|(?<!-)(?<!штаб )квартир(?:а|и|у|і|ою|ам|ами|ах)?|нерухом\w*"
    r"|вступн\w* внес\w*|скільки коштує (?:\w+ ){0,2}(?:вступ\w*|членство\w*|маєт\w*|особняк\w*"
    r"|віл{1,2}(?:а|и|у|і|ою)(?!\w))"
    r"|(?:що|шо|які страви|яке вино) (?:\w+ ){0,3}(?:їли|подавали)|меню",
    "ru": r"погод(?:а|ы|у|е|ой)|температур\w*|дожд\w*|снег\w*|гостиниц\w*|отел\w*|билет\w*"
    r"|поезд(?:а|е|у|ом|ов|ам|ами|ах)?|ресторан\w*|турист\w*|достопримечательност\w*"
    r"|членств\w* в клуб\w*"
    r"|переночева\w*|ночлег\w*|виз[аыу]|добраться|сколько стоит (?:\w+ ){0,3}ночь|солнц\w*"
    r"|(?<!-)(?<!штаб )квартир(?:а|ы|у|е|ой|ам|ами|ах)?|недвижимост\w*"
    r"|вступительн\w* взнос\w*"
    r"|сколько стоит (?:\w+ ){0,2}(?:вступ|членство|поместь|особняк|вилл)\w*"
    r"|(?:что|чо|че|какие блюда|какое вино) (?:\w+ ){0,3}(?:ели|подавали)|меню",
}
# An investor's question: the share price of a company the base names for its sanctions.
# "Share" alone is left out ("Russia's share of Donetsk"), as Ukrainian and Russian "акція" /
# "акция" alone (a protest).
_MARKETS = {
    "en": r"share prices?|stock prices?|stocks?|stock exchange|stock market|dividends?"
    r"|open an account",
    "de": r"aktie|aktien\w*|borse\w*|dividende\w*|konto eroffnen",
    "uk": r"(?:курс|ціна|ціни)\s+акці\w*|котирува\w*|біржов\w*|біржі|біржа|дивіденд\w*"
    r"|мосбірж\w*|відкрити рахунок",
    "ru": r"(?:курс|цена|цены)\s+акци\w*|котировк\w*|биржев\w*|бирж[аеиу]|дивиденд\w*"
    r"|мосбирж\w*|открыть сч[её]т",
}
# A question about when a place was built ("when was the Zaporizhzhia plant built", "когда
# построили Запорожскую АЭС"): its history, which the base tells only where its entry says so.
# Built, not to be built: "was die Amerikaner mit russischem Geld beim AKW bauen wollten",
# "збудувати датацентр" ask about the plan for the frozen assets.
_BUILT = patterns.compile(
    r"(?<!\w)(?:built(?! on)|constructed|gebaut(?! werden)|errichtet|erbaut"
    r"|збудува(?:в|ла|ли|ло)|побудува(?:в|ла|ли|ло)"
    r"|збудован\w*|побудован\w*|построил\w*|построен\w*|постро[ея]н\w*"
    # ... or first run, or who held an office first or before someone ("the first president of
    # independent Ukraine", "who was prime minister before Starmer")
    r"|commissioned|in betrieb genommen|запустили|запущен\w*|ввели в эксплуатацию"
    r"|(?:came|come|went) online|ans netz|проектировал\w*|спроектирова\w*|проєктува\w*"
    r"|спроєктува\w*|пустили (?:\w+ )?(?:энергоблок|реактор|блок)\w*"
    r"|(?:хто|кто) (?:був|был)\w* (?:прем.єр\w*|премьер\w*|президент\w*|канцлер\w*|міністр\w*"
    r"|министр\w*)(?:\W+\w+){0,3}?\W+до"
    r"|введен\w* в эксплуатацию|first president|erste\w* prasident\w*|перш\w* президент\w*"
    r"|перв\w* президент\w*"
    # ... or who came before someone ("who was Peskov's predecessor"; "why did his predecessor
    # have to go" asks what the entry of his exit tells)
    r"|(?:who|wer|хто|кто)(?:\W+\w+){0,4}?\W+(?:predecessor|vorganger\w*|попередни\w*"
    r"|предшественни\w*)|predecessor of|vorganger von"
    # ... or who held it when something happened ("who was president when the memorandum was
    # signed", "кто был президентом, когда подписывали")
    r"|(?:who was|wer war|(?:хто|кто) (?:був|был)) (?:[\w'’]+ ){0,2}"
    r"(?:president|prasident|президент\w*"
    r"|prime minister|premier\w*|прем.єр\w*|премьер\w*|kanzler|канцлер\w*|chair\w*|vorsitz\w*"
    r"|голов\w*|председател\w*)\w*(?:\W+\w+){0,3}?\W+(?:when|als|коли|когда)"
    # ... or for how long, in which years someone held an office ("в каких годах Медведев был
    # президентом", "скільки був Медвєдєв президентом"; what the profile says is that he was)
    r"|(?:(?:сколько|скока|скільки|скіки)(?: (?:лет|років))?|в (?:каких|яких) (?:годах|роках)"
    r"|which years|how long|wie lange)(?:\W+\w+){0,3}?\W+(?:был\w*|була|був|was|war)"
    r"\W+(?:\w+\W+)?(?:president|prasident\w*|президент\w*|chancellor|kanzler\w*|канцлер\w*)"
    # ... or what stood there before ("what used to be on the hill", "was war früher auf dem
    # Mont-Valérien"; "was war früher: Genf oder Miami" asks which came first)
    r"|what used to (?:be|stand) (?:there|on|at|in)"
    r"|was (?:war|stand|befand sich) (?:\w+ ){0,2}fruher (?:auf|in|an|dort|da)"
    # ... or what happened there in the Second World War
    r"|second world war|world war ii|wwii|ww2"
    r"|zweit\w* weltkrieg\w*|втор\w* миров\w*|друг\w* світов\w*"
    # ... or when something was invoked ("when was NATO's Article 5 first invoked")
    r"|invoked|ausgerufen|застосовувал\w*|применял\w*"
    # ... or before someone ("wer war vor Peskow Kremlsprecher")
    r"|(?:who was|wer war|хто був\w*|кто был\w*)(?:\W+\w+){0,6}?\W+(?:before|vor|перед)"
    # ... or when Alaska was sold, where the Anchorage summit was held ("коли продали аляску")
    r"|(?:sold|sale|purchase\w*|bought|verkauf\w*|gekauft|продал\w*|продаж\w*|купил\w*"
    r"|купив\w*)(?:\W+\w+){0,3}?\W+(?:alaska|аляск\w*)"
    r"|(?:alaska|аляск\w*)(?:\W+\w+){0,2}?\W+(?:purchase\w*|sold|sale|verkauf\w*|продаж\w*"
    r"|продал\w*))(?!\w)"
)
# The war's dead and wounded: the base holds no casualty figures (its gaps entry says so). The
# words are those of people killed, not of losses alone ("the loss of Pokrovsk", "can Russia keep
# replacing its losses", which the recruitment entry answers: a word the closest entry holds is
# what it tells).
_CASUALTIES = patterns.compile(
    r"(?<!\w)(?:casualt\w*|death toll|deaths|wounded|killed in action|killed in the war"
    r"|died in the war|how many .{0,40}(?:died|killed|dead)"
    r"|(?:soldiers?|people|civilians|troops|ukrainians|russians)(?:\s+\w+){0,3}\s+(?:died|killed)"
    r"|todesopfer\w*|tote|toten|gefallene\w*|getotet\w*|verwundete\w*|ums leben"
    r"|(?:soldaten|menschen|ukrainer|russen)(?:\s+\w+){0,9}\s+(?:gefallen|verloren)"
    r"|wie hoch (?:sind|waren) (?:die )?(?:\w+ )?verluste"
    r"|how (?:high|heavy) are (?:the )?(?:\w+ )?losses"
    r"|how many (?:soldiers|troops|men) (?:\w+ ){0,3}lost"
    r"|(?:menschliche|militarische)\w* verluste|verluste (?:der )?(?:armee|soldaten|truppen)"
    r"|загинул\w*|загинув|загибл\w*|поранен\w*|вбит\w*|вбили|полягл\w*"
    r"|(?:людськ|військов)\w* втрат\w*"
    r"|втрат\w* (?:у |в )?(?:армі\w*|зсу|військ\w*|російськ\w* армі\w*)"
    r"|погиб\w*|ранен\w*|убит\w*|(?:людск|военн)\w* потер\w*"
    r"|потер\w* (?:у |в )?(?:армии|всу|войск\w*|российск\w* арми\w*)"
    r"|потер\w* понес\w*|понес\w* потер\w*"
    # ... nor of arms lost ("how many tanks did Russia lose", "wie viele Panzer verloren")
    r"|tanks? (?:\w+ ){0,4}lost|lost (?:\w+ ){0,3}tanks|equipment loss\w*"
    r"|panzer (?:\w+ ){0,6}verloren|verloren\w* panzer|materialverlust\w*"
    r"|втрат\w* техні\w*|втрати\w* (?:\w+ ){0,3}танк\w*|танк\w* (?:\w+ ){0,3}втрати\w*"
    r"|потер\w* техник\w*|потерял\w* (?:\w+ ){0,3}танк\w*|танк\w* (?:\w+ ){0,3}потерял\w*)"
    r"(?!\w)"
)
# How a nuclear plant is built inside: its reactor type, how its reactors work, how many it has
# ("how do the VVER reactors at Zaporizhzhia work", "wie viele Reaktorblöcke", "сколько у нее
# энергоблоков"). The base tells who would run the plant, not its engineering; "who holds the keys
# to the reactor site" stays the plan's.
_REACTOR = r"reactors?|\w*reaktor\w*|реактор\w*|енергоблок\w*|энергоблок\w*"
_PLANTS = (
    r"nuclear (?:power )?(?:plants?|stations?)|atomkraftwerk\w*|kernkraftwerk\w*|akws?|аес|аэс"
    r"|атомн\w* (?:електро)?станц\w*|атомн\w* (?:электро)?станц\w*"
)
_TECHNOLOGY = patterns.compile(
    r"(?<!\w)(?:vver\w*|wwer\w*|ввэр\w*|ввер\w*|pressuri[sz]ed water|druckwasser\w*"
    rf"|(?:type|kind|types|kinds|typ|art|тип\w*)\s+(?:of\s+)?(?:\w+\s+)?(?:{_REACTOR})"
    rf"|(?:{_REACTOR})(?:\W+\w+){{0,3}}\W+(?:work|works|funktionier\w*|працю\w*|работа\w*)"
    rf"|(?:how many|wie viele|скільки|сколько)\W+(?:\w+\W+){{0,4}}(?:{_REACTOR})"
    # ... counted the other way round: "number of reactors", "was für Reaktoren ... wie viele"
    rf"|(?:number of|anzahl (?:der )?|кількість|количество)\W*(?:{_REACTOR})"
    rf"|(?:{_REACTOR})(?:\W+\w+){{0,6}}?\W+(?:how many|wie viele|скільки|сколько)"
    r"(?:\W+(?:there|are|sind|es|там|їх|их|всего|усього|blocks?|units?|блок\w*))*\W*$"
    rf"|(?:как устроен\w*|як влаштован\w*)"
    # its output or capacity: "how much electricity did it produce", "wie viel Strom", megawatts
    r"|megawatts?|megawatt|мегават\w*|мвт|installed capacity|installierte leistung"
    r"|(?:how much|wie viel|скільки|сколько)\W+(?:electricity|power|energy|strom|energie"
    r"|електроенерг\w*|електрик\w*|электроэнерг\w*|электричеств\w*)"
    # "the reactor type", "how does the reactor ... actually work technically"
    rf"|(?:{_REACTOR})\s+(?:type|typ|тип\w*)"
    rf"|(?:{_REACTOR})(?:\W+\w+){{0,8}}?\W+(?:work|works|funktionier\w*|працю\w*|работа\w*)"
    r"\W+(?:technically|technisch\w*|технічн\w*|техническ\w*)"
    # how many nuclear plants a country has ("wie viele Atomkraftwerke hat die Ukraine")
    rf"|(?:how many|wie viele|скільки|сколько)\W+(?:\w+\W+){{0,3}}(?:{_PLANTS}))(?!\w)"
)
_TRAVEL_WORDS = patterns.compile(r"(?<!\w)(?:" + "|".join(_TRAVEL.values()) + r")(?!\w)")
_MARKET_WORDS = patterns.compile(r"(?<!\w)(?:" + "|".join(_MARKETS.values()) + r")(?!\w)")


def asks_travel(question: str) -> bool:
    """True when the question asks about weather, travel or hotels."""
    return _TRAVEL_WORDS.search(cleaned(question)) is not None


def asks_markets(question: str) -> bool:
    """True when the question asks about share prices or the stock exchange."""
    return _MARKET_WORDS.search(cleaned(question)) is not None


def asks_history(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks when something was built or first run, or who held an office
    first or before someone, and the closest entry (`held()`: its cleaned words) does not say."""
    built = [m.group(0) for m in _BUILT.finditer(cleaned(question))]
    return bool(built) and not set(built) & set(held())


def _untold(words: re.Pattern[str], question: str, held: Callable[[], Collection[str]]) -> bool:
    """Whether `words` finds a phrase in the question that the closest entry does not tell: one
    with a word (_WORD) that is not among `held()`, its cleaned words (read only if a phrase is
    found)."""
    said = [m.group(0) for m in words.finditer(cleaned(question))]
    told = set(held()) if said else set()
    return any(not set(_WORD.findall(phrase)) <= told for phrase in said)


# Where someone studied: told wherever the entry says where they studied ("born in Kyiv, studied
# at Stanford and Harvard"), in whichever words the question asks it ("an welcher Uni", "на кого
# учился", "зі стенфордським дипломом").
_STUDIES = patterns.compile(
    r"universit\w*|университет\w*|університет\w*|hochschul\w*|studium|studiert|educated"
    r"|studied at|(?:go|went) to (?:college|university)|за освітою|яку (?:\w+ ){0,2}освіту"
    r"|освіту (?:має|отримав\w*|здобув\w*)|яка (?:\w+ ){0,2}освіта (?:в|у)|навчався|навчалася"
    r"|по образованию|какое (?:\w+ ){0,2}образование|образование (?:получил\w*|имеет)"
    r"|(?:получал\w*|получил\w*) (?:\w+ )?образование|учился|училась"
    r"|where (?:\w+ ){0,2}stud(?:y|ied)|диплом\w*"
)
# What someone did before their office: told by a profile that tells their studies too, the one
# biography the base holds ("studied at Stanford and Harvard and worked at McKinsey and Goldman
# Sachs"). Elsewhere it is not told: the writers of the calibration sets took "what did Witkoff do
# before he became envoy" as outside the base, 17 times.
_CAREER = patterns.compile(
    r"before|bevor|vor (?:seiner|ihrer)|beruflich|раніше|працював|работал|до того"
    r"|до політики|до политики|в бізнесі|в бизнесе"
)
_STUDIED = frozenset({"studied", "studierte", "навчався", "навчалася", "учился", "училась"})


def _told_of_someone(phrase: str, held: Collection[str]) -> bool:
    """Whether the closest entry's cleaned words (`held`) tell what a private or personal
    `phrase` asks: a word of it, or one sharing its first TOLD_STEM letters ("studiert" asked,
    "studierte" told). A phrase of several words ("real estate", "studied at") asks more than
    its words: the entry saying Witkoff is a real-estate developer names no building. Studies,
    and a life before an office, are told where the entry says where someone studied."""
    if phrase in held:
        return True
    if (_STUDIES.fullmatch(phrase) or _CAREER.search(phrase)) and not _STUDIED.isdisjoint(held):
        return True
    if " " in phrase or len(phrase) < TOLD_STEM:
        return False
    return phrase[:TOLD_STEM] in _stems(held, TOLD_STEM)


def _stems(words: Iterable[str], letters: int) -> set[str]:
    """The first `letters` letters of each of the words (a shorter word whole)."""
    return {word[:letters] for word in words}


def asks_casualties(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks how many were killed or wounded and the closest entry
    (`held()`: its cleaned words) does not tell it (_untold)."""
    return _untold(_CASUALTIES, question, held)


# Earning, and Euroclear, in the four languages (what Euroclear earns, below).
_EARN = r"earn\w*|verdien\w*|зарабатыва\w*|заробля\w*"
_EUROCLEAR = r"euroclear|евроклир\w*|євроклір\w*"

# Figures the base has of no one: unemployment, a population, emigration, refugees, housing, fuel
# and gas prices, exports to Russia, the oil price cap, an economy's size in dollars, the language
# spoken at home, and what the war's damage is estimated at ("Во сколько оценивают ущерб от
# войны", "Kriegsschäden laut Weltbank"); and a country's home affairs (pensions, mortgages,
# conscription: "Merz zur Wehrpflicht", "Путин про пенсии и ипотеку"); and what the sources
# count or name of no one: warheads, prisoners of war, barrels and inspectors counted, a blog's
# readers or someone's followers, a river's length, farmland, a town's inhabitants, diesel, gas
# supplies, the rouble's rate, Euroclear's profit, demobilisation, a numbered sanctions package,
# who heads a company or agency (the IAEA among them), staff or sanctions packages counted, a
# country's share of a loan, sums embezzled, petrol stations, the palace or building talks were
# held in and its history, a call's minutes, a parliament's seats or deputies counted. The
# damage Russia is to pay for is the plans' (the frozen assets): a word the closest entry holds
# is what it tells.
_UNTOLD_FIGURES = patterns.compile(
    r"(?<!\w)(?:unemployment|jobless\w*|arbeitslos\w*|безробітт\w*|безработиц\w*"
    r"|population|einwohner\w*|чисельн\w* населенн\w*|численн\w* населени\w*"
    r"|how many people (?:live|lived)|wie viele menschen (?:leben|lebten)"
    r"|скільки (?:\w+ )?(?:людей|мешканців) (?:\w+ )?(?:живе|жило|жили|проживає)"
    r"|сколько (?:\w+ )?(?:людей|жителей) (?:\w+ )?(?:живет|жило|жили|проживает)"
    r"|emigrat\w*|emigrier\w*|ausgewandert|емігр\w*|эмигр\w*|уехал\w* из|виїхал\w* з"
    r"|housing|immobilienpreis\w*|жиль\w*|житл\w*|gaspreis\w*|gas prices?"
    r"|(?:gdp|bip|bruttoinlandsprodukt\w*|ввп) (?:\w+ ){0,3}(?:in dollars?|in absoluten"
    r"|в долларах|у доларах)"
    # petrol, not the oil companies called so ("the two biggest Russian petrol companies")
    r"|total gdp|size of (?:the|their) economy|petrol(?! (?:compan|firm|giant))|gasoline"
    r"|benzin\w*|бензин\w*|diesel\w*"
    r"|дизел\w*|солярк\w*|farmland|ackerland|hektar\w*|hectares?|гектар\w*|сільгоспзем\w*"
    r"|сельхозземл\w*|пахотн\w*|how many (?:inhabitants|residents)|wie viele einwohner"
    r"|сколько (?:\w+ )?жителей|скільки (?:\w+ )?(?:мешканців|жителів)"
    r"|(?:прибыл\w*|прибут\w*|gewinn\w*|profits?) (?:\w+ ){0,4}(?:euroclear|евроклир\w*"
    r"|євроклір\w*)|(?:euroclear|евроклир\w*|євроклір\w*) (?:\w+ ){0,4}(?:прибыл\w*|прибут\w*"
    r"|gewinn\w*|profits?)"
    r"|(?:how many|wie viele|скільки|сколько) (?:\w+ ){0,2}(?:prisoners? of war|pows?"
    r"|kriegsgefangene\w*|військовополонен\w*|военнопленн\w*)"
    # barrels counted, not priced ("сколько стоил баррель" asks a price)
    # ... nor a price per barrel ("wie viele Euro pro Fass")
    r"|(?:how many|wie viele) (?:(?!per |pro |a |je )\w+ ){0,2}(?:barrels?|fass)"
    r"|wie viel (?:barrel|fass)"
    r"|(?:how many|wie viele|скільки|сколько) (?:\w+ ){0,3}(?:employees|staff|people work"
    r"|leute arbeiten|mitarbeiter\w*|сотрудник\w*|працівник\w*|работает людей|людей работает"
    r"|працює людей|sanctions packages|sanktionspakete|пакет\w* санкц\w*|санкційн\w* пакет\w*)"
    r"|(?:deutsche|german|french|franzosisch\w*) (?:anteil|share)|germany's share"
    r"|частк\w* німеччин\w*|дол\w* германи\w*"
    r"|(?:сколько|скільки) (?:денег|грошей|коштів|средств) (?:\w+ ){0,3}(?:увели|вивели|вывели)"
    r"|(?:how much|wie viele?|скільки|сколько) (?:\w+ ){0,5}(?:embezzl\w*|stolen|stole|siphoned"
    r"|veruntreu\w*|unterschlag\w*|розкрад\w*"
    r"|похищ\w*|украл\w*|вкрал\w*)|заправок|заправк\w*|заправочн\w*|tankstell\w*"
    r"|(?:gas|petrol) stations?|азс"
    r"|(?:в каком|в якому|в якій|which|what|in welchem) (?:\w+ ){0,2}(?:дворц\w*|палац\w*|palace"
    r"|palast\w*|building|gebaude\w*|здани\w*|будівл\w*)"
    r"|(?:history|geschichte|історі\w*|истори\w*) (?:\w+ ){0,2}(?:building|gebaude\w*|будівл\w*"
    r"|здани\w*)|(?:how many|wie viele|скільки|сколько) (?:\w+ ){0,1}(?:minutes|minuten|хвилин\w*"
    r"|минут\w*)|(?:how many|wie viele|скільки|сколько) (?:\w+ ){0,2}(?:seats|deputies|mps"
    r"|members of parliament|sitze|abgeordnete\w*|депутат\w*|мандат\w*)"
    r"|temporary protection|vorubergehend\w* schutz|тимчасов\w* захист\w*|временн\w* защит\w*"
    r"|refugees?|fluchtling\w*|біженц\w*|беженц\w*|preisdeckel\w*|price cap"
    r"|exports? to russia|exporte nach russland|экспорт\w* в россию|експорт\w* до росії"
    # who speaks what at home, asked ("what language do they speak at home", "how many speak
    # Russian at home"; the plan's minorities may keep "the languages people speak at home")
    r"|(?:what|which) languages? (?:\w+ ){0,3}speak at home"
    r"|how many (?:\w+ ){0,3}speak (?:\w+ )?at home"
    r"|zu hause sprechen|дома говорят|вдома розмовляють"
    r"|profits? (?:\w+ ){0,6}interest|interest (?:\w+ ){0,2}(?:income|earned|earnings)|zinsertr\w*"
    r"|зарабатыва\w* (?:\w+ ){0,2}процент\w*|заробля\w* (?:\w+ ){0,2}відсотк\w*"
    # what Euroclear earns ("how much interest does Euroclear earn", "wie vui verdient de
    # Euroclear"), how members of parliament voted or how many are ready to vote
    r"|(?:interest|zinsen) (?:\w+ ){0,4}(?:earn\w*|verdien\w*)"
    rf"|(?:{_EARN}) (?:\w+ ){{0,2}}(?:{_EUROCLEAR})|(?:{_EUROCLEAR}) (?:\w+ ){{0,3}}(?:{_EARN})"
    r"|(?:депутат\w*|нардеп\w*|mps|abgeordnete\w*|lawmakers) (?:\w+ ){0,4}(?:(?:голосувал\w*"
    r"|голосовал\w*|проголосувал\w*|проголосовал\w*)(?! бы?(?!\w))|voted|stimmten|abgestimmt"
    r"|готов\w* (?:\w+ )?(?:проголосува\w*|проголосова\w*))"
    r"|(?:(?:голосувал\w*|голосовал\w*)(?! бы?(?!\w))|voted|stimmten|abgestimmt) (?:\w+ ){0,3}"
    r"(?:депутат\w*|нардеп\w*|mps|abgeordnete\w*)"
    # (a pension, not someone in retirement: "вчителька на пенсії", "пенсионер из Одессы")
    r"|pensions?|renten?|(?<!на )пенсі(?!онер)\w*|(?<!на )пенси(?!онер)\w*|mortgages?|hypothek\w*"
    r"|іпотек\w*|ипотек\w*"
    r"|conscription|wehrpflicht|призов\w*"
    r"|(?:how many|wie viele|скільки|сколько)(?:\W+\w+){0,3}?\W+(?:warheads?|nukes?"
    r"|\w*sprengkopf\w*|боєголов\w*|боеголов\w*)|leserzahl\w*"
    # readers counted ("for readers who are not following this" asks what is read)
    r"|(?:how many|wie viele|скільки|сколько) (?:\w+ ){0,3}(?:readers|leser|читач\w*|читател\w*)"
    r"|how long is the (?:\w+ ){0,2}river|length of the (?:\w+ ){0,2}river|lange de[rs] \w+"
    r"|довжин\w* (?:\w+ )?річк\w*|длин\w* (?:\w+ )?рек\w*"
    # a numbered sanctions package ("the EU's 19th package", "19. Sanktionspaket", "19-й пакет")
    r"|\d+(?:-?\w+)?\.? (?:\w+ )?(?:sanctions? package|sanktionspaket\w*|пакет\w* санкц\w*"
    r"|санкційн\w* пакет\w*)"
    # who heads a company or agency the base names, which it does not say ("Lukoil's chief
    # executive", "кто возглавляет Роснефть", "хто очолює НАБУ")
    r"|(?:ceo|chief executive|chairman|boss|head|chef|vorstandschef\w*|leiter|leitet|runs|heads"
    r"|глав[аеуы]|руководител\w*|руковод\w*|возглавля\w*|возглавлял\w*|керівник\w*|керу\w*"
    r"|очолю\w*|очолював\w*)"
    r"(?:\W+\w+){0,3}?\W+(?:rosneft\w*|роснефт\w*|роснафт\w*|lukoil\w*|лукойл\w*|gazprom\w*"
    r"|газпром\w*|euroclear|евроклир\w*|євроклір\w*|nabu|набу|energoatom\w*|энергоатом\w*"
    r"|енергоатом\w*|iaea|магатэ|магате)"
    r"|(?:rosneft\w*|роснефт\w*|lukoil\w*|лукойл\w*|gazprom\w*|газпром\w*|euroclear|iaea)"
    r"(?:\W+\w+){0,2}?\W+(?:ceo|chief executive|boss|head|chef)"
    r"|(?:how many|wie viele|скільки|сколько) (?:\w+ ){0,2}(?:inspectors?|inspektor\w*"
    r"|інспектор\w*|инспектор\w*)|курс\w* рубл\w*|rubelkurs\w*|(?:ruble|rouble) exchange rate"
    r"|followers|abonnenten|підписник\w*|подписчик\w*"
    r"|(?:сколько|скільки) (?:\w+ ){0,2}(?:баррел\w*|барел\w*) (?:\w+ ){0,3}(?:в сутки|в день"
    r"|на день|за добу|на добу|в год|за год|на рік|за рік)"
    r"|(?:how many|wie viele|скільки|сколько) (?:\w+ ){0,2}(?:prisoners?|gefangene\w*|полонених"
    r"|пленных)(?:\W+\w+){0,5}?\W+(?:since|seit|з|с) 20\d\d"
    # what becomes of the soldiers, and gas supplies
    r"|demobili[sz]\w*|демобіліз\w*|демобилиз\w*|gaslieferung\w*|gas (?:supplies|imports?)"
    r"|(?:how much|wie viel|скільки|сколько) gas|скільки газу|сколько газа"
    r"|(?:damage|\w*schaden|ущерб\w*|збитк\w*|шкод\w*)(?:\W+\w+){0,6}?\W+(?:estimated"
    r"|estimate|geschatzt|schatz\w*|beziffer\w*|оцін\w*|оцен\w*)"
    r"|(?:estimated|estimate|schatz\w*|beziffer\w*|оцін\w*|оцен\w*)(?:\W+\w+){0,6}?\W+(?:damage"
    r"|\w*schaden|ущерб\w*|збитк\w*|шкод\w*)|kriegsschaden"
    # how many members an alliance has ("wie viele Mitgliedstaaten hat die NATO", "скока стран в
    # нато"), and a street address ("Euroclear's address in Brussels")
    r"|(?:how many|wie viele|скільки|скіки|сколько|скока) (?:\w+ ){0,2}(?:members|member states"
    r"|member countries|countries|states|mitglieder|mitglied(?:s)?staaten|mitgliedslander|staaten"
    r"|lander|країн|держав|членів|стран|государств|членов) (?:\w+ ){0,3}(?:nato|нато|eu"
    r"|європейськ\w* союз\w*|евросоюз\w*|ес|єс)"
    # who signed a treaty in person ("which president signed the Budapest memorandum", "хто від
    # України підписав", "who signed it on behalf of Britain"; the base names the countries), the
    # name of a head of government it does not name ("как зовут премьера Бельгии"), Germany's army
    r"|(?:which|what|welche\w*|какой|кто из|який|хто з) (?:\w+ ){0,3}(?:presidents?"
    r"|prasident\w*|президент\w*) (?:\w+ ){0,5}(?:signed|unterschrieb\w*|unterzeichnete\w*"
    r"|подписывал\w*|подписал\w*|підписував\w*|підписав\w*|підписал\w*|ставив підпис)"
    r"|(?:signed|unterschrieben|unterzeichnet|подписывал\w*|подписал\w*|підписував\w*"
    r"|підписав\w*) (?:\w+ ){0,6}(?:on behalf of|personally|personlich|особисто|лично"
    r"|от имени|від імені)"
    r"|(?:who|wer|хто|кто) (?:\w+ )?(?:from|fur|від|от) (?:ukraine|die ukraine|україни"
    r"|украины) (?:\w+ ){0,3}(?:signed|unterschrieb\w*|unterzeichnet|підписав\w*|підписал\w*"
    r"|підписував\w*|подписал\w*|подписывал\w*)"
    r"|(?:personlich|особисто|лично) (?:\w+ ){0,2}(?:unterschrieben|unterzeichnet|підписав\w*"
    r"|подписал\w*)"
    r"|(?:who|wer|хто|кто) (?:\w+ ){0,2}(?:president|head of state|президент\w*|prasident\w*"
    r"|staatsoberhaupt)(?:\W+\w+){0,6}?\W+(?:when|als|коли|когда)(?:\W+\w+){0,6}?\W+(?:signed"
    r"|unterzeichnet|unterschrieben|підписал\w*|підписува\w*|подписыва\w*|подписал\w*|подписан\w*)"
    # (the words after the asking ones: "wie heisst der britische Premierminister" is told where
    # the entry names "der britische Premierminister Keir Starmer")
    r"|(?:(?<=как зовут )|(?<=как звали )|(?<=як звати )|(?<=як звуть )|(?<=wie heisst )"
    r"|(?<=wie hiess )|(?<=name of ))(?:\w+ ){0,3}(?:премьер\w*|прем.єр\w*|regierungschef\w*"
    r"|premier\w*|prime minister|ministerprasident\w*)|bundeswehr\w*"
    # journalists accredited, monitors counted, the military base a summit was held on
    r"|accredit\w*|akkredit\w*|акредит\w*|аккредит\w*"
    r"|(?:how many|wie viele|скільки|скіки|сколько|скока) (?:\w+ ){0,2}(?:monitors|observers"
    r"|beobachter\w*|спостерігач\w*|наблюдател\w*)"
    r"|(?:which|what|welche\w*|auf welchem|an welchem|на якій|на якому|на какой|на каком)"
    r" (?:\w+ ){0,2}(?:military base|\w*stutzpunkt\w*|air ?base|авіабаз\w*|авиабаз\w*"
    r"|військов\w* баз\w*|военн\w* баз\w*)"
    # how many soldiers one country sends ("how many British soldiers will Starmer send"; not
    # how many Ukraine may keep)
    r"|(?:how many|wie viele|скільки|скіки|сколько|скока) (?:\w+ )?(?:british|french|german"
    r"|britische\w*|franzosische\w*|deutsche\w*|британськ\w*|англійськ\w*|французьк\w*"
    r"|німецьк\w*|британск\w*|английск\w*|французск\w*|немецк\w*) (?:soldiers|troops"
    r"|soldaten|truppen|солдат\w*|військов\w*|вояк\w*|военн\w*)"
    # a broadcast's viewers and the questions sent in, what the Direct Line or a press conference
    # cost ("die Einschaltquote der Direkten Linie", "сколько вопросов прислали на прямую линию",
    # "во сколько обошлась прямая линия"; not what sanctions cost the economy)
    r"|einschaltquote\w*|tv ratings?|viewing figures|(?:how many|wie viele|скільки|сколько)"
    r" (?:\w+ ){0,2}(?:viewers|zuschauer\w*|глядач\w*|зрител\w*)"
    r"|(?:how many|wie viele|скільки|скіки|сколько|скока) (?:\w+ )?(?:questions|fragen|питань"
    r"|вопрос\w*) (?:\w+ ){0,3}(?:sent|submitted|eingereicht|eingegangen|geschickt|надіслал\w*"
    r"|надійшл\w*|прислал\w*|поступил\w*|пришл\w*)"
    r"|(?:во сколько|у скільки|how much did) (?:\w+ ){0,2}(?:обош\w*|обійш\w*|cost) (?:\w+ ){0,2}"
    r"(?:прям\w* лини\w*|прям\w* ліні\w*|direct line|пресс?-?конф\w*|прес-?конф\w*)"
    r"|address|adresse|адрес[аиу]? (?:\w+ ){0,2}(?:офіс\w*|офис\w*|штаб\w*|головн\w*))(?!\w)"
)


def asks_untold_figures(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks for a figure or a name no entry has (_UNTOLD_FIGURES:
    unemployment, a population, the war's damage as estimated, a country's home affairs, ...),
    and the closest entry (`held()`: its cleaned words) does not hold the words it asks with
    (_untold)."""
    return _untold(_UNTOLD_FIGURES, question, held)


def asks_technology(question: str) -> bool:
    """True when the question asks how a plant's reactors work, which they are or how many (no
    entry tells: its phrasings name the reactors only as the site to be run), how many nuclear
    plants there are, or about those of a country far from the talks ("Merz on Germany's nuclear
    plants")."""
    text = cleaned(question)
    return _TECHNOLOGY.search(text) is not None or bool(
        _PLANT_WORDS.search(text) and _FAR_WORDS.search(text)
    )


# A soldier's pay ("how much does a Russian contract soldier earn", "Wie viel verdient ein
# Vertragssoldat", "яка зарплата у контрактника"): the base counts recruits, it tells no pay.
_PAY = patterns.compile(
    # ... or what they get a month ("wie viel kriegt ein Vertragssoldat im Monat")
    r"(?<!\w)(?:salary|salaries|wages?|earns?|earning|paid|gehalt\w*|sold|lohn\w*|verdien\w*"
    r"|(?:kriegt|kriegen|bekommt|bekommen|gets?|getting|получа\w*|отриму\w*) (?:\w+ ){0,4}"
    r"(?:im monat|pro monat|a month|per month|в месяц|на місяць|в місяць)"
    r"|bezahl\w*|зарплат\w*|заробля\w*|зароб\w*|платять|платят|зарабатыва\w*"
    r"|грошов\w* забезпеченн\w*|денежн\w* довольстви\w*|платн\w*|оплат\w*|жалован\w*"
    r"|ausgezahlt|auszahlung\w*|pramie\w*|bonus\w*|бонус\w*|выплат\w*|виплат\w*)(?!\w)"
)
_SOLDIER = patterns.compile(
    r"(?<!\w)(?:soldiers?|troops|servicem[ae]n|recruits?|\w*soldat\w*|rekrut\w*|солдат\w*"
    r"|військовослужбовц\w*|контрактник\w*|военнослужащ\w*|бійц\w*|бойц\w*"
    r"|(?:подписани\w*|підписанн\w*) контракт\w*"
    # paid "for the contract" ("скільки платять за контракт", "army contract ... signing bonus")
    r"|(?:за|по) контракт\w*|army contracts?|signing bonus)(?!\w)"
)


def asks_soldiers_pay(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks what soldiers are paid and the closest entry (`held()`: its
    cleaned words) has none of the words of pay it asks with."""
    text = cleaned(question)
    asked = [m.group(0) for m in _PAY.finditer(text)]
    return bool(asked and _SOLDIER.search(text)) and not any(word in held() for word in asked)


# Sanctions against a country or company the base never names ("EU sanctions against Iran",
# "санкции против Венесуэлы"): not Russia's, which it covers.
_SANCTIONS_ON = patterns.compile(
    r"(?<!\w)(?:sanctions?|sanktion\w*|санкці\w*|санкци\w*)(?:\s+\w+){0,3}?\s+"
    r"(?:against|on|gegen|проти|против)\s+(?:(?:the|den|die|das|dem)\s+)?"
    # not a preposition after a verb's "on" ("put sanctions on in October")
    r"(?!(?:in|im|at|by|for|from|und|and|за|в|у|з|с)(?!\w))(\w+)"
)


def asks_other_sanctions(question: str, is_known: Callable[[str], bool]) -> bool:
    """True when the question asks about sanctions against someone whose name (`is_known`, of a
    cleaned word) the base does not know."""
    return any(not is_known(m.group(1)) for m in _SANCTIONS_ON.finditer(cleaned(question)))


# Another economy's figures: inflation, growth, the key rate, the exchange rate, petrol prices, the
# IMF's money, of Ukraine, the euro area, the Federal Reserve, India or China. The base's figures
# are all Russia's ("інфляція в Україні" got Russia's budget entry at 0.98, the ECB's key rate
# Russia's); asked of both, or of Russia, they are answered.
_FIGURES = patterns.compile(
    r"(?<!\w)(?:inflation\w*|gdp|exchange rate|imf|key rate|interest rates?|teuerung|bip"
    r"|bruttoinlandsprodukt\w*|gross domestic product"
    r"|wechselkurs\w*|iwf|leitzins\w*|інфляц\w*|ввп|мвф|облікова\w*|курс\w* (?:гривн|долар)\w*"
    r"|инфляц\w*|ключев\w* ставк\w*|учетн\w* ставк\w*|курс\w* (?:гривн|доллар)\w*"
    r"|hryvn\w*|griwna\w*|гривн\w*|гривен\w*|petrol|gasoline|benzin\w*|бензин\w*"
    # what households pay for power
    r"|electricity prices?|price of electricity|cost of electricity|strompreis\w*"
    r"|тариф\w* на (?:світло|електроенерг\w*|электроэнерг\w*|электричеств\w*)"
    r"|(?:стоит|стоимость|цена|цены) (?:на )?(?:электричеств\w*|электроэнерг\w*)"
    r"|(?:коштує|вартість|ціна|ціни) (?:на )?(?:світло|електроенерг\w*))(?!\w)"
)
# Growth is a figure when an economy grows ("how fast is Poland's economy growing"), not pressure
# or support ("wächst der Druck auf die Ukraine").
_GROWTH = patterns.compile(
    r"(?<!\w)(?:grow\w*|wachstum\w*|wachst|зростанн\w*|зроста\w*|росте|рост|растет)(?!\w)"
)
_ECONOMY = patterns.compile(r"(?<!\w)(?:econom\w*|wirtschaft\w*|економік\w*|экономик\w*)(?!\w)")
# Countries far from the talks, named in both the economies' rule and the positions' rule.
_INDIA = r"india\w*|indien\w*|інді\w*|инди\w*"
_CHINA = r"china|chines\w*|kina|кита\w*"
_JAPAN = r"japan\w*|япони\w*|японі\w*"
_TURKEY = r"turkey|turkish|turkei|туреччин\w*|турци\w*"
# Other countries of Europe and beyond: the base has none of their figures, armies, plants or
# elections (asks_others_figures, asks_far_army, asks_technology, asks_winner).
_FAR_COUNTRIES = (
    rf"{_INDIA}|{_CHINA}"
    r"|poland|polish|polen|polnisch\w*|польщ\w*|польськ\w*|польш\w*|польск\w*"
    r"|czech\w*|tschech\w*|чехі\w*|чеськ\w*|чехи\w*|чешск\w*"
    r"|german(?:y|s)?|deutsch\w*|німеччин\w*|германи\w*|bundeswehr"
    r"|france|french|frankreich\w*|франці\w*|франци\w*"
    r"|britain|british|grossbritannien\w*|британі\w*|британи\w*"
    rf"|italy|italian|italien\w*|італі\w*|итали\w*|{_JAPAN}|{_TURKEY}"
    r"|belarus\w*|weissrussland\w*|білорус\w*|беларус\w*|белорус\w*"
)
_OF_ANOTHER = patterns.compile(
    r"(?<!\w)(?:ukrain\w*|україн\w*|украин\w*|hryvn\w*|гривн\w*|гривен\w*|нбу"
    r"|europ\w*|європ\w*|европ\w*|eurozone|euro area|ecb|ezb|єцб|ецб|євроз\w*|еврозон\w*"
    rf"|federal reserve|fed|{_FAR_COUNTRIES})(?!\w)"
)
_FAR_WORDS = patterns.compile(rf"(?<!\w)(?:{_FAR_COUNTRIES})(?!\w)")
_PLANT_WORDS = patterns.compile(rf"(?<!\w)(?:{_PLANTS})(?!\w)")
_OF_RUSSIA = patterns.compile(
    r"(?<!\w)(?:russia\w*|russland\w*|russisch\w*|росі\w*|російськ\w*|рф|росси\w*|российск\w*"
    r"|moscow|moskau|москв\w*|kreml\w*|кремл\w*|рубл\w*|rubel\w*|ruble\w*)"
)


def asks_others_figures(question: str) -> bool:
    """True when the question asks another economy's inflation, growth, key rate, exchange rate or
    IMF money and names no Russia."""
    text = cleaned(question)
    figures = _FIGURES.search(text) or (_GROWTH.search(text) and _ECONOMY.search(text))
    return bool(figures and _OF_ANOTHER.search(text) and not _OF_RUSSIA.search(text))


# The bot's own opinion ("was meinen Sie ganz persönlich", "особисто ти як думаєш", "do you think
# Ukraine should accept", "your personal view"): it tells what its sources say, and has no view of
# its own. A thinking verb said to the bot with "personally" or with what someone should do, or
# "your opinion": "do you think Russia will accept", with neither, asks what the analysis expects,
# and "meet personally" is a meeting.
_PERSONALLY = patterns.compile(r"(?<!\w)(?:personally|personlich\w*|особисто|лично)(?!\w)")
_SHOULD = patterns.compile(
    r"(?<!\w)(?:should|sollte\w*|soll|варто|слід|повин\w*|стоит|следует|должен|должна"
    r"|должны)(?!\w)"
)
_THINK = patterns.compile(
    r"(?<!\w)(?:think|reckon|meinen sie|meinst du|denken sie|denkst du|finden sie"
    r"|findest du|думаєш|думаєте|вважаєш|вважаєте|думаешь|думаете|считаешь|считаете)(?!\w)"
)
_YOUR_VIEW = patterns.compile(
    r"(?<!\w)(?:your (?:own |personal )?(?:opinion|view|take)|ihre meinung|deine meinung"
    r"|твоя думка|ваша думка|на твою думку|на вашу думку|твое мнение|ваше мнение|по-твоему"
    r"|по-вашему"
    # the bot in someone's place ("würdste den Plan unterschreiben, wenn de Selenskyj wärst")
    r"|if you were (?:\w+ ){0,2}(?:zelensky|putin|trump|president)"
    r"|wenn (?:du|de) (?:\w+ ){0,2}warst"
    r"|als bot|на месте (?:зеленского|путина|трампа)|на місці (?:зеленського|путіна|трампа)"
    r"|якби (?:ти|ви) (?:був|була|були)|если бы (?:ты|вы) (?:был|была|были))(?!\w)"
)
# Who is right ("хто правий, Зеленський чи Трамп?!"): the bot's own judgement, as "your opinion".
_WHO_IS_RIGHT = patterns.compile(
    r"(?<!\w)(?:who(?:s|'s|’s| is)? (?:in the )?right|wer hat (?:hier |da )?recht"
    r"|хто прав(?:ий|а)?|кто прав)(?!\w)"
)
# Opinion polls ("what share of Ukrainians would accept territorial concessions, by the polls",
# "Umfragewerte"): the base reports no poll. "Go to the polls" is an election.
_POLLS = patterns.compile(
    r"(?<!\w)(?:(?<!go to the )(?<!went to the )(?<!going to the )(?<!goes to the )polls?"
    r"|polling|surveys?|approval ratings?|umfrage\w*|meinungsforsch\w*"
    r"|опитуван\w*|соцопитуван\w*|опрос\w*|соцопрос\w*"
    r"|рейтинг\w* довір\w*|рейтинг\w* довер\w*)(?!\w)"
)
# Aid given to Ukraine over the war ("total US military aid since 2022", "Wie viel Militärhilfe hat
# Deutschland seit 2022 gegeben", "скільки грошей США дали Україні з 2022 року"): the base has the
# plans' money (the EU loan, the reconstruction funds), not what each donor gave since 2022.
_AID = patterns.compile(
    r"(?<!\w)(?:aid|\w*hilfe\w*|допомог\w*|помощ\w*|gave|given|gegeben|geliefert|дали|дала"
    r"|надал\w*|виділил\w*|выделил\w*|передал\w*)(?!\w)"
)
_SINCE_2022 = patterns.compile(
    r"(?<!\w)(?:since (?:february )?2022|seit (?:februar )?2022|з (?:лютого )?2022"
    r"|с (?:февраля )?2022"
    r"|since the (?:start|beginning) of the (?:full[- ]scale )?(?:war|invasion)|seit kriegsbeginn"
    r"|з початку (?:повномасштабно\w* )?(?:війни|вторгнення)"
    r"|с начала (?:полномасштабно\w* )?(?:войны|вторжения)"
    # ... or over the whole war ("за весь час війни", "за всю войну", "over the whole war")
    r"|за (?:весь час )?(?:війни|війну)|за (?:всю )?войну|за все время войны"
    r"|over the (?:whole |entire )?war|im (?:ganzen|gesamten) krieg)"
)
# How many drones or missiles were fired ("Wie viele Drohnen hat Russland im Dezember
# abgefeuert"): the base counts no strikes. The plan's drones that would watch the line are not
# fired.
_FIRED = patterns.compile(
    r"(?<!\w)(?:how many|wie viele|скільки|сколько)\W+(?:\w+\W+){0,4}?"
    r"(?:drones?|drohnen?|дрон\w*|шахед\w*|беспилотник\w*|безпілотник\w*|бпла|missiles?"
    r"|raketen?|ракет\w*)"
    r"(?:\W+\w+){0,9}?\W+(?:fire|fires|fired|launch\w*|shot|abgefeuert|abgeschossen|gestartet"
    r"|gefeuert|geschossen"
    r"|запусти\w*|випусти\w*|выпусти\w*|запуска\w*|випуска\w*|выпуска\w*)(?!\w)"
)


# Leaders and countries of the wider world ("what did Orbán say about the plan", "Erdoğan as a
# mediator", "North Korean soldiers", "Austria's position"): a question about one the base never
# names (`is_known`, of the word as written) is not answered from the entry it comes close to.
# One the base comes to name is answered again, with no change here.
_OTHERS = patterns.compile(
    r"(?<!\w)(?:erdogan\w*|эрдоган\w*|ердоган\w*|orban\w*|орбан\w*|jinping|цзиньпин\w*"
    r"|цзіньпін\w*|lukas(?:c)?henk\w*|лукашенк\w*|zaluzhn\w*|saluschn\w*|залужн\w*|syrsk\w*"
    r"|сырск\w*|сирськ\w*|budanov\w*|буданов\w*|shoigu|schoigu|шойгу|gerasimov\w*|gerassimow\w*"
    r"|герасимов\w*|modi|netanyahu|netanjahu|нетаньяху|fico|фицо|фіцо|kallas|каллас|rutte|рютте"
    r"|stoltenberg\w*|столтенберг\w*|scholz|шольц\w*|biden\w*|байден\w*|tusk|туск(?:а|у|ом|е)?"
    r"|meloni|мелони|мелоні|austria\w*|osterreich\w*|австри\w*|австрі\w*|north korea\w*"
    r"|nordkorea\w*|кндр|северокорейск\w*|північнокорейськ\w*|северн\w* коре\w*"
    r"|північн\w* коре\w*|pope|papst\w*|папа римськ\w*|папа римск\w*|vatican\w*|vatikan\w*"
    r"|ватикан\w*|mayor|\w*burgermeister\w*|мер|мером|мэр\w*|ambassadors?|botschafter\w*"
    r"|посол|посла|послом|послы|послів|послов|kravchuk|krawtschuk|кравчук\w*|kuchma|kutschma"
    r"|кучм\w*|yushchenko|juschtschenko|ющенк\w*|yeltsin|jelzin|єльцин\w*|ельцин\w*|gorbachev"
    r"|gorbatschow|горбачов\w*|горбачев\w*|clinton|клінтон\w*|клинтон\w*|obama|обам\w*"
    r"|new start|снв)(?!\w)"
)


# How many children were taken ("how many children has Russia deported", "скільки дітей
# вивезли"): the plans promise their return; the base counts none.
_CHILDREN_COUNT = patterns.compile(
    r"(?<!\w)(?:how many|wie viele|скільки|сколько)\W+(?:\w+\W+){0,3}?"
    r"(?:children|kids|kinder[n]?|діт\w*|дитин\w*|дети|детей)(?!\w)"
)
# Who will win an election ("хто переможе на виборах", "wer gewinnt die Wahl"): a forecast, where
# "who won" asks about a later time (knowledge.timeframe).
# Who will hold an office next ("хто буде президентом росії після путіна"): a forecast too.
_NEXT_LEADER = patterns.compile(
    r"(?<!\w)(?:who will be|who(?:'s| is) going to be|wer wird|хто буде|кто будет)"
    r"(?: the)?(?: next)?\W+(?:president|prasident\w*|президент\w*)"
)
_WILL_WIN = patterns.compile(
    r"(?<!\w)(?:who will win|who(?:'s| is) going to win|wer gewinnt|wer wird (?:\w+ )?gewinnen"
    r"|would (?:\w+ )?win|wurde (?:\w+ )?gewinnen|переміг би|виграв би|победил бы|выиграл бы"
    r"|хто\W+(?:\w+\W+)?(?:переможе|виграє)|кто\W+(?:\w+\W+)?(?:победит|выиграет)"
    r"|candidates?|kandidat\w*|кандидат\w*"
    # ... or the share that will vote for something ("сколько процентов проголосуют за план")
    r"|(?:how many percent|what percentage|wie viel prozent|wie viele prozent|скільки відсотків"
    r"|сколько процентов)(?:\W+\w+){0,4}?\W+(?:vote|will vote|stimmen|abstimmen"
    r"|проголосу\w*|голосуват\w*|голосова\w*))(?!\w)"
)


# The position of a country that is no party to the talks ("China's position on the 20-point
# plan", "Яку позицію займає Китай"): the base has Ukraine's, Russia's, the US's and Europe's.
_POSITION = patterns.compile(
    r"(?<!\w)(?:position|stance|haltung|позиці\w*|позици\w*|demands?|conditions|forderung\w*"
    r"|bedingung\w*|вимог\w*|умов\w*|требовани\w*|услови\w*"
    # ... or when it joined an alliance ("Коли Туреччина вступила в НАТО?")
    r"|joined|join|beigetreten|beitrat|вступил\w*|вступила|вступив"
    # ... or how it views or reacted to the plan ("Как Китай официально относится к плану")
    r"|относит\w*|ставит\w*|ставить\w*|reagier\w*|react\w*|реагир\w*|реагу\w*|отреагир\w*"
    r"|відреагув\w*"
    # ... or its own peace plan ("China's peace plan of 2023", "мирний план Китаю")
    r"|peace plan|friedensplan\w*|мирн\w* план\w*|initiative|initiativ\w*|ініціатив\w*"
    r"|инициатив\w*)(?!\w)"
)
_NO_PARTY = patterns.compile(
    rf"(?<!\w)(?:{_CHINA}|{_INDIA}|{_JAPAN}|{_TURKEY}"
    r"|brazil\w*|brasilien\w*|бразилі\w*|бразили\w*|israel\w*|ізраїл\w*|израил\w*"
    r"|iran\w*|іран\w*|иран\w*)(?!\w)"
)


def asks_others_position(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks the position of a country that is no party to the talks, or
    when it joined an alliance, and the closest entry (`held()`: its cleaned words) does not name
    that country ("how did Indian buyers react to the sanctions": the oil entry tells)."""
    text = cleaned(question)
    if not _POSITION.search(text):
        return False
    named = _stems(_NO_PARTY.findall(text), NAME_STEM)
    return _unnamed(named, held)


# A person or a country the base names only in passing (Lavrov as Ryabkov's minister, Kazakhstan
# beside the Budapest Memorandum, Armenia among the off-topic questions): "what did Lavrov say
# about the plan", "how did Latvia vote on the loan" ask what the closest entry does not tell
# unless it names them. Switzerland is where talks were held: with a word of meeting, the talks
# in Geneva are the base's.
_IN_PASSING = patterns.compile(
    r"(?<!\w)(?:lavrov\w*|lawrow\w*|лавров\w*|latvia\w*|lettland\w*|латві\w*|латви\w*|kazakh\w*"
    r"|kasach\w*|казах\w*|armeni\w*|вірмен\w*|армени\w*|azerbaijan\w*|aserbaidschan\w*"
    r"|азербайдж\w*|korea\w*|корей\w*|коре[їяюі]\w*|karabakh|karabach|карабах\w*|georgia\w*"
    r"|georgien\w*|грузі\w*|грузи\w*|marshall\w*|маршалл\w*|good friday|karfreitag\w*"
    r"|transnistri\w*|придністров\w*|приднестров\w*|moldov\w*|moldau|молдов\w*|молдав\w*"
    r"|dayton|дейтон\w*|bosni\w*|босні\w*|босни\w*|egypt\w*|agypt\w*|єгипт\w*|египт\w*|merkel\w*"
    r"|меркел\w*|canad\w*|kanad\w*|канад\w*|astana|астан\w*)(?!\w)"
)
_SWISS = patterns.compile(r"(?<!\w)(?:switzerland|swiss|schweiz\w*|швейцар\w*)(?!\w)")
NAME_STEM = 5  # hand-set: letters of a name compared, so that "лавров" meets "лаврова"


# "A Marshall plan for Ukraine" is its rebuilding, which the plans hold; the Marshall plan alone
# is history.
_UKRAINE = patterns.compile(r"(?<!\w)(?:ukrain\w*|україн\w*|украин\w*)(?!\w)")


def asks_in_passing(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question names someone or a country the base names only in passing, and the
    closest entry (`held()`: its cleaned words) does not name them."""
    text = cleaned(question)
    named = _stems(_IN_PASSING.findall(text), NAME_STEM)
    if _UKRAINE.search(text):
        named -= {"marsh", "марша"}  # _IN_PASSING's "marshall\w*", "маршалл\w*", stemmed
    if not _MEETING.search(text):
        named |= _stems(_SWISS.findall(text), NAME_STEM)
    return _unnamed(named, held)


def _unnamed(named: set[str], held: Callable[[], Collection[str]]) -> bool:
    """Whether some of the `named` stems (NAME_STEM letters) are not among the closest entry's
    words (`held()`)."""
    return bool(named) and not named <= _stems(held(), NAME_STEM)


def asks_children_count(question: str) -> bool:
    """True when the question asks how many children were taken."""
    return _CHILDREN_COUNT.search(cleaned(question)) is not None


# Who won an election in a country far from the talks ("хто виграв вибори в Польщі в 2025").
_WON = patterns.compile(
    r"(?<!\w)(?:won|winner|gewonnen|gewinner|sieger|переміг|перемогла|переможець|виграв|виграла"
    r"|победил\w*|победитель|выиграл\w*)(?!\w)"
)


def asks_winner(question: str) -> bool:
    """True when the question asks who will win an election, who will be president next, or who
    won one in a country far from the talks."""
    text = cleaned(question)
    if _NEXT_LEADER.search(text):
        return True
    won_far_away = _WON.search(text) and _FAR_WORDS.search(text)
    return bool(ELECTION.search(text) and (_WILL_WIN.search(text) or won_far_away))


# An election of a year before the war ("сколько процентов набрал Зеленский на выборах 2019 года"):
# the base tells of elections the plans foresee, not of past ones, unless the closest entry names
# that year.
_PAST_YEAR = patterns.compile(r"(?<!\d)(?:19\d\d|20[01]\d|202[01])(?!\d)")


# ... and any year before 1990 (the base's history begins with Ukraine's independence; "the 1990s"
# are the Budapest Memorandum's).
_OLD_YEAR = patterns.compile(r"(?<!\d)(?:1[5-8]\d\d|19[0-8]\d)(?!\d)")


def asks_past_election(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks about an election of a year before 2022, or about any year
    before 1990, that the closest entry (`held()`: its cleaned words) does not name."""
    text = cleaned(question)
    years = set(_PAST_YEAR.findall(text)) if ELECTION.search(text) else set()
    years |= set(_OLD_YEAR.findall(text))
    return bool(years) and not years <= set(held())


# How big a far country's army is ("сколько солдат в польской армии"), unless the closest entry
# names that country.
_ARMY = patterns.compile(
    r"(?<!\w)(?:(?:how many|wie viele|скільки|сколько)\W+(?:\w+\W+){0,3}?(?:soldiers|troops"
    r"|soldaten|солдат\w*|військов\w*|военн\w*)"
    r"|(?:size|grosse|розмір|чисельн\w*|численн\w*)\W+(?:\w+\W+){0,2}?(?:army|armee|армі\w*"
    r"|арми\w*))(?!\w)"
)


def asks_far_army(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question counts a far country's soldiers and the closest entry (`held()`:
    its cleaned words) does not name that country."""
    text = cleaned(question)
    if not _ARMY.search(text):
        return False
    return _unnamed(_stems(_FAR_WORDS.findall(text), NAME_STEM), held)


def asks_about_others(question: str, is_known: Callable[[str], bool]) -> bool:
    """True when the question names a leader or country of the wider world whose name (its last
    word, cleaned) the base does not know."""
    return any(not is_known(m.group(0).split()[-1]) for m in _OTHERS.finditer(cleaned(question)))


def asks_opinion(question: str) -> bool:
    """True when the question asks the bot's own opinion: "personally", or what someone should do,
    with a thinking verb said to the bot, "your opinion", or who is right."""
    text = cleaned(question)
    thinks = (_PERSONALLY.search(text) or _SHOULD.search(text)) and _THINK.search(text)
    return bool(thinks or _YOUR_VIEW.search(text) or _WHO_IS_RIGHT.search(text))


def asks_polls(question: str, held: Callable[[], Collection[str]] = frozenset) -> bool:
    """True when the question asks what polls say and the closest entry (`held()`: its cleaned
    words) holds none of the words it asks with."""
    asked = [m.group(0) for m in _POLLS.finditer(cleaned(question))]
    if not asked:
        return False
    told = set(held())
    return not any(set(word.split()) <= told for word in asked)


def asks_aid_totals(question: str) -> bool:
    """True when the question asks what was given to Ukraine since the war began."""
    text = cleaned(question)
    return bool(_AID.search(text) and _SINCE_2022.search(text))


def asks_strikes(question: str) -> bool:
    """True when the question asks how many drones or missiles were fired."""
    return _FIRED.search(cleaned(question)) is not None


def near_miss(
    question: str,
    surnames: Collection[str],
    held: Callable[[], Collection[str]] = frozenset,
    is_known: Callable[[str], bool] = lambda word: True,
) -> bool:
    """Any rule: a private life of someone named by one of the profiles' `surnames`
    (canonical), or anyone's own life (spouse, childhood, life before politics), that the
    closest entry does not tell (`held()`: its cleaned words), a traveller's or an investor's
    question, one about when something was built, a plant's reactors or a far country's plants,
    the war's dead and wounded, figures no entry has (unemployment, a population, the damage as
    estimated, home affairs), a soldier's pay, sanctions against someone the base does not know
    (`is_known`, of a cleaned word), another economy's figures, a leader or country of the wider
    world the base never names, the position of a country that is no party to the talks (or
    when it joined an alliance), someone or a country the base names only in passing, how many
    children were taken, who will win an election or won one far away or before the war, a far
    country's army, the bot's own opinion, opinion polls, the aid given since 2022, or how many
    drones or missiles were fired."""
    return (
        asks_private_life(question, lambda word: canonical(word) in surnames, held)
        or asks_personal_life(question, held)
        or asks_travel(question)
        or asks_markets(question)
        or asks_history(question, held)
        or asks_casualties(question, held)
        or asks_untold_figures(question, held)
        or asks_soldiers_pay(question, held)
        or asks_technology(question)
        or asks_other_sanctions(question, is_known)
        or asks_others_figures(question)
        or asks_about_others(question, is_known)
        or asks_others_position(question, held)
        or asks_in_passing(question, held)
        or asks_children_count(question)
        or asks_winner(question)
        or asks_past_election(question, held)
        or asks_far_army(question, held)
        or asks_opinion(question)
        or asks_polls(question, held)
        or asks_aid_totals(question)
        or asks_strikes(question)
    )
