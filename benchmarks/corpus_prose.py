"""Ordinary news prose for the synthetic corpus: vocabularies and filler-sentence templates.

`benchmarks.corpus` composes most of every article from these sentences: context, quotes,
background, economics and regional politics, each drawn towards the article's dominant themes
(the theme ids of `data/reference/themes.toml`). The facts (initiatives, dated events,
membership figures) live in `benchmarks.corpus_facts`; this module deliberately names no
initiative, dates nothing an initiative did and counts no members, so that the ground truth of
an article is exactly the fact sentences it was given. `tests/test_bench_corpus.py` checks that
filler prose matches no alias of the gazetteer.

Nothing here is copied from `data/articles` or the test fixtures: the sentences are composed
from templates and word lists at generation time. Everything is plain ASCII apart from curly
quotes and dashes (all encodable in cp1251, which the corpus uses for a few files).
"""

from __future__ import annotations

import math
import random
import string
from collections.abc import Callable, Sequence


def _words(text: str) -> tuple[str, ...]:
    """A tuple of the words of a long string (keeps long word lists readable)."""
    return tuple(text.split())


# --- people, places, institutions -----------------------------------------------------------

FIRST_NAMES = _words(
    "Aigerim Dauren Madina Yerlan Saule Arman Dana Timur Zhanna Nurlan Asel Bakhyt Gulnara "
    "Marat Laura Daniyar Aliya Serik Kamila Rustam Aruzhan Yerzhan Dilnaz Askar Botagoz "
    "Olzhas Ainur Kanat Symbat Bolat Elena Pierre Anna James Mehmet Farid Li Hiroshi Sofia "
    "Rahul Claire Tomasz Marco Ingrid Javier Leila Omar Yuki Nadia Viktor Hannah Samuel "
    "Zeynep Arash Mei Paolo Irina"
)
LAST_NAMES = _words(
    "Bekova Sultanov Akhmetova Nurpeisov Zhakupov Iskakova Omarov Tulegenova Kassymov Abenova "
    "Seitkali Utepova Dzhaksybekov Mukanova Yessenov Temirbayeva Karimov Ospanova "
    "Baimukhamedov Zhunusova Alimov Sarsenbayeva Rakhimov Ibrayeva Kenzhebayev Mendes Laurent "
    "Novak Fischer Okafor Hashemi Tanaka Rossi Kowalski Yildiz Chen Petrova Lindqvist Haddad "
    "Moreau Brennan Castillo Nakamura Volkova Sharma Demir Weber Ferreira Kovacs Ahmadi Park "
    "Larsen"
)
ROLES = (
    "a senior fellow at {inst}", "an analyst at {inst}", "a former diplomat",
    "an economist at {inst}", "a professor of international relations at {univ}",
    "deputy director of {inst}", "a spokesperson for the foreign ministry",
    "an adviser to the government", "a researcher at {inst}", "a political scientist at {univ}",
    "a retired ambassador", "head of the regional programme at {inst}",
    "a lecturer at {univ}", "a member of the Mazhilis, the lower house of parliament",
    "a business consultant based in {city}", "a correspondent who has covered the region for years",
)
INSTITUTES = (
    "the Institute for Central Asian Affairs", "the Almaty Policy Lab",
    "the Centre for Eurasian Studies in Berlin", "the Kazakhstan Institute for Strategic Studies",
    "the Silk Road Research Institute", "the Astana Policy Circle",
    "the Steppe Policy Institute", "the Caspian Studies Centre", "the Turan Analytical Group",
    "the Geneva Centre for Regional Diplomacy", "the Baltic Institute of Eurasian Affairs",
    "the Tashkent Centre for Regional Research", "the Vienna School of Diplomacy Studies",
)
UNIVERSITIES = (
    "Nazarbayev University", "Al-Farabi Kazakh National University", "KIMEP University",
    "Eurasian National University", "the University of Warsaw", "Leiden University",
    "Sciences Po", "the University of Tokyo", "Ankara University", "Georgetown University",
)
CITIES = (
    "Almaty", "Shymkent", "Karaganda", "Aktau", "Atyrau", "Pavlodar", "Kostanay", "Semey",
    "Tashkent", "Bishkek", "Dushanbe", "Ashgabat", "Baku", "Tbilisi", "Istanbul", "Ankara",
    "Beijing", "Urumqi", "Moscow", "Berlin", "Brussels", "Geneva", "Vienna", "New York", "Tehran",
    "Delhi", "Islamabad", "Doha", "Riyadh", "Seoul", "Tokyo",
)
COUNTRIES = (
    "China", "Russia", "Turkey", "Iran", "Uzbekistan", "Kyrgyzstan", "Tajikistan",
    "Turkmenistan", "Azerbaijan", "Georgia", "India", "Pakistan", "Japan", "South Korea",
    "Qatar", "Saudi Arabia", "the United Arab Emirates", "Germany", "France", "Italy",
    "the United Kingdom", "the United States", "Hungary", "Mongolia", "Afghanistan",
)
NEIGHBOURS = ("China", "Russia", "Uzbekistan", "Kyrgyzstan", "Turkmenistan")
NATIONALITIES = (
    "Chinese", "Russian", "Turkish", "Iranian", "Uzbek", "Kyrgyz", "Tajik", "Turkmen",
    "Azerbaijani", "Japanese", "Korean", "Indian", "Pakistani", "Qatari", "Saudi", "German",
    "French", "British", "Italian", "Hungarian", "American", "Mongolian",
)
PARTNER_BLOCS = (
    "the European Union", "the African Union", "ASEAN", "BRICS",
    "the Gulf states", "the Nordic Council", "the League of Arab States",
    "the Commonwealth of Independent States", "NATO", "the World Bank",
    "the Asian Development Bank", "the International Monetary Fund",
)

# --- themes: noun phrases that carry each theme's keywords ----------------------------------

THEME_TOPICS: dict[str, tuple[str, ...]] = {
    "security": (
        "regional security", "the security situation in Afghanistan",
        "terrorism and violent extremism", "border tensions", "military build-ups",
        "arms control", "the risk of armed conflict", "collective security",
        "transnational crime", "geopolitical rivalry", "stability in Central Asia",
        "the spillover of instability", "a fragile peace", "hybrid threats", "the war in Ukraine",
        "defence spending", "security guarantees", "military cooperation", "crisis management",
        "weapons smuggling", "the threat of cyber attacks on critical infrastructure",
    ),
    "nuclear non-proliferation": (
        "nuclear disarmament", "non-proliferation", "the legacy of nuclear testing",
        "uranium mining", "a world without nuclear weapons", "atomic energy",
        "the risk of nuclear escalation", "the plans for a first nuclear power plant",
        "nuclear security", "the spread of nuclear weapons", "disarmament diplomacy",
        "the health of communities near the former test site", "uranium exports",
    ),
    "democracy & governance": (
        "political reform", "parliamentary elections", "the rule of law",
        "anti-corruption efforts", "civil society", "public trust in state institutions",
        "constitutional reform", "the transparency of public spending", "local governance",
        "the modernisation of the political system", "checks and balances",
        "accountable government", "electoral reform", "the decentralisation of power",
        "new legislation on public councils",
    ),
    "trade & transport": (
        "trade flows", "transit traffic", "rail freight", "logistics capacity",
        "transport links between China and Europe", "container shipping across the Caspian",
        "export diversification", "supply chains", "the expansion of the port of Aktau",
        "cargo volumes", "connectivity", "cross-border trade", "railway upgrades",
        "customs procedures for transit cargo", "new trade routes to the Gulf",
    ),
    "food security": (
        "food security", "grain exports", "wheat yields", "agricultural productivity",
        "rural development", "the price of food", "irrigated farming", "hunger",
        "food production", "agri-food exports", "farmers' incomes", "livestock farming",
    ),
    "climate/water/energy": (
        "climate change", "water scarcity", "the shrinking Aral Sea", "renewable energy",
        "green hydrogen", "carbon emissions", "melting glaciers", "drought",
        "oil and gas revenues", "energy security", "the green economy", "sustainable energy",
        "decarbonisation", "water sharing on transboundary rivers", "natural disasters",
        "wind and solar parks in the steppe",
    ),
    "religion & interfaith dialogue": (
        "interfaith dialogue", "religious tolerance", "peaceful coexistence",
        "inter-ethnic harmony", "freedom of conscience", "the role of religious leaders",
        "spiritual values", "dialogue between faiths", "intercivilisational dialogue",
        "tolerance between communities", "confessional diversity",
    ),
    "disinformation & media": (
        "disinformation", "fake news", "media freedom", "the work of journalists",
        "propaganda", "deepfakes", "information warfare", "misinformation",
        "press freedom", "the mass media", "manipulated content on social networks",
    ),
    "digitalisation & technology": (
        "digital transformation", "artificial intelligence", "e-government services",
        "high-speed internet", "cybersecurity", "tech startups", "data centres", "innovation",
        "the digital economy", "online public services", "new technologies",
        "satellite communications technology",
    ),
    "economy": (
        "economic growth", "foreign investment", "small and medium-sized businesses",
        "inflation", "market reforms", "the business climate", "privatisation",
        "living standards", "economic diversification", "financial markets",
        "household incomes", "unemployment", "economic development", "investor confidence",
    ),
    "human rights": (
        "human rights", "gender equality", "women's rights", "the rights of minorities",
        "discrimination", "children's rights", "freedom of assembly", "equality before the law",
        "the protection of ethnic groups", "violence against women",
    ),
    "mediation & peace talks": (
        "mediation", "peace talks", "negotiations between rivals", "a ceasefire",
        "good offices", "reconciliation", "a neutral venue for talks", "rounds of talks",
        "compromise", "mediation efforts", "quiet negotiations behind closed doors",
    ),
    "multilateral diplomacy": (
        "multilateralism", "the United Nations system", "foreign policy",
        "multi-vector diplomacy", "the international community", "summit diplomacy",
        "the world order", "international cooperation", "the global agenda",
        "diplomatic ties", "international organisations", "multilateral institutions",
    ),
    "education & human capital": (
        "education", "universities", "scholarships", "human capital", "vocational training",
        "the Bolashak scholarship scheme", "student exchanges", "teacher training",
        "the quality of schools", "academic mobility", "young professionals",
        "skills for a modern economy",
    ),
    "biosecurity & health": (
        "biological safety", "pandemic preparedness", "infectious diseases", "vaccines",
        "public health", "biosecurity laboratories", "health care", "epidemics",
        "virus research", "the lessons of COVID-19", "healthcare systems",
    ),
}
THEMES = tuple(THEME_TOPICS)

ADJECTIVES = (
    "pragmatic", "cautious", "ambitious", "steady", "quiet", "active", "balanced",
    "careful", "confident", "flexible", "consistent", "patient",
)
OPENERS = (
    "Meanwhile, ", "At the same time, ", "For now, ", "In practice, ", "Still, ",
    "By contrast, ", "Even so, ", "In private, ", "Above all, ", "", "", "", "", "", "",
)
SAID = ("said", "noted", "argued", "told reporters", "added", "stressed", "observed")
SECTIONS = ("Nation", "World", "Politics", "Business", "Opinion", "Diplomacy", "Region")

# Filler sentences. Fields: t, t2 (topics of the article's themes), person, person_short,
# inst, univ, city, country, country2, neighbour, nationality, bloc, adj, pct, pct2, money,
# bn, num, km, opener, said, quote, capital. None of them names an initiative, dates
# anything or counts members.
FILLER_TEMPLATES: tuple[str, ...] = (
    "{opener}officials in {capital} say that {t} remains a priority, even as attention shifts "
    "to {t2}.",
    "For a country of about 20 million people, {t} is not an abstract question.",
    "{person}, {role}, {said} that progress on {t} would take years rather than months.",
    "Analysts point out that {t} and {t2} have become increasingly difficult to separate.",
    "The debate over {t} has intensified as neighbouring states weigh their options.",
    "According to {inst}, public interest in {t} has grown steadily.",
    "“{quote}”, {person_short} {said}.",
    "“{quote}”, {person}, {role}, {said}.",
    "{person_short} believes that {t} will shape the region for a generation.",
    "Diplomats from {country} and {country2} spent much of the day discussing {t}.",
    "Kazakhstan's economy grew by {pct} percent, according to the national statistics "
    "bureau, helped by higher output and strong consumer demand.",
    "Trade between Kazakhstan and {country} reached {money}, most of it in energy, metals and "
    "grain.",
    "The government has promised to spend {money} on {t} over the next few years.",
    "Critics say the official rhetoric on {t} has not always been matched by action.",
    "{opener}the conversation kept returning to {t}.",
    "Few in {city} expected {t} to dominate the agenda so quickly.",
    "Relations with {neighbour} remain the single most important factor in Kazakh foreign "
    "policy, officials concede.",
    "Kazakhstan has tried to keep good relations with {neighbour} and {bloc} at once, a "
    "balancing act that diplomats describe as multi-vector.",
    "{nationality} investors have shown growing interest in {t}.",
    "A {nationality} delegation used the occasion to raise {t} with Kazakh officials.",
    "The two sides agreed to set up working groups on {t} and {t2}.",
    "Business associations say that {t} is now among their main concerns.",
    "Surveys by {inst} suggest that most respondents regard {t} as important.",
    "{person} cautioned that expectations on {t} should be kept realistic.",
    "There is broad agreement that {t} requires cooperation across borders.",
    "In {city}, the mood was more {adj} than a year earlier, participants said.",
    "Foreign ministers from the region met behind closed doors to discuss {t}.",
    "The country's {adj} approach to {t} has earned it praise abroad.",
    "Observers note that Kazakhstan has been unusually {adj} in its handling of {t}.",
    "Inflation slowed to {pct} percent, easing pressure on household budgets.",
    "The National Bank of Kazakhstan kept its base rate unchanged at {pct2} percent.",
    "Foreign direct investment into the country amounted to {money}, with the Netherlands, the "
    "United States and China among the largest sources.",
    "A {km}-kilometre stretch of new road is meant to cut travel times to the border.",
    "Officials insist that {t} is a question of national interest, not of ideology.",
    "{person_short} said that {bloc} could play a larger role in {t}.",
    "Some experts warn that {t} could become a source of friction between neighbours.",
    "Local media covered {t} extensively, though coverage of {t2} was thinner.",
    "The issue of {t} came up repeatedly during the question-and-answer session.",
    "Officials from {bloc} welcomed the emphasis on {t}.",
    "Kazakhstan, the world's largest landlocked country, depends heavily on its neighbours for "
    "access to the sea.",
    "Much depends on how {neighbour} reacts, analysts say.",
    "A joint statement issued after the talks referred to {t} in general terms.",
    "{opener}there was little appetite for confrontation.",
    "{person_short} described {t} as a test of the region's maturity.",
    "The country's leadership has repeatedly linked {t} to {t2}.",
    "Several speakers called for more investment in {t}.",
    "One panel was devoted entirely to {t}, another to {t2}.",
    "The ministry did not give details of the cost.",
    "Independent experts were more sceptical about {t}.",
    "Students and young professionals filled the hall for a debate on {t}.",
    "Roughly {num} kilometres of pipelines and power lines are due for renovation.",
    "{opener}{t} is likely to remain on the agenda for years.",
    "Observers in {city} were struck by how often {t} came up.",
    "The discussion on {t} ran well over its allotted time.",
    "Government figures show exports of {t_trade} rising by {pct} percent.",
    "It is too early to say whether {t} will live up to expectations.",
    "It remains to be seen how {neighbour} will respond to the proposals on {t}.",
    "Kazakhstan's capital has changed beyond recognition, its skyline now dominated by "
    "glass towers and new mosques.",
    "For ordinary citizens, {t} often matters less than prices and wages.",
    "The next steps on {t} will depend on funding from {bloc}, officials said.",
    "{person}, {role}, called the discussion on {t} “overdue”.",
    "Asked about {t}, the minister said only that consultations were continuing.",
    "In the region, {t} is rarely discussed in public with such candour.",
    "The conversation about {t} is also a conversation about {t2}.",
    "{nationality} officials have so far kept their distance from the debate on {t}.",
    "The parliament is expected to consider amendments touching on {t} before the summer "
    "recess.",
    "A survey of {num} households found that concerns about {t} were highest in rural areas.",
    "{person}, {role}, said the country had “punched above its weight” on {t}.",
    "Several regional governors were in the audience, a sign of how seriously {t} is taken "
    "outside the capital.",
    "The session on {t} was moderated by {person}, {role}.",
    "There were, however, few concrete commitments on {t}.",
    "{opener}the sharpest exchanges concerned {t}.",
    "Neither side wanted to let disagreements over {t} spoil the atmosphere.",
    "Western diplomats privately acknowledge that Kazakhstan's line on {t} has been consistent.",
    "Figures published by the finance ministry show spending on {t} up by {pct} percent.",
    "The price of a barrel of Kazakh crude has a direct effect on how much the state can spend "
    "on {t}.",
    "Small businesses in {city} complain that {t} is discussed far more than it is funded.",
    "Young people in particular appear to care about {t}, according to pollsters at {inst}.",
    "In {city}, officials presented a roadmap on {t} that runs to more than a hundred pages.",
    "The tenge weakened slightly against the dollar, adding to the cost of imports.",
    "Some participants questioned whether {bloc} was the right partner on {t}.",
    "{person_short} added that {t} was “a marathon, not a sprint”.",
    "Kazakh exporters are watching {t} closely.",
    "The country's sovereign wealth fund has become a major player in {t}.",
    "Relations with {country} have warmed noticeably, helped by cooperation on {t}.",
    "The foreign ministry later published a summary of the talks on its website.",
    "Not everyone was convinced: one European diplomat called the discussion on {t} “polite "
    "but vague”.",
    "A bilateral meeting with {country} focused on {t} and on visa facilitation.",
    "Freight rates between China and Europe have been volatile, which complicates planning.",
    "Officials stressed that {t} must not come at the expense of {t2}.",
    "The country's {adj} diplomacy has helped it avoid taking sides in great-power disputes.",
    "{opener}the government wants to be seen as a reliable partner on {t}.",
    "{nationality} companies signed memoranda worth {money}, most of them related to {t}.",
    "A separate working dinner was devoted to {t}.",
    "Local analysts were struck by the number of ministers who spoke about {t}.",
    "The organisers said they had received more applications to attend than ever before.",
    "Astana's hotels were fully booked for the week.",
    "The debate on {t} reflected a wider shift in the region's priorities.",
    "{person}, {role}, said that public expectations on {t} were rising fast.",
    "Economists at {inst} estimate that {t} could add {pct} percentage points to growth.",
    "Kazakhstan borders Russia along one of the longest land frontiers in the world.",
    "The country holds large reserves of oil, gas, uranium and rare metals.",
    "The Caspian ports of Aktau and Kuryk are being expanded to handle more cargo.",
    "Remittances from migrant workers matter less to Kazakhstan than to its southern "
    "neighbours.",
    "{opener}questions about {t} were left for later.",
    "The final communique was short on detail about {t}.",
    "{person_short} pointed out that {t} had been on the agenda for years without much "
    "progress.",
    "Civil society groups in {city} urged the government to publish more information on {t}.",
    "Regional media devoted extensive coverage to {t}.",
    "The opposition, small and fragmented, had little to say about {t}.",
    "According to {person_short}, the key to {t} is trust between neighbours.",
)

QUOTE_TEMPLATES: tuple[str, ...] = (
    "We see {t} as a shared responsibility",
    "Nobody can solve {t} alone",
    "Our region cannot afford to ignore {t}",
    "There is no alternative to dialogue on {t}",
    "{T} is where the real work begins",
    "We need less rhetoric and more results on {t}",
    "For us, {t} is a matter of survival, not of prestige",
    "The question is not whether to act on {t}, but how fast",
    "Kazakhstan has always believed that {t} and {t2} go together",
    "If we get {t} right, everything else becomes easier",
    "Small and medium-sized countries have a voice too, and {t} proves it",
    "{T} is not a luxury; it is a necessity",
)

SUBHEADS: tuple[str, ...] = (
    "A balancing act", "What comes next", "The view from the region", "Old ideas, new context",
    "Money and politics", "Beyond the headlines", "The wider picture", "A question of trust",
    "Lessons learned", "The economic angle", "Neighbours watching", "Unfinished business",
)

HEADLINE_TEMPLATES: tuple[str, ...] = (
    "{S} puts {t} at the centre of the agenda",
    "Kazakhstan bets on {S} as {t} rises up the agenda",
    "{S} looks for a new role amid debate on {t}",
    "What {S} tells us about Kazakhstan's diplomacy",
    "{S} draws leaders and experts to {capital}",
    "{S}: ambitions, limits and the road ahead",
    "Why {S} still matters",
    "{S} and the search for consensus on {t}",
    "Kazakhstan showcases {S} as partners focus on {t}",
    "Inside {S}: talk of {t} dominates",
    "{S} at a crossroads",
    "Astana's diplomacy and {S}",
)

BIO_TEMPLATES: tuple[str, ...] = (
    "{person} is a senior fellow at {inst}.",
    "{person} is a researcher at {inst} specialising in Central Asia.",
    "{person} is a professor of international relations at {univ}.",
    "{person} is an independent analyst and writer based in {city}.",
)

RUSSIAN_SENTENCES: tuple[str, ...] = (
    "Казахстан последовательно выступает за диалог и укрепление доверия в Азии.",
    "По словам экспертов, многосторонняя дипломатия остается важным инструментом внешней "
    "политики страны.",
    "Представитель министерства иностранных дел отметил, что работа будет продолжена.",
    "Участники встречи обсудили вопросы региональной безопасности и экономического "
    "сотрудничества.",
    "Журналисты из разных стран освещали мероприятие в столице.",
    "Эксперты считают, что такие площадки помогают снижать напряженность.",
)


def _title(text: str) -> str:
    """Capitalise the first letter only (sentence case), leaving the rest untouched."""
    return text[:1].upper() + text[1:]


class Prose:
    """Filler sentences for one article, drawn towards its dominant themes.

    `weights` gives each theme's share of the topics; the dominant themes of an article get most
    of the weight, the others a little, so that theme frequencies vary between articles.
    """

    def __init__(self, rng: random.Random, themes: Sequence[str], weights: Sequence[float],
                 capital: str) -> None:
        self.rng = rng
        self.themes = list(themes)
        self.cum = _cumulative(weights)
        self.capital = capital
        self._fields: dict[str, Callable[[], str]] = {
            "t": self.topic, "t2": self.other_topic, "T": lambda: _title(self.topic()),
            "t_trade": lambda: pick(rng, ("grain", "metals", "oil", "uranium", "fertiliser")),
            "person": self.person, "person_short": self.person_short, "role": self.role,
            "inst": lambda: pick(rng, INSTITUTES), "univ": lambda: pick(rng, UNIVERSITIES),
            "city": lambda: pick(rng, CITIES), "country": lambda: pick(rng, COUNTRIES),
            "country2": lambda: pick(rng, COUNTRIES), "neighbour": lambda: pick(rng, NEIGHBOURS),
            "nationality": lambda: pick(rng, NATIONALITIES),
            "bloc": lambda: pick(rng, PARTNER_BLOCS), "adj": lambda: pick(rng, ADJECTIVES),
            "pct": lambda: f"{randint(rng, 1, 9)}.{randint(rng, 0, 9)}",
            "pct2": lambda: pick(rng, ("8.5", "9", "9.25", "10.5", "12", "13.75", "14.25",
                                       "15.75", "16")),
            "money": self.money, "num": lambda: f"{randint(rng, 2, 9)},{randint(rng, 100, 999)}",
            "km": lambda: str(randint(rng, 40, 900)), "opener": lambda: pick(rng, OPENERS),
            "said": lambda: pick(rng, SAID), "quote": self.quote, "capital": lambda: capital,
        }
        self._names: list[str] = []
        self._last_topic = ""
        self._decks: dict[int, list[int]] = {}

    def _draw(self, templates: Sequence[str]) -> str:
        """The next template of a random walk through `templates` that repeats none until all
        have been used (a random start and a stride coprime with the length: a permutation
        without the cost of shuffling)."""
        key = id(templates)
        deck = self._decks.get(key)
        n = len(templates)
        if deck is None or deck[2] >= n:
            strides = _STRIDES.get(n)
            if strides is None:
                strides = _STRIDES[n] = tuple(k for k in range(1, n) if math.gcd(k, n) == 1)
            deck = [int(self.rng.random() * n), pick(self.rng, strides), 0]
            self._decks[key] = deck
        position = (deck[0] + deck[1] * deck[2]) % n
        deck[2] += 1
        return templates[position]

    def topic(self) -> str:
        """A noun phrase of one of the article's themes (weighted)."""
        rng = self.rng
        theme = self.themes[_pick(self.cum, rng.random())]
        topic = self._last_topic = pick(rng, THEME_TOPICS[theme])
        return topic

    def other_topic(self) -> str:
        """A topic other than the one just drawn (for 't and t2' sentences)."""
        last = self._last_topic
        topic = self.topic()
        return topic if topic != last else self.topic()

    def person(self) -> str:
        """A full name, remembered so that later quotes can use the surname alone."""
        name = person_name(self.rng)
        self._names.append(name)
        return name

    def person_short(self) -> str:
        """The surname of someone already introduced, or a new full name."""
        if self._names and self.rng.random() < 0.8:
            return pick(self.rng, self._names).split()[-1]
        return self.person()

    def role(self) -> str:
        """What a quoted person does ('an analyst at ...')."""
        rng = self.rng
        return pick(rng, ROLES).format(inst=pick(rng, INSTITUTES), univ=pick(rng, UNIVERSITIES),
                                       city=pick(rng, CITIES))

    def money(self) -> str:
        """A sum such as '$2.4 billion' or '$350 million'."""
        rng = self.rng
        if rng.random() < 0.6:
            return f"${randint(rng, 1, 40)}.{randint(rng, 1, 9)} billion"
        return f"${randint(rng, 12, 950)} million"

    def quote(self) -> str:
        """A quotation built around the article's themes."""
        return self.fill(self._draw(QUOTE_TEMPLATES))

    def fill(self, template: str) -> str:
        """Fill a template's fields (see FILLER_TEMPLATES) with fresh random values."""
        parts = _PARTS.get(template)
        if parts is None:
            parts = _PARTS[template] = tuple(
                (literal, name) for literal, name, _, _ in string.Formatter().parse(template))
        fields = self._fields
        out = []
        for literal, name in parts:
            out.append(literal)
            if name:
                out.append(fields[name]())
        return "".join(out)

    def sentence(self) -> str:
        """One filler sentence, capitalised."""
        return _title(self.fill(self._draw(FILLER_TEMPLATES)))

    def headline(self, subject: str) -> str:
        """A headline about `subject` (a short initiative name): no date, no number."""
        template = self._draw(HEADLINE_TEMPLATES)
        return _title(template.replace("{S}", subject).format(
            t=self.topic(), capital=self.capital))

    def subhead(self) -> str:
        """A section heading for long-form outlets."""
        return self._draw(SUBHEADS)

    def bio(self, author: str) -> str:
        """An author bio line for the end of an op-ed."""
        rng = self.rng
        return rng.choice(BIO_TEMPLATES).format(person=author, inst=rng.choice(INSTITUTES),
                                                univ=rng.choice(UNIVERSITIES),
                                                city=rng.choice(CITIES))


_PARTS: dict[str, tuple[tuple[str, str | None], ...]] = {}
_STRIDES: dict[int, tuple[int, ...]] = {}


def pick(rng: random.Random, seq: Sequence[str]) -> str:
    """A random element (faster than `Random.choice`, and as deterministic)."""
    return seq[int(rng.random() * len(seq))]


def randint(rng: random.Random, low: int, high: int) -> int:
    """A random integer in [low, high] (faster than `Random.randint`)."""
    return low + int(rng.random() * (high - low + 1))


def _cumulative(weights: Sequence[float]) -> list[float]:
    total = float(sum(weights))
    running, out = 0.0, []
    for weight in weights:
        running += weight / total
        out.append(running)
    out[-1] = 1.0
    return out


def _pick(cumulative: Sequence[float], u: float) -> int:
    for i, edge in enumerate(cumulative):
        if u < edge:
            return i
    return len(cumulative) - 1


def person_name(rng: random.Random) -> str:
    """A random full name (authors, officials)."""
    return f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}"
