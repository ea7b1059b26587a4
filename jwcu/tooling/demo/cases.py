"""The seed's cases: business centers with their published counts.

A profile is (how many, age group, inclusion categories, years joined). Age groups are chosen so
each count holds both on 2015-03-31 and on the day of the presentation (2016-11-16): "elderly"
are 60 or over on the first, "youth" under 35 and "adult" under 60 on the second.
"""

import datetime

AJISAI_STORY = (
    "A local welfare business center in Matsudo City (Chiba Prefecture). It mainly provides day care for "
    "elderly persons under the Long-term Care Insurance System, and runs a job training station for people "
    "with mental disabilities or difficulties to be socially involved (hikikomori, NEET), supported by Chiba "
    "Prefecture: four months of care training leading to an introductory caregiver's certificate (25 people "
    "with disabilities have obtained it). Graduates work as caregivers to the elderly. 19 worker members, of "
    "whom six have mental disabilities or difficulties to be socially involved and eight are 60 or over; "
    "about 20 local residents volunteer. Manager: Ms. Fumie Kobayashi."
)
WEST_NARA_STORY = (
    "West Nara Business Center in Nara City (Nara Prefecture), established in 1994: hospital cleaning, "
    "nursing support and building maintenance. After a learning programme for students of a neighbouring "
    "high school for handicapped children, it has received many people with disabilities as worker members. "
    "The hospital cleaning service is run by 13 members: eight with mental disabilities (three of them for "
    "ten years and more) and five elderly persons. Members work in pairs."
)
WEST_RINGS_STORY = (
    "A business place providing street cleaning around Ikebukuro Station, outsourced by Toshima City. Nine "
    "workers, seven of whom have various difficulties (alcoholism, former homelessness…). The manager, "
    "himself recovering from alcoholism and a former welfare recipient, keeps the door open to anyone who "
    "wants to work."
)
AGURIIN_STORY = (
    "'Aguriin': biodiesel fuel (BDF) plants managed as worker co-operatives, employing young people with "
    "mental disabilities or difficulties to be socially involved, and senior members. JWCU runs four plants; "
    "the oldest was created in 2011 and the newest in 2015. The biggest collects 1,000 litres of used oil a "
    "day, the smallest 400; the oil is processed by four worker members. Featured in CICOPA's video "
    "'Working together for a cooperative future'."
)
NGT_STORY = (
    "'Next Green Tajima' (NGT), a worker co-operative in Toyooka City (Hyogo Prefecture) managing forests, "
    "established in 2013 by graduates of a forestry job training programme (2012) that followed the Youth "
    "Support Station JWCU opened in Toyooka in 2009. Five worker members: some were temporary or non-regular "
    "workers before, one was a user of the Youth Support Station, one is a young mother. Forest management "
    "(yamamori), wood-burning stoves and boilers, beekeeping and mushroom cultivation."
)

CASES = [
    {
        "code": "ajisai",
        "name": "Local Welfare Business Center Ajisai",
        "name_ja": "地域福祉事業所あじさい",
        "head_office": "ho-chiba",
        "prefecture": "12",
        "municipality": "Matsudo City",
        "opened_on": datetime.date(2003, 4, 1),
        "lines": ["elderly-care", "disability-support"],
        "volunteers": 20,
        "story": AJISAI_STORY,
        "story_ja": (
            "千葉県松戸市の地域福祉事業所。介護保険のデイサービスと、障がい・ひきこもりの若者の就労訓練を行う。"
        ),
        "notes": "Opening date not in the seed (synthetic). Volunteers: 'about 20'.",
        "profiles": [
            (4, "adult", ["disability-mental"], (2010, 2014)),
            (2, "adult", ["social-withdrawal"], (2011, 2014)),
            (8, "elderly", [], (2003, 2013)),
            (5, "adult", [], (2003, 2014)),
        ],
    },
    {
        "code": "west-nara",
        "name": "West Nara Business Center",
        "name_ja": "西奈良事業所",
        "head_office": "ho-kansai",
        "prefecture": "29",
        "municipality": "Nara City",
        "opened_on": datetime.date(1994, 4, 1),
        "lines": ["building-maintenance-cleaning", "elderly-care"],
        "story": WEST_NARA_STORY,
        "story_ja": "奈良市の事業所（1994年設立）。病院清掃を13人で担い、うち8人が精神障がい、5人が高齢者。",
        "notes": "Established 1994 (year only in the seed). The registry holds the 13 members of its hospital "
        "cleaning service.",
        "profiles": [
            (3, "adult", ["disability-mental"], (1999, 2004)),
            (5, "adult", ["disability-mental"], (2007, 2013)),
            (5, "elderly", [], (1995, 2010)),
        ],
    },
    {
        "code": "west-rings",
        "name": "West RINGS",
        "name_ja": "ウエストリングス",
        "head_office": "ho-tokyo-west",
        "prefecture": "13",
        "municipality": "Toshima City",
        "opened_on": datetime.date(2008, 4, 1),
        "lines": ["building-maintenance-cleaning"],
        "story": WEST_RINGS_STORY,
        "story_ja": "豊島区から委託を受け池袋駅周辺の路上清掃を行う。9人のうち7人がさまざまな困難を抱える。",
        "notes": "Opening date not in the seed (synthetic).",
        "profiles": [
            (1, "adult", ["recovering-addiction", "former-public-assistance"], (2009, 2010)),
            (2, "adult", ["recovering-addiction"], (2010, 2014)),
            (3, "adult", ["formerly-homeless"], (2009, 2014)),
            (1, "adult", ["former-public-assistance"], (2011, 2014)),
            (2, "adult", [], (2008, 2013)),
        ],
    },
    *[
        {
            "code": f"aguriin-{number}",
            "name": f"Aguriin BDF Plant {number}",
            "name_ja": f"アグリーンBDFプラント{number}",
            "head_office": head_office,
            "prefecture": prefecture,
            "municipality": "",
            "opened_on": opened_on,
            "lines": ["clean-energy"],
            "story": AGURIIN_STORY,
            "story_ja": "使用済み天ぷら油からバイオディーゼル燃料をつくるプラント。若者と高齢の組合員が働く。",
            "notes": note,
            "profiles": [
                (1, "youth", ["social-withdrawal"], (max(opened_on.year, 2011), 2015)),
                (1, "youth", ["disability-mental"], (max(opened_on.year, 2011), 2015)),
                (1, "elderly", [], (opened_on.year, opened_on.year)),
                (1, "adult", [], (opened_on.year, opened_on.year)),
            ],
        }
        for number, head_office, prefecture, opened_on, note in [
            (1, "ho-saitama", "11", datetime.date(2011, 4, 1), "The oldest plant (2011). Location and day synthetic."),
            (2, "ho-kita-kanto", "09", datetime.date(2012, 10, 1), "Year, location and day synthetic."),
            (3, "ho-tohoku", "07", datetime.date(2013, 7, 1), "Year, location and day synthetic."),
            (
                4,
                "ho-kita-kanto",
                "10",
                datetime.date(2015, 2, 1),
                "The newest plant (2015). Location and day synthetic.",
            ),
        ]
    ],
    {
        "code": "next-green-tajima",
        "name": "Next Green Tajima",
        "name_ja": "ネクストグリーン但馬",
        "head_office": "ho-kansai",
        "prefecture": "28",
        "municipality": "Toyooka City",
        "opened_on": datetime.date(2013, 4, 1),
        "lines": ["primary-industry"],
        "story": NGT_STORY,
        "story_ja": "兵庫県豊岡市で森林管理を行うワーカーズコープ（2013年設立）。5人の組合員が働く。",
        "notes": "Established 2013 (year only in the seed).",
        "profiles": [
            (1, "youth", ["referred-by-programme"], (2013, 2013)),
            (1, "young-mother", [], (2013, 2014)),
            (3, "adult", [], (2013, 2013)),
        ],
    },
]

# Used oil collected per day (litres): the biggest and the smallest plant.
AGURIIN_COLLECTION = [("aguriin-1", 1000), ("aguriin-4", 400)]

# The other three of the four forestry projects: (code, prefecture, English, Japanese, opened)
FORESTRY_PROJECTS = [
    ("forestry-iwate", "03", "Iwate Forestry Project", "岩手林業プロジェクト", datetime.date(2012, 4, 1)),
    ("forestry-nagano", "20", "Nagano Forestry Project", "長野林業プロジェクト", datetime.date(2013, 10, 1)),
    ("forestry-kochi", "39", "Kochi Forestry Project", "高知林業プロジェクト", datetime.date(2014, 6, 1)),
]
