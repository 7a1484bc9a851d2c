"""Responses (nlp/responses.py): only what the accused company itself said or did, as a set.

Failure class of issue 13 "responses": cues that were missed (notification letters, calling claims
malicious or false, firing the insider, an appeal, disputing findings), obligations a regulator imposes
read as remediation, and responses credited to the wrong company. Every article here was written for
these tests.
"""

from __future__ import annotations

import pytest

from nlp.pipeline import tag_article

from .nlp_cases import describe, responses_of

# (title, body, company key, its responses)
RESPONSES = {
    "notification-letters": (
        "",
        "Hollis Orthopedics discovered that an unauthorized person had accessed patient records on its "
        "scheduling system. The practice has begun sending notification letters to the 3,400 patients "
        "affected.",
        "hollis orthopedics",
        {"remediation"},
    ),
    "claims-called-malicious-and-false": (
        "Delivery app denies selling riders' data",
        "A blogger claimed that the delivery app Zipdash sold customers' home addresses to marketers. "
        "Zipdash called the claims malicious and false and said it would take legal action.",
        "zipdash",
        {"denial"},
    ),
    "a-remedy-asked-for-and-ignored-is-none": (
        "Watchdog issues compliance notice to letting agent",
        "The Privacy Commissioner issued a compliance notice to Harbour Lets for collecting applicants' "
        "bank statements and medical details it did not need. The Commissioner said the agency had ignored "
        "earlier requests from the Office to change its application form.",
        "harbour lets",
        set(),
    ),
    "what-a-settlement-makes-it-do-is-none": (
        "Sleep app maker settles over shared recordings",
        "Driftwell, the maker of a sleep-tracking app, will stop sending users' snoring recordings to "
        "advertisers under a settlement with the state attorney general announced on Tuesday.",
        "driftwell",
        set(),
    ),
    "a-settlement-that-admits-nothing-is-no-denial": (
        "Fitness app settles over heart-rate data",
        "Pulsewise will pay $60,000 to settle a state attorney general's claims that it sold users' "
        "heart-rate readings to a data broker. Pulsewise did not admit any wrongdoing under the settlement.",
        "pulsewise",
        set(),
    ),
    "insider-fired": (
        "Phone shop worker sold customer data",
        "An employee of the mobile retailer CellPoint sold the phone numbers and ID details of customers "
        "to a fraud ring, police said. CellPoint said it had fired the employee and was reviewing who can "
        "see customer files.",
        "cellpoint",
        {"remediation"},
    ),
    "appeal": (
        "Dating app fined over data sharing",
        "Norway's data protection authority fined the dating app Lovendo 12 million kroner for sharing "
        "users' locations with advertising partners without a valid consent. Lovendo said it would appeal "
        "the decision.",
        "lovendo",
        {"denial"},
    ),
    "disputes-the-findings": (
        "Regulator fines insurer over claims data",
        "The ICO fined the insurer Brackenfield 750,000 pounds after claims files were left on a public "
        "server. Brackenfield said it disputed the regulator's findings.",
        "brackenfield",
        {"denial"},
    ),
    "apology-and-fix": (
        "Hotel chain apologises after guest data leak",
        "Seastar Hotels apologised to guests after a misconfigured server exposed booking records, "
        "including passport numbers. The chain said it had secured the server and would offer affected "
        "guests two years of identity monitoring.",
        "seastar hotels",
        {"apology", "remediation"},
    ),
    "obligations-are-not-remediation": (
        "Regulator orders clinic chain to delete data",
        "The data protection authority found that the clinic chain Vitalis collected patients' "
        "fingerprints without a legal basis. Vitalis was ordered to delete the fingerprints within 30 "
        "days and must appoint a data protection officer.",
        "vitalis",
        set(),
    ),
    "ignored-requests-are-no-response": (
        "",
        "The ICO fined the marketing firm Brightcall 90,000 pounds for making 400,000 unsolicited calls to "
        "people who had registered not to receive them. The regulator said Brightcall ignored repeated "
        "requests to stop.",
        "brightcall",
        set(),
    ),
    "remedy-reported-to-a-regulator": (
        "Watchdog reports on hack of shoe retailer",
        "The privacy commissioner published a report on a data breach at Stepwell Footwear Limited "
        "(Stepwell), whose customer database was downloaded by intruders. Stepwell told the commissioner "
        "that it had engaged a forensic firm, changed all administrator passwords and notified the "
        "affected members by text message.",
        "stepwell footwear",
        {"remediation"},
    ),
    "called-the-decision-flawed-and-will-appeal": (
        "Ride app fined over drivers' data",
        "The data protection authority fined Zoomcab 5 million euros for sending drivers' personal data to "
        'servers abroad without safeguards.\n\nZoomcab called the decision "flawed" and the fine '
        '"unjustified", and said it would appeal.',
        "zoomcab",
        {"denial"},
    ),
    "notice-of-what-the-firm-did": (
        "",
        "Organization: Pell & Harrow LLP (accounting firm). Residents affected: 410.\n\nSummary: The firm "
        "determined that an unauthorized party had copied client files before launching ransomware. It "
        "retained an outside firm to investigate, restored its systems from backups and is mailing letters "
        "that offer 12 months of identity monitoring.",
        "pell & harrow",
        {"remediation"},
    ),
    "apology-in-the-passive": (
        "",
        "Patient files on a server of Elmgrove Family Clinic were accessed by an intruder in March. Deep "
        "regret was expressed to the patients.",
        "elmgrove family clinic",
        {"apology"},
    ),
    "done-nothing-wrong": (
        "",
        "The data protection office fined Grainfield Bakery 4,000 euros for filming its staff in the "
        "changing room. The owner said the bakery had done nothing wrong.",
        "grainfield bakery",
        {"denial"},
    ),
    "informed-the-schools-and-closed-the-drive": (
        "",
        "Dear parents,\n\nWe make the lunch-payment app used at your child's school. In April a backup of "
        "pupils' accounts sat on a server that could be opened by anyone who knew where to look.\n\nWe "
        "closed the server the day we learned of it and have informed every school district that uses "
        "the app.\n\nTraymark Software",
        "traymark software",
        {"remediation"},
    ),
    # what a regulator reports the company did, in the passive or after "since then"
    "a-server-taken-offline-by-the-company": (
        "",
        "Passenger records held by Lindqvist Transit Data could be read by anyone who knew the server's "
        "address. The server was taken offline by Lindqvist Transit Data the day it was told, the ombudsman "
        "said.",
        "lindqvist transit data",
        {"remediation"},
    ),
    # "no sign that the files were copied" after an admitted leak reassures; it denies nothing
    "no-sign-of-copying-is-no-denial": (
        "",
        "Corran Dental said a receptionist had opened the files of 600 patients without a reason. It said "
        "it had found no sign that the information was copied and has begun mailing letters to the patients.",
        "corran dental",
        {"remediation"},
    ),
    "claims-that-misrepresent-the-process": (
        "",
        "A union says Uber cut off drivers after its facial verification checks wrongly flagged them. Uber "
        "said the claims misrepresent how its reviews work.",
        "uber",
        {"denial"},
    ),
    # the company's words quoted: a quote mark inside the cue
    "claims-that-misrepresent-in-quotes": (
        "",
        "Tenants say Brightwell Homes shared their rent records and phone numbers with a debt collector "
        'without their consent. Brightwell Homes said the accusations "distort what our tenancy agreement '
        'says".',
        "brightwell homes",
        {"denial"},
    ),
    # the accusation answered is no speaker, even when a regulator's name comes with it
    "a-regulators-complaint-that-mischaracterises": (
        "",
        "The FTC said Larkspur Labs shared users' heart rates with advertisers without their consent. "
        "Larkspur Labs said the FTC's complaint mischaracterises how its app works.",
        "larkspur labs",
        {"denial"},
    ),
    # a known company named with its legal form, then without it
    "a-known-company-without-its-legal-form": (
        "",
        "Two parents' groups sued ByteDance and Snap Inc. over location data gathered from children "
        "without their parents' consent. A TikTok spokesperson called the suit baseless. Snap, for its "
        "part, said it regretted that some children had slipped through its age checks.",
        "snap",
        {"apology"},
    ),
    # the service a statement was posted on is no party to it
    "a-statement-posted-on-a-platform-account": (
        "",
        "Regulators in Hangzhou said Hanlin Mobility, which runs a ride-booking app, collected users' "
        "contact lists without their consent. In a post on its official Weibo account, the company said it "
        "had deleted the contact data it had collected.",
        "hanlin mobility",
        {"remediation"},
    ),
    "findings-that-misstate-in-quotes": (
        "",
        "A researcher found that the meditation app Quietly shared users' mood entries and email addresses "
        "with an analytics firm without their consent. "
        'In a statement, Quietly said the findings "misstate how the app handles what users write".',
        "quietly",
        {"denial"},
    ),
}


@pytest.mark.parametrize("case", sorted(RESPONSES))
def test_responses_are_what_the_accused_said_or_did(nlp, case):
    title, body, company, wanted = RESPONSES[case]
    tagged = tag_article(nlp, title, body)
    assert responses_of(tagged, company) == wanted, describe(tagged)


def test_a_response_goes_to_the_company_that_gave_it(nlp):
    tagged = tag_article(
        nlp,
        "Two apps caught sharing location data",
        "Researchers found that the weather app Skycast and the fitness app Stridely both sent users' "
        "precise locations to data brokers. Skycast apologised and removed the tracking code. Stridely "
        "denied the findings.",
    )
    assert responses_of(tagged, "skycast") == {"apology", "remediation"}, describe(tagged)
    assert responses_of(tagged, "stridely") == {"denial"}, describe(tagged)
    main = {c["name"]: c["response"] for c in tagged.accused}
    assert main == {"Skycast": "apology", "Stridely": "denial"}
