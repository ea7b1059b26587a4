"""Plausible synthetic Japanese names (kanji, kana, romaji), drawn deterministically."""

import random
from dataclasses import dataclass

FAMILY_NAMES = [
    ("佐藤", "サトウ", "Sato"),
    ("鈴木", "スズキ", "Suzuki"),
    ("高橋", "タカハシ", "Takahashi"),
    ("田中", "タナカ", "Tanaka"),
    ("伊藤", "イトウ", "Ito"),
    ("渡辺", "ワタナベ", "Watanabe"),
    ("山本", "ヤマモト", "Yamamoto"),
    ("中村", "ナカムラ", "Nakamura"),
    ("小林", "コバヤシ", "Kobayashi"),
    ("加藤", "カトウ", "Kato"),
    ("吉田", "ヨシダ", "Yoshida"),
    ("山田", "ヤマダ", "Yamada"),
    ("佐々木", "ササキ", "Sasaki"),
    ("山口", "ヤマグチ", "Yamaguchi"),
    ("松本", "マツモト", "Matsumoto"),
    ("井上", "イノウエ", "Inoue"),
    ("木村", "キムラ", "Kimura"),
    ("林", "ハヤシ", "Hayashi"),
    ("斎藤", "サイトウ", "Saito"),
    ("清水", "シミズ", "Shimizu"),
    ("山崎", "ヤマザキ", "Yamazaki"),
    ("森", "モリ", "Mori"),
    ("池田", "イケダ", "Ikeda"),
    ("橋本", "ハシモト", "Hashimoto"),
    ("阿部", "アベ", "Abe"),
    ("石川", "イシカワ", "Ishikawa"),
    ("山下", "ヤマシタ", "Yamashita"),
    ("中島", "ナカジマ", "Nakajima"),
    ("石井", "イシイ", "Ishii"),
    ("小川", "オガワ", "Ogawa"),
    ("前田", "マエダ", "Maeda"),
    ("岡田", "オカダ", "Okada"),
    ("長谷川", "ハセガワ", "Hasegawa"),
    ("藤田", "フジタ", "Fujita"),
    ("後藤", "ゴトウ", "Goto"),
    ("近藤", "コンドウ", "Kondo"),
    ("村上", "ムラカミ", "Murakami"),
    ("遠藤", "エンドウ", "Endo"),
    ("青木", "アオキ", "Aoki"),
    ("坂本", "サカモト", "Sakamoto"),
    ("斉藤", "サイトウ", "Saito"),
    ("福田", "フクダ", "Fukuda"),
    ("太田", "オオタ", "Ota"),
    ("西村", "ニシムラ", "Nishimura"),
    ("藤井", "フジイ", "Fujii"),
    ("金子", "カネコ", "Kaneko"),
    ("岡本", "オカモト", "Okamoto"),
    ("藤原", "フジワラ", "Fujiwara"),
    ("中野", "ナカノ", "Nakano"),
    ("三浦", "ミウラ", "Miura"),
    ("原田", "ハラダ", "Harada"),
    ("中川", "ナカガワ", "Nakagawa"),
    ("松田", "マツダ", "Matsuda"),
    ("竹内", "タケウチ", "Takeuchi"),
    ("小野", "オノ", "Ono"),
    ("田村", "タムラ", "Tamura"),
    ("中山", "ナカヤマ", "Nakayama"),
    ("和田", "ワダ", "Wada"),
    ("石田", "イシダ", "Ishida"),
    ("森田", "モリタ", "Morita"),
]

FEMALE_GIVEN_NAMES = [
    ("陽子", "ヨウコ", "Yoko"),
    ("恵子", "ケイコ", "Keiko"),
    ("京子", "キョウコ", "Kyoko"),
    ("幸子", "サチコ", "Sachiko"),
    ("和子", "カズコ", "Kazuko"),
    ("洋子", "ヨウコ", "Yoko"),
    ("美穂", "ミホ", "Miho"),
    ("直美", "ナオミ", "Naomi"),
    ("由美", "ユミ", "Yumi"),
    ("真由美", "マユミ", "Mayumi"),
    ("智子", "トモコ", "Tomoko"),
    ("久美子", "クミコ", "Kumiko"),
    ("明美", "アケミ", "Akemi"),
    ("裕子", "ユウコ", "Yuko"),
    ("愛", "アイ", "Ai"),
    ("彩", "アヤ", "Aya"),
    ("美咲", "ミサキ", "Misaki"),
    ("さくら", "サクラ", "Sakura"),
    ("陽菜", "ヒナ", "Hina"),
    ("結衣", "ユイ", "Yui"),
    ("麻衣", "マイ", "Mai"),
    ("舞", "マイ", "Mai"),
    ("千尋", "チヒロ", "Chihiro"),
    ("文恵", "フミエ", "Fumie"),
    ("節子", "セツコ", "Setsuko"),
    ("静香", "シズカ", "Shizuka"),
    ("早紀", "サキ", "Saki"),
    ("奈々", "ナナ", "Nana"),
    ("優子", "ユウコ", "Yuko"),
    ("綾香", "アヤカ", "Ayaka"),
]

MALE_GIVEN_NAMES = [
    ("清", "キヨシ", "Kiyoshi"),
    ("茂", "シゲル", "Shigeru"),
    ("博", "ヒロシ", "Hiroshi"),
    ("誠", "マコト", "Makoto"),
    ("隆", "タカシ", "Takashi"),
    ("健一", "ケンイチ", "Ken'ichi"),
    ("和夫", "カズオ", "Kazuo"),
    ("修", "オサム", "Osamu"),
    ("勝", "マサル", "Masaru"),
    ("浩", "ヒロシ", "Hiroshi"),
    ("大輔", "ダイスケ", "Daisuke"),
    ("翔太", "ショウタ", "Shota"),
    ("拓也", "タクヤ", "Takuya"),
    ("健太", "ケンタ", "Kenta"),
    ("直樹", "ナオキ", "Naoki"),
    ("達也", "タツヤ", "Tatsuya"),
    ("和也", "カズヤ", "Kazuya"),
    ("亮", "リョウ", "Ryo"),
    ("蓮", "レン", "Ren"),
    ("大翔", "ヒロト", "Hiroto"),
    ("悠真", "ユウマ", "Yuma"),
    ("剛", "ツヨシ", "Tsuyoshi"),
    ("進", "ススム", "Susumu"),
    ("稔", "ミノル", "Minoru"),
    ("正樹", "マサキ", "Masaki"),
    ("哲也", "テツヤ", "Tetsuya"),
    ("秀樹", "ヒデキ", "Hideki"),
    ("洋平", "ヨウヘイ", "Yohei"),
    ("学", "マナブ", "Manabu"),
    ("昭", "アキラ", "Akira"),
]


@dataclass(frozen=True)
class PersonName:
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    family_name_latin: str
    given_name_latin: str


def draw_name(rng: random.Random, gender: str) -> PersonName:
    """A name for ``gender`` ("female", "male", or anything else for either)."""
    family = rng.choice(FAMILY_NAMES)
    if gender == "female":
        given = rng.choice(FEMALE_GIVEN_NAMES)
    elif gender == "male":
        given = rng.choice(MALE_GIVEN_NAMES)
    else:
        given = rng.choice(FEMALE_GIVEN_NAMES + MALE_GIVEN_NAMES)
    return PersonName(family[0], given[0], family[1], given[1], family[2], given[2])
