"""Roles (nlp/roles.py): the accused is the party the incident sentence is about, by syntax, not the
nearest company name.

Failure class of issue 13 "accused vs mentioned": background incidents of other companies, recipients of
shared data, hired investigators, parents of the accused, the platform where a story was told, and
unknown companies that are the accused.
Every article here was written for these tests.
"""

from __future__ import annotations

import pytest

from nlp.pipeline import tag_article

from .nlp_cases import accused, describe, keys, mentioned

# (title, body, accused keys, mentioned keys that must not be accused)
ROLES = {
    "background-settlement-of-another-company": (
        "Google to pay Texas $1.4bn to settle privacy lawsuits",
        "Google agreed to pay the state of Texas 1.4 billion dollars to settle two lawsuits accusing it of "
        "tracking users' locations and collecting their biometric data without consent.\n\n"
        "Last year Meta agreed to a similar settlement with the state over its use of facial recognition "
        "on photos uploaded to Facebook.",
        {"google"},
        {"meta"},
    ),
    "background-breach-like-x-before-it": (
        "Ticket seller confirms breach",
        "Harbourline Tickets confirmed that hackers stole the names and card details of 300,000 customers "
        "from its payment system. Like Ticketmaster before it, the company found out only when the data "
        "was offered for sale.",
        {"harbourline tickets"},
        {"ticketmaster"},
    ),
    "background-a-separate-fine-of-another-company": (
        "Clinic chain says patient files were copied",
        "Larkfield Clinics said hackers copied the medical files of 40,000 patients from its booking system "
        "in March.\n\nIts software supplier Orvane Health is contesting a separate 2 million euro fine "
        "imposed by the Dutch privacy regulator.",
        {"larkfield clinics"},
        {"orvane health"},
    ),
    # a sentence that names no one and goes on about a recalled case is background too
    "background-that-goes-on": (
        "Clinic fined over stolen laptop",
        "Larkfield Clinics was fined 40,000 pounds after a laptop holding patients' medical records was "
        "stolen from a car.\n\nThe fine is far smaller than the 3 million pound penalty imposed last year on "
        "Orvane Health over a ransomware attack. That was the first time the regulator had fined a company "
        "that processes personal data for others.",
        {"larkfield clinics"},
        {"orvane health"},
    ),
    # the researchers who found an open server are quoted more often than the company that ran it
    "operator-of-the-exposing-server-over-quoted-researchers": (
        "Medical records of 31,000 patients exposed on unsecured server",
        "Scan results and intake forms for about 31,000 patients were left exposed on the internet by a "
        "misconfigured storage server run by Marlow Diagnostic Partners.\n\nResearchers at Brightwatch "
        "Security said they found the server in May. Brightwatch Security said it had written to the group "
        "twice. The server was taken offline a week later, Brightwatch Security said.",
        {"marlow diagnostic partners"},
        {"brightwatch security"},
    ),
    "a-flaw-in-a-tool-the-company-runs": (
        "Hotel portal let guests see other guests' passports",
        "A flaw in a booking portal run by Tessmoor Hotels allowed any registered guest to view the passport "
        "numbers of people staying at other branches, according to researchers at Quillon Labs. Quillon Labs "
        "said the flaw had been present for months, and Quillon Labs published its findings on Monday.",
        {"tessmoor hotels"},
        {"quillon labs"},
    ),
    # a product named as the tool or place of what happened is no party to it
    "a-platforms-product-as-the-tool": (
        "",
        "Harbourline Bank was fined 40,000 euros on Tuesday. The home addresses and account numbers of 900 "
        "customers sat in iCloud folders that anyone with the link could open.",
        {"harbourline bank"},
        {"apple"},
    ),
    "the-platform-where-the-story-was-told": (
        "",
        "In posts on Weibo, customers of Lumo Bank said their card numbers had been leaked and sold online.",
        {"lumo bank"},
        {"weibo"},
    ),
    "the-forum-where-users-complained": (
        "",
        "Users complained on Reddit that their card numbers had been leaked after shopping at Fernhill "
        "Books.",
        {"fernhill books"},
        {"reddit"},
    ),
    "recipients-of-shared-data": (
        "Symptom app shared health data with advertisers",
        "The symptom-checker app Mediquo shared users' health questions with Meta and Google through "
        "tracking code, regulators said, so that the two companies could use them for advertising.",
        {"mediquo"},
        {"meta", "google"},
    ),
    "hired-investigators": (
        "Retailer hit by cyberattack",
        "Northgate Retail said hackers had accessed a database holding the addresses and phone numbers of "
        "its online customers. The company has hired Mandiant to investigate and has informed the police.",
        {"northgate retail"},
        {"mandiant"},
    ),
    "parent-of-the-accused": (
        "Shopwell says payment data stolen",
        "Shopwell, an online grocer owned by Harlow Group, said criminals had stolen the card details of "
        "about 8,000 customers. Harlow Group's other businesses were not affected.",
        {"shopwell"},
        {"harlow group"},
    ),
    "object-of-a-fine": (
        "Irish regulator fines LinkedIn",
        "Ireland's Data Protection Commission fined LinkedIn 310 million euros over the way it used "
        "members' data to target advertising. Microsoft, which owns LinkedIn, declined to comment.",
        {"linkedin"},
        {"microsoft"},
    ),
    "coreference-to-the-firm": (
        "Payroll vendor discloses breach",
        "Payroll provider Ledgerline said an intruder had reached servers holding the salary slips of "
        "staff at 40 of its clients, including Costco. The firm said the intruder copied files containing "
        "names and bank account numbers.",
        {"ledgerline"},
        {"costco"},
    ),
    "it-is-the-subject-not-the-helper-named-last": (
        "Grocer says hackers took customer data",
        "Fairmart said hackers had taken the names and addresses of online shoppers.\n\nFairmart has been "
        "working with Microsoft's incident-response team since it detected the intrusion.",
        {"fairmart"},
        {"microsoft"},
    ),
    "flaw-that-let-anyone-see-and-last-month's-other-leak": (
        "Scooter maker fixes app flaw",
        "Voltra Mobility said it had fixed a flaw in its app that allowed anyone with a free account to see "
        "riders' names, phone numbers and home addresses.\n\nLast month Kestrel Motors disclosed that "
        "location data on a million customers had been publicly accessible for years.",
        {"voltra mobility"},
        {"kestrel motors"},
    ),
    "a-dated-sentence-about-the-story's-own-company": (
        "Payroll firm Quintex Payroll says hackers took tax forms",
        "Quintex Payroll processes wages for 900 small firms in Oregon.\n\nIn January a criminal group broke "
        "into its file-transfer system and took the tax forms and Social Security numbers of 40,000 workers.",
        {"quintex payroll"},
        set(),
    ),
    # "over four months" is a duration, not a year: the sentence is the story's own, not background
    "a-duration-in-words-is-no-date-of-another-event": (
        "Clinic receptionist read ex-husband's file",
        "A man is suing Harwick Clinics after a receptionist at its Leeds branch used the booking system to "
        "look up his new address, his solicitor said on Monday.\n\nThe receptionist opened the man's "
        "patient records nine times over five months.",
        {"harwick clinics"},
        set(),
    ),
    # a company described after its name by its trade, however many words that takes
    "an-apposition-naming-a-trade": (
        "",
        "The data protection authority has fined Sole Nord Energia, a Bari electricity and gas reseller, "
        "40,000 euros over marketing calls to people whose numbers were on the opt-out register.",
        {"sole nord energia"},
        set(),
    ),
    "a-person-described-by-a-post-at-a-firm-is-no-company": (
        "Lead broker fined",
        "The regulator fined Kestrel Data, a lead broker, for selling phone numbers without consent.\n\n"
        "Tomas Berg, a partner at the Oslo law firm Lindqvist Advokat, said other brokers would take note.",
        {"kestrel data"},
        set(),
    ),
    "the-owner-in-an-x-owned-phrase": (
        "Jobs network fined over ad profiling",
        "The Irish Data Protection Commission fined Linkfield 40 million euros on Tuesday, ruling that the "
        "Orbitron-owned jobs network had no legal basis for profiling its members' behaviour for "
        "advertising.",
        {"linkfield"},
        {"orbitron"},
    ),
    "the-lede-opens-with-the-company-the-finders-are-named-more": (
        "Jobs site left applicants' background checks open to the internet",
        "Rigmatch, a job board for crane operators, left a storage folder holding 50,000 documents open to "
        "anyone, according to researchers at Pellwood Labs.\n\nPellwood Labs said it found the folder in "
        "May and wrote to Rigmatch twice. Pellwood Labs published its findings on Monday.",
        {"rigmatch"},
        {"pellwood labs"},
    ),
    # the only company a council's breach story names is the firm it brought in
    "a-public-body-breached-and-the-firm-it-hired": (
        "Library service hit by hackers; borrowers' addresses may have been taken",
        "The county's library service said on Friday that attackers had copied part of its borrower "
        "database. It has brought in the incident-response firm Tallgate Forensics and told the regulator.",
        set(),
        {"tallgate forensics"},
    ),
}


@pytest.mark.parametrize("case", sorted(ROLES))
def test_the_accused_is_the_party_the_incident_is_about(nlp, case):
    title, body, wanted, bystanders = ROLES[case]
    tagged = tag_article(nlp, title, body)
    assert accused(tagged) == keys(*wanted), describe(tagged)
    assert keys(*bystanders) <= mentioned(tagged), describe(tagged)


def test_an_unknown_accused_is_stored_by_its_normalised_name(nlp):
    title, body, _, _ = ROLES["hired-investigators"]
    tags = tag_article(nlp, title, body).to_article_tags()
    assert tags.unlinked_accused == {"Northgate Retail": "remediation"}
    assert {i["org_name"] for i in tags.incidents} == {"Northgate Retail"}


# An unknown organisation named further down than a known accused company and less often, for the same
# type: the firm that reported the incident, the minority watched (issue 20's Hikvision story was stored
# again under its researcher's name). The type is the known company's, once.
SAME_TYPE_BESIDE_A_KNOWN_COMPANY = {
    "the-researcher-who-found-it-and-the-minority-watched": (
        "Hikvision drops ethnicity detection from camera brochure",
        "Hikvision, the camera maker, has deleted a brochure line that offered to flag members of the Uyghur "
        "minority, after a trade newsletter pointed it out.\n\nTessary, which researches the video "
        "surveillance industry, reported that a Hikvision page for a face recognition system listed "
        "ethnicity, naming Uyghurs, among the traits its software could read from footage.\n\nCampaigners "
        "have accused officials of using mass surveillance, including cameras and facial recognition, to "
        "monitor Uyghurs in Xinjiang.\n\nHikvision said the line had been removed.",
        "hikvision",
        ("Tessary", "Uyghurs"),
    ),
}


@pytest.mark.parametrize("case", sorted(SAME_TYPE_BESIDE_A_KNOWN_COMPANY))
def test_a_type_a_known_company_carries_is_not_stored_again_without_a_company(nlp, case):
    title, body, company_id, organisations = SAME_TYPE_BESIDE_A_KNOWN_COMPANY[case]
    tagged = tag_article(nlp, title, body)
    tags = tagged.to_article_tags()
    rows = [(i["incident_type"], i["company_id"], i["org_name"]) for i in tags.incidents]
    assert rows and all(company == company_id for _, company, _ in rows), describe(tagged)
    assert sorted(t for t, _, _ in rows) == sorted(set(tagged.incident_types))
    assert keys(*organisations) <= mentioned(tagged), describe(tagged)
    assert not tags.unlinked_accused


def test_an_unknown_organisation_keeps_a_type_no_known_company_carries(nlp):
    tagged = tag_article(nlp, *ROLES["hired-investigators"][:2])
    rows = {(i["incident_type"], i["company_id"], i["org_name"]) for i in tagged.to_article_tags().incidents}
    assert rows == {("breach", None, "Northgate Retail")}, describe(tagged)


def test_an_unknown_company_fined_with_a_known_one_in_the_lede_keeps_its_incident(nlp):
    tagged = tag_article(
        nlp,
        "Carriers lose appeal over location data fines",
        "An appeals court upheld fines that the Federal Communications Commission imposed on T-Mobile and "
        "Velkor Mobile for selling customers' location data to brokers without consent.",
    )
    rows = {(i["incident_type"], i["company_id"], i["org_name"]) for i in tagged.to_article_tags().incidents}
    both = {("enforcement", "t-mobile", None), ("enforcement", None, "Velkor Mobile")}
    assert both <= rows, describe(tagged)
