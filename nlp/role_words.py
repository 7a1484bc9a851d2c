"""The words and dependency patterns the role reading (nlp/clause_roles.py) and the accused component
(nlp/roles.py) look for: enforcement and penalty verbs, authority and reference nouns, background phrases."""

from __future__ import annotations

from spacy.tokens import Token

from nlp.company_ruler import RULER_LABELS

# Nouns that refer back to the article's focus company when they are the subject ("the company said").
COMPANY_REFERENCE_NOUNS = frozenset(
    """company firm group giant platform app application service operator business startup start-up
    provider maker retailer lender bank insurer carrier airline hotelier chain unit chatbot assistant
    subsidiary brand marketplace network website site browser messenger insurer broker tech-giant
    conglomerate centre center dealership practice hotel clinic hospital gym shop store restaurant
    agency school manufacturer developer publisher vendor processor controller polyclinic haulier
    collector dealer landlord agent supermarket pharmacy optician club bakery salon insurer""".split()
)
COMPANY_REFERENCE_PRONOUNS = frozenset({"it", "its", "itself", "we", "our"})
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
# What a business that calls itself an agency or a commission sells ("an insurance agency", "a travel
# agency", "the ad agency"): such a noun names a company, not an authority.
TRADE_MODIFIERS = frozenset(
    """insurance travel advertising ad marketing recruitment recruiting employment staffing talent model
    modelling modeling estate property letting lettings collection collections debt credit news creative
    digital media translation dating nanny security shipping booking sales""".split()
)


def is_authority_noun(token: Token) -> bool:
    return token.lower_ in AUTHORITY_NOUNS and not any(
        c.dep_ in ("compound", "amod") and c.lower_ in TRADE_MODIFIERS for c in token.children
    )


# Dependencies that leave a noun phrase for another clause (a phrase's companies stop there).
CLAUSE_DEPENDENCIES = frozenset("""relcl acl advcl ccomp xcomp csubj parataxis punct cc mark dep""".split())
# "a subsidiary of Singapore Telecommunications", "a former employee of Amazon's cloud business": the
# company after "of" is another party, not the one the phrase names.
RELATION_NOUNS = frozenset(
    """subsidiary subsidiaries parent owner owners affiliate affiliates rival rivals competitor competitors
    partner partners customer customers client clients supplier suppliers vendor vendors investor
    investors shareholder shareholders employee employees contractor contractors founder user users member
    members patient patients subscriber subscribers passenger passengers guest guests tenant tenants
    policyholder policyholders borrower borrowers""".split()
)
# "the Microsoft-owned network", "a Tencent-backed app": the owner or investor is not the phrase's actor.
OWNERSHIP_ADJECTIVES = frozenset({"owned", "backed", "controlled", "funded", "financed"})
# Prepositions a noun phrase keeps its companies through ("two of Baidu's apps", "apps including Douyin").
PHRASE_PREPOSITIONS = frozenset({"of", "including", "like", "as", "from", "at"})
# "a file server run by Tristate", "an SDK made by Umeng": the thing's operator is the phrase's company
OPERATOR_VERBS = frozenset(
    """run operate own manage maintain host build develop make design provide supply power""".split()
)
# Verbs whose subject is on the receiving end of an enforcement noun ("Meta faces a lawsuit").
TARGETED_VERBS = frozenset(
    """face receive get incur pay settle agree accept appeal contest challenge fight avoid escape resolve
    overturn quash annul reduce
    be become hit draw attract lose win meet satisfy comply obey heed implement fulfil fulfill object
    dispute oppose protest criticise criticize""".split()
)
# Verbs whose object can only be the one punished ("fined a private polyclinic").
PENALTY_VERBS = frozenset(
    """fine fined fines fining penalise penalised penalize penalized sanction sanctioned sue sued suing
    reprimand reprimanded censure censured punish punished""".split()
)
# Authorities whose investigations are of crimes, not of the company that suffered them.
POLICE_NOUNS = frozenset(
    {"police", "prosecutor", "prosecutors", "detective", "detectives", "fbi", "officer", "officers"}
)
# Criminal proceedings: their object is a person.
CRIMINAL_PROCESS = frozenset(
    """arrest arrested charge charged convict convicted sentence sentenced jail jailed detain detained indict
    indicted prosecute prosecuted""".split()
)
# Verbs by which a regulator reports what a company did ("the CNIL said Criteo places trackers").
REPORTING_VERBS = frozenset(
    """say find rule allege accuse claim report state note conclude determine establish argue add write
    believe suspect show reveal confirm insist""".split()
)
# What a company's denial answers ("the complaint mischaracterises ..."): the subject of the cue, not
# its speaker.
ACCUSATION_NOUNS = frozenset(
    "claim complaint report allegation accusation lawsuit suit article story finding theory charge".split()
)
# Verbs whose subject "it" is the news itself ("It underscores how data became a currency").
DISCOURSE_VERBS = frozenset(
    """underscore highlight illustrate reflect mark signal fuel renew spark add come follow raise show
    demonstrate echo mirror suggest""".split()
)
# Words that make "a firm" another firm than the one in focus.
OTHER_PARTY_WORDS = frozenset(
    """other another rival competing competitor second third some many several all most every each no
    any these those both""".split()
)
# The headline and the first sentence of the body.
LEAD_SENTENCES = 2
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
# Words that place a sentence in another, earlier event than the article's story.
BACKGROUND_PHRASES = [
    "last year",
    "a year ago",
    "years ago",
    "months ago",
    "previously",
    "previous",
    "in the past",
    "before it",
    "before them",
    "similar",
    "earlier case",
    "separate case",
    "unrelated",
    "has since",
    "had been fined",
    "was also fined",
    "last month",
    "a year after",
    "years after",
    "months after",
    "in the aftermath of",
    *(f"last {month}" for month in sorted(MONTHS)),
]
# Verbs by which a company brings in help: the investigation they govern is its own.
HIRING_VERBS = frozenset({"hire", "engage", "retain", "appoint", "commission", "enlist", "bring", "employ"})
# Verbs that undo the remedy they govern.
FAILURE_VERBS = frozenset({"fail", "refuse", "decline", "neglect", "omit", "ignore", "disregard"})
# Nouns of enforcement actions ("a lawsuit against Google", "an investigation into Didi").
ENFORCEMENT_NOUNS = [
    "proceeding",
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
# What another, separate matter is ("a separate 310 million euro fine", "a separate breach in May")
SEPARATE_MATTERS = frozenset(ENFORCEMENT_NOUNS) | {"breach", "incident", "leak", "hack", "matter", "dispute"}
# Where someone's statement or post appears ("its official Weibo account", "their Facebook page"): the
# service is no party to what is said there.
POSTING_PLACES = frozenset(
    "account accounts post posts page pages channel channels feed blog profile handle".split()
)
# What a product's name stands for when these head the words after it: its company's people, a unit of the
# company, the product itself acting ("Ring staff could watch", "Ring's doorbell unit", "the WeChat app
# collected")
PRODUCT_ITSELF = frozenset(
    """staff staffer staffers employee employees worker workers engineer engineers contractor contractors
    executive executives team teams spokesperson spokesman spokeswoman moderators reviewers managers
    officials agents technicians support unit division arm business subsidiary brand operator maker owner
    parent app apps service services platform""".split()
)
# Prepositions that attach an enforcement action to its target ("a lawsuit against Google").
TARGET_PREPOSITIONS = ["against", "into", "on", "over", "of"]
# "a settlement with Brightpath": the party an authority settles with is its target.
AGREEMENT_WORDS = frozenset({"settlement", "settle", "agreement", "deal", "decree", "accord"})
# Prepositions after a sharing verb that make a company the recipient, not the actor.
RECIPIENT_PREPOSITIONS = ["to", "with", "for", "via", "through", "from", "including", "like", "such"]

ORG_NODE = {"ENT_TYPE": {"IN": ["ORG", *RULER_LABELS]}}
# nouns and verbs of telling something on a platform: the platform is where a story broke, not its subject
CHANNEL_HEADS = """post follower video thread comment account page channel livestream stream forum group
    blog review message write say complain claim share publish""".split()


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
        # "in posts on Weibo", "followers on Bilibili", "wrote on Reddit": where the story was told
        "channel": [
            [
                {"RIGHT_ID": "head", "RIGHT_ATTRS": {"LEMMA": {"IN": CHANNEL_HEADS}}},
                {
                    "LEFT_ID": "head",
                    "REL_OP": ">",
                    "RIGHT_ID": "prep",
                    "RIGHT_ATTRS": {"DEP": "prep", "LOWER": "on"},
                },
                {
                    "LEFT_ID": "prep",
                    "REL_OP": ">",
                    "RIGHT_ID": "org",
                    "RIGHT_ATTRS": {"DEP": "pobj", **ORG_NODE},
                },
            ]
        ],
    }
