"""Incident cues and types (nlp/incidents.py): incidents in plain reporting are found, each with the
right kinds, and privacy-looking wording that reports no incident is not one.

Failure classes of issue 13: missed incidents (short notices, passive voice, insiders, open databases,
small fines, misleading security claims, one customer's records shown or sent to another, recordings a
device sends its maker) and wrong types (legal "breach", denied claims, surveillance, profiling phrased
as relevant ads, enforcement by regulators beyond the big five). Every article here was written for
these tests.
"""

from __future__ import annotations

import pytest

from nlp.pipeline import tag_article

from .nlp_cases import accused, describe, keys, types_of

# (title, body, the accused company key, types it must have, types it must not have)
INCIDENTS = {
    "website-error-left-records-readable": (
        "",
        "A coding error on the client portal of Brightwater Accounting left the tax returns of about 900 "
        "clients readable by anyone who changed a number in the page's web address. The firm said it "
        "fixed the portal the day a client reported it.",
        "brightwater accounting",
        {"breach"},
        set(),
    ),
    "app-showed-customers-other-peoples-records": (
        "Harbourline Bank app showed customers other people's statements",
        "Harbourline Bank said on Friday that a fault in its mobile app had caused some customers to see "
        "account statements belonging to other people for several hours on Thursday. The bank said it had "
        "switched off the statements page while engineers fixed the error.",
        "harbourline bank",
        {"breach"},
        set(),
    ),
    "an-insider-looked-up-the-accounts-of-a-celebrity": (
        "Building society sacks clerk over singer's account",
        "Northmoor Building Society has dismissed a branch clerk who looked up the accounts of a well-known "
        "singer and passed her phone number to a marketing firm. The clerk opened the accounts at least 25 "
        "times in three months without any business reason, the society said.",
        "northmoor building society",
        {"breach"},
        {"sharing"},  # what an insider passes on is taken from the society, not shared by it
    ),
    "camera-owners-shown-other-households-recordings": (
        "Doorbell maker apologises for playback fault",
        "A storage fault let owners of Veyra doorbell cameras watch clips recorded in other people's homes "
        "for about an hour on Sunday, Veyra Home said. The company said it had fixed the fault.",
        "veyra home",
        {"breach"},
        set(),
    ),
    "leaked-bookings-traced-to-hijacked-accounts": (
        "Ferry operator traces leaked bookings to hijacked agent accounts",
        "Northwind Ferries Ltd said on Tuesday that passengers' names and sailing dates had been taken from "
        "its reservation system through the login of a travel agent.",
        "northwind ferries",
        {"breach"},
        set(),
    ),
    "a-recording-of-another-customer-sent-by-mistake": (
        "",
        "A passenger who asked Zoomride for the audio of a disputed trip was sent a recording of a different "
        "rider's journey, in which the stranger discussed his illness and his home address. Zoomride has "
        "not responded to requests for comment.",
        "zoomride",
        {"breach"},
        set(),
    ),
    "recorded-without-the-owners-knowledge": (
        "",
        "Vireo Home agreed to pay $4.5 million to settle a class action accusing it of recording "
        "conversations through its smart speakers without the owners' knowledge.",
        "vireo home",
        {"surveillance"},
        set(),
    ),
    "a-fix-made-after-the-fault-reports-the-fault": (
        "",
        "Larkspur Bank switched off its statements page on Monday because a fault let customers view "
        "other customers' account balances.",
        "larkspur bank",
        {"breach"},
        set(),
    ),
    "a-car-camera-sends-clips-of-faces-to-its-maker": (
        "",
        "Drivers say the dashboard camera in Volkan Motors' new SUV transmitted clips of their faces to the "
        "carmaker's servers without telling them.",
        "volkan motors",
        {"collection"},
        set(),
    ),
    "a-television-sends-what-owners-watch-to-its-maker": (
        "",
        "Televisions made by Aurex Electronics captured screenshots of what owners watched every few seconds "
        "and sent them to the manufacturer, researchers said.",
        "aurex electronics",
        {"collection"},
        set(),
    ),
    "personal-data-with-a-hyphenated-modifier": (
        "",
        "The Pathwise fitness app shared users' heart-rate data with insurers, a consumer group said.",
        "pathwise",
        {"sharing"},
        set(),
    ),
    "insider-misuse-learned-of": (
        "Credit union says former teller copied card numbers",
        "Lakeside Community Credit Union said it learned in May that a former teller had copied the debit "
        "card numbers of 212 members and used some of them for online purchases. The teller was "
        "dismissed and the cards have been replaced.",
        "lakeside community credit union",
        {"breach"},
        set(),
    ),
    "open-database-found-by-researchers": (
        "Trading app left investors' passport scans online",
        "Security researchers found an unprotected database holding scans of the passports and driving "
        "licences of some 40,000 customers of Copperleaf Markets, an online trading platform based in "
        "Cyprus. The database had no password. Copperleaf Markets did not answer requests for comment.",
        "copperleaf markets",
        {"breach"},
        set(),
    ),
    "small-fine-for-unanswered-access-request": (
        "",
        "Spain's data protection agency, the AEPD, fined the operator of the Hostal Miramar 3,000 euros "
        "for failing to answer a guest's request for a copy of the personal data the hotel held about "
        "her.",
        "hostal miramar",
        {"enforcement"},
        {"breach"},
    ),
    "misleading-encryption-claims": (
        "FTC says backup firm misled customers about encryption",
        "The Federal Trade Commission said the cloud backup provider Pinecrest told customers their files "
        "were protected with end-to-end encryption when in fact they were stored unencrypted on its "
        "servers. Under a proposed order, the company must stop misrepresenting how it secures customers' "
        "data.",
        "pinecrest",
        {"consent", "enforcement"},
        set(),
    ),
    "passive-notice-without-headline": (
        "",
        "On March 3, suspicious activity was detected in an employee email account at Riverside Family "
        "Dental. Names, dates of birth and insurance details of some patients may have been viewed by an "
        "unauthorized party. Letters are being mailed to the individuals affected.",
        "riverside family dental",
        {"breach"},
        set(),
    ),
    "legal-breach-wording-is-not-a-breach": (
        "Publisher fined for cookie banners",
        "The Belgian Data Protection Authority fined news publisher Vantor Media 80,000 euros, finding that "
        "it breached data protection rules by placing advertising cookies on readers' devices before they "
        "had given consent. Vantor Media said it would appeal.",
        "vantor media",
        {"consent", "enforcement"},
        {"breach"},
    ),
    "denied-claim-adds-no-type": (
        "Keyboard app collected contact lists, researchers say",
        "Researchers at a security firm said the Typewise Keyboard app uploaded users' entire contact "
        "lists to its servers without asking. Typewise said it had never sold or shared any user data "
        "with third parties and that the upload was needed for a word-suggestion feature.",
        "typewise",
        {"collection"},
        {"sharing"},
    ),
    "staff-watching-camera-recordings": (
        "Doorbell maker's staff watched customers' videos",
        "Employees at HomeSentry, a maker of smart doorbells, could watch recordings from customers' "
        "cameras, including clips from inside their homes, a former worker said. The company said it had "
        "since limited which staff can view customers' videos.",
        "homesentry",
        {"surveillance"},
        set(),
    ),
    "tracking-in-incognito-mode": (
        "Browser maker accused of tracking incognito users",
        "A lawsuit filed in California accuses Orbita Labs of tracking what people did on websites even "
        "when they browsed in the incognito mode of its Orbita browser.",
        "orbita labs",
        {"surveillance", "enforcement"},
        set(),
    ),
    "staff-monitoring-software": (
        "",
        "Workers at the Dunmore call centre of Calloway Services said the company installed software that "
        "logged their keystrokes and took screenshots of their computers every few minutes.",
        "calloway services",
        {"surveillance"},
        set(),
    ),
    "relevant-ads-are-profiling": (
        "Supermarket used shopping histories to target ads",
        "Greenway Supermarkets used the purchase histories of loyalty-card holders to show them more "
        "relevant ads on social media, without telling them, a consumer group said.",
        "greenway supermarkets",
        {"profiling"},
        set(),
    ),
    "fine-by-a-smaller-regulator": (
        "Hungarian watchdog fines debt collector",
        "Hungary's data protection authority, NAIH, fined the debt collector Kordex 25 million forints for "
        "keeping the data of former debtors for years after their debts were settled.",
        "kordex",
        {"enforcement"},
        set(),
    ),
    "state-attorney-general-settlement": (
        "Texas settles with app maker over location data",
        "The Texas Attorney General reached a settlement with Brightpath Navigation, which sold drivers' "
        "precise location data to insurers without their knowledge.",
        "brightpath navigation",
        {"sharing", "enforcement"},
        set(),
    ),
    "reason-of-a-fine-is-the-fined-company's-conduct": (
        "Regulator fines two phone companies over location sales",
        "The telecoms regulator fined the mobile operators Norvik Mobile and Telsa Connect a combined "
        "$30 million on Tuesday for selling access to their subscribers' location data without consent.",
        "norvik mobile",
        {"enforcement", "sharing", "consent"},
        set(),
    ),
    "data-protection-authority-acting-is-privacy-context": (
        "",
        "The Danish data protection authority has fined Hansen Bageri ApS 20,000 kroner for filming its "
        "staff in the changing room.",
        "hansen bageri",
        {"enforcement", "surveillance"},
        set(),
    ),
    "no-legal-basis-for-the-act-still-alleges-it": (
        "Watchdog orders chatbot maker to stop processing data",
        "The authority said Quillbot Labs had no legal basis for the mass collection of personal "
        "information it used to train its models, and ordered it to stop processing the data of local "
        "users.",
        "quillbot labs",
        {"collection", "enforcement"},
        set(),
    ),
    "first-person-notice-names-its-sender-in-a-dated-sentence": (
        "",
        "We are writing to let you know about an incident affecting our online portal.\n\nOn 3 March "
        "2022, Riverbend Savings Bank discovered that an unknown party had signed in to some customer "
        "accounts with passwords stolen from other websites. We have locked the affected accounts.",
        "riverbend savings bank",
        {"breach"},
        set(),
    ),
    "folder-anyone-could-open": (
        "Travel agency left passport scans in open folder",
        "A Leeds travel agency, Hartley Holidays, kept scanned passports of 6,000 customers in a cloud "
        "folder that anyone with the address could open, a researcher said. The page was not password "
        "protected.",
        "hartley holidays",
        {"breach"},
        set(),
    ),
    "appeal-of-a-fine-in-a-foreign-currency": (
        "Retailer to appeal Danish fine over customer data",
        "Nordhavn Retail will appeal a 1.2 million crown ($170,000) fine from Denmark's data protection "
        "regulator, which said the chain kept customers' data for years after they closed their accounts.",
        "nordhavn retail",
        {"enforcement"},
        set(),
    ),
    "staff-watching-customers'-recordings": (
        "Baby-monitor maker says staff watched videos",
        "Staff at the baby-monitor maker Lullcam routinely watched recordings from cameras in customers' "
        "nurseries that had nothing to do with any support request, two former employees said.",
        "lullcam",
        {"surveillance"},
        {"breach"},
    ),
    "passing-data-to-an-advertising-network": (
        "",
        "The regulator found that the cycling app Spokewise had passed users' ride routes and a device "
        "identifier to an advertising network for two years.",
        "spokewise",
        {"sharing"},
        set(),
    ),
    "consent-neither-informed-nor-free": (
        "",
        "The authority fined the dating app Sparkly 90,000 euros after finding that Sparkly shared users' "
        "profile data with advertisers and that the consent it relied on was neither informed nor freely "
        "given.",
        "sparkly",
        {"consent", "enforcement"},
        set(),
    ),
    "calls-to-an-opt-out-register": (
        "Energy seller fined for marketing calls",
        "The regulator fined Voltaic Energy 40,000 euros for calling subscribers whose numbers were on the "
        "national opt-out register, using customer lists it had bought.",
        "voltaic energy",
        {"consent", "enforcement"},
        set(),
    ),
    "a-privacy-promise-broken": (
        "",
        "The watchdog said the loyalty scheme of Bramble Stores sold members' shopping histories to data "
        "brokers, and that the chain had broken its promise that members' information would stay private.",
        "bramble stores",
        {"consent", "sharing"},
        set(),
    ),
    "kept-after-it-was-needed": (
        "",
        "The commissioner alleges that Corran Finance kept passport details of rejected loan applicants for "
        "years after it needed them.",
        "corran finance",
        {"collection"},
        set(),
    ),
    "records-used-to-judge-staff": (
        "",
        "The data protection commissioner fined the retailer Fenmark 2 million euros after managers at "
        "Fenmark built up files on employees' illnesses and family lives and used them to evaluate workers' "
        "performance.",
        "fenmark",
        {"collection", "profiling", "enforcement"},
        set(),
    ),
    "audience-segments-sold-to-advertisers": (
        "",
        "Investigators said the location broker Trailpoint grouped phones into audience segments such as "
        "clinic visitors and sold access to them to advertisers, without the users' consent.",
        "trailpoint",
        {"profiling", "sharing"},
        set(),
    ),
    "authority-that-reports-its-own-probe": (
        "Payments firm fires agent who copied customer records",
        "Zephyr Payments said it had dismissed an agent who copied the card details of 900 customers.\n\n"
        "Ireland's Data Protection Commission, Zephyr Payments' lead supervisor in the EU, said it had "
        "opened an investigation.",
        "zephyr payments",
        {"breach", "enforcement"},
        set(),
    ),
    "class-action-accusing-the-described-company": (
        "Credit union sued over phishing breach",
        "A member of Bayside Teachers Credit Union has filed a proposed class action accusing the "
        "Tampa lender of failing to protect personal information exposed in a phishing attack.",
        "bayside teachers credit union",
        {"breach", "enforcement"},
        set(),
    ),
    "proceedings-against-a-company-over-its-practice": (
        "",
        "Italy's data protection authority has opened proceedings against the online retailer Modalux "
        "over the cookie banner on its website, which it says nudged visitors into accepting trackers.",
        "modalux",
        {"enforcement", "consent"},
        set(),
    ),
    "stolen-call-records-are-a-breach-not-surveillance": (
        "Carrier says hackers took call logs",
        "Northline Wireless said hackers had downloaded records of calls and text messages made by most of "
        "its customers over six months.",
        "northline wireless",
        {"breach"},
        {"surveillance"},
    ),
    "advertising-cookies-without-consent-are-consent-not-surveillance": (
        "",
        "The CNIL fined the retailer Boutique Laurier 2 million euros for placing advertising cookies on "
        "visitors' devices without their consent.",
        "boutique laurier",
        {"consent", "enforcement"},
        {"surveillance"},
    ),
    "data-kept-for-years-is-collection": (
        "",
        "The regulator said the gym chain Pulsefit kept members' fingerprints for years after they had left.",
        "pulsefit",
        {"collection"},
        {"surveillance"},
    ),
    "insider-viewed-records-without-a-reason": (
        "Hospital fires clerk who read patient files",
        "Riverside Health said it had fired a clerk who looked at the medical records of 1,200 patients "
        "without any work-related reason.",
        "riverside health",
        {"breach"},
        set(),
    ),
    "insider-emailed-files-to-a-personal-account": (
        "",
        "A former negotiator at Hollins Lettings emailed spreadsheets of tenants' names and bank details to "
        "his personal account before joining a rival, the agency said.",
        "hollins lettings",
        {"breach"},
        set(),
    ),
    "backup-found-unprotected-online": (
        "Recruiter apologises after CV backup left open",
        "A backup of the candidate database of Brookmere Staffing, holding the CVs of 30,000 job seekers and "
        "their National Insurance numbers, was found unprotected online by a researcher.",
        "brookmere staffing",
        {"breach"},
        set(),
    ),
    "class-action-against-the-described-company": (
        "",
        "Harwick Savings Bank said hackers had stolen files holding customers' account numbers. A customer "
        "filed a proposed class action against the bank on Tuesday.",
        "harwick savings bank",
        {"breach", "enforcement"},
        set(),
    ),
    "going-to-court-to-overturn-a-fine": (
        "",
        "The gym chain Vitalis Clubs says it will go to court to overturn a 90,000 euro fine imposed by the "
        "national data protection commission over the fingerprint readers at its clubs.",
        "vitalis clubs",
        {"enforcement"},
        set(),
    ),
    "analysing-passengers'-lives": (
        "",
        "The regulator said the ride-hailing app Swiftride analysed passengers' occupations and family "
        "relationships without clearly informing them.",
        "swiftride",
        {"profiling"},
        set(),
    ),
    "an-automated-score-sets-prices": (
        "",
        "The insurance commissioner fined Orchard Mutual for setting renewal premiums with an automated "
        "score built from policyholders' payment data.",
        "orchard mutual",
        {"profiling", "enforcement"},
        set(),
    ),
    "a-letter-named-only-in-its-sign-off": (
        "",
        "Dear Patient,\n\nWe are writing about an incident involving our billing system. On 3 May an "
        "unauthorised person copied files holding patients' names and insurance numbers from a staff "
        "mailbox. We reset the mailbox's password and are offering a year of credit monitoring.\n\n"
        "Sincerely,\n\nMaple Row Podiatry",
        "maple row podiatry",
        {"breach"},
        set(),
    ),
    "a-drive-anyone-could-download": (
        "Notice to families about attendance records",
        "Dear families,\n\nWe run the attendance app your school uses. For two weeks in March a backup "
        "drive in our hosting account was configured wrongly and could be downloaded by anyone who found "
        "its address.\n\nWe closed the drive on 28 March and have informed every school that uses the "
        "app.\n\nRollcall Systems",
        "rollcall systems",
        {"breach"},
        set(),
    ),
    "a-camera-concealed-in-a-rest-room": (
        "",
        "Staff at the Dunmore call centre of Telvane Services found a camera concealed in a wall clock in "
        "their rest area, their union said. Telvane said the device had been removed.",
        "telvane services",
        {"surveillance"},
        {"consent"},
    ),
    "what-workers-say-in-a-lawsuit": (
        "",
        "In a lawsuit filed on Friday, former nurses say Brookvale Care Homes logged their locations through "
        "an app it made them install on their own phones.",
        "brookvale care homes",
        {"surveillance", "enforcement"},
        set(),
    ),
    "an-order-after-a-wire-dateline": (
        "",
        "PARIS, May 2 – France's data protection regulator on Wednesday ordered the developers of Quillo "
        "Labs, a homework-help chatbot, to stop processing the data of French pupils.",
        "quillo labs",
        {"enforcement"},
        set(),
    ),
    "a-written-promise-the-sharing-broke": (
        "Sleep app sent diary entries to ad platforms, researchers say",
        "Researchers at a Dutch university found that Dozewell, a sleep-tracking app, sent users' sleep "
        "diaries and medication notes to two advertising platforms. The app's privacy page had promised "
        "that health entries would never be shared with third parties.",
        "dozewell",
        {"sharing", "consent"},
        set(),
    ),
    "data-promised-to-stay-on-the-phone": (
        "",
        "Budgeting app Tallybird uploaded users' bank transactions to its servers for analysis, a security "
        "researcher found, although its website told customers that their financial data would stay on "
        "their phone.",
        "tallybird",
        {"consent"},
        set(),
    ),
    "a-spokesperson-saying-it-never-sells-data-is-no-broken-promise": (
        "",
        "Ridgeway Telecom shared subscribers' location data with a marketing firm, the regulator found. A "
        "spokesperson said the company has never sold customer data and would appeal.",
        "ridgeway telecom",
        {"sharing"},
        {"consent"},
    ),
    "data-kept-years-after-the-accounts-closed": (
        "Ticket seller fined over old accounts",
        "The data protection authority fined Corvane Tickets 90,000 euros for holding the email addresses, "
        "birth dates and card details of 40,000 customers for up to six years after they had closed their "
        "accounts.",
        "corvane tickets",
        {"collection", "enforcement"},
        set(),
    ),
    "records-of-former-tenants-kept": (
        "Letting agency kept records of former tenants",
        "Maplestead Lettings kept the passport scans of former tenants on a shared drive that every branch "
        "could open, the regulator said.",
        "maplestead lettings",
        {"collection"},
        set(),
    ),
    "a-lender-texted-borrowers-employers": (
        "Loan app fined over debt texts",
        "The data protection commission fined Tembo Credit, which runs a payday-loan app, after its "
        "collectors texted the employers and neighbours of borrowers who were a week late.",
        "tembo credit",
        {"sharing"},
        set(),
    ),
    "relatives-received-messages-about-a-debt": (
        "",
        "Lumo Loans copied borrowers' contact lists, and their relatives then received messages naming "
        "them as debtors, the regulator found.",
        "lumo loans",
        {"sharing"},
        set(),
    ),
    "no-legal-basis-is-the-wrong-itself": (
        "",
        "The Garante said Corvita Labs had no legal basis for using patients' messages to train its models.",
        "corvita labs",
        {"consent"},
        set(),
    ),
    # data named by whose it is, for people beyond users and customers ("rider data", "guest records")
    "rider-data-seen-by-strangers": (
        "",
        "A faulty update to the Ridelo app let strangers see rider data for two days, the company said.",
        "ridelo",
        {"breach"},
        set(),
    ),
    # what mail shows on the outside, and who could read it
    "envelopes-printed-with-a-clinic-service": (
        "",
        "Patients of Larkfield Clinics received their medical records in envelopes printed with the name of "
        "the chain's addiction service, patients said.",
        "larkfield clinics",
        {"breach"},
        set(),
    ),
    "account-details-seen-by-strangers": (
        "",
        "Account details of Pellham Energy customers, including home addresses, were seen by strangers who "
        "opened a shared link, the company admitted.",
        "pellham energy",
        {"breach"},
        set(),
    ),
    # faces checked against a photo are personal data at work, and surveillance
    "facial-verification-checks": (
        "",
        "Uber cut off 28 drivers after its facial verification checks failed to match their selfies with "
        "their account photos, a union says.",
        "uber",
        {"surveillance"},
        set(),
    ),
    # location gathered over time is surveillance, whoever it is sold to
    "location-pings-sold-by-a-broker": (
        "",
        "Tessaly Analytics sold location pings from millions of phones, including ones that visited clinics "
        "and shelters, to anyone who paid, the complaint says.",
        "tessaly analytics",
        {"surveillance"},
        set(),
    ),
    # a single keystroke is as personal as many: "records every keystroke typed by office workers"
    "software-records-every-keystroke": (
        "",
        "Deskwatch, a maker of workplace software, has rejected a union's report that its product records "
        "every keystroke typed by office workers and keeps the logs for a year.",
        "deskwatch",
        {"surveillance"},
        set(),
    ),
    # a studio the statistical NER takes for an event, like the Olympic Games
    "a-studio-named-like-an-event": (
        "",
        "Parents have sued Harrowgate Games over a puzzle app that sent their children's device "
        "identifiers to advertising networks without asking them.",
        "harrowgate games",
        {"sharing"},
        set(),
    ),
    # a regulator fines a business the lede describes; the article names it later ("his membership at X")
    "a-described-business-fined-in-the-lede": (
        "",
        "Spain's data protection agency has fined a sports club in Leon €900 for failing to answer a former "
        "member who wanted a copy of his file.\n\nThe man, who cancelled his membership at Polideportivo "
        "Luna Norte in the spring, wrote to the club twice.",
        "polideportivo luna norte",
        {"enforcement"},
        set(),
    ),
    # a pixel that reports what patients do on a site is a privacy matter
    "a-suit-over-a-tracking-pixel": (
        "",
        "Patients have sued Larkspur Health, alleging that the Meta Pixel on its appointment pages sent the "
        "conditions they searched for to Meta.",
        "larkspur health",
        {"enforcement"},
        set(),
    ),
    # a company introduced as "one of the country's largest ... companies"; pictures of pupils left open
    "school-photos-openly-accessible": (
        "",
        "Portway Lane, one of the country's largest school photography companies, has apologised after "
        "pictures of about 90,000 pupils were found openly accessible in a cloud storage account.",
        "portway lane",
        {"breach"},
        set(),
    ),
    # staff timed at work: the timing is what makes it about them
    "warehouse-cameras-logged-staff-breaks": (
        "",
        "Harlow Freight apologised to warehouse staff on Friday.\n\nOverhead cameras and software logged "
        "every picker's breaks and idle time, the union said. Staff had been told the cameras were for fire "
        "safety.",
        "harlow freight",
        {"surveillance"},
        set(),
    ),
    # a court fines the employee, not the company whose records she opened
    "an-employee-fined-by-a-court": (
        "",
        "A receptionist at Tallow Street Dental who looked up a neighbour's patient records 40 times "
        "without a reason has been fined by the district court, patients were told in a letter on Friday.",
        "tallow street dental",
        {"breach"},
        {"enforcement"},
    ),
}


@pytest.mark.parametrize("case", sorted(INCIDENTS))
def test_incident_is_found_with_its_types(nlp, case):
    title, body, company, wanted, unwanted = INCIDENTS[case]
    tagged = tag_article(nlp, title, body)
    assert tagged.is_incident, describe(tagged)
    assert keys(company) <= accused(tagged), describe(tagged)
    types = types_of(tagged, company)
    assert wanted <= types and not (unwanted & types), describe(tagged)


NOT_INCIDENTS = {
    "an-app-that-lets-people-call-their-relatives": (
        "Messaging app adds group calls",
        "Chatterly's update lets users call relatives and colleagues in groups of up to 30, and their "
        "contacts received messages about the new feature on Monday.",
    ),
    "a-legal-duty-to-keep-records-for-years": (
        "Bank updates record-keeping rules",
        "Under the new rules, banks must keep customers' transaction records for seven years after an "
        "account is opened, the central bank said, and may keep identity documents for five years.",
    ),
    "results-a-year-after-a-fine": (
        "Streaming group's profit jumps on subscriber gains",
        "Vistaview reported a 30 percent rise in quarterly profit on Wednesday as subscriber numbers "
        "grew.\n\nThe results come almost a year after the company was fined 50 million euros by Ireland's "
        "Data Protection Commission over transfers of European users' data to the United States.",
    ),
    "earnings-story-recalling-an-old-breach": (
        "Loan broker beats forecasts as refinancing picks up",
        "Crestline Lending reported quarterly revenue ahead of analysts' estimates on Thursday, helped by "
        "a rise in mortgage credit inquiries.\n\nThe company said it had finished moving to new systems, a "
        "programme begun after its 2019 data breach, which exposed the details of 2 million borrowers.",
    ),
    "labour-ruling-with-a-separate-old-fine": (
        "Court rules delivery riders are employees",
        "A Madrid labour court ruled on Tuesday that riders working through Rapidoo's app should be "
        "treated as employees, a decision the company said it would appeal.\n\nLast September the "
        "Spanish data protection agency fined Rapidoo 500,000 euros for sending riders' personal data "
        "abroad. That case was not part of Tuesday's ruling.",
    ),
    "privacy-feature-launch": (
        "Phone maker adds a tracking prompt",
        "Apple's App Tracking Transparency feature now asks users whether apps may follow them across other "
        "apps and websites. Meta said the change would cut its advertising revenue by about 10 billion "
        "dollars this year.",
    ),
    "private-browser-launch": (
        "Search firm launches private browser",
        "Northwind Search launched a private browser that blocks third-party trackers and deletes cookies "
        "when a window is closed. The company said the browser would be free on phones and computers.",
    ),
    "security-product-funding": (
        "Breach-monitoring start-up raises $40 million",
        "Keystone Shield, which alerts customers when their passwords appear in a data breach on the dark "
        "web, raised 40 million dollars in a funding round led by Sequoia.",
    ),
    "government-agency-breach-only": (
        "City council says hackers accessed residents' records",
        "Hackers accessed the records of about 12,000 residents held by the Millbrook city council, the "
        "council said. Police are investigating.",
    ),
    "a-feature-that-shows-other-customers-reviews": (
        "Shopping app lets buyers see other customers' reviews first",
        "Marketlane updated its app so that buyers see other customers' reviews and photos of a product "
        "before its description. The company said reviews were the most read part of a product page.",
    ),
    "a-practice-the-company-will-disable": (
        "",
        "Tidewell Telecom said it would disable the sharing of subscribers' location data with advertisers "
        "from next month.",
    ),
    "a-car-that-downloads-updates": (
        "",
        "Volkan Motors said its new SUV would upload software updates over the air, saving owners trips to "
        "the dealer.",
    ),
    "loan-covenant-breach": (
        "Developer breaches loan covenants",
        "Property developer Harrow Estates said it had breached covenants on two bank loans after sales "
        "fell, and that it was in talks with lenders about a waiver.",
    ),
    "a-leak-nobody-suggests": (
        "Payroll move leaves restaurant staff paid late",
        "Kitchen staff at 40 Redbrick Dining sites were paid late in March after a move to Tallypay's new "
        "payroll system.\n\nNeither side has suggested that any employees' bank details were lost or "
        "exposed.",
    ),
    "what-a-product-does-without": (
        "Handset maker shows assistant that stays on the phone",
        "Lantern Mobile demonstrated a voice assistant that summarises a user's messages without sending "
        "them to a server, and a photo tool that blurs faces before anything is uploaded.",
    ),
    # a negated "without": a promise ("not used ... without permission"); claims filed with an insurer
    "a-promise-and-insurance-claims": (
        "Lanxi Health adds an AI assistant to its app",
        "Lanxi Health said patients' conversations with the assistant are not used to train its models "
        "without separate permission. Users can also ask it to file reimbursement claims with their insurer.",
    ),
    "surveillance-footage-of-a-crime": (
        "Suspect caught on surveillance video",
        "Surveillance video shows a man taking a bag from a car outside a Kroger store on Main Street, "
        "police said. Anyone with information is asked to call the department.",
    ),
}


@pytest.mark.parametrize("case", sorted(NOT_INCIDENTS))
def test_privacy_wording_without_an_incident(nlp, case):
    title, body = NOT_INCIDENTS[case]
    tagged = tag_article(nlp, title, body)
    assert not tagged.is_incident, describe(tagged)


def test_every_type_has_an_evidence_sentence_with_a_cue(nlp):
    title, body, company, _, _ = INCIDENTS["legal-breach-wording-is-not-a-breach"]
    tagged = tag_article(nlp, title, body)
    text = f"{title}\n\n{body}"
    for row in tagged.incidents:
        assert row["evidence"] in text
    assert tagged.evidence["consent"].count("consent") >= 1


def test_real_news_flow_raises_few_false_alarms(nlp):
    """The gold bodies of the real news pages in ../shared/bench/extraction (nobody here wrote them, almost
    none about privacy, many not in English): at most 2 of the 218 may come out as incidents."""
    from nlp.evaluate import news_false_alarms, read_news_pages

    pages = read_news_pages()
    if not pages:
        pytest.skip("no real news pages: ../shared/bench/extraction is absent")
    alarms = news_false_alarms(nlp, pages)
    assert len(alarms["incidents"]) <= 2, alarms["incidents"]
