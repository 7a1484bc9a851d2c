"""How Chinese company names are written, as the Chinese pipeline (nlp/chinese.py) reads them: the words
they end in, where one begins (jieba's dictionary: its words, their counts and part-of-speech tags), which
words name no one, and the short forms an article calls a company by after its full name.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import jieba
import jieba.posseg

# Words that end an organisation's name; the legal forms among them are dropped from the name.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司")
ORG_ENDINGS = (
    *LEGAL_FORMS,
    "集团",
    "公司",
    "科技",
    "银行",
    "保险",
    "证券",
    "医院",
    "酒店",
    "物业",
    "快递",
    "物流",
    "传媒",
    "控股",
    "信托",
    "消费金融",
    "小额贷款",
    "网络科技",
    "信息技术",
    "电子商务",
    "超市",
    "商场",
    "药房",
    "诊所",
    "汽车",
    "置业",
    "地产",
    "药业",
    "百货",
    "商城",
    "眼镜",
    "旅行社",
    "租车",
    "金服",
    "门诊部",
    "体检中心",
    "健身",
    "工作室",
    "俱乐部",
    "事务所",
    "驾校",
    "药店",
    "速递",
    "速运",
    "信贷",
    "口腔",
    # the forms a small business registers under ("鑫源通讯经营部", "捷达快递服务部")
    "经营部",
    "服务部",
    "门市部",
    "商行",
    "服务站",
    "网",
)
# What a registered name says the business does, which its short forms leave out ("杭州栖木公寓管理" ->
# "栖木公寓", "北京博瑞通达汽车销售服务" -> "博瑞通达汽车"); they end no name of their own
TRADE_WORDS = ("管理", "服务", "销售", "经营", "咨询", "发展", "实业", "贸易", "经纪", "开发")
# The industry a registered name states before its company word, which an article's short form leaves
# out too ("北京青岚智学教育科技" -> "青岚智学", "上海青柠数字文化传媒" -> "青柠数字")
INDUSTRY_WORDS = tuple(
    """教育 文化 信息 网络 智能 数字 电子 软件 医疗 健康 生物 餐饮 家居 广告 金融 数据 通讯 通信 互联网
    新能源 环保 能源 旅游 体育 文旅 出行 数码 供应链 物联网 人工智能""".split()
)
# Words before an ending that name no one: "一家中国科技公司", "知名互联网公司", "外包公司".
GENERIC_CORES = frozenset(
    """中国 国内 国外 美国 日本 韩国 外国 境外 海外 本地 当地 大型 知名 头部 互联网 网络 科技 金融 信息
    数据 电商 物流 快递 银行 保险 证券 第三方 合作 涉事 该 这家 那家 多家 各家 上述 股份制 中小 民营 连锁 城商
    农商 外资 国有 地方 小型 中型 本 快运 小区 社区 园区 楼盘 商场 外包 全资 标的
    网络安全 数据安全 信息安全 安全 人工智能 大数据 云计算 区块链 物联网 金融科技 新能源 游戏 直播 广告 营销
    咨询 征信 支付 教育 医疗 软件 电子 通信 芯片 半导体 汽车 房地产 互联网金融 网贷
    催收 借贷 小贷 贷款 租机 租赁 外卖 团购""".split()
)
# jieba's part-of-speech tags of words that are no part of a name (prepositions, conjunctions, particles,
# pronouns, numerals, measure, time and direction words), and those of its single characters; a single
# character only when it is common (its dictionary tags rare characters at random: "鉴" a preposition)
FUNCTION_TAGS = frozenset("p c u uj ul uz ud ug uv r rr rz rg m mq q t tg f y e o".split())
FUNCTION_CHAR_TAGS = frozenset("p c u uj ul uz ud ug uv r rr rz y e t tg".split())
# a date's units after its number ("3月8日晚登录顺达快递"): a name does not begin with when it was used
DATE_UNITS = frozenset("年月日号")
TIMES_OF_DAY = frozenset("早晚夜")
# a numeral's measure word ("五家", "三名"): it counts things, it names no one
MEASURE_CHARS = frozenset("家名个位所座款条次起批多余")
# a verb of saying right before a name ("发帖称力恒健身……"): jieba tags it a verb, yet it opens no name
SAYING_CHARS = frozenset("称说")
COMMON_CHAR = 10000
COMMON_WORD = 2000
# a word jieba's dictionary counts fewer times than this is rare enough to be a name's own word
RARE_WORD = 100
# Words an organisation's name cannot start with or contain (jieba's words): function words and the
# verbs news puts before a name ("工信部通报杭州云雀科技有限公司").
NOT_IN_NAMES = frozenset(
    """的 在 对 与 和 及 以及 被 由 向 据 称 将 已 已经 了 为 从 把 让 给 要 说 是 等 其 该 这 那 这家
    那家 该公司 一家 多家 两家 三家 某 某某 于 也 都 并 而 或 但 因 又 还 就 所 以 旗下 通报 约谈 处罚
    罚款 起诉 要求 责令 发现 显示 表示 指出 宣布 认定 涉及 包括 针对 关于 对于 经 报道 记者 获悉 披露
    公布 发布 通告 通知 其中 包含 如 例如 比如 上述 涉事 当地 名 位 这些 那些 以下 简称 今日 昨日 近日
    日前 此前 目前 今年 去年 称其 回应 声明 介绍 透露 认为 同时 此外 另外 随后 之后 此后 然而 不过 因此
    所以 作为 成为 属于 来自 位于 一名 多名 大型 知名 国内 国外 境外 海外 全国 各地 部分 相关 有关 涉嫌
    通过 利用 使用 收集 泄露 出售 购买 提供 共享 运营 方 运营方 企业 平台 厂商 商家 机构 服务商 供应商 开发商
    母公司 子公司 公司 确认 帮助 预订 计算 开发 运营商 合作方 进入 掌握 自称 连夜 调查 查处 曝光 举报
    投诉 点名 处理 收到 接到 联系 致电 采访 监管 部门 一位 多个 所在 至 出入 明确 上传 业主 服务方
    获刑 到 内 期限 规定 前 时 后续 对此 不少 月底 录入 聘请 委托 雇佣 邀请 引入 请来 找来 携手 签约 采购
    登录 打开 点开 下载 安装 下载安装 注册 访问 关注 投保 入住 乘坐 搭乘 充值 绑定 开通 注销 卸载
    拨打 前往 走访 来到 探访 顾客 消费者 客户 用户 起诉 状告
    判决 判令 裁定 驳回 一审判决 二审判决 终审判决 倒卖 贩卖 转卖 兜售 叫卖 窃取 盗取 盗用 冒用""".split()
)
# who speaks for a company between its name and the verb ("瑞丰方面表示"): no part of the name
SPEAKER_WORDS = (
    "就此", "对此", "客服", "方面", "官方", "相关负责人", "负责人", "工作人员", "法务", "发言人",
    "副总裁", "总裁", "董事长", "创始人", "公关",
)  # fmt: skip
WEEKDAY = re.compile(r"(周|星期)[一二三四五六日天]")


def bare_chinese_name(name: str) -> str:
    """The name without its legal form: "杭州云雀科技有限公司" -> "杭州云雀科技"."""
    for form in LEGAL_FORMS:
        if name.endswith(form) and len(name) > len(form) + 1:
            return name[: -len(form)]
    return name


def name_core(name: str, endings: tuple[str, ...]) -> str:
    """The name without the words it ends in: "杭州云雀科技有限公司" -> "杭州云雀"."""
    while ending := next((e for e in endings if name.endswith(e)), None):
        name = name[: -len(ending)]
    return name


@cache
def jieba_dictionary() -> tuple[dict[str, int], dict[str, str]]:
    jieba.dt.check_initialized()
    return jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab


def dictionary_words(text: str) -> list[tuple[str, str, int]]:
    """(word, tag, count) of jieba's dictionary words in the text; what it does not know comes out one
    character at a time (no HMM guesses, which glue a verb to a name)."""
    counts, tags = jieba_dictionary()
    return [(w, tags.get(w, ""), counts.get(w, 0)) for w in jieba.cut(text, HMM=False)]


def is_place(word: str, tag: str) -> bool:
    """A province, city or district: jieba tags it so, or it does "合肥市" ("合肥" alone is a noun)."""
    if len(word) < 2:
        return False
    tags = jieba_dictionary()[1]
    return tag == "ns" or any(tags.get(word + level) == "ns" for level in "省市县区")


PLACE_LEVELS = frozenset("省市县区镇乡村州盟旗")


def place_words(words: list[tuple[str, str, int]]) -> int:
    """How many of a name's first words are its place of registration, never all of them. A rare word
    jieba takes for a place after one ("栖木" of "杭州栖木公寓管理") is the own name, unless it says its
    level ("五华区")."""
    k = 0
    while k < len(words) - 1 and is_place(*words[k][:2]):
        if k and words[k][2] < RARE_WORD and words[k][0][-1] not in PLACE_LEVELS:
            break
        k += 1
    return k


def is_place_name(name: str) -> bool:
    """Whether the words are all places ("北京", "长三角地区" is not: "地区" is no place)."""
    words = dictionary_words(name)
    return bool(words) and all(is_place(word, tag) for word, tag, _ in words)


def name_start(candidate: str, registered: bool = False) -> int:
    """Where the name that ends the candidate begins: back over its words to a function word, or to its
    place of registration ("授予宁波启帆网络科技" -> "宁波启帆网络科技": a Chinese company's legal name is
    place, own name, trade, form); registered when a legal form ("有限公司") follows the candidate."""
    words = dictionary_words(candidate)
    start = len(candidate)
    for k in range(len(words) - 1, -1, -1):
        word, tag, count = words[k]
        if len(word) == 1:
            # "之" between two words of an own name ("恒通之星", "城市之光"): modern prose has it in set
            # words ("之一", "之后"), not alone
            if word == "之" and 0 < k < len(words) - 1 and own_name_word(words[k - 1]):
                start -= 1
                continue
            if tag in FUNCTION_CHAR_TAGS and count >= COMMON_CHAR:
                # a common character in the own name, just after the place of registration ("昆明家和房地产
                # 经纪", "北京中和优选科技"): the name starts at the place
                place = place_before_own_name([w for w, _, _ in words], k)
                if place is None:
                    break
                return start - len(word) - sum(len(w) for w, _, _ in words[place:k])
            if word in DATE_UNITS and k and words[k - 1][0].isdigit():
                break
            if word in TIMES_OF_DAY and k and words[k - 1][0] in DATE_UNITS:
                break
            if word in SAYING_CHARS:
                break
        elif registered and word in TRADE_WORDS and all(w in TRADE_WORDS for w, _, _ in words[k + 1 :]):
            pass  # what a registered name says the business does ("旅游开发有限公司"), not a verb before it
        elif tag in FUNCTION_TAGS or word in NOT_IN_NAMES:
            if not (registered and (numeral_own_name(words, k) or after_place_of_registration(words, k))):
                break
        start -= len(word)
        if is_place(word, tag) and not (k and is_place(*words[k - 1][:2])) and not own_word(words, k):
            break
    return start


def own_name_word(entry: tuple[str, str, int]) -> bool:
    word, tag, _ = entry
    return len(word) > 1 and tag not in FUNCTION_TAGS and word not in NOT_IN_NAMES and not is_place(word, tag)


# the tags of a number, a measure or a time word ("未来", "多多"): words of an own name too
NUMBER_AND_TIME_TAGS = frozenset("m mq q t tg".split())


def after_place_of_registration(words: list[tuple[str, str, int]], k: int) -> bool:
    """Is words[k], a number or time word, part of a registered name's own name, at most one word after
    its place of registration ("北京启智未来教育科技有限公司", "杭州惠多多网络科技有限公司")?"""
    if words[k][1] not in NUMBER_AND_TIME_TAGS or words[k][0] in NOT_IN_NAMES:
        return False
    for j in (k - 1, k - 2):
        if j < 0:
            return False
        if is_place(*words[j][:2]):
            between = words[j + 1 : k]
            return not any(t in FUNCTION_TAGS or w in NOT_IN_NAMES or is_place(w, t) for w, t, _ in between)
    return False


def numeral_own_name(words: list[tuple[str, str, int]], k: int) -> bool:
    """Is words[k], a numeral, part of a registered name's own name, right after its place ("成都七点半网络
    科技有限公司", "上海二三四五网络科技有限公司")? Only in a name with its legal form: "北京五家银行"
    counts banks."""
    word = words[k][0]
    # "五家" counts; "万家", "百家" are a brand's words
    if words[k][1] != "m" or (word[-1] in MEASURE_CHARS and word[0] not in "万千百"):
        return False
    j = k
    while j and words[j - 1][1] == "m":
        j -= 1
    return j > 0 and is_place(*words[j - 1][:2])


def own_word(words: list[tuple[str, str, int]], k: int) -> bool:
    """Is words[k], a rare word jieba takes for a place ("智联" of "深圳锁匠智联科技"), part of the own name
    after a well-known place of registration two words before?"""
    word, tag, count = words[k]
    if count >= RARE_WORD or k < 2:
        return False
    between, tag_between, _ = words[k - 1]
    place, place_tag, place_count = words[k - 2]
    return (
        tag_between not in FUNCTION_TAGS
        and between not in NOT_IN_NAMES
        and not is_place(between, tag_between)
        and is_place(place, place_tag)
        and place_count >= COMMON_WORD
    )


def place_before_own_name(words: list[str], k: int) -> int | None:
    """Where the place of registration is when words[k], a common character, is part of an own name right
    after it ("昆明" of "昆明家和房地产经纪", "杭州" of "杭州闪达同城网络科技"): up to four words before,
    with single characters between."""
    tags = jieba_dictionary()[1]
    for j in range(k - 1, k - 5, -1):
        if j < 0 or any(len(words[i]) > 1 for i in range(j + 1, k)):
            return None
        if is_place(words[j], tags.get(words[j], "")):
            return j
    return None


# what a person is at a business, which jieba may glue to the business's word ("事务所律师")
STAFF_TITLES = frozenset("律师 合伙人 主任 负责人 经理 员工 职员 工作人员 发言人 董事长 总经理".split())


def ending_word(word: str) -> str:
    """The word, or the company word it starts with when jieba glued a verb or a staff title to it ("科技
    开发" in "由蓝析科技开发", "事务所律师" in "康和律师事务所律师王先生")."""
    tags = jieba_dictionary()[1]
    for ending in ORG_ENDINGS:
        rest = word[len(ending) :]
        if word.startswith(ending) and rest and (tags.get(rest) == "v" or rest in STAFF_TITLES):
            return ending
    return word


def abbreviates(short: str, name: str) -> bool:
    """A Chinese short form keeps characters of the full name in their order, its own name first
    ("信融数科" for "上海信融数字科技", "江北农商行" for "江北农村商业银行")."""
    if len(short) < 3 or short[:2] not in name:
        return False
    rest = iter(name[name.index(short[:2]) :])
    return all(char in rest for char in short)


@lru_cache(maxsize=100_000)
def own_name(name: str) -> str:
    """A Chinese company's own name when it is two characters jieba knows only one by one, or a rare
    two-character word, after any place of registration: "汇岭" of "重庆汇岭小额贷款" and of its lending
    app "汇岭借", "满盈" of "杭州满盈信息科技" and of "满盈金融". Empty when the name starts with common
    dictionary words ("中国平安"): those say nothing about which company it is."""
    words = dictionary_words(name)
    k = place_words(words)
    chars = words[k : k + 2]
    if len(chars) == 2 and all(len(w) == 1 and t not in FUNCTION_CHAR_TAGS for w, t, _ in chars):
        return chars[0][0] + chars[1][0]
    if chars and len(chars[0][0]) == 2 and chars[0][2] < RARE_WORD and len(words) > k + 1:
        return chars[0][0]
    return ""


def short_forms(name: str) -> list[str]:
    """What an article may call an unknown company after its full name: without its place of registration,
    then without its trade and company words, while a name is left ("北京聚点互动科技" -> "聚点互动科技",
    "聚点互动")."""
    words = dictionary_words(name)
    rest = name[sum(len(w) for w, _, _ in words[: place_words(words)]) :]
    forms = []
    while len(rest) >= 3:
        if rest != name and name_core(rest, ORG_ENDINGS) not in GENERIC_CORES and names_one(rest):
            forms.append(rest)
        left_out = ORG_ENDINGS + TRADE_WORDS + INDUSTRY_WORDS
        ending = next((e for e in left_out if rest.endswith(e) and len(rest) > len(e)), None)
        if ending is None:
            break
        rest = rest[: -len(ending)]
    return forms


def names_one(form: str) -> bool:
    """A short form that is no phrase of common words ("数字科技"): it names someone, or it has a character
    jieba knows only on its own ("聚点互动", "心动圈")."""
    if names_someone(form):
        return True
    words = dictionary_words(form)
    return len(form) >= 4 and any(len(w) == 1 and t not in FUNCTION_CHAR_TAGS for w, t, _ in words)


def speaker_name(text: str, start: int, end: int) -> tuple[int, int]:
    """The name in what opens a clause before a speech verb: up to the first word that is no part of a
    name ("职达网未作正式", "乐拍方面周二", "童趣信息法务")."""
    words = dictionary_words(text[start:end])
    length = 0
    for word, tag, count in words:
        single = len(word) == 1
        if (
            word in SPEAKER_WORDS
            or WEEKDAY.fullmatch(word)
            or (single and (tag in FUNCTION_CHAR_TAGS or tag == "d") and count >= COMMON_CHAR)
            # jieba's dictionary tags some rare nouns as adverbs ("相机"): only a common one ends a name
            or (not single and (tag in FUNCTION_TAGS or (tag in ("d", "ad", "vd") and count >= COMMON_WORD)))
        ):
            break
        length += len(word)
    return start, start + length


def inside_a_word(word: str, ending: str, text: str, end: int) -> bool:
    """Whether a word that ends in a one-character company word ("网") is a word of its own ("联网",
    "互联网") or runs on into one ("网络")."""
    if len(ending) != 1:
        return False
    counts = jieba_dictionary()[0]
    return counts.get(word, 0) >= RARE_WORD or counts.get(ending + text[end : end + 1], 0) >= RARE_WORD


def a_person(name: str) -> bool:
    return any(pair.flag.startswith("nr") for pair in jieba.posseg.lcut(name))


def names_someone(core: str) -> bool:
    """Whether the words before a company word name one company, not a kind of business ("装修公司",
    "标的公司"): a word jieba does not know (two of its characters in a row), a rare word, a person's or
    brand's name, or a place of registration with more after it."""
    words = dictionary_words(core)
    unknown_run = 0
    for k, (word, tag, count) in enumerate(words):
        if len(word) == 1:
            unknown_run = unknown_run + 1 if tag not in FUNCTION_TAGS else 0
            if unknown_run >= 2:
                return True
            continue
        unknown_run = 0
        if count < RARE_WORD or tag in ("nr", "nz", "nt", "nrt", "nrfg"):
            return True
        if is_place(word, tag) and sum(len(w) for w, _, _ in words[k + 1 :]) >= 2:
            return True
    return False
