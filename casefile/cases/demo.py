"""The demo dataset: six cases from one investigation, in our own words.

Source: The Globe and Mail, "Chinese blacklist an early glimpse of sweeping new
social-credit control", Nathan VanderKlippe with reporting by Alexandra Li,
January 2018. Dollar figures are as the outlet printed them (Canadian dollars).
The article was revised after publication; the two captures below record the
two versions, whose figures for the same fee differ. Capture times are
approximate (the archive links resolve to the nearest real capture).
"""

ARTICLE_URL = (
    "https://www.theglobeandmail.com/news/world/"
    "chinese-blacklist-an-early-glimpse-of-sweeping-new-social-credit-control/article37493300/"
)

SOURCE = {
    "kind": "news_article",
    "title": "Chinese blacklist an early glimpse of sweeping new social-credit control",
    "outlet": "The Globe and Mail",
    "authors": ["Nathan VanderKlippe", "Alexandra Li"],
    "language": "en",
    "published": "2018-01",
    "url": ARTICLE_URL,
    "relation": "reporter",
    "reliability": "likely_reliable",
    "notes": "Alexandra Li is credited with reporting. Demo data.",
}

EARLIER, LATER = "earlier", "later"

CAPTURES = {
    EARLIER: {
        "label": "as first published",
        "captured_at": "2018-01-03T12:00:00+00:00",
        "archive_url": f"https://web.archive.org/web/20180103/{ARTICLE_URL}",
        "notes": "Gives the cost of publishing the verdict as $2,900. Capture time approximate.",
    },
    LATER: {
        "label": "revised version",
        "captured_at": "2018-01-10T12:00:00+00:00",
        "archive_url": f"https://web.archive.org/web/20180110/{ARTICLE_URL}",
        "notes": "Gives the same cost as at least $1,330. Capture time approximate.",
    },
}

# Each case: its person, its fields, its parts; "cite" names the capture and the
# claims it supports. Fixed public ids keep the demo's URLs stable across installs.
CASES = [
    {
        "public_id": "FK2A1DV80A",
        "person": {
            "name_original": "刘虎",
            "privacy": "public",
            "occupation": "Journalist and blogger",
        },
        "fields": {
            "list_name": "spc_dishonest_debtors",
            "offence_category": "defamation_speech",
            "status": "listed",
            "reason_en": "Refuses to perform the obligations set by the verdict although able to "
            "(the reason given on the court's public list).",
            "discovered": "2017",
            "notified": False,
            "summary": "An investigative journalist known for exposing official wrongdoing, Liu Hu "
            "was put on the courts' list of dishonest judgment debtors after losing a "
            "defamation case. He found out only when an airline would not sell him a ticket.",
            "narrative": (
                "Liu Hu built his reputation by publishing allegations of misconduct by officials. "
                "Late in 2013 he was detained, accused of fabricating and spreading rumours.\n\n"
                "In a separate case, a court found him guilty of defamation in late 2016. It "
                "ordered him either to apologise on his social-media account, which some 740,000 "
                "people followed, or to pay for the verdict to be published. He paid $115. The "
                "judge then required the whole verdict to be published, at a cost the newspaper "
                "put at no less than $1,330; the article as first published gave $2,900.\n\n"
                "In early 2017 an airline turned down his booking, telling him he was "
                '"not qualified" to fly. He could no longer buy property, borrow money or ride '
                "the fastest trains. Nobody had told him he was listed: months later a friend "
                "showed him his entry on the court's public list, which said he refused to carry "
                "out the verdict although able to."
            ),
        },
        "restrictions": [
            {
                "kind": "air_travel",
                "started": "2017",
                "details": 'An airline booking was refused in early 2017: he was "not qualified".',
                "quote": "not qualified",
            },
            {"kind": "property_purchase", "details": "Barred from buying property."},
            {"kind": "loans_credit", "details": "Barred from taking out loans."},
            {"kind": "high_speed_rail", "details": "Barred from top-tier (high-speed) trains."},
        ],
        "amounts": [
            {
                "kind": "paid",
                "value": "115",
                "currency": "CAD",
                "as_reported": "$115",
                "description": "Paid after the defamation verdict.",
            },
            {
                "kind": "fee",
                "value": "1330",
                "currency": "CAD",
                "as_reported": "at least $1,330",
                "description": "Cost of publishing the whole verdict, in the revised article.",
            },
            {
                "kind": "fee",
                "value": "2900",
                "currency": "CAD",
                "as_reported": "$2,900",
                "description": "The same cost, as the article first gave it.",
                "cite": EARLIER,
            },
        ],
        "events": [
            {
                "kind": "detained",
                "occurred": "2013",
                "description": "Late 2013: detained on a charge of fabricating and spreading rumours.",
            },
            {
                "kind": "verdict",
                "occurred": "2016",
                "description": "Late 2016: found guilty of defamation in a separate case and ordered "
                "to apologise publicly or pay for the verdict to be published.",
            },
            {
                "kind": "restriction_encountered",
                "occurred": "2017",
                "description": 'Early 2017: an airline booking is refused as "not qualified".',
            },
            {
                "kind": "discovered",
                "occurred": "2017",
                "description": "Months later, a friend points him to his entry on the court's list.",
            },
            {
                "kind": "reported",
                "occurred": "2018-01",
                "description": "The Globe and Mail reports the case.",
            },
        ],
        "case_fields": [
            "person",
            "reason",
            "offence",
            "status",
            "notified",
            "summary",
            "narrative",
        ],
    },
    {
        "public_id": "N7RK20E2MS",
        "person": {
            "name_romanized": "Xie Wen",
            "privacy": "public",
            "occupation": "Founder of a corporate-entertainment company",
        },
        "fields": {
            "list_name": "spc_dishonest_debtors",
            "offence_category": "business_dispute",
            "status": "removed",
            "summary": "The founder of a company that staged corporate entertainment was listed "
            "after a dispute with another company. Cut off by his banks, he could not pay his "
            "staff or afford to fight the case, and business partners walked away. He was taken "
            "off the list once he paid what the court had ordered.",
            "outcome": "Paid the sum the court ordered and was removed from the list.",
        },
        "restrictions": [
            {
                "kind": "loans_credit",
                "details": "Banks cut him off, so he could neither pay staff nor pursue legal redress.",
            },
        ],
        "amounts": [],
        "events": [],
        "case_fields": ["person", "offence", "status", "summary", "outcome"],
    },
    {
        "public_id": "Y2S6V6V5VP",
        "person": {"pseudonym": "Unnamed person (rent case)", "privacy": "pseudonymised"},
        "fields": {
            "list_name": "spc_dishonest_debtors",
            "offence_category": "unpaid_rent",
            "status": "listed",
            "summary": "Listed over a rent payment of $1,500, one of the entries the article "
            "cites to show how small the sums behind a listing can be.",
        },
        "restrictions": [],
        "amounts": [
            {
                "kind": "owed",
                "value": "1500",
                "currency": "CAD",
                "as_reported": "$1,500",
                "description": "Rent payment.",
            },
        ],
        "events": [],
        "case_fields": ["offence", "summary"],
    },
    {
        "public_id": "HPDB960NRC",
        "person": {"pseudonym": "Unnamed person (unpaid loan)", "privacy": "pseudonymised"},
        "fields": {
            "list_name": "spc_dishonest_debtors",
            "offence_category": "unpaid_debt",
            "status": "listed",
            "summary": "Listed for failing to repay $1,900.",
        },
        "restrictions": [],
        "amounts": [
            {
                "kind": "owed",
                "value": "1900",
                "currency": "CAD",
                "as_reported": "$1,900",
                "description": "Sum not repaid.",
            },
        ],
        "events": [],
        "case_fields": ["offence", "summary"],
    },
    {
        "public_id": "0S92XXD936",
        "person": {"pseudonym": "Unnamed person (unpaid fine)", "privacy": "pseudonymised"},
        "fields": {
            "list_name": "spc_dishonest_debtors",
            "offence_category": "unpaid_fine",
            "status": "listed",
            "summary": "Listed for not paying a fine of $195.",
        },
        "restrictions": [],
        "amounts": [
            {
                "kind": "fine",
                "value": "195",
                "currency": "CAD",
                "as_reported": "$195",
                "description": "Unpaid fine.",
            },
        ],
        "events": [],
        "case_fields": ["offence", "summary"],
    },
    {
        "public_id": "VVCDVRSKJC",
        "person": {"pseudonym": "Unnamed person (cigarette theft)", "privacy": "pseudonymised"},
        "fields": {
            "list_name": "spc_dishonest_debtors",
            "offence_category": "theft",
            "status": "listed",
            "summary": "Listed after shoplifting ten packs of cigarettes worth $70.",
        },
        "restrictions": [],
        "amounts": [
            {
                "kind": "value",
                "value": "70",
                "currency": "CAD",
                "as_reported": "$70",
                "description": "Value of the ten packs of cigarettes taken.",
            },
        ],
        "events": [],
        "case_fields": ["offence", "summary"],
    },
]
