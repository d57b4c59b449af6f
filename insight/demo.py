"""Synthetic demo data: schools, leavers, results, destinations and a login for every role.

``generate_demo_data(scale=..., seed=...)`` builds a deterministic, realistic-looking Scotland:
the same seed always gives the same rows (ids aside, which follow the database's sequences).
Nothing here is real: names, SEED codes, SCNs and data zones are invented.

How the synthetic world is made (one numpy pass per leaver year, no per-row Python objects):

1. **Schools.** Each authority has a count of secondaries (at national scale roughly the real
   one), a typical roll, a share of denominational schools and a deprivation profile. Each school
   gets a latent deprivation location ``mu`` (authority profile + school noise), a latent *school
   effect* on attainment (a level and a slope: some schools do better for their lowest attainers,
   others for their highest), a curriculum width (7 or 8 courses in S4) and a destinations effect.
   SEED codes come from ``make_seed_code`` in a reserved block (``900000x``..), which is how
   ``--replace`` recognises demo establishments.
2. **Leavers.** Per school and year a Poisson count proportional to the roll. SIMD decile from the
   school's ``mu`` plus individual noise (so Glasgow, Dundee, Inverclyde are deprived and East
   Renfrewshire, East Dunbartonshire, Aberdeenshire affluent); ASN (~30%), care experience (~2%)
   and free school meals depend on SIMD (intercepts calibrated on the sample so the shares hold at
   every scale). A latent *ability* combines the school effect, SIMD, ASN, care experience, sex and
   noise. Stage of leaving comes from a staying-on score (ability and, separately, deprivation) cut
   at the national 12% / 37% quantiles (S4 / S5 / S6 = 12 / 25 / 63%).
3. **Attainment.** Per senior-phase year a course choice (English and Mathematics or Applications
   of Mathematics for almost everyone, electives by interest, sex and ability) and a level per
   course (S4: N3/N4/N5; S5: Higher where the National 5 was A-C, else N5/N4; S6: Advanced Higher
   after a Higher A/B, Highers in new subjects or after a National 5, ...). Grades come from
   ability + course noise + a diet-year shift (2020-22 alternative certification) against fixed
   thresholds; a failed National 5 often yields a National 4. Some Skills for Work, NPAs,
   Foundation Apprenticeships, a National Certificate and wider achievement awards are added.
4. **Destinations.** Unknown first (a national rate scaled by authority: some reach 100% known),
   then not-positive versus positive by a logistic model of attainment, SIMD, care experience and
   ASN whose intercept is calibrated so that about 95% are positive at the initial and 93% at the
   follow-up survey; the positive category (HE, FE, employment, training, ...) by a multinomial
   model of Higher-level attainment and stage with intercepts fitted to the published national mix.
   Follow-up keeps most positive leavers where they were (sustained), some drop out and some
   unemployed leavers move on. A few follow-ups have an earlier, superseded record (history).
   The latest two leaver years also get APM participation spells.

Writing: PostgreSQL streams text rows through ``COPY ... FROM STDIN``; SQLite uses ``executemany``.
Learner and leaver ids are assigned here (max(id)+1 onwards, sequences reset afterwards) so child
rows can be written without reading ids back. A run is one transaction: all or nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from datahub.codes import LOCAL_AUTHORITIES, make_seed_code
from datahub.models import (
    Enrolment,
    Establishment,
    EstablishmentType,
    Learner,
    LocalAuthority,
    Membership,
    QualificationResult,
    Role,
    SchoolLeaver,
    Subject,
    User,
)
from datahub.reference import GRADED_POINTS, PASS_POINTS, PER_CREDIT_AT_C, SUBJECTS, WIDER_FACTOR
from datahub.services import establishment_refresh_context
from destinations.classification import Category, ParticipationStatus
from destinations.models import DestinationRecord, ParticipationSpell

# --- Public constants ----------------------------------------------------------------------

DEMO_PASSWORD = "insight-demo-2026"  # shared by every demo login (never use demo data in production)
DEMO_EMAIL_DOMAIN = "demo.insight"
LAST_LEAVER_YEAR = 2025
SCALES = ("demo", "national")  # "tiny" also exists for tests (not offered in --help)

# Demo establishments use SEED serials 900000..900999 (codes "900xxxx"): that block marks them.
DEMO_SEED_SERIAL_BASE = 900_000
DEMO_SEED_PREFIX = "900"
# Demo SCNs start here (the smallest valid numbers from this base on, make_scn's rule).
DEMO_SCN_BASE = 60_000_000

# The two named schools the demo logins belong to (the same at every scale and seed).
DEMO_SCHOOL_1 = ("Glasgow City", "Kelvinbank Academy")
DEMO_SCHOOL_2 = ("City of Edinburgh", "Morningside High School")


class DemoDataError(Exception):
    """The demo data cannot be generated as asked (e.g. data exists and --replace was not given)."""


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    role: Role | None
    place: str | None  # "school1", "school2", "authority1" or None (national / no membership)
    superuser: bool = False

    @property
    def role_label(self) -> str:
        return "Superuser (Django admin)" if self.superuser else str(self.role.label if self.role else "")

    @property
    def place_label(self) -> str:
        return {
            "school1": f"{DEMO_SCHOOL_1[1]} ({DEMO_SCHOOL_1[0]})",
            "school2": f"{DEMO_SCHOOL_2[1]} ({DEMO_SCHOOL_2[0]})",
            "authority1": DEMO_SCHOOL_1[0],
        }.get(self.place or "", "Scotland" if self.role else "-")


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("headteacher@demo.insight", "Morag", "Campbell", Role.ESTABLISHMENT_ADMIN, "school1"),
    DemoUser("staff@demo.insight", "Callum", "Reid", Role.ESTABLISHMENT_STAFF, "school1"),
    DemoUser("headteacher2@demo.insight", "Fiona", "Mackenzie", Role.ESTABLISHMENT_ADMIN, "school2"),
    DemoUser("mcmc@demo.insight", "Iain", "Stewart", Role.MCMC_OFFICER, "authority1"),
    DemoUser("analyst@demo.insight", "Eilidh", "Robertson", Role.AUTHORITY_ANALYST, "authority1"),
    DemoUser("national@demo.insight", "Andrew", "Thomson", Role.NATIONAL_ANALYST, None),
    DemoUser("datamanager@demo.insight", "Catriona", "Fraser", Role.DATA_MANAGER, "authority1"),
    DemoUser("admin@demo.insight", "Site", "Administrator", None, None, superuser=True),
)


def demo_logins() -> list[dict[str, str]]:
    """The demo logins as rows (email, role, place, password): for the README and ``make run``."""
    return [
        {"email": u.email, "role": u.role_label, "place": u.place_label, "password": DEMO_PASSWORD}
        for u in DEMO_USERS
    ]


def format_logins() -> str:
    rows = [("Email", "Role", "Place", "Password")] + [
        (r["email"], r["role"], r["place"], r["password"]) for r in demo_logins()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --- Authorities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _AuthorityProfile:
    schools: int  # secondaries at national scale (roughly the real number)
    affluence: float  # mean latent SIMD score of its schools (negative = more deprived)
    roll: int  # typical secondary roll
    rc: float  # share of denominational (RC) secondaries
    unknown: float  # multiplier of the national unknown-destination rate
    places: tuple[str, ...]
    spread: float = 0.5  # between-school sd of the latent SIMD score
    within: float = 0.8  # within-school sd
    gaelic: float = 0.0  # share of pupils taking Gaidhlig
    surnames: tuple[str, ...] = ()


_P = _AuthorityProfile
AUTHORITY_PROFILES: dict[str, _AuthorityProfile] = {
    "Aberdeen City": _P(12, 0.25, 900, 0.0, 2.0, (
        "Bridge of Don", "Bucksburn", "Cults", "Dyce", "Harlaw", "Hazlehead", "Kincorth", "Northfield",
        "Oldmachar", "Torry", "Lochside", "Mastrick", "Kittybrewster", "Danestone", "Sheddocksley")),
    "Aberdeenshire": _P(17, 0.8, 850, 0.0, 0.8, (
        "Alford", "Banchory", "Banff", "Ellon", "Fraserburgh", "Huntly", "Inverurie", "Kemnay", "Meldrum",
        "Mintlaw", "Peterhead", "Portlethen", "Stonehaven", "Turriff", "Westhill", "Aboyne", "Insch",
        "Laurencekirk", "Macduff", "Kintore", "Ballater"), spread=0.35, within=0.6),
    "Angus": _P(8, 0.15, 750, 0.0, 1.0, (
        "Arbroath", "Brechin", "Carnoustie", "Forfar", "Monifieth", "Montrose", "Kirriemuir", "Letham",
        "Edzell", "Friockheim")),
    "Argyll and Bute": _P(10, 0.2, 450, 0.0, 1.0, (
        "Campbeltown", "Dunoon", "Hermitage", "Lochgilphead", "Oban", "Rothesay", "Tarbert", "Tobermory",
        "Islay", "Tiree", "Inveraray", "Lochgoilhead"), spread=0.35, within=0.6, gaelic=0.03),
    "City of Edinburgh": _P(23, 0.35, 1000, 0.1, 2.5, (
        "Balerno", "Boroughmuir", "Broughton", "Craigmount", "Craigroyston", "Currie", "Drummond",
        "Firrhill", "Forrester", "Gracemount", "Leith", "Liberton", "Portobello", "Queensferry", "Trinity",
        "Tynecastle", "Wester Hailes", "Castlebrae", "Stockbridge", "Corstorphine", "Gilmerton",
        "Craigentinny", "Fairmilehead", "Colinton", "Newhaven", "Murrayfield", "Bruntsfield", "Marchmont"),
        spread=0.7, gaelic=0.005),
    "Clackmannanshire": _P(3, -0.3, 1000, 0.0, 1.0, (
        "Alloa", "Alva", "Lornshill", "Tillicoultry", "Dollar", "Clackmannan")),
    "Dumfries and Galloway": _P(16, 0.0, 600, 0.0, 0.8, (
        "Annan", "Castle Douglas", "Dalbeattie", "Dalry", "Dumfries", "Kirkcudbright", "Langholm",
        "Lockerbie", "Moffat", "Newton Stewart", "Sanquhar", "Stranraer", "Thornhill", "Gatehouse",
        "Wigtown", "Lochmaben", "Kirkconnel", "Lincluden", "Georgetown", "Whithorn"), spread=0.35, within=0.65),
    "Dundee City": _P(8, -0.6, 950, 0.25, 1.2, (
        "Baldragon", "Braeview", "Craigie", "Grove", "Harris", "Morgan", "Whitfield", "Menzieshill",
        "Lochee", "Broughty Ferry", "Ardler", "Douglas")),
    "East Ayrshire": _P(9, -0.45, 800, 0.15, 1.0, (
        "Auchinleck", "Cumnock", "Doon", "Grange", "Kilmarnock", "Loudoun", "Stewarton", "Galston",
        "Dalmellington", "Newmilns", "Darvel", "Hurlford", "Crosshouse")),
    "East Dunbartonshire": _P(8, 0.9, 1050, 0.2, 0.6, (
        "Bearsden", "Bishopbriggs", "Boclair", "Douglas", "Kirkintilloch", "Lenzie", "Milngavie", "Torrance",
        "Lennoxtown", "Westerton", "Auchinairn"), spread=0.4),
    "East Lothian": _P(6, 0.35, 950, 0.0, 0.8, (
        "Dunbar", "Knox", "Musselburgh", "North Berwick", "Preston Lodge", "Ross", "Cockenzie", "Gullane",
        "Haddington", "Tranent")),
    "East Renfrewshire": _P(7, 1.0, 1300, 0.25, 0.0, (
        "Barrhead", "Eastwood", "Mearns", "Williamwood", "Woodfarm", "Giffnock", "Busby", "Neilston",
        "Newton Mearns", "Clarkston"), spread=0.4),
    "Falkirk": _P(8, -0.1, 1050, 0.15, 1.0, (
        "Bo'ness", "Braes", "Denny", "Falkirk", "Graeme", "Grangemouth", "Larbert", "Bonnybridge", "Polmont",
        "Stenhousemuir", "Camelon")),
    "Fife": _P(18, -0.15, 1100, 0.1, 1.0, (
        "Auchmuty", "Balwearie", "Beath", "Bell Baxter", "Dunfermline", "Glenwood", "Inverkeithing",
        "Kirkcaldy", "Levenmouth", "Madras", "Queen Anne", "Viewforth", "Waid", "Woodmill", "Lochgelly",
        "Cowdenbeath", "Burntisland", "Tayport", "Newburgh", "Kinghorn", "Dalgety Bay", "Lochore"), spread=0.6),
    "Glasgow City": _P(30, -0.85, 950, 0.3, 1.5, (
        "Bellahouston", "Cleveden", "Drumchapel", "Eastbank", "Govan", "Hillhead", "Hillpark", "Hyndland",
        "King's Park", "Knightswood", "Lochend", "Shawlands", "Smithycroft", "Springburn", "Whitehill",
        "Castlemilk", "Bannerman", "Rosshall", "Easterhouse", "Dennistoun", "Partick", "Maryhill",
        "Pollokshields", "Anniesland", "Cathcart", "Carntyne", "Possilpark", "Toryglen", "Scotstoun",
        "Ruchill", "Parkhead", "Yoker", "Garthamlock", "Cardonald"), spread=0.6, gaelic=0.01),
    "Highland": _P(29, 0.3, 550, 0.0, 1.0, (
        "Alness", "Ardnamurchan", "Charleston", "Culloden", "Dingwall", "Dornoch", "Farr", "Fortrose",
        "Gairloch", "Glen Urquhart", "Golspie", "Grantown", "Invergordon", "Inverness", "Kilchuimen",
        "Kingussie", "Kinlochbervie", "Kinlochleven", "Lochaber", "Mallaig", "Millburn", "Nairn", "Plockton",
        "Portree", "Tain", "Thurso", "Ullapool", "Wick", "Broadford", "Aviemore", "Beauly", "Brora",
        "Lochcarron", "Dunbeath"), spread=0.35, within=0.6, gaelic=0.04),
    "Inverclyde": _P(6, -0.6, 900, 0.35, 1.0, (
        "Clydeview", "Greenock", "Inverclyde", "Port Glasgow", "Wemyss Bay", "Kilmacolm", "Inverkip",
        "Gourock")),
    "Midlothian": _P(6, 0.0, 1000, 0.15, 1.0, (
        "Beeslack", "Dalkeith", "Lasswade", "Newbattle", "Penicuik", "Loanhead", "Bonnyrigg", "Gorebridge",
        "Mayfield")),
    "Moray": _P(8, 0.35, 700, 0.0, 0.8, (
        "Buckie", "Elgin", "Forres", "Keith", "Lossiemouth", "Milne's", "Speyside", "Dufftown", "Burghead",
        "Rothes"), spread=0.3, within=0.6),
    "Na h-Eileanan Siar": _P(4, 0.3, 400, 0.0, 0.5, (
        "Sgoil Lìonacleit", "Sgoil Bhàgh a' Chaisteil", "Sgoil an Taobh Siar", "The Nicolson Institute",
        "Sgoil nan Loch", "Sir E Scott School"), spread=0.2, within=0.45, gaelic=0.35,
        surnames=("MacLeod", "Macdonald", "MacKenzie", "Morrison", "MacInnes", "MacNeil", "MacAulay",
                  "Maciver", "Macleod", "MacLean", "Smith", "Campbell")),
    "North Ayrshire": _P(9, -0.5, 850, 0.15, 1.0, (
        "Ardrossan", "Arran", "Auchenharvie", "Garnock", "Greenwood", "Irvine Royal", "Kilwinning", "Largs",
        "Saltcoats", "Dalry", "Skelmorlie", "Beith", "West Kilbride")),
    "North Lanarkshire": _P(23, -0.45, 1000, 0.35, 1.0, (
        "Airdrie", "Bellshill", "Brannock", "Braidhurst", "Calderhead", "Caldervale", "Chryston",
        "Clyde Valley", "Coatbridge", "Cumbernauld", "Dalziel", "Greenfaulds", "Kilsyth", "Coltness",
        "Moodiesburn", "Newmains", "Harthill", "Plains", "Viewpark", "Abronhill", "Condorrat", "Stepps",
        "Glenboig", "Holytown", "Newarthill", "Muirhead", "Wishaw", "Gartcosh")),
    "Orkney Islands": _P(4, 0.6, 400, 0.0, 0.0, (
        "Kirkwall Grammar School", "Stromness Academy", "Sanday Community School",
        "Westray Junior High School", "Stronsay Junior High School", "North Walls Community School"),
        spread=0.2, within=0.45,
        surnames=("Rendall", "Flett", "Drever", "Linklater", "Harcus", "Sinclair", "Tulloch", "Muir",
                  "Work", "Foubister")),
    "Perth and Kinross": _P(11, 0.5, 800, 0.0, 0.8, (
        "Auchterarder", "Blairgowrie", "Breadalbane", "Crieff", "Kinross", "Perth", "Bertha Park",
        "Pitlochry", "Coupar Angus", "Dunkeld", "Scone", "Comrie", "Alyth"), spread=0.4, within=0.65),
    "Renfrewshire": _P(11, -0.2, 950, 0.3, 1.0, (
        "Castlehead", "Gleniffer", "Gryffe", "Johnstone", "Linwood", "Park Mains", "Paisley", "Renfrew",
        "Bishopton", "Lochwinnoch", "Elderslie", "Kilbarchan", "Ralston", "Foxbar")),
    "Scottish Borders": _P(9, 0.3, 650, 0.0, 0.8, (
        "Berwickshire", "Earlston", "Eyemouth", "Galashiels", "Hawick", "Jedburgh", "Kelso", "Peebles",
        "Selkirk", "Lauder", "Melrose", "Coldstream", "Innerleithen"), spread=0.35, within=0.6),
    "Shetland Islands": _P(2, 0.8, 650, 0.0, 0.0, (
        "Anderson High School", "Brae High School", "Aith Junior High School",
        "Sandwick Junior High School", "Mid Yell Junior High School", "Whalsay School"),
        spread=0.15, within=0.45,
        surnames=("Johnson", "Tulloch", "Jamieson", "Isbister", "Hunter", "Leask", "Anderson", "Irvine",
                  "Williamson", "Manson")),
    "South Ayrshire": _P(8, 0.05, 850, 0.15, 1.0, (
        "Ayr", "Belmont", "Carrick", "Girvan", "Kyle", "Marr", "Prestwick", "Troon", "Maybole", "Dundonald",
        "Tarbolton"), spread=0.6),
    "South Lanarkshire": _P(17, -0.1, 1050, 0.3, 1.0, (
        "Biggar", "Calderglen", "Calderside", "Carluke", "Duncanrig", "Hamilton", "Larkhall", "Lanark",
        "Lesmahagow", "Stonelaw", "Strathaven", "Uddingston", "Cathkin", "Rutherglen", "East Kilbride",
        "Blantyre", "Bothwell", "Carnwath", "Stonehouse", "Cambuslang")),
    "Stirling": _P(7, 0.4, 900, 0.15, 0.8, (
        "Balfron", "Bannockburn", "Dunblane", "Stirling", "Wallace", "McLaren", "Killearn", "Bridge of Allan",
        "Fallin", "Doune", "Cowie")),
    "West Dunbartonshire": _P(5, -0.55, 950, 0.35, 1.0, (
        "Clydebank", "Dumbarton", "Vale of Leven", "Balloch", "Renton", "Dalmuir", "Old Kilpatrick")),
    "West Lothian": _P(11, -0.15, 1050, 0.2, 1.0, (
        "Armadale", "Bathgate", "Broxburn", "Deans", "Inveralmond", "James Young", "Linlithgow",
        "West Calder", "Whitburn", "Winchburgh", "Blackburn", "Fauldhouse", "East Calder", "Uphall")),
}

SAINTS = (
    "Andrew", "Margaret", "Ninian", "Columba", "Kentigern", "Aidan", "Mungo", "Thomas", "Ambrose", "Maurice",
    "Bride", "Paul", "Luke", "Joseph", "Patrick", "Roch", "Stephen", "Kevin", "David", "Modan", "Matthew",
    "John", "Peter", "Brendan", "Benedict", "Francis", "Augustine", "Cuthbert", "Anne", "Mary",
)
SPECIAL_NAMES = (
    "Hollybrook", "Kelvin", "Riverside", "Oakwood", "Firpark", "Cedarbank", "Woodlands", "Pinewood",
    "Rosehill", "Burnside", "Ashcraig", "Willowbank", "Heathfield", "Broomlea", "Rowanbank", "Hazelwood",
)
# Special schools and primaries at national scale: (authority, count).
NATIONAL_SPECIAL = {"Glasgow City": 2, "City of Edinburgh": 1, "Fife": 1, "North Lanarkshire": 1,
                    "South Lanarkshire": 1, "Aberdeen City": 1, "Dundee City": 1, "Highland": 1,
                    "Renfrewshire": 1}
NATIONAL_PRIMARY = {"Glasgow City": 1, "City of Edinburgh": 1, "Highland": 1, "Aberdeenshire": 1,
                    "Argyll and Bute": 1, "Scottish Borders": 1}

MALE_NAMES = (
    "Jack", "Lewis", "James", "Ryan", "Callum", "Cameron", "Daniel", "Kyle", "Ben", "Liam", "Aaron", "Connor",
    "Jamie", "Matthew", "Adam", "Dylan", "Ross", "Kieran", "Andrew", "Scott", "Nathan", "Ethan", "Logan",
    "Euan", "Finlay", "Lucas", "Oliver", "Alexander", "Rory", "Harris", "Fraser", "Calum", "Max", "Mohammed",
    "Thomas", "Josh", "Jordan", "Sean", "Robbie", "Craig", "Aiden", "Archie", "Blair", "Cole", "Declan",
    "Ewan", "Gregor", "Hamish", "Innes", "Kai", "Leon", "Marcus", "Owen", "Ruaridh", "Struan", "Zak",
)
FEMALE_NAMES = (
    "Sophie", "Emma", "Lucy", "Ellie", "Amy", "Erin", "Chloe", "Katie", "Olivia", "Jessica", "Hannah", "Lauren",
    "Emily", "Rachel", "Rebecca", "Eilidh", "Caitlin", "Holly", "Isla", "Ava", "Grace", "Megan", "Niamh",
    "Freya", "Abbie", "Leah", "Anna", "Ruby", "Millie", "Skye", "Kayla", "Orla", "Zara", "Aimee", "Amber",
    "Mia", "Jenna", "Eva", "Morven", "Iona", "Ailsa", "Beth", "Catriona", "Darcy", "Esme", "Fiona", "Gemma",
    "Heather", "Kirsty", "Lily", "Mhairi", "Nicole", "Rhona", "Shona", "Tegan", "Aisha",
)
FAMILY_NAMES = (
    "Smith", "Brown", "Wilson", "Campbell", "Stewart", "Thomson", "Robertson", "Anderson", "MacDonald", "Scott",
    "Reid", "Murray", "Taylor", "Clark", "Ross", "Watson", "Morrison", "Paterson", "Young", "Mitchell",
    "Walker", "Fraser", "Miller", "McDonald", "Gray", "Henderson", "Hamilton", "Johnston", "Duncan", "Graham",
    "Ferguson", "Kerr", "Davidson", "Bell", "Cameron", "Kelly", "Martin", "Hunter", "Allan", "Mackenzie",
    "Grant", "Simpson", "MacKay", "McLean", "MacLeod", "Black", "Russell", "Marshall", "Wallace", "Gibson",
    "Kennedy", "Gordon", "Wright", "Sutherland", "Wood", "Johnstone", "Craig", "Burns", "Muir", "Murphy",
    "Sinclair", "McKenzie", "Millar", "Milne", "Ritchie", "Docherty", "Hughes", "Watt", "Munro", "McIntyre",
    "Jamieson", "Boyle", "Christie", "Lindsay", "Donaldson", "McGregor", "Quinn", "Dunn", "Kelly", "Gallacher",
    "Houston", "McMillan", "Crawford", "Forbes", "Shaw", "Bruce", "Baird", "Barr", "Brodie", "Buchanan",
    "Cochrane", "Cunningham", "Devlin", "Doherty", "Dickson", "Fleming", "Fyfe", "Galbraith", "Hendry",
    "Hogg", "Hutchison", "Inglis", "Kirk", "Lamont", "Lawson", "Logan", "McAllister", "McCallum", "McColl",
    "McCulloch", "McFarlane", "McGuire", "McKay", "McLaughlin", "McNeill", "McPherson", "Nicol", "O'Neill",
    "Ogilvie", "Pollock", "Rae", "Rennie", "Robb", "Shearer", "Strachan", "Tait", "Urquhart", "Weir",
    "Khan", "Ali", "Ahmed", "Singh", "Hussain", "Kowalski", "Nowak", "Chen", "Wong", "Okafor",
)

# --- Scales --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    leavers_per_year: int
    secondaries: dict[str, int]
    special: dict[str, int]
    primary: dict[str, int]


def _scale(name: str) -> _Scale:
    if name == "national":
        return _Scale(50_000, {a: p.schools for a, p in AUTHORITY_PROFILES.items()}, NATIONAL_SPECIAL,
                      NATIONAL_PRIMARY)
    if name == "demo":
        extra = {"Glasgow City": 2, "City of Edinburgh": 2, "Fife": 1, "North Lanarkshire": 1,
                 "South Lanarkshire": 1, "Highland": 1}
        return _Scale(5_000, {a: 1 + extra.get(a, 0) for a in AUTHORITY_PROFILES}, {"Glasgow City": 1},
                      {"Glasgow City": 1})
    if name == "tiny":  # for tests: four authorities, a few hundred leavers a year
        return _Scale(400, {"Glasgow City": 3, "City of Edinburgh": 2, "Fife": 2, "East Renfrewshire": 1},
                      {"Glasgow City": 1}, {"Fife": 1})
    raise DemoDataError(f"Unknown scale {name!r}: use one of {', '.join(SCALES)}")


# --- Subjects and awards -------------------------------------------------------------------

SUBJECT_CODES: tuple[str, ...] = tuple(s[0] for s in SUBJECTS)
_SUBJ = {code: i for i, code in enumerate(SUBJECT_CODES)}
AWARDS = ("N3", "N4", "N5", "H", "AH", "NPA", "SFW", "FA", "NC", "WA")
_AW = {a: i for i, a in enumerate(AWARDS)}
GRADES = ("A", "B", "C", "D", "P")  # index = 4 - rank for graded (A rank 4 ... D rank 1), P = 4
_LEVEL_AWARD = {3: _AW["N3"], 4: _AW["N4"], 5: _AW["N5"], 6: _AW["H"], 7: _AW["AH"]}
_LEVEL_TO_AWARD = np.array([-1, -1, -1, *(_LEVEL_AWARD[lvl] for lvl in range(3, 8))])


@dataclass(frozen=True)
class _Course:
    code: str
    s4: bool  # offered in S4 (False: a new subject in S5/S6, e.g. Psychology)
    max_level: int
    male: float  # preference of boys over girls (negative: girls)
    able: float  # preference of more able pupils
    popularity: float  # relative uptake


ACADEMIC: tuple[_Course, ...] = (
    _Course("ENG", True, 7, 0, 0, 1), _Course("MATH", True, 7, 0, 0, 1), _Course("AMATH", True, 6, 0, 0, 1),
    _Course("GAI", True, 7, 0, 0, 0.01),
    _Course("PHY", True, 7, 0.5, 0.5, 1.0), _Course("CHEM", True, 7, 0, 0.5, 1.0),
    _Course("BIO", True, 7, -0.3, 0.3, 1.2), _Course("HSCI", False, 6, -0.4, 0.1, 0.9),
    _Course("HIST", True, 7, 0, 0.1, 1.0), _Course("GEOG", True, 7, 0, 0, 1.1),
    _Course("MODS", True, 7, 0, 0.1, 0.9), _Course("RMPS", True, 7, -0.3, 0.1, 0.5),
    _Course("FREN", True, 7, -0.4, 0.4, 0.8), _Course("SPAN", True, 7, -0.3, 0.4, 0.6),
    _Course("GERM", True, 7, 0, 0.5, 0.25), _Course("ART", True, 7, -0.5, 0, 1.0),
    _Course("MUS", True, 7, 0, 0.2, 0.7), _Course("DRAM", True, 7, -0.6, 0, 0.6),
    _Course("PE", True, 7, 0.4, -0.1, 1.2), _Course("COMP", True, 7, 0.7, 0.3, 0.7),
    _Course("BUS", True, 7, 0, 0, 1.0), _Course("ADIT", True, 6, -0.2, -0.2, 0.6),
    _Course("ACC", True, 6, 0, 0.3, 0.25), _Course("DMAN", True, 7, 0.6, 0, 0.6),
    _Course("GRAP", True, 7, 0.4, 0, 0.6), _Course("ENGS", True, 7, 0.8, 0.5, 0.3),
    _Course("PWOOD", True, 5, 0.9, -0.5, 0.6), _Course("HFT", True, 6, -0.5, -0.2, 0.5),
    _Course("HOSP", True, 5, -0.2, -0.4, 0.7), _Course("PSY", False, 6, -0.6, 0.1, 0.9),
    _Course("SOC", False, 6, -0.5, 0, 0.5), _Course("MEDIA", False, 6, 0, -0.1, 0.5),
)
_A = len(ACADEMIC)
_AC_SUBJ = np.array([_SUBJ[c.code] for c in ACADEMIC])
_AC_S4 = np.array([c.s4 for c in ACADEMIC])
_AC_MAX = np.array([c.max_level for c in ACADEMIC], dtype=np.int8)
_AC_MALE = np.array([c.male for c in ACADEMIC])
_AC_ABLE = np.array([c.able for c in ACADEMIC])
_AC_POP = np.log(np.array([c.popularity for c in ACADEMIC]))
_I_ENG, _I_MATH, _I_AMATH, _I_GAI = 0, 1, 2, 3
_CORE = np.zeros(_A, dtype=bool)
_CORE[[_I_ENG, _I_MATH, _I_AMATH, _I_GAI]] = True

# Grade thresholds on the course score (ability + course noise + diet shift) by SCQF level:
# (A, B, C, D); below D no award. National 4 / 3 are pass/fail.
_GRADE_CUTS = {5: (0.55, 0.05, -0.5, -0.85), 6: (0.87, 0.38, -0.1, -0.42), 7: (1.79, 1.39, 0.98, 0.72)}
_PASS_CUT = {4: -2.0, 3: -2.8}
# Diet-year shifts: the 2020 and 2021 alternative certification models, the 2022 partial return.
_DIET_SHIFT = {2020: 0.35, 2021: 0.35, 2022: 0.15}

_POINTS_GRADED = {lvl: GRADED_POINTS[(a, lvl)] for (a, lvl) in GRADED_POINTS}
_POINTS_PASS = {lvl: PASS_POINTS[(a, lvl)] for (a, lvl) in PASS_POINTS}

# Destinations: categories in a fixed order; positive ones first.
DEST = (
    Category.HIGHER_EDUCATION, Category.FURTHER_EDUCATION, Category.EMPLOYMENT, Category.TRAINING,
    Category.VOLUNTARY_WORK, Category.PERSONAL_SKILLS_DEVELOPMENT,
    Category.UNEMPLOYED_SEEKING, Category.UNEMPLOYED_NOT_SEEKING, Category.UNKNOWN,
)
_D_HE, _D_FE, _D_EMP, _D_TRAIN, _D_VOL, _D_PSD, _D_SEEK, _D_NOTSEEK, _D_UNK = range(9)
_N_POS = 6
# National mix of positive initial destinations by leaver year (shares of all leavers, published
# figures rounded: HE rose in the ACM years, employment dipped in 2021).
_POSITIVE_MIX = {
    2021: (45.1, 23.3, 22.7, 1.9, 0.4, 1.2),
    2022: (42.8, 24.3, 24.8, 2.0, 0.4, 1.3),
    2023: (40.3, 27.0, 23.5, 2.5, 0.4, 1.6),
}
_INITIAL_POSITIVE = 0.95
_FOLLOW_UP_POSITIVE = 0.93
_UNKNOWN_INITIAL = 0.012
_UNKNOWN_FOLLOW_UP = 0.016
_STAY = np.array([0.95, 0.80, 0.86, 0.70, 0.55, 0.60])  # chance a positive leaver is in the same place

_APM = {  # destination category -> APM status
    _D_HE: ParticipationStatus.EDUCATION, _D_FE: ParticipationStatus.EDUCATION,
    _D_EMP: ParticipationStatus.EMPLOYMENT, _D_TRAIN: ParticipationStatus.TRAINING,
    _D_VOL: ParticipationStatus.TRAINING, _D_PSD: ParticipationStatus.TRAINING,
    _D_SEEK: ParticipationStatus.UNEMPLOYED_SEEKING, _D_NOTSEEK: ParticipationStatus.UNEMPLOYED_NOT_SEEKING,
    _D_UNK: ParticipationStatus.UNCONFIRMED,
}

_TYPE_CODES = (EstablishmentType.SECONDARY, EstablishmentType.SPECIAL, EstablishmentType.PRIMARY)
_SEC, _SPE, _PRI = 0, 1, 2


# --- Small numeric helpers -----------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _phi(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (logistic approximation, max error < 0.01)."""
    return _sigmoid(1.702 * x)


def _calibrate(lin: np.ndarray, target: float) -> float:
    """The offset c with mean(sigmoid(lin + c)) == target (bisection)."""
    if lin.size == 0:
        return 0.0
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _sigmoid(lin + mid).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _softmax(u: np.ndarray) -> np.ndarray:
    u = u - u.max(axis=1, keepdims=True)
    e = np.exp(u)
    return e / e.sum(axis=1, keepdims=True)


def _fit_intercepts(u: np.ndarray, shares: np.ndarray, iters: int = 60) -> np.ndarray:
    """Intercepts b making the mean of softmax(u + b) equal ``shares`` (iterative fitting)."""
    b = np.zeros(u.shape[1])
    if u.shape[0] == 0:
        return b
    for _ in range(iters):
        m = _softmax(u + b).mean(axis=0)
        b += np.log(shares / np.maximum(m, 1e-12))
    return b


def _draw(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One categorical draw per row of the probability matrix ``p``."""
    c = p.cumsum(axis=1)
    u = rng.random(p.shape[0]) * c[:, -1]
    return np.minimum((c < u[:, None]).sum(axis=1), p.shape[1] - 1)


def _top_k(priority: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Boolean mask of each row's ``k`` highest finite priorities."""
    m, a = priority.shape
    order = np.argsort(-priority, axis=1, kind="stable")
    ranks = np.empty_like(order)
    ranks[np.arange(m)[:, None], order] = np.arange(a)[None, :]
    return (ranks < k[:, None]) & np.isfinite(priority)


def _first_monday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def _valid_scns(start: int, count: int) -> tuple[np.ndarray, int]:
    """``count`` valid SCN numbers (as int64) from ``start`` on, and the next unused start."""
    out: list[np.ndarray] = []
    have = 0
    weights = np.array([3, 2, 7, 6, 5, 4, 3, 2], dtype=np.int64)
    while have < count:
        body = np.arange(start, start + (count - have) * 12 // 10 + 20, dtype=np.int64)
        digits = (body[:, None] // 10 ** np.arange(7, -1, -1)) % 10
        rem = (digits * weights).sum(axis=1) % 11
        ok = rem != 1
        check = np.where(rem == 0, 0, 11 - rem)
        scn = body[ok] * 10 + check[ok]
        take = scn[: count - have]
        out.append(take)
        have += take.size
        start = int(body[-1]) + 1 if take.size == scn.size else int(take[-1] // 10) + 1
    return np.concatenate(out) if out else np.zeros(0, np.int64), start


# --- The world: establishments -------------------------------------------------------------


@dataclass
class _Schools:
    names: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    type: list[int] = field(default_factory=list)
    roll: list[int] = field(default_factory=list)
    mu: list[float] = field(default_factory=list)  # latent SIMD location
    within: list[float] = field(default_factory=list)
    effect: list[float] = field(default_factory=list)  # attainment level effect
    slope: list[float] = field(default_factory=list)  # attainment slope effect (spread)
    courses: list[int] = field(default_factory=list)  # courses in S4
    dest: list[float] = field(default_factory=list)  # destinations effect (log-odds of not positive)

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in self.__dict__.items() if k not in ("names", "authority")}


def _school_name(place: str, rng: np.random.Generator) -> str:
    if any(w in place for w in ("School", "Academy", "Sgoil", "Institute")):
        return place
    r = rng.random()
    suffix = "Academy" if r < 0.47 else "High School" if r < 0.92 else "Grammar School" if r < 0.96 else (
        "Community High School")
    return f"{place} {suffix}"


def _build_schools(scale: _Scale, seed: int) -> _Schools:
    rng = np.random.default_rng([seed, 1])
    s = _Schools()
    used_special: set[str] = set()
    used: set[str] = {name for _a, name in (DEMO_SCHOOL_1, DEMO_SCHOOL_2)}
    for _code, _gss, auth in sorted(LOCAL_AUTHORITIES):
        prof = AUTHORITY_PROFILES[auth]
        n_sec = scale.secondaries.get(auth, 0)
        n_spe = scale.special.get(auth, 0)
        n_pri = scale.primary.get(auth, 0)
        # Every authority's draws come from the same stream, whatever the scale asks of it.
        arng = np.random.default_rng([seed, 2, _code])
        places = list(arng.permutation(prof.places))
        anchors = [name for a, name in (DEMO_SCHOOL_1, DEMO_SCHOOL_2) if a == auth]
        n_rc = round(max(n_sec - len(anchors), 0) * prof.rc)
        saints = list(arng.permutation(SAINTS))
        names: list[str] = list(anchors)
        while len(names) < n_sec - n_rc and places:
            name = _school_name(places.pop(0), arng)
            if name in used:  # the same place name in another authority: try the other suffix
                name = name.replace("Academy", "High School") if "Academy" in name else f"{name.split(' ')[0]} Academy"
            if name not in used:
                names.append(name)
                used.add(name)
        while len(names) < n_sec:
            saint = saints.pop(0) if saints else f"{auth.split(' ')[0]}"
            for suffix in ("RC Secondary", "High School", "Academy", "RC High School"):
                name = f"St {saint}'s {suffix}" if saint != "Mary" else f"Our Lady's {suffix}"
                if name not in used:
                    break
            if name in used:
                continue
            names.append(name)
            used.add(name)
        for i, name in enumerate(names):
            anchor = i < len(anchors)
            s.names.append(name)
            s.authority.append(auth)
            s.type.append(_SEC)
            mean_roll = prof.roll * (0.8 if name.startswith("St ") else 1.0)
            s.roll.append(int(np.clip(round(arng.lognormal(math.log(mean_roll), 0.3)), 300, 1800)))
            s.mu.append(prof.affluence - 0.1 + (0.0 if anchor else arng.normal(0, prof.spread)))
            s.within.append(prof.within)
            # The demo schools have a fixed character: school 1 good for its lowest attainers
            # (positive level, narrower spread), school 2 slightly below its comparators.
            if anchor and name == DEMO_SCHOOL_1[1]:
                s.effect.append(0.08)
                s.slope.append(-0.08)
            elif anchor:
                s.effect.append(-0.06)
                s.slope.append(0.06)
            else:
                s.effect.append(float(arng.normal(0, 0.18)))
                s.slope.append(float(arng.normal(0, 0.07)))
            s.courses.append(int(arng.choice([6, 7, 8], p=[0.05, 0.35, 0.6])))
            s.dest.append(float(arng.normal(0, 0.25)))
        for _ in range(n_spe):
            name = next(n for n in SPECIAL_NAMES if n not in used_special)
            used_special.add(name)
            s.names.append(f"{name} School")
            s.authority.append(auth)
            s.type.append(_SPE)
            s.roll.append(int(arng.integers(40, 160)))
            s.mu.append(prof.affluence - 0.3)
            s.within.append(prof.within)
            s.effect.append(float(arng.normal(0, 0.1)))
            s.slope.append(0.0)
            s.courses.append(5)
            s.dest.append(0.0)
        for _ in range(n_pri):
            place = places.pop(0) if places else f"{auth} Central"
            base = place.split(" ")[0] if any(w in place for w in ("School", "Sgoil", "Academy")) else place
            s.names.append(f"{base} Primary School")
            s.authority.append(auth)
            s.type.append(_PRI)
            s.roll.append(int(arng.integers(60, 450)))
            s.mu.append(prof.affluence)
            s.within.append(prof.within)
            s.effect.append(0.0)
            s.slope.append(0.0)
            s.courses.append(0)
            s.dest.append(0.0)
    del rng
    return s


# --- One leaver year -----------------------------------------------------------------------


@dataclass
class _Year:
    """Every row of one leaver year, as columns (index = learner within the year)."""

    year: int
    n: int
    school: np.ndarray
    sex: np.ndarray  # 'F'/'M'
    decile: np.ndarray
    asn: np.ndarray
    care: np.ndarray
    fsm: np.ndarray
    stage: np.ndarray  # 0 S4, 1 S5, 2 S6
    dob: np.ndarray  # datetime64[D]
    leaving: np.ndarray  # datetime64[D]
    zone: np.ndarray
    given: np.ndarray
    family: np.ndarray
    first_school: np.ndarray  # school of the S4 year (movers differ)
    # results
    r_learner: np.ndarray
    r_subject: np.ndarray
    r_award: np.ndarray
    r_level: np.ndarray
    r_credits: np.ndarray
    r_grade: np.ndarray
    r_year: np.ndarray
    r_school: np.ndarray
    points: np.ndarray  # total tariff (latest and best), per learner
    # destinations (current), history and participation
    d_initial: np.ndarray
    d_follow: np.ndarray
    d_initial_at: np.ndarray  # datetime64[s]
    d_follow_at: np.ndarray
    h_learner: np.ndarray  # superseded follow-up records
    h_category: np.ndarray
    h_at: np.ndarray
    h_superseded: np.ndarray
    spells: dict[str, np.ndarray] | None


def _zone_table(schools: _Schools) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Data zones (2011, S01006506..S01013481) split between authorities and, inside, by decile."""
    weight = {a: p.schools * p.roll for a, p in AUTHORITY_PROFILES.items()}
    total = sum(weight.values())
    starts: dict[str, int] = {}
    slices: dict[str, np.ndarray] = {}
    pos = 6506
    for _code, _gss, auth in sorted(LOCAL_AUTHORITIES):
        size = max(20, int(6976 * weight[auth] / total))
        starts[auth] = pos
        slices[auth] = np.linspace(0, size, 11).astype(int)  # decile d owns [slices[d-1], slices[d])
        pos += size
    return starts, slices


def _build_year(schools: _Schools, arrays: dict[str, np.ndarray], per_year: int, year: int, seed: int,
                with_spells: bool) -> _Year:
    rng = np.random.default_rng([seed, 3, year])
    types = arrays["type"]
    leaver_schools = types != _PRI
    weight = np.where(leaver_schools, arrays["roll"], 0).astype(float)
    trend = 1.0 + 0.01 * (year - 2021)
    counts = rng.poisson(per_year * trend * weight / weight.sum())
    school = np.repeat(np.arange(len(types)), counts)
    n = school.size
    special = types[school] == _SPE
    auth_names = np.array(schools.authority)
    auth = auth_names[school]

    female = rng.random(n) < 0.49
    z = arrays["mu"][school] + rng.normal(0, 1, n) * arrays["within"][school]
    decile = np.clip((10 * _phi(z)).astype(np.int64) + 1, 1, 10)
    sc = (decile - 5.5) / 2.87  # standardised SIMD (positive = less deprived)

    lin = 0.35 * (~female) - 0.3 * sc
    asn = special | (rng.random(n) < _sigmoid(lin + _calibrate(lin[~special], 0.29)))
    lin = -0.9 * sc + 0.7 * asn
    care = rng.random(n) < _sigmoid(lin + _calibrate(lin, 0.02))
    lin = -1.6 * sc + 0.6 * care
    fsm = rng.random(n) < _sigmoid(lin + _calibrate(lin, 0.16))

    base = 0.42 * sc - 0.5 * asn - 0.55 * care + 0.12 * female - 0.12 * fsm + rng.normal(0, 0.8, n)
    base = np.where(special, base - 1.9, base)
    ability = base + arrays["effect"][school] + arrays["slope"][school] * base

    # Stage of leaving: staying on depends on ability and, beyond it, on deprivation.
    stay = 0.9 * ability + 0.3 * sc + 0.15 * female + rng.normal(0, 0.75, n)
    stage = np.full(n, 2, dtype=np.int64)
    sec = ~special
    if sec.any():
        q12, q37 = np.quantile(stay[sec], [0.12, 0.37])
        stage[sec & (stay < q37)] = 1
        stage[sec & (stay < q12)] = 0
    r = rng.random(n)
    stage[special & (r < 0.2)] = 1
    stage[special & (r < 0.08)] = 0
    n_years = stage + 1

    # Dates: a pupil starts S4 in August of T = year - n_years and was born between 1 March of
    # T-16 and the end of February of T-15. Those born March-September may leave after S4 (summer);
    # those born October-February may leave at Christmas of S5 (winter leavers).
    t = year - n_years
    born_from = (np.array(t - 16 - 1970, dtype="datetime64[Y]").astype("datetime64[M]") + np.timedelta64(2, "M")
                 ).astype("datetime64[D]")
    born_to = (np.array(t - 15 - 1970, dtype="datetime64[Y]").astype("datetime64[M]") + np.timedelta64(2, "M")
               ).astype("datetime64[D]")
    span = (born_to - born_from).astype(np.int64)
    offset = np.where(stage == 0, rng.integers(0, 214, n), (rng.random(n) * span).astype(np.int64))
    dob = born_from + offset.astype("timedelta64[D]")
    late_birthday = offset >= 214
    winter = (stage == 1) & late_birthday & (rng.random(n) < 0.45)
    y_start = np.datetime64(f"{year}-01-01")
    summer_early = y_start + np.timedelta64(144, "D") + rng.integers(0, 12, n).astype("timedelta64[D]")
    summer_s6 = y_start + np.timedelta64(170, "D") + rng.integers(0, 10, n).astype("timedelta64[D]")
    christmas = np.datetime64(f"{year - 1}-12-16") + rng.integers(0, 6, n).astype("timedelta64[D]")
    leaving = np.where(stage == 2, summer_s6, np.where(winter, christmas, summer_early))

    # Movers: a few learners spent their S4 year at another school of the same authority and type.
    first_school = school.copy()
    mover = (n_years > 1) & (rng.random(n) < 0.03)
    for a in np.unique(auth[mover]):
        pool = np.flatnonzero((auth_names == a) & (types == _SEC))
        idx = np.flatnonzero(mover & (auth == a) & ~special)
        if pool.size > 1 and idx.size:
            first_school[idx] = pool[rng.integers(0, pool.size, idx.size)]

    # Home data zone consistent with the decile (same zone -> same decile everywhere).
    starts, slices = _zone_table(schools)
    zone = np.zeros(n, dtype=np.int64)
    for a in np.unique(auth):
        idx = np.flatnonzero(auth == a)
        lo = slices[a][decile[idx] - 1]
        hi = np.maximum(slices[a][decile[idx]], lo + 1)
        zone[idx] = starts[a] + lo + (rng.random(idx.size) * (hi - lo)).astype(np.int64)

    # Names (islands use local surnames half the time).
    given = np.where(female, np.array(FEMALE_NAMES)[_zipf(rng, len(FEMALE_NAMES), n)],
                     np.array(MALE_NAMES)[_zipf(rng, len(MALE_NAMES), n)])
    family = np.array(FAMILY_NAMES)[_zipf(rng, len(FAMILY_NAMES), n, 0.6)]
    for a, prof in AUTHORITY_PROFILES.items():
        if prof.surnames:
            idx = np.flatnonzero((auth == a) & (rng.random(n) < 0.5))
            family[idx] = np.array(prof.surnames)[rng.integers(0, len(prof.surnames), idx.size)]

    gaelic_share = np.array([AUTHORITY_PROFILES[a].gaelic for a in auth_names])[school]
    res = _attainment(rng, ability, female, asn, special, stage, winter, year, school, first_school,
                      arrays["courses"][school], gaelic_share)
    points = res.pop("points")

    dests = _destinations(rng, year, n, points, res["higher_points"], ability, sc, stage, asn, care, female,
                          special, auth, arrays["dest"][school], leaving)
    del res["higher_points"]
    spells = _spells(rng, dests, leaving) if with_spells else None

    return _Year(
        year=year, n=n, school=school, sex=np.where(female, "F", "M"), decile=decile, asn=asn, care=care,
        fsm=fsm, stage=stage, dob=dob, leaving=leaving, zone=zone, given=given, family=family,
        first_school=first_school, points=points, spells=spells, **res, **dests,
    )


def _zipf(rng: np.random.Generator, k: int, n: int, s: float = 0.8) -> np.ndarray:
    w = 1.0 / np.arange(1, k + 1) ** s
    return rng.choice(k, size=n, p=w / w.sum())


def _attainment(rng: np.random.Generator, ability: np.ndarray, female: np.ndarray, asn: np.ndarray,
                special: np.ndarray, stage: np.ndarray, winter: np.ndarray, year: int, school: np.ndarray,
                first_school: np.ndarray, courses: np.ndarray, gaelic_share: np.ndarray) -> dict[str, np.ndarray]:
    """Course choices and results for every senior-phase year of every leaver, vectorised."""
    n = ability.size
    n_years = stage + 1
    male = (~female).astype(float)
    # Aptitude per subject; interest per subject (popularity, sex, ability and taste).
    apt = ability[:, None] + rng.normal(0, 0.45, (n, _A))
    interest = (_AC_POP[None, :] + _AC_MALE[None, :] * (male[:, None] * 2 - 1) * 0.6
                + _AC_ABLE[None, :] * ability[:, None] * 0.6 + rng.gumbel(0, 0.7, (n, _A)))
    level = np.zeros((n, _A), dtype=np.int8)  # best SCQF level attained per subject
    grade = np.zeros((n, _A), dtype=np.int8)  # its grade rank (A 4 .. D 1; 0 ungraded)
    taken = np.zeros((n, _A), dtype=bool)
    gaelic = rng.random(n) < gaelic_share
    amath = (ability + rng.normal(0, 0.5, n)) < -0.45

    rows: list[tuple[np.ndarray, ...]] = []  # (learner, subject, award, level, credits, grade, year, school)

    def emit(li: np.ndarray, subj: np.ndarray, award: np.ndarray, lvl: np.ndarray, credits: np.ndarray,
             grd: np.ndarray, diet: np.ndarray, sch: np.ndarray) -> None:
        if li.size:
            rows.append((li, subj, award, lvl.astype(np.int64), credits.astype(np.int64), grd, diet, sch))

    for k in range(3):  # 0 = S4 year, 1 = S5, 2 = S6
        who = np.flatnonzero((n_years > k) & ~((stage == k) & winter))  # winter leavers sit no exams
        if who.size == 0:
            continue
        diet = year - n_years[who] + k + 1
        shift = np.array([_DIET_SHIFT.get(int(d), 0.0) for d in range(2000, 2101)])[diet - 2000]
        sch = first_school[who] if k == 0 else school[who]
        ab = ability[who]
        m = who.size
        lv, gr, tk = level[who], grade[who], taken[who]

        # Target level per subject this year (0 = not available).
        target = np.zeros((m, _A), dtype=np.int8)
        if k == 0:
            s = apt[who] + rng.normal(0, 0.3, (m, _A))
            target[:] = np.where(s > -0.75, 5, np.where(s > -1.7, 4, 3))
            target[:, ~_AC_S4] = 0
            pr = interest[who].copy()
            pr[:, _I_ENG] += 100
            pr[:, _I_MATH] += np.where(amath[who], -np.inf, 90)
            pr[:, _I_AMATH] += np.where(amath[who], 90, -np.inf)
            pr[:, _I_GAI] += np.where(gaelic[who], 50, -np.inf)
            kk = courses[who] - ((asn[who] | (ab < -1.2)) & (rng.random(m) < 0.4))
        else:
            new_level = np.where(ab[:, None] + rng.normal(0, 0.4, (m, _A)) > 0.5, 6,
                                 np.where(ab[:, None] > -0.7, 5, 4))
            target = np.select(
                [lv == 7, (lv == 6) & (gr >= 3), lv == 6, (lv == 5) & (gr >= 2), lv == 5, lv == 4, lv == 3, tk],
                [0, 7, 0, 6, 5, 5, 4, np.where(ab[:, None] > -0.5, 5, 4)],
                default=new_level,
            ).astype(np.int8)
            # Advanced Highers only for the ablest; crash Highers only in S6 or new-only subjects.
            target = np.where((target == 7) & (apt[who] < 0.9), 0, target)
            target = np.where(target > _AC_MAX[None, :], 0, target)
            pr = interest[who] + 0.5 * apt[who] + np.where(tk, 1.5, np.where(_AC_S4, -3.0, -1.2)[None, :])
            pr[:, _I_ENG] += np.where(lv[:, _I_ENG] < 6, 40, 0)
            pr[:, [_I_MATH, _I_AMATH]] += np.where(tk[:, [_I_MATH, _I_AMATH]], 2.0, -np.inf)
            resit = (target == lv) & (target > 0)
            pr = pr - 1.5 * resit
            if k == 1:
                kk = 5 + (rng.random(m) < 0.5) - ((asn[who] | (ab < -0.8)) & (rng.random(m) < 0.5))
            else:
                kk = 4 + ((ab > 0.3) & (rng.random(m) < 0.5))
        kk = np.where(special[who], np.minimum(kk, 4), kk)
        pr = np.where(target > 0, pr, -np.inf)
        chosen = _top_k(pr, np.maximum(kk, 1))
        li, aj = np.nonzero(chosen)
        tl = target[li, aj]
        score = apt[who][li, aj] + rng.normal(0, 0.55, li.size) + shift[li]
        g_rank = np.zeros(li.size, dtype=np.int8)
        graded = tl >= 5
        for lvl, cuts in _GRADE_CUTS.items():
            sel = tl == lvl
            g_rank[sel] = (score[sel][:, None] >= np.array(cuts)[None, :]).sum(axis=1).astype(np.int8)
        passed = np.where(graded, g_rank > 0, score >= np.where(tl == 4, _PASS_CUT[4], _PASS_CUT[3]))
        # A failed National 5 often brings a National 4; a failed National 4 sometimes a National 3.
        fb = ~passed & (((tl == 5) & (rng.random(li.size) < 0.65) & (score > _PASS_CUT[4]))
                        | ((tl == 4) & (rng.random(li.size) < 0.5) & (score > _PASS_CUT[3])))
        fb_level = np.where(tl == 5, 4, 3).astype(np.int8)
        for mask, lvls in ((passed, tl), (fb, fb_level)):
            l2, a2, v2 = li[mask], aj[mask], lvls[mask]
            gr2 = np.where(v2 >= 5, g_rank[mask], 0)
            emit(who[l2], _AC_SUBJ[a2], _LEVEL_TO_AWARD[v2], v2,
                 np.where(v2 == 7, 32, 24), np.where(v2 >= 5, 4 - gr2, 4), diet[l2], sch[l2])
            better = (v2 > lv[l2, a2]) | ((v2 == lv[l2, a2]) & (gr2 > gr[l2, a2]))
            lv[l2[better], a2[better]] = v2[better]
            gr[l2[better], a2[better]] = gr2[better]
        tk[li, aj] = True
        level[who], grade[who], taken[who] = lv, gr, tk

        # Literacy and numeracy units for those still without English / Mathematics at level 4.
        for subj, core in (("LIT", [_I_ENG, _I_GAI]), ("NUM", [_I_MATH, _I_AMATH])):
            need = (lv[:, core].max(axis=1) < 4) & (rng.random(m) < 0.55)
            idx = np.flatnonzero(need)
            lvl_u = np.where(ab[idx] > -2.2, 4, 3)
            emit(who[idx], np.full(idx.size, _SUBJ[subj]), np.where(lvl_u == 4, _AW["N4"], _AW["N3"]), lvl_u,
                 np.full(idx.size, 6), np.full(idx.size, 4), diet[idx], sch[idx])

        # Vocational and wider awards.
        _vocational(rng, emit, who, k, ab, female[who], special[who], diet, sch)

    cols: list[np.ndarray]
    if rows:
        cols = [np.concatenate([r[i] for r in rows]) for i in range(8)]
    else:
        cols = [np.zeros(0, np.int64) for _ in range(8)]
    order = np.lexsort((cols[1], cols[6], cols[0]))  # by learner, diet year, subject
    learner, subject, award, r_level, credits, grd, diet_year, res_school = (c[order] for c in cols)
    pts = _points(award, r_level, credits, grd)
    # Latest and best: per learner and subject only the best result counts.
    best = np.zeros((n, len(SUBJECT_CODES)))
    np.maximum.at(best, (learner, subject), pts)
    best_h = np.zeros((n, len(SUBJECT_CODES)))
    np.maximum.at(best_h, (learner, subject), np.where(r_level >= 6, pts, 0))
    return {
        "r_learner": learner, "r_subject": subject, "r_award": award, "r_level": r_level, "r_credits": credits,
        "r_grade": grd, "r_year": diet_year, "r_school": res_school, "points": best.sum(axis=1),
        "higher_points": best_h.sum(axis=1),
    }


def _vocational(rng: np.random.Generator, emit: Callable[..., None], who: np.ndarray, k: int, ab: np.ndarray,
                female: np.ndarray, special: np.ndarray, diet: np.ndarray, sch: np.ndarray) -> None:
    m = who.size
    u = rng.random((m, 6))
    pick = rng.random(m)
    # Wider achievement (Youth Achievement, Duke of Edinburgh's): 6-24 credits, levels 2-6.
    p = np.clip([0.4, 0.5, 0.6][k] + 0.08 * ab, 0.05, 0.85)
    idx = np.flatnonzero(u[:, 0] < p)
    lvl = np.clip(3 + k + (ab[idx] > 0.8) - special[idx] * 2, 2, 6)
    emit(who[idx], np.where(pick[idx] < 0.5, _SUBJ["WAYP"], _SUBJ["WADOE"]), np.full(idx.size, _AW["WA"]), lvl,
         np.clip(6 * (lvl - 2), 6, 24), np.full(idx.size, 4), diet[idx], sch[idx])
    # A second wider award in S5/S6 for some (the other one).
    idx2 = idx[u[idx, 5] < 0.4]
    if idx2.size:
        lvl2 = np.clip(2 + k + (ab[idx2] > 0.5) - special[idx2] * 2, 2, 6)
        emit(who[idx2], np.where(pick[idx2] < 0.5, _SUBJ["WADOE"], _SUBJ["WAYP"]), np.full(idx2.size, _AW["WA"]),
             lvl2, np.clip(6 * (lvl2 - 2), 6, 24), np.full(idx2.size, 4), diet[idx2], sch[idx2])
    # Skills for Work (more for mid and lower attainers): 24 credits, levels 4-5.
    p = np.where(ab < 0, 1.5, 0.5) * [0.08, 0.15, 0.15][k] * ~special
    idx = np.flatnonzero(u[:, 1] < p)
    f = female[idx]
    subj = np.where(pick[idx] < 0.45, np.where(f, _SUBJ["SFWHC"], _SUBJ["SFWCON"]), _SUBJ["SFWSPT"])
    lvl = np.where(ab[idx] < -0.5, 4, 5)
    emit(who[idx], subj, np.full(idx.size, _AW["SFW"]), lvl, np.where(lvl == 4, 18, 24), np.full(idx.size, 4),
         diet[idx], sch[idx])
    # National Progression Awards: 12-24 credits, levels 3-6.
    p = [0.08, 0.18, 0.25][k] + 0.05 * special
    idx = np.flatnonzero(u[:, 2] < p)
    subj = np.where((~female[idx]) ^ (pick[idx] < 0.3), _SUBJ["NPACYB"], _SUBJ["NPAMUS"])
    lvl = np.clip(4 + k - (ab[idx] < -0.5) + (ab[idx] > 1.0) - 2 * special[idx], 3, 6)
    emit(who[idx], subj, np.full(idx.size, _AW["NPA"]), lvl, 6 * rng.integers(2, 5, idx.size),
         np.full(idx.size, 4), diet[idx], sch[idx])
    if k == 2:
        # Foundation Apprenticeships (two years, awarded in S6): level 6, 40-60 credits.
        p = np.where((ab > -0.6) & (ab < 1.0), 0.08, 0.02) * ~special
        idx = np.flatnonzero(u[:, 3] < p)
        subj = np.where(female[idx] ^ (pick[idx] < 0.2), _SUBJ["FAELC"], _SUBJ["FAENG"])
        emit(who[idx], subj, np.full(idx.size, _AW["FA"]), np.full(idx.size, 6),
             rng.choice([40, 44, 48, 52, 56, 60], idx.size), np.full(idx.size, 4), diet[idx], sch[idx])
        # National Certificate in Health and Social Care (college partnership).
        idx = np.flatnonzero((u[:, 4] < 0.02) & ~special)
        lvl = np.where(ab[idx] > 0, 6, 5)
        emit(who[idx], np.full(idx.size, _SUBJ["NCHSC"]), np.full(idx.size, _AW["NC"]), lvl,
             np.where(lvl == 6, 72, 48), np.full(idx.size, 4), diet[idx], sch[idx])


def _points(award: np.ndarray, level: np.ndarray, credits: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Default tariff points (datahub.reference) per result, for the synthetic destinations model."""
    pts = np.zeros(award.size)
    for lvl, table in _POINTS_GRADED.items():
        for gi, g in enumerate(GRADES[:4]):
            pts[(level == lvl) & (grade == gi) & (award <= _AW["AH"])] = table[g]
    for lvl, p in _POINTS_PASS.items():
        pts[(level == lvl) & (award == _LEVEL_AWARD[lvl])] = p
    per_credit = award >= _AW["NPA"]
    rate = np.array([float(PER_CREDIT_AT_C.get(lvl, 0)) for lvl in range(13)])
    factor = np.where(award == _AW["WA"], float(WIDER_FACTOR), 1.0)
    pts = np.where(per_credit, rate[np.clip(level, 0, 12)] * credits * factor, pts)
    return pts


def _destinations(rng: np.random.Generator, year: int, n: int, points: np.ndarray, higher: np.ndarray,
                  ability: np.ndarray, sc: np.ndarray, stage: np.ndarray, asn: np.ndarray, care: np.ndarray,
                  female: np.ndarray, special: np.ndarray, auth: np.ndarray, school_dest: np.ndarray,
                  leaving: np.ndarray) -> dict[str, np.ndarray]:
    lp = np.log1p(points)
    az = (lp - lp.mean()) / (lp.std() or 1.0)
    lh = np.log1p(higher)
    hz = (lh - lh.mean()) / (lh.std() or 1.0)
    s4, s6 = (stage == 0).astype(float), (stage == 2).astype(float)
    early = 1.0 - s6

    # Unknown: national rate scaled by each authority's tracking (some reach 100% known).
    mult = np.array([AUTHORITY_PROFILES[a].unknown for a in auth])
    p_unk = _UNKNOWN_INITIAL * mult / max(mult.mean(), 1e-9)
    unknown = rng.random(n) < p_unk
    # Not positive among the known, calibrated so the national positive share is _INITIAL_POSITIVE.
    lin = -0.9 * az - 0.12 * sc + 0.8 * care + 0.2 * asn + 0.4 * s4 + school_dest
    target = max((1 - _INITIAL_POSITIVE) - unknown.mean(), 0.001) / max(1 - unknown.mean(), 1e-9)
    neg = ~unknown & (rng.random(n) < _sigmoid(lin + _calibrate(lin[~unknown], target)))
    # Positive category: utilities fitted to the year's national mix.
    u = np.column_stack([
        2.4 * hz + 1.8 * s6 - 1.5 * s4 + 0.3 * female,   # HE
        0.6 * early + 0.4 * asn - 0.3 * hz,               # FE
        0.3 * (~female) + 0.2 * early,                    # employment
        0.6 * early + 0.3 * (~female) - 0.3 * hz,         # training
        np.zeros(n),                                      # voluntary
        1.2 * asn + 1.0 * care - 0.5 * hz + 2.5 * special,  # personal skills development
    ])
    mix = np.array(_POSITIVE_MIX.get(year, _POSITIVE_MIX[max(_POSITIVE_MIX)]), dtype=float)
    pos = ~unknown & ~neg
    b = _fit_intercepts(u[pos], mix / mix.sum())
    probs = _softmax(u + b)
    initial = np.full(n, _D_UNK, dtype=np.int64)
    initial[pos] = _draw(rng, probs[pos])
    not_seeking = rng.random(n) < _sigmoid(-0.8 + 0.8 * asn + 0.8 * care)
    initial[neg] = np.where(not_seeking[neg], _D_NOTSEEK, _D_SEEK)

    # Follow-up: unknowns partly stay unknown; not positive by a model where the initial status
    # matters most; positive leavers mostly stay where they were (sustained).
    was_pos = initial < _N_POS
    p_unk2 = np.where(initial == _D_UNK, 0.55, 0.0)
    rest = max(_UNKNOWN_FOLLOW_UP - p_unk2.mean(), 0.0) / max(1 - p_unk2.mean(), 1e-9)
    p_unk2 = np.where(initial == _D_UNK, 0.55, rest * mult / max(mult.mean(), 1e-9))
    unknown2 = rng.random(n) < p_unk2
    lin = (2.8 * (initial >= _D_SEEK) - 0.9 * az - 0.2 * sc + 0.7 * care + 0.3 * asn
           - 0.7 * (initial == _D_HE) + school_dest)
    target = max((1 - _FOLLOW_UP_POSITIVE) - unknown2.mean(), 0.001) / max(1 - unknown2.mean(), 1e-9)
    neg2 = ~unknown2 & (rng.random(n) < _sigmoid(lin + _calibrate(lin[~unknown2], target)))
    pos2 = ~unknown2 & ~neg2
    follow = np.full(n, _D_UNK, dtype=np.int64)
    stay = pos2 & was_pos & (rng.random(n) < _STAY[np.minimum(initial, _N_POS - 1)])
    follow[stay] = initial[stay]
    move = pos2 & ~stay
    # Movers go somewhere else positive (HE only if they were in HE: it starts in the autumn).
    pm = probs.copy()
    pm[:, _D_HE] = 0.0
    pm[np.arange(n), np.minimum(initial, _N_POS - 1)] *= np.where(was_pos, 0.0, 1.0)
    pm[:, _D_EMP] *= 1.6  # follow-ups have more employment than initial
    pm[pm.sum(axis=1) == 0, _D_EMP] = 1.0
    follow[move] = _draw(rng, pm[move])
    not_seeking2 = rng.random(n) < _sigmoid(-0.6 + 0.8 * asn + 0.8 * care)
    follow[neg2] = np.where(not_seeking2[neg2], _D_NOTSEEK, _D_SEEK)

    # Survey dates and when the records were made.
    oct_survey = np.datetime64(_first_monday(year, 10))
    apr_survey = np.datetime64(_first_monday(year + 1, 4))
    secs = lambda base, lo, hi: (  # noqa: E731
        base.astype("datetime64[s]") + (rng.integers(lo, hi, n) * 86400 + rng.integers(8 * 3600, 17 * 3600, n)
                                        ).astype("timedelta64[s]"))
    initial_at = secs(oct_survey, 3, 45)
    follow_at = secs(apr_survey, 3, 45)
    # History: some follow-ups were first recorded as unknown or unemployed, then corrected.
    hist = np.flatnonzero((follow != _D_UNK) & (rng.random(n) < 0.03))
    h_cat = np.where(rng.random(hist.size) < 0.6, _D_UNK, _D_SEEK)
    h_at = follow_at[hist] - (rng.integers(5, 30, hist.size) * 86400).astype("timedelta64[s]")
    return {
        "d_initial": initial, "d_follow": follow, "d_initial_at": initial_at, "d_follow_at": follow_at,
        "h_learner": hist, "h_category": h_cat, "h_at": h_at, "h_superseded": follow_at[hist],
    }


def _spells(rng: np.random.Generator, dests: dict[str, np.ndarray], leaving: np.ndarray) -> dict[str, np.ndarray]:
    """APM spells after leaving: the initial status, then the follow-up status if it changed."""
    initial, follow = dests["d_initial"], dests["d_follow"]
    status = np.array([_APM[i].value for i in range(9)])
    n = initial.size
    first = status[initial]
    second = status[follow]
    changed = first != second
    start1 = leaving + np.timedelta64(1, "D")
    at_init = dests["d_initial_at"].astype("datetime64[D]")
    at_follow = dests["d_follow_at"].astype("datetime64[D]")
    gap = np.maximum((at_follow - at_init).astype(np.int64) - 30, 1)
    change = at_init + (15 + (rng.random(n) * gap).astype(np.int64)).astype("timedelta64[D]")
    li = np.concatenate([np.arange(n), np.flatnonzero(changed)])
    st = np.concatenate([first, second[changed]])
    start = np.concatenate([start1, change[changed]])
    end = np.concatenate([np.where(changed, change - np.timedelta64(1, "D"), np.datetime64("NaT")),
                          np.full(int(changed.sum()), np.datetime64("NaT"), dtype="datetime64[D]")])
    order = np.lexsort((start, li))
    return {"learner": li[order], "status": st[order], "start": start[order], "end": end[order]}


# --- Writing -------------------------------------------------------------------------------


def _columns(model: type[models.Model], names: Sequence[str]) -> tuple[str, list[str]]:
    meta = model._meta
    columns = []
    for name in names:
        f = meta.get_field(name)
        assert isinstance(f, models.Field)
        columns.append(f.column)
    return meta.db_table, columns


class _Writer:
    """Bulk inserts: COPY on PostgreSQL, executemany on SQLite. Values come as column lists."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, model: type[models.Model], names: Sequence[str], columns: Sequence[Any]) -> int:
        table, cols = _columns(model, names)
        n = len(columns[0]) if columns else 0
        if n == 0:
            return 0
        qn = connection.ops.quote_name
        collist = ", ".join(qn(c) for c in cols)
        chunk = 200_000
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if self.pg:
                sql = f"COPY {qn(table)} ({collist}) FROM STDIN"
                with raw.copy(sql) as copy:
                    for lo in range(0, n, chunk):
                        parts = [_pg_text(c[lo:lo + chunk]) for c in columns]
                        copy.write("".join(f"{row}\n" for row in map("\t".join, zip(*parts, strict=True))))
            else:
                sql = f"INSERT INTO {qn(table)} ({collist}) VALUES ({', '.join('?' for _ in cols)})"
                for lo in range(0, n, chunk):
                    raw.executemany(sql, zip(*(_sqlite_values(c[lo:lo + chunk]) for c in columns), strict=True))
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + n
        return n


def _pg_text(values: Sequence[Any]) -> list[str]:
    if isinstance(values, np.ndarray):
        if values.dtype == bool:
            return np.where(values, "t", "f").tolist()
        if values.dtype.kind == "M":
            text = np.datetime_as_string(values)
            out = np.char.replace(text, "T", " ")
            if values.dtype == np.dtype("datetime64[s]"):
                out = np.char.add(out, "+00")
            return np.where(np.isnat(values), "\\N", out).tolist()
        if values.dtype.kind in "iu":
            return list(map(str, values.tolist()))
        values = values.tolist()
    return ["\\N" if v is None else _escape(str(v)) for v in values]


def _escape(s: str) -> str:
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def _sqlite_values(values: Sequence[Any]) -> list[Any]:
    if isinstance(values, np.ndarray):
        if values.dtype == bool:
            return values.astype(int).tolist()
        if values.dtype.kind == "M":
            text = np.char.replace(np.datetime_as_string(values), "T", " ")
            return [None if nat else t for nat, t in zip(np.isnat(values).tolist(), text.tolist(), strict=True)]
        return values.tolist()
    return list(values)


def _next_id(model: type[models.Model]) -> int:
    agg = model._default_manager.aggregate(m=models.Max("id"))["m"]
    return int(agg or 0) + 1


def _reset_sequence(model: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite AUTOINCREMENT follows the largest id inserted
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0) + 1, false)",
            [table],
        )


class _FastLoad:
    """PostgreSQL bulk-load mode for the big tables: their secondary indexes and foreign keys are
    dropped for the load and re-created afterwards, inside the same transaction. Building an index
    once and validating a foreign key with one join is far cheaper than maintaining five indexes
    row by row and queueing millions of deferred foreign-key trigger events for the commit.

    Needs table ownership (the migrating user); without it the load simply runs with everything in
    place. The tables are locked (ACCESS EXCLUSIVE) until the transaction ends.
    """

    _CATALOG = """
        SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname, c.contype,
               pg_get_constraintdef(c.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
        ORDER BY i.relname
    """
    _FOREIGN_KEYS = """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
    """

    def __init__(self, tables: Sequence[type[models.Model]], log: Callable[[str], None]) -> None:
        self.tables = [m._meta.db_table for m in tables]
        self.log = log
        self.restore_sql: list[str] = []
        self.active = False

    def start(self) -> None:
        if connection.vendor != "postgresql":
            return
        qn = connection.ops.quote_name
        drop: list[str] = []
        restore_idx: list[str] = []
        restore_fk: list[str] = []
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # Fire any deferred checks now (e.g. from --replace deletes): ALTER TABLE refuses to
                # run while trigger events are pending on a table.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in self.tables:
                    cursor.execute(self._FOREIGN_KEYS, [table])
                    for name, definition in cursor.fetchall():
                        drop.append(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                        restore_fk.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
                    cursor.execute(self._CATALOG, [table])
                    for index, index_def, con_name, con_type, con_def in cursor.fetchall():
                        if con_name and con_type in ("u", "x"):
                            drop.append(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(con_name)}")
                            restore_idx.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(con_name)} {con_def}")
                        elif not con_name:
                            drop.append(f"DROP INDEX {qn(index)}")
                            restore_idx.append(index_def)
                for sql in drop:
                    cursor.execute(sql)
        except Exception as exc:
            self.log(f"  (bulk-load mode unavailable, loading with indexes in place: {exc})")
            return
        self.restore_sql = restore_idx + restore_fk
        self.active = True
        self.log(f"  bulk-load mode: {len(restore_idx)} indexes and {len(restore_fk)} foreign keys set aside")

    def finish(self) -> None:
        if not self.active:
            return
        t0 = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for sql in self.restore_sql:
                cursor.execute(sql)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.active = False
        self.log(f"Indexes and foreign keys rebuilt and checked ({time.monotonic() - t0:.1f}s)")


# --- Deleting earlier demo data ------------------------------------------------------------


def _demo_establishments() -> models.QuerySet[Establishment]:
    return Establishment.objects.filter(seed_code__startswith=DEMO_SEED_PREFIX)


def delete_demo_data(log: Callable[[str], None] = lambda s: None) -> dict[str, int]:
    """Delete what an earlier run made: its establishments (and everything of their learners) and
    the demo users. Big tables go by SQL; the rest through the ORM so other apps' cascades apply."""
    est_ids = list(_demo_establishments().values_list("id", flat=True))
    deleted: dict[str, int] = {}
    qn = connection.ops.quote_name
    if est_ids:
        learners = Learner.objects.filter(establishment_id__in=est_ids)
        leavers = SchoolLeaver.objects.filter(
            models.Q(learner__in=learners) | models.Q(establishment_id__in=est_ids))
        # Rows of other apps that point at these learners or leavers (e.g. benchmark rows).
        handled = {ParticipationSpell, DestinationRecord, QualificationResult, Enrolment, SchoolLeaver}
        for target, qs in ((Learner, learners), (SchoolLeaver, leavers)):
            for rel in target._meta.related_objects:
                related_model = rel.related_model
                if isinstance(related_model, str) or related_model in handled or not getattr(rel, "field", None):
                    continue
                related = related_model._base_manager.filter(**{f"{rel.field.name}__in": qs})
                if rel.on_delete is models.SET_NULL:
                    related.update(**{rel.field.name: None})
                else:
                    related.delete()
        est_sql = ", ".join(str(int(i)) for i in est_ids)
        lt, lrt = qn(Learner._meta.db_table), qn(SchoolLeaver._meta.db_table)
        learner_sub = f"SELECT id FROM {lt} WHERE establishment_id IN ({est_sql})"
        leaver_sub = (f"SELECT id FROM {lrt} WHERE learner_id IN ({learner_sub}) "
                      f"OR establishment_id IN ({est_sql})")
        statements = [
            (ParticipationSpell, f"learner_id IN ({learner_sub})"),
            (DestinationRecord, f"leaver_id IN ({leaver_sub})"),
            (QualificationResult, f"learner_id IN ({learner_sub}) OR establishment_id IN ({est_sql})"),
            (Enrolment, f"learner_id IN ({learner_sub}) OR establishment_id IN ({est_sql})"),
            (SchoolLeaver, f"learner_id IN ({learner_sub}) OR establishment_id IN ({est_sql})"),
            (Learner, f"establishment_id IN ({est_sql})"),
        ]
        only_demo = not Establishment.objects.exclude(seed_code__startswith=DEMO_SEED_PREFIX).exists()
        if only_demo and connection.vendor == "postgresql" and _truncate([m for m, _ in statements], log):
            statements = []
        with connection.cursor() as cursor:
            for model, where in statements:
                t0 = time.monotonic()
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE {where}")
                deleted[model.__name__] = cursor.rowcount
                log(f"  deleted {cursor.rowcount:>9,} {model.__name__} rows ({time.monotonic() - t0:.1f}s)")
        deleted["Establishment"] = _demo_establishments().delete()[1].get("datahub.Establishment", 0)
    deleted["User"] = User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").delete()[1].get(
        "datahub.User", 0)
    return deleted


def _truncate(tables: Sequence[type[models.Model]], log: Callable[[str], None]) -> bool:
    """When every establishment is a demo one, every learner row is demo data: TRUNCATE them (no
    dead rows, no per-row trigger work). False if PostgreSQL refuses (e.g. another table refers to
    them), and the caller deletes row by row instead."""
    qn = connection.ops.quote_name
    t0 = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending trigger events
            cursor.execute(f"TRUNCATE {', '.join(qn(m._meta.db_table) for m in tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    except Exception as exc:
        log(f"  (TRUNCATE not possible, deleting row by row: {exc})")
        return False
    log(f"  truncated {', '.join(m.__name__ for m in tables)} ({time.monotonic() - t0:.1f}s)")
    return True


# --- Orchestration -------------------------------------------------------------------------


@dataclass
class DemoReport:
    scale: str
    seed: int
    years: list[int]
    counts: dict[str, int]
    seconds: float
    positive_initial: float
    positive_follow_up: float


def _ensure_reference_data() -> None:
    """The authorities and subjects come with migrations; make sure they are there (tests skip
    migrations)."""
    have = set(LocalAuthority.objects.values_list("gss_code", flat=True))
    LocalAuthority.objects.bulk_create(
        [LocalAuthority(code=c, gss_code=g, name=n) for c, g, n in LOCAL_AUTHORITIES if g not in have])
    have = set(Subject.objects.values_list("code", flat=True))
    Subject.objects.bulk_create(
        [Subject(code=c, name=n, literacy=lit, numeracy=num) for c, n, lit, num in SUBJECTS if c not in have])


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # One hash for every demo user: hashing is deliberately slow, and these share one password.
    return make_password(DEMO_PASSWORD)


def _create_users(establishments: dict[str, Establishment]) -> list[User]:
    school1 = establishments[DEMO_SCHOOL_1[1]]
    school2 = establishments[DEMO_SCHOOL_2[1]]
    users = []
    for spec in DEMO_USERS:
        user = User.objects.create(
            email=spec.email, first_name=spec.first_name, last_name=spec.last_name, password=_password_hash(),
            is_staff=spec.superuser, is_superuser=spec.superuser,
        )
        if spec.role is not None:
            place: dict[str, Any] = {}
            if spec.place == "school1":
                place["establishment"] = school1
            elif spec.place == "school2":
                place["establishment"] = school2
            elif spec.place == "authority1":
                place["authority"] = school1.authority
            Membership.objects.create(user=user, role=spec.role, **place)
        users.append(user)
    return users


def generate_demo_data(*, scale: str = "demo", seed: int = 1, years: int = 5, last_year: int = LAST_LEAVER_YEAR,
                       replace: bool = False, log: Callable[[str], None] = lambda s: None) -> DemoReport:
    """Generate the demo data set in one transaction (see the module docstring)."""
    spec = _scale(scale)
    if not 1 <= years <= 10:
        raise DemoDataError("--years must be between 1 and 10")
    t_start = time.monotonic()
    leaver_years = list(range(last_year - years + 1, last_year + 1))
    with transaction.atomic():
        if replace:
            log("Deleting earlier demo data ...")
            delete_demo_data(log)
        existing = Establishment.objects.count()
        if existing and not replace:
            raise DemoDataError(
                f"{existing} establishments already exist: run with --replace to delete the demo data first "
                "(only demo establishments, their learners and the demo users are deleted).")
        if User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").exists():
            raise DemoDataError("Demo users already exist: run with --replace.")
        _ensure_reference_data()
        writer = _Writer()

        # Establishments.
        schools = _build_schools(spec, seed)
        arrays = schools.arrays()
        authorities = {a.name: a for a in LocalAuthority.objects.all()}
        est_objs = [
            Establishment(seed_code=make_seed_code(DEMO_SEED_SERIAL_BASE + i), name=name,
                          authority=authorities[schools.authority[i]], type=_TYPE_CODES[schools.type[i]].value,
                          roll=schools.roll[i])
            for i, name in enumerate(schools.names)
        ]
        Establishment.objects.bulk_create(est_objs, batch_size=500)
        est_by_seed = {e.seed_code: e for e in _demo_establishments().select_related("authority")}
        est_ids = np.array([est_by_seed[e.seed_code].id for e in est_objs], dtype=np.int64)
        writer.counts["Establishment"] = len(est_objs)
        log(f"Created {len(est_objs)} establishments "
            f"({int((arrays['type'] == _SEC).sum())} secondary, {int((arrays['type'] == _SPE).sum())} special, "
            f"{int((arrays['type'] == _PRI).sum())} primary)")
        users = _create_users({e.name: e for e in est_by_seed.values()})
        writer.counts["User"] = len(users)

        subject_ids = dict(Subject.objects.values_list("code", "id"))
        subj_map = np.array([subject_ids[c] for c in SUBJECT_CODES], dtype=np.int64)
        award_txt = np.array(AWARDS)
        grade_txt = np.array(GRADES)
        dest_txt = np.array([c.value for c in DEST])
        stage_txt = np.array(["S4", "S5", "S6"])
        fast = _FastLoad([Learner, Enrolment, SchoolLeaver, QualificationResult, DestinationRecord,
                          ParticipationSpell], log)
        if spec.leavers_per_year * years >= 20_000:  # worth it from the demo scale up
            fast.start()
        learner_id = _next_id(Learner)
        leaver_id = _next_id(SchoolLeaver)
        scn_next = DEMO_SCN_BASE
        pos_init = pos_follow = 0.0
        total = 0
        for year in leaver_years:
            t0 = time.monotonic()
            y = _build_year(schools, arrays, spec.leavers_per_year, year, seed, year >= last_year - 1)
            t1 = time.monotonic()
            n = y.n
            total += n
            lids = np.arange(learner_id, learner_id + n, dtype=np.int64)
            vids = np.arange(leaver_id, leaver_id + n, dtype=np.int64)
            learner_id += n
            leaver_id += n
            scns, scn_next = _valid_scns(scn_next, n)
            # Spread the year's SCNs over its schools (a deterministic shuffle).
            scns = scns[np.random.default_rng([seed, 4, year]).permutation(n)]
            est = est_ids[y.school]
            writer.write(Learner, ["id", "scn", "given_name", "family_name", "date_of_birth", "sex", "data_zone",
                                   "simd_decile", "asn", "care_experienced", "fsm", "establishment"],
                         [lids, [f"{s:09d}" for s in scns.tolist()], y.given, y.family, y.dob, y.sex,
                          [f"S01{z:06d}" for z in y.zone.tolist()], y.decile, y.asn, y.care, y.fsm, est])
            # Enrolments: one per senior-phase year up to the stage of leaving.
            n_years = y.stage + 1
            e_learner = np.repeat(np.arange(n), n_years)
            k = np.arange(e_learner.size) - np.repeat(np.cumsum(n_years) - n_years, n_years)
            e_year = year - n_years[e_learner] + k
            e_school = np.where(k == 0, y.first_school[e_learner], y.school[e_learner])
            writer.write(Enrolment, ["learner", "establishment", "year", "stage"],
                         [lids[e_learner], est_ids[e_school], e_year, stage_txt[k]])
            writer.write(SchoolLeaver, ["id", "learner", "establishment", "leaver_year", "stage", "leaving_date",
                                        "sex", "simd_decile", "asn", "care_experienced", "fsm"],
                         [vids, lids, est, np.full(n, year), stage_txt[y.stage], y.leaving, y.sex, y.decile, y.asn,
                          y.care, y.fsm])
            writer.write(QualificationResult, ["learner", "establishment", "subject", "award_type", "scqf_level",
                                               "scqf_credits", "grade", "year"],
                         [lids[y.r_learner], est_ids[y.r_school], subj_map[y.r_subject], award_txt[y.r_award],
                          y.r_level, y.r_credits, grade_txt[y.r_grade], y.r_year])
            oct_survey = np.datetime64(_first_monday(year, 10))
            apr_survey = np.datetime64(_first_monday(year + 1, 4))
            h = y.h_learner
            d_leaver = np.concatenate([vids[h], vids, vids])
            d_kind = ["follow_up"] * h.size + ["initial"] * n + ["follow_up"] * n
            d_cat = dest_txt[np.concatenate([y.h_category, y.d_initial, y.d_follow])]
            d_at = np.concatenate([y.h_at, y.d_initial_at, y.d_follow_at])
            d_survey = np.concatenate([np.full(h.size, apr_survey), np.full(n, oct_survey), np.full(n, apr_survey)])
            d_super = np.concatenate([y.h_superseded, np.full(2 * n, np.datetime64("NaT"), dtype="datetime64[s]")])
            writer.write(DestinationRecord, ["leaver", "kind", "category", "recorded_at", "survey_date", "source",
                                             "note", "superseded_at"],
                         [d_leaver, d_kind, d_cat, d_at, d_survey, ["demo"] * d_leaver.size,
                          [""] * d_leaver.size, d_super])
            if y.spells is not None:
                sp = y.spells
                writer.write(ParticipationSpell, ["learner", "status", "start_date", "end_date", "source",
                                                  "recorded_at"],
                             [lids[sp["learner"]], sp["status"], sp["start"], sp["end"],
                              ["demo"] * sp["learner"].size,
                              (sp["start"] + np.timedelta64(7, "D")).astype("datetime64[s]")
                              + np.timedelta64(10 * 3600, "s")])
            pi = float((y.d_initial < _N_POS).mean()) if n else 0.0
            pf = float((y.d_follow < _N_POS).mean()) if n else 0.0
            pos_init += pi * n
            pos_follow += pf * n
            log(f"  {year}: {n:,} leavers, {y.r_learner.size:,} results, positive {pi:.1%} / {pf:.1%} "
                f"(built {t1 - t0:.1f}s, written {time.monotonic() - t1:.1f}s)")
        fast.finish()
        t0 = time.monotonic()
        _reset_sequence(Learner)
        _reset_sequence(SchoolLeaver)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Learner, SchoolLeaver, Enrolment, QualificationResult, DestinationRecord,
                              ParticipationSpell, Establishment):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        log(f"Sequences and statistics ({time.monotonic() - t0:.1f}s)")
        t0 = time.monotonic()
        refreshed = establishment_refresh_context()
        log(f"Refreshed context of {refreshed} establishments ({time.monotonic() - t0:.1f}s)")
        t_commit = time.monotonic()
    log(f"Committed ({time.monotonic() - t_commit:.1f}s)")
    counts = {k: writer.counts.get(k, 0) for k in ("Establishment", "User", "Learner", "Enrolment", "SchoolLeaver",
                                                    "QualificationResult", "DestinationRecord",
                                                    "ParticipationSpell")}
    return DemoReport(scale=scale, seed=seed, years=leaver_years, counts=counts,
                      seconds=time.monotonic() - t_start,
                      positive_initial=pos_init / total if total else 0.0,
                      positive_follow_up=pos_follow / total if total else 0.0)

