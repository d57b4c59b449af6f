"""Reference data loaded by migration: subjects and the default tariff scale.

The default tariff scale is ours (docs/domain.md): graded courses use grade ratio A:B:C:D = 6:5:4:3
(National 5 A 84 ... Higher A 204 ... Advanced Higher A 480), National 4 33 and National 3 16.
Other awards use a level-and-credit rule: points per SCQF credit equal to a grade-C course at the
same level (level 3: 16/24, 4: 33/24, 5: 56/24, 6: 136/24, 7: 320/32), halved for wider
achievement awards that carry no course weight. These are defaults to be replaced by the official
scale, which a data manager can load as a new TariffScale version.
"""

from __future__ import annotations

from decimal import Decimal

DEFAULT_TARIFF_VERSION = "default-2026"

GRADED_POINTS: dict[tuple[str, int], dict[str, int]] = {
    ("N5", 5): {"A": 84, "B": 70, "C": 56, "D": 42},
    ("H", 6): {"A": 204, "B": 170, "C": 136, "D": 102},
    ("AH", 7): {"A": 480, "B": 400, "C": 320, "D": 240},
}
PASS_POINTS: dict[tuple[str, int], int] = {("N4", 4): 33, ("N3", 3): 16}
PER_CREDIT_AT_C: dict[int, Decimal] = {
    2: Decimal(8) / Decimal(24),
    3: Decimal(16) / Decimal(24),
    4: Decimal(33) / Decimal(24),
    5: Decimal(56) / Decimal(24),
    6: Decimal(136) / Decimal(24),
    7: Decimal(320) / Decimal(32),
}
COURSE_WEIGHTED_UNGRADED = ("NPA", "SFW", "FA", "NC")
WIDER = ("WA",)
WIDER_FACTOR = Decimal("0.5")


def default_tariff_entries() -> list[dict]:
    rows: list[dict] = []
    for (award, level), grades in GRADED_POINTS.items():
        for grade, pts in grades.items():
            rows.append(dict(award_type=award, scqf_level=level, grade=grade, points=Decimal(pts), per_credit=False))
    for (award, level), pts in PASS_POINTS.items():
        rows.append(dict(award_type=award, scqf_level=level, grade="P", points=Decimal(pts), per_credit=False))
    for level, rate in PER_CREDIT_AT_C.items():
        for award in COURSE_WEIGHTED_UNGRADED:
            rows.append(dict(award_type=award, scqf_level=level, grade="P", points=round(rate, 3), per_credit=True))
        for award in WIDER:
            rows.append(
                dict(award_type=award, scqf_level=level, grade="P", points=round(rate * WIDER_FACTOR, 3), per_credit=True)
            )
    return rows


# (code, name, literacy, numeracy). Literacy and numeracy follow Insight: English, Gaidhlig and
# the Literacy units count for literacy; Mathematics, Applications of Mathematics and the
# Numeracy units for numeracy.
SUBJECTS: tuple[tuple[str, str, bool, bool], ...] = (
    ("ENG", "English", True, False),
    ("GAI", "Gàidhlig", True, False),
    ("LIT", "Literacy", True, False),
    ("MATH", "Mathematics", False, True),
    ("AMATH", "Applications of Mathematics", False, True),
    ("NUM", "Numeracy", False, True),
    ("PHY", "Physics", False, False),
    ("CHEM", "Chemistry", False, False),
    ("BIO", "Biology", False, False),
    ("HSCI", "Human Biology", False, False),
    ("HIST", "History", False, False),
    ("GEOG", "Geography", False, False),
    ("MODS", "Modern Studies", False, False),
    ("RMPS", "Religious, Moral and Philosophical Studies", False, False),
    ("FREN", "French", False, False),
    ("SPAN", "Spanish", False, False),
    ("GERM", "German", False, False),
    ("ART", "Art and Design", False, False),
    ("MUS", "Music", False, False),
    ("DRAM", "Drama", False, False),
    ("PE", "Physical Education", False, False),
    ("COMP", "Computing Science", False, False),
    ("BUS", "Business Management", False, False),
    ("ADIT", "Administration and IT", False, False),
    ("ACC", "Accounting", False, False),
    ("DMAN", "Design and Manufacture", False, False),
    ("GRAP", "Graphic Communication", False, False),
    ("ENGS", "Engineering Science", False, False),
    ("PWOOD", "Practical Woodworking", False, False),
    ("HFT", "Health and Food Technology", False, False),
    ("HOSP", "Practical Cookery", False, False),
    ("PSY", "Psychology", False, False),
    ("SOC", "Sociology", False, False),
    ("MEDIA", "Media", False, False),
    ("SFWCON", "Construction Crafts", False, False),
    ("SFWSPT", "Sport and Recreation", False, False),
    ("SFWHC", "Hairdressing", False, False),
    ("NPACYB", "Cyber Security", False, False),
    ("NPAMUS", "Music Business", False, False),
    ("FAELC", "Social Services: Children and Young People", False, False),
    ("FAENG", "Engineering Systems", False, False),
    ("NCHSC", "Health and Social Care", False, False),
    ("WAYP", "Youth Achievement Award", False, False),
    ("WADOE", "Duke of Edinburgh's Award", False, False),
)


# Subject code -> curricular area (``datahub.models.CurricularArea`` values). Our rule: Insight
# publishes no list. Each subject goes to the Curriculum for Excellence area whose experiences and
# outcomes hold its content (Education Scotland, "Curriculum areas"): technologies takes
# business, computing, food and textile, and craft, design, engineering and graphics; psychology
# and sociology are social studies (people in society); media is languages (CfE's literacy and
# English outcomes read media texts); vocational and wider awards go by their content (sport,
# care and personal achievement to health and wellbeing; crafts, hairdressing, cyber security and
# engineering to technologies; music business to expressive arts). docs/methodology.md lists it.
CURRICULAR_AREAS: dict[str, str] = {
    **dict.fromkeys(("ART", "MUS", "DRAM", "NPAMUS"), "expressive_arts"),
    **dict.fromkeys(("PE", "SFWSPT", "FAELC", "NCHSC", "WAYP", "WADOE"), "health_wellbeing"),
    **dict.fromkeys(("ENG", "GAI", "LIT", "FREN", "SPAN", "GERM", "MEDIA"), "languages"),
    **dict.fromkeys(("MATH", "AMATH", "NUM"), "mathematics"),
    **dict.fromkeys(("RMPS",), "rme"),
    **dict.fromkeys(("PHY", "CHEM", "BIO", "HSCI"), "sciences"),
    **dict.fromkeys(("HIST", "GEOG", "MODS", "PSY", "SOC"), "social_studies"),
    **dict.fromkeys(("COMP", "BUS", "ADIT", "ACC", "DMAN", "GRAP", "ENGS", "PWOOD", "HFT", "HOSP", "SFWCON",
                     "SFWHC", "NPACYB", "FAENG"), "technologies"),
}
