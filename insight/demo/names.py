"""Name and profile tables of the synthetic Scotland: one profile per local authority (school count,
deprivation, roll, denominational share, destination tracking, place names), school name parts and
the given and family names pupils are drawn from. Data only: nothing here draws a random number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuthorityProfile:
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



_P = AuthorityProfile
AUTHORITY_PROFILES: dict[str, AuthorityProfile] = {
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
