"""The Chinese pipeline's sentences and organisations, from the knowledge base's Chinese names and the
words names end in (its incident components are in nlp/chinese_incidents.py).

spaCy's `zh` language with the jieba segmenter splits the words (jieba's dictionary ships in its wheel;
pkuseg's model would be a download). Names and cues are matched on the characters of the text and mapped
to tokens, so a segmentation that cuts a name in two loses nothing; jieba's dictionary (its words, their
counts and part-of-speech tags) tells where an unknown organisation's name begins and ends and whether it
names one company at all. The components fill the same ArticleFacts as the English ones, and
the same article-tags component makes the tags: storage, views and the digest see one shape.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import jieba
import jieba.posseg
from spacy.language import Language
from spacy.tokens import Doc, Span

from config.knowledge import Company, Regulator
from nlp.component_data import KeepsData
from nlp.facts import ORGS_ATTR

SENTENCE_ENDS = "。！？；!?;"
CLOSING_MARKS = "”’」』）)\"'"

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
    "网",
)
# Words before an ending that name no one: "一家中国科技公司", "知名互联网公司", "外包公司".
GENERIC_CORES = frozenset(
    """中国 国内 国外 美国 日本 韩国 外国 境外 海外 本地 当地 大型 知名 头部 互联网 网络 科技 金融 信息
    数据 电商 物流 快递 银行 保险 证券 第三方 合作 涉事 该 这家 那家 多家 各家 上述 股份制 中小 民营 连锁 城商
    农商 外资 国有 地方 小型 中型 本 快运 小区 社区 园区 楼盘 商场 外包 全资 标的""".split()
)
# jieba's part-of-speech tags of words that are no part of a name (prepositions, conjunctions, particles,
# pronouns, numerals, measure, time and direction words), and those of its single characters; a single
# character only when it is common (its dictionary tags rare characters at random: "鉴" a preposition)
FUNCTION_TAGS = frozenset("p c u uj ul uz ud ug uv r rr rz rg m mq q t tg f y e o".split())
FUNCTION_CHAR_TAGS = frozenset("p c u uj ul uz ud ug uv r rr rz y e t tg".split())
# a date's units after its number ("3月8日晚登录顺达快递"): a name does not begin with when it was used
DATE_UNITS = frozenset("年月日号")
TIMES_OF_DAY = frozenset("早晚夜")
COMMON_CHAR = 10000
COMMON_WORD = 2000
# a word jieba's dictionary counts fewer times than this is rare enough to be a name's own word
RARE_WORD = 100
# Bodies that act on companies, named after a place: never companies.
AUTHORITY_ENDINGS = (
    "人民法院",
    "法院",
    "人民检察院",
    "检察院",
    "公安局",
    "公安分局",
    "派出所",
    "市场监督管理局",
    "市场监管局",
    "通信管理局",
    "网信办",
    "消保委",
    "消费者协会",
    "消费者权益保护委员会",
    "人民政府",
    "监督管理局",
    "监管局",
    "管理局",
)
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
    获刑 到 内 期限 规定 前 时 后续 对此 不少 月底 录入
    登录 打开 点开 下载 安装 下载安装 注册 访问 关注 投保 入住 乘坐 搭乘 充值 绑定 开通 注销 卸载""".split()
)
# words no name that speaks for itself contains ("该员工", "有律师", "多名用户")
NAME_BREAKERS = tuple(
    """员工 律师 用户 网友 记者 专家 人士 消费者 市民 车主 客户 患者 家长 学生 负责人 工作人员
    有关部门 相关部门 官方 平台方 该 这 那 某 其 我们 他们 公开 书面 赔礼 尚未 发文 规定 期限 创始人
    警方 法院 检察院 监管 后续 不少 对此 将在 录入 受访者 网民 居民 民警 业内人士 专家 半数""".split()
)
# characters a name does not start with: prepositions, conjunctions, quantities
NOT_FIRST = frozenset("向在至到对与和被由从把给将已也则另该这那其某一各每")
LEADING_WORDS = tuple(sorted((w for w in NOT_IN_NAMES if len(w) >= 2), key=len, reverse=True))
# "（以下简称“云雀科技”）": the short form an article uses after a full name
SHORT_FORM = re.compile(r"[（(]\s*(?:以下)?简称[“\"「]?([^”\"」）)]{2,12})[”\"」]?\s*[）)]")
# an app named in quotes or book-title marks: "“云雀阅读”App", "《云雀阅读》APP"
APP_NAME = re.compile(
    r"[“《「]([^”》」]{2,14})[”》」]\s*的?(?:APP|App|app|应用|客户端|小程序)"
    r"|(?<![A-Za-z])([A-Z][A-Za-z0-9]{1,15})\s*(?:APP|App|app|客户端)(?![A-Za-z])"
    r"|(?:APP|App|app)\s*([A-Z][A-Za-z0-9]{1,15})(?![A-Za-z])"
    # a company's product or a brand in quotes ("橙果网络旗下“橙果健身”", "智能门锁品牌“安芯”")
    r"|(?:旗下|品牌)(?:的|App|APP|应用|产品)*[“《「]([^”》」]{2,14})[”》」]"
)
# "速达快运确认系统漏洞遭利用", "卓越云课堂4月2日晚发布公告": a name that opens a clause and speaks for
# itself (a three-character one only if it is no person's name)
# who speaks for a company between its name and the verb ("瑞丰方面表示"): no part of the name
SPEAKER_WORDS = (
    "就此", "对此", "客服", "方面", "官方", "相关负责人", "负责人", "工作人员", "法务", "发言人",
    "副总裁", "总裁", "董事长", "创始人", "公关",
)  # fmt: skip
WEEKDAY = re.compile(r"(周|星期)[一二三四五六日天]")
SPEAKS_FOR_ITSELF = re.compile(
    r"(?:^|(?<=[，。；！？：\s“]))([\u4e00-\u9fff]{3,10}?)(?=(?:\d{1,2}月\d{1,2}日[早晚上下午间]*|当天|当晚|当日|"
    r"随后|则|也|已|连夜|今日|昨日|近日|日前|昨晚|今天|同日|次日|" + "|".join(SPEAKER_WORDS) + "|"
    r"在官网|在官方微博|通过官方渠道)*"
    r"(?:发布|确认|表示|回应|宣布|声明|公告|致歉|道歉|否认|官方))"
)
# what a description ends in before the name it introduces ("社区团购平台鲜蜂优选", "服务方金域物业")
NAME_DESCRIPTOR_ENDS = re.compile(
    r"^.*(?:平台|企业|机构|商家|厂商|品牌|应用|软件|网站|服务方|运营方)(?=.{2,})"
)
DESCRIPTOR_ENDS = re.compile(r"^.*(?:平台|公司|企业|机构|商家|厂商|品牌|应用|软件|网站)(?=.{2,})")
LATIN = re.compile(r"[A-Za-z]")
# a name in Latin letters, not an acronym ("SDK", "AI"), right after what it is
LATIN_NAME_DESCRIBED = re.compile(
    r"(?:平台|企业|公司|机构|商家|厂商|品牌|应用程序|应用|软件|网站|服务商)\s?"
    r"([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?![A-Za-z0-9])"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese_sentences(doc: Doc) -> Doc:
    """Sentences end at 。！？； (with a closing quote after them) and at line breaks."""
    for i, token in enumerate(doc):
        if i == 0:
            token.is_sent_start = True
            continue
        previous = doc[i - 1].text
        ended = previous[-1:] in SENTENCE_ENDS or (
            previous[:1] in CLOSING_MARKS and i >= 2 and doc[i - 2].text[-1:] in SENTENCE_ENDS
        )
        token.is_sent_start = (
            "\n" in previous or (ended and token.text[:1] not in CLOSING_MARKS)
        ) and not token.is_space
    return doc


def bare_chinese_name(name: str) -> str:
    """The name without its legal form: "杭州云雀科技有限公司" -> "杭州云雀科技"."""
    for form in LEGAL_FORMS:
        if name.endswith(form) and len(name) > len(form) + 1:
            return name[: -len(form)]
    return name


def _core(name: str, endings: tuple[str, ...]) -> str:
    """The name without the words it ends in: "杭州云雀科技有限公司" -> "杭州云雀"."""
    while ending := next((e for e in endings if name.endswith(e)), None):
        name = name[: -len(ending)]
    return name


@cache
def _dictionary() -> tuple[dict[str, int], dict[str, str]]:
    jieba.dt.check_initialized()
    return jieba.dt.FREQ, jieba.posseg.dt.word_tag_tab


def _words(text: str) -> list[tuple[str, str, int]]:
    """(word, tag, count) of jieba's dictionary words in the text; what it does not know comes out one
    character at a time (no HMM guesses, which glue a verb to a name)."""
    counts, tags = _dictionary()
    return [(w, tags.get(w, ""), counts.get(w, 0)) for w in jieba.cut(text, HMM=False)]


def _is_place(word: str, tag: str) -> bool:
    """A province, city or district: jieba tags it so, or it does "合肥市" ("合肥" alone is a noun)."""
    if len(word) < 2:
        return False
    tags = _dictionary()[1]
    return tag == "ns" or any(tags.get(word + level) == "ns" for level in "省市县区")


def name_start(candidate: str) -> int:
    """Where the name that ends the candidate begins: back over its words to a function word, or to its
    place of registration ("授予宁波启帆网络科技" -> "宁波启帆网络科技": a Chinese company's legal name is
    place, own name, trade, form)."""
    words = _words(candidate)
    start = len(candidate)
    for k in range(len(words) - 1, -1, -1):
        word, tag, count = words[k]
        if len(word) == 1:
            if tag in FUNCTION_CHAR_TAGS and count >= COMMON_CHAR:
                break
            if word in DATE_UNITS and k and words[k - 1][0].isdigit():
                break
            if word in TIMES_OF_DAY and k and words[k - 1][0] in DATE_UNITS:
                break
        elif tag in FUNCTION_TAGS or word in NOT_IN_NAMES:
            break
        start -= len(word)
        if _is_place(word, tag) and not (k and _is_place(*words[k - 1][:2])):
            break
    return start


def _ending_word(word: str) -> str:
    """The word, or the company word it starts with when jieba glued a verb to it ("科技开发" in
    "由蓝析科技开发")."""
    tags = _dictionary()[1]
    for ending in ORG_ENDINGS:
        if word.startswith(ending) and word != ending and tags.get(word[len(ending) :]) == "v":
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
    """A Chinese company's own name when it is two characters jieba knows only one by one, after any place
    of registration: "汇岭" of "重庆汇岭小额贷款" and of its lending app "汇岭借". Empty when the name
    starts with dictionary words ("中国平安"): those say nothing about which company it is."""
    words = _words(name)
    k = 0
    while k < len(words) and _is_place(*words[k][:2]):
        k += 1
    chars = words[k : k + 2]
    if len(chars) == 2 and all(len(w) == 1 and t not in FUNCTION_CHAR_TAGS for w, t, _ in chars):
        return chars[0][0] + chars[1][0]
    return ""


def speaker_name(text: str, start: int, end: int) -> tuple[int, int]:
    """The name in what opens a clause before a speech verb: up to the first word that is no part of a
    name ("职达网未作正式", "乐拍方面周二", "童趣信息法务")."""
    words = _words(text[start:end])
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


def _inside_a_word(word: str, ending: str, text: str, end: int) -> bool:
    """Whether a word that ends in a one-character company word ("网") is a word of its own ("联网",
    "互联网") or runs on into one ("网络")."""
    if len(ending) != 1:
        return False
    counts = _dictionary()[0]
    return counts.get(word, 0) >= RARE_WORD or counts.get(ending + text[end : end + 1], 0) >= RARE_WORD


def _a_person(name: str) -> bool:
    return any(pair.flag.startswith("nr") for pair in jieba.posseg.lcut(name))


def names_someone(core: str) -> bool:
    """Whether the words before a company word name one company, not a kind of business ("装修公司",
    "标的公司"): a word jieba does not know (two of its characters in a row), a rare word, a person's or
    brand's name, or a place of registration with more after it."""
    words = _words(core)
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
        if _is_place(word, tag) and sum(len(w) for w, _, _ in words[k + 1 :]) >= 2:
            return True
    return False


def char_span(doc: Doc, start: int, end: int) -> Span | None:
    """The tokens covering the characters start:end (a match on the text, a segmentation's words)."""
    return doc.char_span(start, end, alignment_mode="expand")


class ChineseOrganisations(KeepsData):
    """Organisation mentions: the knowledge base's companies and regulators by any of their names
    (Chinese names, products, and Latin-script names in mixed text), unknown companies by the words their
    names end in (公司, 集团, 科技, 银行 ...), their short forms and apps named in quotes; authorities named
    after a place (法院, 公安局, 市场监管局 ...) are never companies. Writes doc._.privwatch_orgs."""

    def __init__(self, nlp: Language, name: str):
        self.nlp, self.name = nlp, name
        self.known: dict[str, tuple[str, str, str]] = {}  # name -> (kind, key, display name)
        self.known_pattern: re.Pattern | None = None
        self.company_names: dict[str, str] = {}

    def initialize(
        self,
        get_examples=None,
        *,
        nlp: Language | None = None,
        companies: list[Company] = (),
        regulators: list[Regulator] = (),
    ) -> None:
        self.keep(companies=companies, regulators=regulators)
        self.known = {}
        for company in companies:
            for alias, _field in company.names():
                self._add(alias, ("company", company.id, company.name))
        for regulator in regulators:
            for alias, _field in regulator.names():
                self._add(alias, ("regulator", "regulator:" + regulator.id, regulator.name))
        self.company_names = {c.id: c.name for c in companies}
        alternatives = []
        for alias in sorted(self.known, key=len, reverse=True):
            escaped = re.escape(alias)
            # a Latin-script name is a whole word ("Keep", not the "keep" in "keeping")
            alternatives.append(rf"(?<![A-Za-z]){escaped}(?![A-Za-z])" if LATIN.search(alias) else escaped)
        self.known_pattern = re.compile("|".join(alternatives)) if alternatives else None

    def _add(self, alias: str, entry: tuple[str, str, str]) -> None:
        alias = alias.strip()
        # a Latin-script name in Chinese text: a short one only in capitals ("QQ"), never a common word
        if not CJK.search(alias) and (len(alias) < 3 and not alias.isupper() or alias.islower()):
            return
        self.known.setdefault(alias, entry)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        mentions: list[dict] = []
        taken = [False] * len(text)

        def add(start: int, end: int, kind: str, key: str, name: str, company_id: str | None) -> None:
            if any(taken[start:end]):
                return
            span = char_span(doc, start, end)
            if span is None:
                return
            for i in range(start, end):
                taken[i] = True
            mentions.append(
                {
                    "start": span.start,
                    "end": span.end,
                    "text": text[start:end],
                    "kind": kind,
                    "company_id": company_id,
                    "name": name,
                    "key": key,
                }
            )

        if self.known_pattern is not None:
            for match in self.known_pattern.finditer(text):
                kind, key, name = self.known[match.group()]
                add(match.start(), match.end(), kind, key, name, key if kind == "company" else None)
        apps = [m.span() for m in APP_NAME.finditer(text)]
        for start, end, kind in self._named_by_ending(doc, taken):
            # "“橙果健身”App": an app, named for its company below
            if any(s <= start and end <= e for s, e in apps):
                continue
            name = bare_chinese_name(text[start:end])
            key = f"{kind}:{name}"
            add(start, end, kind, key, name, None)
        unknown = [m["name"] for m in mentions if m["kind"] == "company" and not m["company_id"]]
        found_cores = sorted({_core(name, ORG_ENDINGS) for name in unknown}, key=len, reverse=True)
        for match in SPEAKS_FOR_ITSELF.finditer(text):
            described = DESCRIPTOR_ENDS.match(match.group(1))
            start = match.start(1) + (len(described.group()) if described else 0)
            # "知途教育咨询在接受采访时": a name already found, and words after it
            known = next((c for c in found_cores if len(c) >= 2 and c in text[start : match.end(1)]), None)
            if known:
                at = text.index(known, start)
                add(at, at + len(known), "company", f"company:{known}", known, None)
                continue
            start, end = speaker_name(text, start, match.end(1))
            name = text[start:end]
            core = _core(name, ORG_ENDINGS)
            if (
                len(name) >= 3
                and names_someone(core if len(core) >= 2 else name)
                and (len(name) >= 4 or not _a_person(name))
                and name[0] not in NOT_FIRST
                and not any(w in name for w in NAME_BREAKERS)
                and len(core) >= 2
                and core not in GENERIC_CORES
            ):
                add(start, end, "company", f"company:{name}", name, None)
        # an unknown company's short form ("（以下简称“云雀科技”）"), and apps in quotes: an app "旗下" a
        # company is that company's
        aliases = {m["name"]: m["name"] for m in mentions if m["kind"] == "company" and not m["company_id"]}
        for match in SHORT_FORM.finditer(text):
            named = [m for m in mentions if m["kind"] == "company" and doc[m["end"] - 1].idx < match.start()]
            if named and not named[-1]["company_id"]:
                aliases[match.group(1)] = named[-1]["name"]
        for match in APP_NAME.finditer(text):
            group = next(g for g in (1, 2, 3, 4) if match.group(g))
            app = match.group(group)
            if app in self.known or app.upper() in ("APP", "IOS", "AI"):
                continue
            named = [m for m in mentions if m["kind"] == "company" and doc[m["end"] - 1].idx < match.start()]
            owned = "旗下" in text[max(0, match.start(group) - 12) : match.start(group)]
            owner = named[-1] if named and owned else None
            if owner is not None and not owner["company_id"]:
                aliases[app] = aliases.get(owner["name"], owner["name"])
            else:
                aliases.setdefault(app, app)
            add(match.start(group), match.end(group), "company", f"company:{app}", app, None)
        # a Latin-script name a description introduces ("学校通讯应用程序ClassNest", "初创公司Lumora")
        for match in LATIN_NAME_DESCRIBED.finditer(text):
            name = match.group(1)
            if name not in self.known and name.upper() not in ("APP", "IOS"):
                aliases.setdefault(name, name)
                add(match.start(1), match.end(1), "company", f"company:{name}", name, None)
        # "趣拍网络科技" after "深圳市趣拍网络科技", "明眸公司" after "苏州明眸智能科技", "江北农商行" after
        # "江北农村商业银行": the same company
        names = sorted({aliases[a] for a in aliases}, key=len, reverse=True)
        for alias in list(aliases):
            core = alias.removesuffix("公司")
            fuller = (n for n in names if n != alias and len(n) > len(core))
            longer = next((n for n in fuller if core in n or abbreviates(core, n)), None)
            if longer and len(core) >= 2:
                aliases[alias] = aliases.get(longer, longer)
        for m in mentions:
            if m["kind"] == "company" and not m["company_id"] and m["name"] in aliases:
                m["name"] = aliases[m["name"]]
                m["key"] = f"company:{m['name']}"
        # the article's other mentions of them, by bare name or short form
        for alias in sorted(aliases, key=len, reverse=True):
            for match in re.finditer(re.escape(alias), text):
                name = aliases[alias]
                add(match.start(), match.end(), "company", f"company:{name}", name, None)
        mentions.sort(key=lambda m: m["start"])
        doc._.set(ORGS_ATTR, mentions)
        return doc

    @staticmethod
    def _named_by_ending(doc: Doc, taken: list[bool]) -> list[tuple[int, int, str]]:
        """(start, end, kind) of names that end in a company's or an authority's word, from the words
        before it back to a function word, a verb that introduces a name, punctuation or a known name."""
        found = []
        text = doc.text
        for i, token in enumerate(doc):
            word = _ending_word(token.text)
            # the ending may span words: "消费金融" after "易达" is "消费" + "金融" to jieba
            tail = text[max(0, token.idx + len(word) - 8) : token.idx + len(word)]
            authority = next((e for e in AUTHORITY_ENDINGS if tail.endswith(e)), None)
            ending = authority or max((e for e in ORG_ENDINGS if tail.endswith(e)), key=len, default=None)
            if ending is None:
                continue
            kind = "government" if authority else "company"
            # "联网", "官网", "网络": a one-character ending inside a word of its own
            if kind == "company" and _inside_a_word(word, ending, text, token.idx + len(word)):
                continue
            # "云雀科技有限公司": the name ends at the last of its ending words
            if i + 1 < len(doc) and doc[i + 1].text.endswith(ORG_ENDINGS + AUTHORITY_ENDINGS):
                continue
            start = i
            while start > 0:
                before = doc[start - 1]
                if (
                    before.text in NOT_IN_NAMES
                    or before.whitespace_
                    or not (CJK.search(before.text) or before.text.isalnum())
                    or any(taken[before.idx : before.idx + len(before.text)])
                    or token.idx + len(word) - before.idx > 16
                ):
                    break
                start -= 1
            first = doc[start].idx
            # jieba keeps a verb and a name's first word together at times ("约谈云雀"): cut the verb,
            # then a description before the name ("物业服务方金域物业") and a leading "一" or "至"
            name = text[first : token.idx + len(word)]
            cut = name_start(name[: len(name) - len(ending)])
            first, name = first + cut, name[cut:]
            while (cut := next((w for w in LEADING_WORDS if name.startswith(w)), None)) is not None:
                first, name = first + len(cut), name[len(cut) :]
            described = NAME_DESCRIPTOR_ENDS.match(name)
            if described:
                first, name = first + len(described.group()), name[len(described.group()) :]
            while name and name[0] in NOT_FIRST:
                first, name = first + 1, name[1:]
            core = _core(name, ORG_ENDINGS + AUTHORITY_ENDINGS)
            # "一家科技公司", "某公司", "中国科技公司", "装修公司": no name before the ending words
            if len(core) < 2 or "某" in core or core in GENERIC_CORES:
                continue
            # a legal form ("有限公司") names one company whatever its words; a common word ("物联网")
            # names none
            if kind == "company" and ending not in LEGAL_FORMS and not names_someone(core):
                continue
            if _dictionary()[0].get(name, 0) >= RARE_WORD:
                continue
            found.append((first, token.idx + len(word), kind))
        # "成都青橙酒店管理有限公司": the whole name, not the "成都青橙酒店" inside it
        return [
            (start, end, kind)
            for start, end, kind in found
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in found)
        ]
