"""Pattern tables for the privwatch pipeline: knowledge-base ruler patterns, organisation filters, roles.

The incident and response cues live in config/incidents.yaml (data users edit); this module holds the
patterns that describe language rather than the taxonomy: how company names are matched, which
organisations are not companies, and which dependency relations make a company the actor of a sentence.
"""

from __future__ import annotations

import re
import unicodedata

from privwatch.config import CompaniesFile

# Span labels the company ruler writes into doc.ents (the statistical NER writes ORG, PERSON, GPE ...).
COMPANY_LABEL = "COMPANY"
PRODUCT_LABEL = "COMPANY_PRODUCT"
REGULATOR_LABEL = "REGULATOR"
RULER_LABELS = (COMPANY_LABEL, PRODUCT_LABEL, REGULATOR_LABEL)

# Single words that are company names but are not in the lemmatizer's English word lists; like "apple"
# or "grab", they only name a company when written with a capital letter.
EXTRA_COMMON_WORDS = frozenset({"meta", "alexa", "citi", "uber", "bing", "venmo", "ally", "x"})


def is_cjk(text: str) -> bool:
    return any("CJK" in unicodedata.name(ch, "") for ch in text)


def ruler_patterns(kb: CompaniesFile, common_words: set[str], tokenize) -> tuple[list[dict], set[str]]:
    """SpanRuler patterns for every company name, alias, former/legal/Chinese name, product and regulator.

    Names are phrase patterns matched on LOWER (so "ANT Financial" matches). A name whose every word is
    an ordinary English word ("Apple", "Meta", "Sesame Credit") is returned among the guarded names:
    the ruler drops its matches that start in lower case ("apple pie", "a grab for data") and gives
    way to a longer NER organisation around it ("Apple Daily").
    """
    patterns: list[dict] = []
    guarded: set[str] = set()

    def add(name: str, label: str, entity_id: str) -> None:
        name = name.strip()
        if not name:
            return
        words = [t.lower_ for t in tokenize(name)]
        alphabetic = [w for w in words if w.isalpha()]
        if not is_cjk(name) and alphabetic and all(w in common_words for w in alphabetic):
            guarded.add(" ".join(words))
        patterns.append({"label": label, "id": entity_id, "pattern": name})

    for company in kb.companies:
        for name, field in company.names():
            add(name, PRODUCT_LABEL if field == "products" else COMPANY_LABEL, company.id)
    for regulator in kb.regulators:
        for name, _field in regulator.names():
            add(name, REGULATOR_LABEL, regulator.id)
    return patterns, guarded


# -- names -------------------------------------------------------------------------------------------

# Legal-form words dropped before looking a name up ("Tencent Holdings Ltd." -> "tencent").
CORPORATE_SUFFIXES = frozenset(
    """inc inc. incorporated corp corp. corporation co co. company ltd ltd. limited llc l.l.c. plc
    p.l.c. ag sa s.a. se nv n.v. bv b.v. gmbh kk k.k. spa s.p.a. ab asa oyj holdings holding group
    groups international intl pte pty bhd tbk co.,ltd""".split()
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def clean_name(text: str) -> str:
    """A surface name without a leading article, a trailing possessive or stray punctuation."""
    text = text.translate(_APOSTROPHES).strip()
    text = re.sub(r"^(the|a|an)\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*'s?$", "", text)
    return text.strip(" ,;:-\"'()")


def normalise_name(text: str) -> str:
    """A lookup key: case-folded, punctuation-light, without legal-form words at the end."""
    words = re.sub(r"[,()\"]", " ", clean_name(text).casefold()).split()
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


# -- organisations that are not companies ---------------------------------------------------------------

# The head word of an organisation's name (the word before "of", else the last word) says what kind of
# body it is: governments, regulators and courts are never companies; outlets, universities,
# associations, exchanges and laws are not the companies the digest is about.
NON_COMPANY_HEADS: dict[str, frozenset[str]] = {
    "government": frozenset(
        """ministry ministries administration commission commissioner commissioners authority authorities
        agency bureau department court courts tribunal parliament congress senate government police
        regulator regulators watchdog procuratorate prosecutors prosecutor inspectorate ombudsman cabinet
        council assembly legislature judiciary garante datatilsynet directorate secretariat supervisor
        constabulary army navy military province municipality county committee office embassy consulate
        union""".split()
    ),
    "outlet": frozenset(
        """daily times news post journal herald tribune gazette telegraph press newspaper magazine
        television tv radio broadcasting broadcaster weekly observer mirror chronicle insider newsweek
        reporter agencies""".split()
    ),
    "academic": frozenset(
        """university universities college institute institution school academy laboratory lab labs
        hospital clinic""".split()
    ),
    "civil": frozenset(
        """association associations foundation federation society league coalition party campaign forum
        centre center consortium organisation organization club team""".split()
    ),
    "market": frozenset("exchange index indices composite".split()),
    "law": frozenset("act law directive regulation regulations code convention treaty framework".split()),
}

# "consumer group Idec", "the non-profit GDI Foundation", "privacy group noyb": an organisation introduced
# by one of these descriptions is no company.
CIVIL_DESCRIPTIONS = frozenset(
    """consumer consumers advocacy rights campaign campaigning lobby privacy pressure civil nonprofit
    non-profit think research industry trade activist activists watchdog charity""".split()
)
CIVIL_DESCRIPTION_HEADS = frozenset(
    "group groups organisation organization body charity tank ngo union".split()
)
# Names that are not companies wherever they appear in an organisation span (phrase-matched on LOWER).
NON_COMPANY_NAMES: dict[str, list[str]] = {
    "government": [
        "European Union",
        "EU",
        "European Commission",
        "White House",
        "FBI",
        "CIA",
        "NSA",
        "Interpol",
        "Europol",
        "NATO",
        "United Nations",
        "UN",
        "State Department",
        "Justice Department",
        "Attorney General",
        "Communist Party",
        "Federal Reserve",
    ],
    "outlet": [
        "Reuters",
        "Bloomberg",
        "Xinhua",
        "AFP",
        "Associated Press",
        "AP",
        "CNBC",
        "CNN",
        "BBC",
        "Nikkei",
        "Caixin",
        "Yicai",
        "TechCrunch",
        "Wired",
        "The Verge",
        "Axios",
        "Politico",
        "Guardian",
        "Economist",
        "Forbes",
        "SCMP",
        "SD-Agencies",
        "CCTV",
        "CGTN",
        "Global Times",
        "New York Times",
        "Wall Street Journal",
        "WSJ",
        "Financial Times",
        "FT",
        "The Information",
        "36Kr",
        "TechNode",
        "The Register",
        "Ars Technica",
        "The Paper",
        "Shenzhen Daily",
        "China Daily",
        "People's Daily",
        "South China Morning Post",
        "Beijing News",
        "Sixth Tone",
        "ProPublica",
        "BuzzFeed News",
        "Washington Post",
        "Motherboard",
        "404 Media",
        "Gizmodo",
        "Engadget",
        "ZDNet",
        "Mashable",
    ],
    "civil": [
        "noyb",
        "Amnesty International",
        "Human Rights Watch",
        "Electronic Frontier Foundation",
        "EFF",
        "Privacy International",
        "Consumer Reports",
        "Which?",
        "BEUC",
        "Citizen Lab",
        "Mozilla Foundation",
        "Electronic Privacy Information Center",
        "EPIC",
        "Access Now",
        "Open Rights Group",
        "Big Brother Watch",
        "Internet Society",
        "World Economic Forum",
        "WEF",
        "IMF",
        "World Bank",
        "OECD",
        "WTO",
    ],
    "market": [
        "Nasdaq",
        "NYSE",
        "HKEX",
        "Hang Seng",
        "S&P",
        "S&P 500",
        "Dow Jones",
        "FTSE",
        "DAX",
        "STAR Market",
        "ChiNext",
        "Shanghai Composite",
        "CSI 300",
        "MSCI",
    ],
    "law": [
        "GDPR",
        "CCPA",
        "CPRA",
        "PIPL",
        "HIPAA",
        "COPPA",
        "BIPA",
        "DMA",
        "DSA",
        "Privacy Shield",
        "Safe Harbor",
        "Data Security Law",
        "Cybersecurity Law",
        "Personal Information Protection Law",
        "Digital Markets Act",
        "Digital Services Act",
        "AI Act",
    ],
}

# Words that make a span an organisation even when the statistical NER called it a person or a place
# ("Lanhai Interactive", "Huaxin Precision Electronics").
CORPORATE_HEAD_WORDS = frozenset(
    """technology technologies tech electronics semiconductor semiconductors interactive holdings group
    capital bank bancorp financial insurance securities investments ventures partners motors pharma
    pharmaceuticals airlines air logistics express energy telecom communications networks software
    systems labs media entertainment games gaming retail mart appliances devices robotics biotech
    inc corp corporation ltd limited llc plc co company""".split()
)
# Acronyms the NER takes for organisations that name things, not companies.
NOT_ORG_ACRONYMS = frozenset(
    """AI IP SIM API APIS SDK SDKS VPN GPS ID IDS PIN PINS OTP SMS USB CEO CFO CTO COO IPO ETF GDP KYC
    AML NFC QR URL IT PC PCS OS IOT LLM LLMS GPU CPU VR AR TV APP APPS""".split()
)
# Words before a name that make it a person ("Mr Zhang", "Dr Lee").
PERSON_TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir madam president premier minister senator judge chairman
    chairwoman ceo founder executive officer spokesman spokeswoman""".split()
)
# Corporate words that do not survive in a company's name on their own ("Group" alone is no company).
ORG_STOPWORDS = frozenset(
    """group company firm bank holdings inc corp ltd limited co llc plc technology tech capital the
    a an and of for""".split()
)


# -- roles ---------------------------------------------------------------------------------------------

# Nouns that refer back to the article's focus company when they are the subject ("the company said").
COMPANY_REFERENCE_NOUNS = frozenset(
    """company firm group giant platform app application service operator business startup start-up
    provider maker retailer lender bank insurer carrier airline hotelier chain unit chatbot assistant
    subsidiary brand marketplace network website site browser messenger insurer broker tech-giant
    conglomerate""".split()
)
COMPANY_REFERENCE_PRONOUNS = frozenset({"it", "its", "itself", "they", "their", "we", "our"})
# A person speaking in a company's story is, for its response, the company ("he apologised").
PERSON_PRONOUNS = frozenset({"he", "she", "i"})
SPEAKER_NOUNS = frozenset(
    """spokesperson spokesman spokeswoman representative executive chief ceo founder chairman president
    statement post letter notice blog announcement filing official officials director head manager
    counsel lawyer lawyers team staff engineers employees""".split()
)

# Verbs whose object or passive subject is the target of enforcement ("the FTC fined Meta").
ENFORCEMENT_VERBS = [
    "fine",
    "sue",
    "investigate",
    "probe",
    "penalize",
    "penalise",
    "punish",
    "accuse",
    "charge",
    "order",
    "summon",
    "ban",
    "suspend",
    "censure",
    "warn",
    "sanction",
    "prosecute",
    "target",
    "name",
    "criticize",
    "criticise",
    "blame",
    "question",
    "audit",
    "inspect",
    "examine",
    "require",
    "force",
    "compel",
    "instruct",
    "tell",
    "urge",
    "rebuke",
    "reprimand",
    "slap",
    "hit",
    "block",
    "remove",
    "delist",
]
# Verbs that make a remedy imposed rather than offered ("ordered it to delete the data").
OBLIGATION_VERBS = frozenset(
    """order require force compel instruct direct demand urge ask tell call press push oblige mandate
    expect want need""".split()
)
# Common nouns for authorities: a subject that acts on companies ("the regulator ordered ...").
AUTHORITY_NOUNS = frozenset(
    """regulator regulators watchdog watchdogs authority authorities ministry government governments court
    courts judge judges police prosecutors prosecutor commission commissioner agency agencies bureau
    department regulators' officials lawmakers legislators senators congress parliament state states
    investigators inspectors prosecutors cac ftc ico cnil sec doj""".split()
)
# Dependencies that leave a noun phrase for another clause (a phrase's companies stop there).
CLAUSE_DEPENDENCIES = frozenset("""relcl acl advcl ccomp xcomp csubj parataxis punct cc mark dep""".split())
# "a subsidiary of Singapore Telecommunications", "a former employee of Amazon's cloud business": the
# company after "of" is another party, not the one the phrase names.
RELATION_NOUNS = frozenset(
    """subsidiary subsidiaries parent owner owners affiliate affiliates rival rivals competitor competitors
    partner partners customer customers client clients supplier suppliers vendor vendors investor
    investors shareholder shareholders employee employees contractor contractors founder user users""".split()
)
# Prepositions a noun phrase keeps its companies through ("two of Baidu's apps", "apps including Douyin").
PHRASE_PREPOSITIONS = frozenset({"of", "including", "like", "as"})
# Verbs whose subject is on the receiving end of an enforcement noun ("Meta faces a lawsuit").
TARGETED_VERBS = frozenset(
    """face receive get incur pay settle agree accept appeal contest challenge fight avoid escape resolve
    be become hit draw attract lose win meet satisfy comply obey heed implement fulfil fulfill""".split()
)
# Verbs that undo the remedy they govern.
FAILURE_VERBS = frozenset({"fail", "refuse", "decline", "neglect", "omit"})
# Nouns of enforcement actions ("a lawsuit against Google", "an investigation into Didi").
ENFORCEMENT_NOUNS = [
    "lawsuit",
    "suit",
    "investigation",
    "probe",
    "fine",
    "penalty",
    "case",
    "complaint",
    "action",
    "inquiry",
    "order",
    "ban",
    "crackdown",
    "charge",
    "settlement",
    "review",
    "inspection",
    "audit",
    "sanction",
]
# Prepositions that attach an enforcement action to its target ("a lawsuit against Google").
TARGET_PREPOSITIONS = ["against", "into", "on", "over", "of"]
# Prepositions after a sharing verb that make a company the recipient, not the actor.
RECIPIENT_PREPOSITIONS = ["to", "with", "for", "via", "through", "from", "including", "like", "such"]

ORG_NODE = {"ENT_TYPE": {"IN": ["ORG", *RULER_LABELS]}}


# Words that make a cue state its own negation ("without consent", "did not obtain consent"): such a cue
# is not cancelled by the negation it contains.
NEGATION_WORDS = frozenset(
    {"not", "n't", "n’t", "no", "never", "without", "none", "nor", "neither", "nothing"}
)
# Verbs whose object is what does not (or no longer) happen: a cue under them is no incident.
PREVENTIVE_VERBS = frozenset(
    {"prevent", "avoid", "prohibit", "forbid", "disable", "erase", "deter", "thwart"}
)
# "other controversies", "similar cases": a noun so modified introduces someone else's story.
BACKGROUND_MODIFIERS = frozenset({"other", "similar", "previous", "earlier", "separate", "unrelated"})
# "No evidence that ..." negates what follows.
EVIDENCE_NOUNS = frozenset({"evidence", "sign", "indication", "proof", "suggestion", "trace"})
# Criminals as actors: what they collect or sell is a breach, not the company's collection or sharing.
CRIMINAL_ACTORS = frozenset(
    """hacker hackers attacker attackers cybercriminal cybercriminals criminal criminals thief thieves
    fraudster fraudsters scammer scammers gang gangs intruder intruders""".split()
)
# Types that a criminal actor in the sentence turns into a breach.
CRIMINAL_DISPLACED_TYPES = frozenset({"collection", "sharing"})
# Types a breach in the same sentence displaces: stolen data that is sold is no sharing, and credit
# scores among the exposed records are no profiling.
BREACH_DISPLACED_TYPES = frozenset({"sharing", "profiling"})


def role_patterns() -> dict[str, list[list[dict]]]:
    """DependencyMatcher patterns that find a company's role in an incident sentence.

    Each pattern ends on an organisation token ("org"); the role name is the match label.
    """
    # a verb of the sentence's own clauses, not of a relative clause ("the site, owned by Microsoft, ...")
    verb = {
        "RIGHT_ID": "verb",
        "RIGHT_ATTRS": {"POS": {"IN": ["VERB", "AUX"]}, "DEP": {"NOT_IN": ["relcl", "acl"]}},
    }
    return {
        # "Tencent denied ...", "Ant Financial's Alipay kicked off ..."
        "subject": [
            [
                verb,
                {
                    "LEFT_ID": "verb",
                    "REL_OP": ">",
                    "RIGHT_ID": "org",
                    "RIGHT_ATTRS": {"DEP": {"IN": ["nsubj", "csubj"]}, **ORG_NODE},
                },
            ]
        ],
        # "users were tracked by Google"
        "agent": [
            [
                verb,
                {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "by", "RIGHT_ATTRS": {"DEP": "agent"}},
                {
                    "LEFT_ID": "by",
                    "REL_OP": ">",
                    "RIGHT_ID": "org",
                    "RIGHT_ATTRS": {"DEP": "pobj", **ORG_NODE},
                },
            ]
        ],
        # "the FTC fined Meta", "Didi was ordered to ..."
        "target": [
            [
                {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"LEMMA": {"IN": ENFORCEMENT_VERBS}}},
                {
                    "LEFT_ID": "verb",
                    "REL_OP": ">",
                    "RIGHT_ID": "org",
                    "RIGHT_ATTRS": {"DEP": {"IN": ["dobj", "nsubjpass", "dative"]}, **ORG_NODE},
                },
            ],
            # "an investigation into Clearview AI", "a lawsuit against Google", "a fine on Didi"
            [
                {"RIGHT_ID": "head", "RIGHT_ATTRS": {"LEMMA": {"IN": ENFORCEMENT_VERBS + ENFORCEMENT_NOUNS}}},
                {
                    "LEFT_ID": "head",
                    "REL_OP": ">",
                    "RIGHT_ID": "prep",
                    "RIGHT_ATTRS": {"DEP": "prep", "LOWER": {"IN": TARGET_PREPOSITIONS}},
                },
                {
                    "LEFT_ID": "prep",
                    "REL_OP": ">",
                    "RIGHT_ID": "org",
                    "RIGHT_ATTRS": {"DEP": "pobj", **ORG_NODE},
                },
            ],
        ],
        # "Marriott's reservation system was breached", "the company's app collected ..."
        "possessor": [
            [
                verb,
                {
                    "LEFT_ID": "verb",
                    "REL_OP": ">",
                    "RIGHT_ID": "subject",
                    "RIGHT_ATTRS": {"DEP": {"IN": ["nsubj", "nsubjpass"]}},
                },
                {
                    "LEFT_ID": "subject",
                    "REL_OP": ">",
                    "RIGHT_ID": "org",
                    "RIGHT_ATTRS": {"DEP": {"IN": ["poss", "compound"]}, **ORG_NODE},
                },
            ]
        ],
        # "shared data with Facebook", "sent to ByteDance servers"
        "recipient": [
            [
                {"RIGHT_ID": "prep", "RIGHT_ATTRS": {"DEP": "prep", "LOWER": {"IN": RECIPIENT_PREPOSITIONS}}},
                {"LEFT_ID": "prep", "REL_OP": ">>", "RIGHT_ID": "org", "RIGHT_ATTRS": ORG_NODE},
            ]
        ],
    }
