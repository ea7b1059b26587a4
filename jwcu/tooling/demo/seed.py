"""The union as the seed document describes it (JWCU's presentation to the UN expert group
meeting of November 2016, ../shared/seed/000_cc2de29e114cf448.txt).

Every figure the seed publishes is here as data; what the seed leaves open (names of local
co-ops and head offices, exact dates where it gives a year) is synthetic and says so in notes.
"""

import datetime

SOURCE = "JWCU, 'The Need for Capacity Building of Cooperatives to Implement the SDGs', UN EGM, 16-17 Nov 2016"
AS_OF = datetime.date(2015, 3, 31)  # "as of March 2015"
PRESENTED_ON = datetime.date(2016, 11, 16)  # the cases' "now"
FISCAL_YEAR = 2015

UNION = {
    "code": "jwcu",
    "name": "Japan Workers' Co-operative Union",
    "name_ja": "日本労働者協同組合連合会",
    "established_on": datetime.date(1979, 1, 1),
    "website": "https://jwcu.coop/",
    "notes": (
        "Established 1979 (the seed gives the year only). The seed says 25 member societies but lists "
        "1 + 16 + 1 + 5 + 3 = 26 (CWC, 16 local worker co-ops, JOCCU, 5 other affiliated organisations, "
        "3 associated members); the registry holds the 26 it lists. Names of the local co-ops, the other "
        "affiliated organisations, the associated members and CWC's head offices are synthetic."
    ),
}

UNION_TURNOVER_YEN = 33_500_000_000  # FY2015, JWCU
CWC_TURNOVER_YEN = 19_000_000_000  # FY2015, CWC
WORKER_MEMBERS = 12_894
CWC_MEMBERS = 6_000  # "about 6,000"
JOCCU_MEMBERS = 45_799
CWC_CENTERS = 324

CWC = {
    "code": "cwc",
    "name": "Center Jigyodan (Central Worker Co-operative)",
    "name_ja": "日本労働者協同組合（ワーカーズコープ）センター事業団",
    "kind": "central_worker_coop",
    "legal_form": "worker_coop",
    "ilo_type": "worker",
    "prefecture": "13",
    "established_on": datetime.date(1987, 1, 1),
    "joined_union_on": datetime.date(1987, 1, 1),
    "registers_individuals": True,
    "notes": (
        "The biggest worker co-operative in Japan, established in 1987 under the direct control of JWCU "
        "(the seed gives the year only). 15 head offices, 324 business centers and about 6,000 individual "
        "members as of March 2015; the registry holds exactly 6,000."
    ),
}

JOCCU = {
    "code": "joccu",
    "name": "Japan Older Persons' Consumer Co-operative Union",
    "name_ja": "日本高齢者生活協同組合連合会",
    "kind": "older_persons_coop_union",
    "legal_form": "consumer_coop",
    "ilo_type": "consumer_user",
    "prefecture": "",
    "established_on": datetime.date(2001, 1, 1),
    "joined_union_on": datetime.date(2001, 1, 1),
    "registers_individuals": False,
    "member_organisations": 22,
    "notes": (
        "The national council of older persons' consumer co-operatives, established in 2001 (year only in "
        "the seed) on the initiative of JWCU; 22 member organisations and 45,799 individual members as of "
        "March 2015, reported as a count."
    ),
}

# (code suffix, prefecture, English name, Japanese name, year established)
LOCAL_WORKER_COOPS = [
    ("hokkaido", "01", "Workers' Co-op Hokkaido", "ワーカーズコープ北海道", 1983),
    ("aomori", "02", "Workers' Co-op Aomori", "ワーカーズコープ青森", 1992),
    ("miyagi", "04", "Workers' Co-op Miyagi", "ワーカーズコープみやぎ", 1986),
    ("fukushima", "07", "Workers' Co-op Fukushima", "ワーカーズコープふくしま", 1995),
    ("ibaraki", "08", "Workers' Co-op Ibaraki", "ワーカーズコープいばらき", 1990),
    ("saitama", "11", "Workers' Co-op Saitama", "ワーカーズコープさいたま", 1985),
    ("chiba", "12", "Workers' Co-op Chiba", "ワーカーズコープちば", 1984),
    ("tokyo", "13", "Workers' Co-op Tokyo", "ワーカーズコープ東京", 1982),
    ("kanagawa", "14", "Workers' Co-op Kanagawa", "ワーカーズコープかながわ", 1987),
    ("niigata", "15", "Workers' Co-op Niigata", "ワーカーズコープにいがた", 1996),
    ("aichi", "23", "Workers' Co-op Aichi", "ワーカーズコープあいち", 1989),
    ("kyoto", "26", "Workers' Co-op Kyoto", "ワーカーズコープ京都", 1993),
    ("osaka", "27", "Workers' Co-op Osaka", "ワーカーズコープおおさか", 1988),
    ("hiroshima", "34", "Workers' Co-op Hiroshima", "ワーカーズコープひろしま", 1997),
    ("fukuoka", "40", "Workers' Co-op Fukuoka", "ワーカーズコープふくおか", 1991),
    ("okinawa", "47", "Workers' Co-op Okinawa", "ワーカーズコープおきなわ", 2003),
]

# (code, kind, legal form, prefecture, English name, Japanese name, year joined)
OTHER_SOCIETIES = [
    ("affiliated-1", "affiliated", "company", "13", "Kyodo Service Ltd.", "株式会社協同サービス", 1994),
    (
        "affiliated-2",
        "affiliated",
        "agricultural_corporation",
        "20",
        "Shinshu Farm Agricultural Corporation",
        "農事組合法人信州ファーム",
        2002,
    ),
    ("affiliated-3", "affiliated", "npo", "11", "NPO Community Care Network", "NPO法人地域ケアネットワーク", 2004),
    (
        "affiliated-4",
        "affiliated",
        "social_welfare_corporation",
        "12",
        "Social Welfare Corporation Hidamari",
        "社会福祉法人ひだまり",
        2006,
    ),
    ("affiliated-5", "affiliated", "npo", "27", "NPO Youth Work Osaka", "NPO法人ユースワーク大阪", 2008),
    ("associated-1", "associated", "company", "14", "Shonan Building Service Ltd.", "有限会社湘南ビルサービス", 2009),
    ("associated-2", "associated", "npo", "04", "NPO Tohoku Reconstruction Support", "NPO法人東北復興支援", 2012),
    ("associated-3", "associated", "agricultural_corporation", "28", "Tajima Agri Ltd.", "株式会社但馬アグリ", 2013),
]

# (code, region, prefecture, prefectures it serves, English name, Japanese name, year opened)
CWC_HEAD_OFFICES_DATA = [
    ("ho-hokkaido", "hokkaido", "01", ["01"], "Hokkaido Head Office", "北海道事業本部", 1990),
    ("ho-tohoku", "tohoku", "04", ["02", "03", "04", "05", "06", "07"], "Tohoku Head Office", "東北事業本部", 1991),
    ("ho-kita-kanto", "kanto", "10", ["08", "09", "10"], "Kita-Kanto Head Office", "北関東事業本部", 1993),
    ("ho-saitama", "kanto", "11", ["11"], "Saitama Head Office", "埼玉事業本部", 1992),
    ("ho-chiba", "kanto", "12", ["12"], "Chiba Head Office", "千葉事業本部", 1992),
    ("ho-tokyo-east", "kanto", "13", ["13"], "Tokyo East Head Office", "東京東部事業本部", 1988),
    ("ho-tokyo-west", "kanto", "13", ["13"], "Tokyo West Head Office", "東京西部事業本部", 1988),
    ("ho-kanagawa", "kanto", "14", ["14", "19"], "Kanagawa Head Office", "神奈川事業本部", 1990),
    (
        "ho-hokuriku-shinetsu",
        "chubu",
        "15",
        ["15", "16", "17", "18", "20"],
        "Hokuriku-Shinetsu Head Office",
        "北陸信越事業本部",
        1996,
    ),
    ("ho-tokai", "chubu", "23", ["21", "22", "23", "24"], "Tokai Head Office", "東海事業本部", 1994),
    ("ho-kansai", "kinki", "27", ["25", "26", "27", "28", "29", "30"], "Kansai Head Office", "関西事業本部", 1989),
    ("ho-chugoku", "chugoku", "34", ["31", "32", "33", "34", "35"], "Chugoku Head Office", "中国事業本部", 1997),
    ("ho-shikoku", "shikoku", "37", ["36", "37", "38", "39"], "Shikoku Head Office", "四国事業本部", 1999),
    (
        "ho-kyushu",
        "kyushu_okinawa",
        "40",
        ["40", "41", "42", "43", "44", "45", "46"],
        "Kyushu Head Office",
        "九州事業本部",
        1995,
    ),
    ("ho-okinawa", "kyushu_okinawa", "47", ["47"], "Okinawa Head Office", "沖縄事業本部", 2005),
]

# (code, English, Japanese, SDG goals, description from the seed)
BUSINESS_LINES = [
    (
        "elderly-care",
        "Elderly care",
        "高齢者介護",
        [3, 8, 10],
        "Day care, home and personal care, home delivered meals, preventive care, etc.",
    ),
    (
        "children-and-parents",
        "Services for children and parents",
        "子ども・子育て支援",
        [1, 4, 5, 8],
        "Nursery school, after-school program, children's center, childcare support, etc.",
    ),
    (
        "disability-support",
        "Care and support for people with disabilities",
        "障がい者支援",
        [3, 8, 10],
        "Day care, after-school program (for children with disabilities), vocational training, job assistance, etc.",
    ),
    (
        "youth-support",
        "Support for the youth",
        "若者支援",
        [4, 8, 10],
        "'Youth Support Station' (25), job assistance, internship, etc.",
    ),
    (
        "disaster-and-needy-support",
        "Support for disaster victims, the poor and the needy",
        "被災者・生活困窮者支援",
        [1, 2, 8, 10, 11],
        "Particularly in the Tohoku region: the 'System of Independence Support for the Needy' (80), vocational "
        "training, job assistance, job creation, etc.",
    ),
    (
        "public-facilities",
        "Operation of public facilities",
        "公共施設の運営",
        [8, 11],
        "Senior center, community center, hot spring, funeral home, etc.",
    ),
    (
        "building-maintenance-cleaning",
        "Building maintenance and cleaning",
        "ビルメンテナンス・清掃",
        [6, 8, 11],
        "Building maintenance, hospital cleaning, street/park cleaning, and others.",
    ),
    (
        "clean-energy",
        "Clean energy (biodiesel)",
        "クリーンエネルギー（BDF）",
        [7, 8, 12, 13],
        "Biodiesel fuel (BDF) plants collecting used cooking oil.",
    ),
    (
        "primary-industry",
        "Primary industry (forestry, agriculture)",
        "一次産業（林業・農業）",
        [2, 8, 12, 15],
        "Forest management (yamamori), wood-burning stoves and boilers, beekeeping, small-scale agriculture.",
    ),
]

# (code, English, Japanese, group, order)
INCLUSION_CATEGORIES = [
    ("disability-physical", "Physical disability", "身体障がい", "disability", 10),
    ("disability-intellectual", "Intellectual disability", "知的障がい", "disability", 11),
    ("disability-mental", "Mental disability", "精神障がい", "disability", 12),
    ("disability-developmental", "Developmental disability", "発達障がい", "disability", 13),
    ("social-withdrawal", "Social withdrawal (hikikomori / NEET history)", "ひきこもり・ニート経験", "social", 20),
    ("formerly-homeless", "Formerly homeless", "ホームレス経験", "social", 21),
    ("recovering-addiction", "Recovering from addiction", "依存症からの回復", "social", 22),
    ("former-public-assistance", "Former public-assistance recipient", "生活保護受給経験", "economic", 30),
    ("single-parent", "Single parent", "ひとり親", "family", 40),
    ("disaster-affected", "Disaster-affected", "被災者", "other", 50),
    ("referred-by-programme", "Referred by a support programme", "支援事業からの就労", "other", 51),
]

# (code, relation, level, abbreviation, English, Japanese, established, by the union)
PARTNERS = [
    (
        "japan-institute-of-cooperative-research",
        "related_institution",
        "",
        "",
        "Japan Institute of Co-operative Research",
        "協同総合研究所",
        datetime.date(1991, 1, 1),
        True,
    ),
    (
        "jsso",
        "related_institution",
        "",
        "JSSO",
        "Japan Social Solidarity Organization",
        "日本社会連帯機構",
        datetime.date(2004, 1, 1),
        True,
    ),
    (
        "japan-frontier-network",
        "related_institution",
        "",
        "",
        "Japan Frontier Network",
        "ジャパン・フロンティア・ネットワーク",
        None,
        False,
    ),
    ("ica", "partnership", "global", "ICA", "International Co-operative Alliance", "国際協同組合同盟", None, False),
    (
        "gsef",
        "partnership",
        "global",
        "GSEF",
        "Global Social Economy Forum",
        "グローバル社会的経済フォーラム",
        None,
        False,
    ),
    (
        "ica-ap",
        "partnership",
        "regional_sectoral",
        "ICA-AP",
        "ICA Asia and Pacific",
        "ICAアジア太平洋地域",
        None,
        False,
    ),
    (
        "cicopa",
        "partnership",
        "regional_sectoral",
        "CICOPA",
        "International Organization of Industrial, Artisanal and Service Producers' Co-operatives",
        "CICOPA（国際労働者協同組合連合会）",
        None,
        False,
    ),
    (
        "jjc",
        "partnership",
        "national",
        "JJC",
        "Japan Joint Committee of Co-operatives",
        "日本協同組合連絡協議会",
        None,
        False,
    ),
    ("cooperatives-japan", "partnership", "national", "", "Cooperatives JAPAN", "協同組合ジャパン", None, False),
    (
        "rofukukyo",
        "partnership",
        "national",
        "",
        "Central Council of Workers Welfare Associations of Japan",
        "労働者福祉中央協議会",
        None,
        False,
    ),
]

# The seed's national context: (code, English, Japanese, value, unit)
NATIONAL_INDICATORS = [
    ("unemployment-rate", "Unemployment rate", "完全失業率", "3.4", "percent"),
    ("non-regular-employment-rate", "Non-regular employment rate", "非正規雇用率", "37.5", "percent"),
    ("part-time-workers", "Part-time workers", "パートタイム労働者", "1820000", "persons"),
    ("working-poor", "Low income workers ('working poor')", "ワーキングプア", "11390000", "persons"),
    ("public-assistance-recipients", "Recipients of public assistance", "生活保護受給者", "2160000", "persons"),
    ("public-assistance-households", "Households under public assistance", "生活保護世帯", "1630000", "households"),
    ("relative-poverty-rate", "Relative poverty rate", "相対的貧困率", "16", "percent"),
    ("population-aging-rate", "Population aging rate", "高齢化率", "26", "percent"),
    ("relative-poverty-rate-elderly", "Relative poverty rate of the old", "高齢者の相対的貧困率", "22", "percent"),
    (
        "elderly-share-of-public-assistance",
        "Ratio of the old in recipients of public assistance",
        "生活保護受給者に占める高齢者の割合",
        "50",
        "percent",
    ),
    ("relative-poverty-rate-children", "Relative poverty rate of children", "子どもの相対的貧困率", "16.3", "percent"),
    (
        "relative-poverty-rate-one-parent",
        "Relative poverty rate of one-parent households",
        "ひとり親世帯の相対的貧困率",
        "55",
        "percent",
    ),
    ("youth-unemployed", "Youth unemployed", "若年失業者", "600000", "persons"),
    ("neet", "'NEET'", "ニート", "600000", "persons"),
    ("hikikomori-households", "'Hikikomori'", "ひきこもり", "260000", "households"),
]

YOUTH_SUPPORT_STATIONS = 25
INDEPENDENCE_SUPPORT_SITES = 80
# The Act on Self-Reliance Support for Needy Persons took effect on 1 April 2015.
INDEPENDENCE_SUPPORT_STARTED = datetime.date(2015, 4, 1)
