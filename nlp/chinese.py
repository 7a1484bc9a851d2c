"""The Chinese pipeline's sentences and organisations, from the knowledge base's Chinese names and the
words names end in (its incident components are in nlp/chinese_incidents.py).

spaCy's `zh` language with the jieba segmenter splits the words (jieba's dictionary ships in its wheel;
pkuseg's model would be a download). Names and cues are matched on the characters of the text and mapped
to tokens, so a segmentation that cuts a name in two loses nothing; jieba's dictionary (its words, their
counts and part-of-speech tags) tells where an unknown organisation's name begins and ends and whether it
names one company at all (nlp/chinese_names.py). The components fill the same ArticleFacts as the English
ones, and the same article-tags component makes the tags: storage, views and the digest see one shape.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from config.knowledge import Company, Regulator
from nlp.chinese_names import (
    GENERIC_CORES,
    LEGAL_FORMS,
    NOT_IN_NAMES,
    ORG_ENDINGS,
    RARE_WORD,
    SPEAKER_WORDS,
    TRADE_WORDS,
    a_person,
    abbreviates,
    bare_chinese_name,
    dictionary_words,
    ending_word,
    inside_a_word,
    is_place_name,
    jieba_dictionary,
    name_core,
    name_start,
    names_someone,
    place_before_own_name,
    short_forms,
    speaker_name,
)
from nlp.component_data import KeepsData
from nlp.facts import ORGS_ATTR

SENTENCE_ENDS = "。！？；!?;"
CLOSING_MARKS = "”’」』）)\"'"

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
    "消委会",
    "消费者协会",
    "消费者权益保护委员会",
    "人民政府",
    "监督管理局",
    "监管局",
    "管理局",
)
# words no name that speaks for itself contains ("该员工", "有律师", "多名用户")
NAME_BREAKERS = tuple(
    """员工 律师 用户 网友 记者 专家 人士 消费者 顾客 市民 车主 客户 患者 家长 学生 负责人 工作人员
    有关部门 相关部门 官方 平台方 该 这 那 某 其 我们 他们 公开 书面 赔礼 尚未 发文 规定 期限 创始人
    警方 法院 检察院 监管 后续 不少 对此 将在 录入 受访者 网民 居民 民警 业内人士 专家 半数
    调查 决定书 通知书 处罚 报告 检测 测试 评估 核查 排查 消保委 消协 发稿""".split()
)
# characters a name does not start with: prepositions, conjunctions, quantities
NOT_FIRST = frozenset("向在至到对与和被由从把给将已也则另该这那其某一各每")
LEADING_WORDS = tuple(sorted((w for w in NOT_IN_NAMES if len(w) >= 2), key=len, reverse=True))
# "（以下简称“云雀科技”）": the short form an article uses after a full name
SHORT_FORM = re.compile(r"[（(]\s*(?:以下)?简称[“\"「]?([^”\"」）)]{2,12})[”\"」]?\s*[）)]")
# an app named in quotes or book-title marks: "“云雀阅读”App", "《云雀阅读》APP", "“小蜜蜂家教”公众号"
APP_NAME = re.compile(
    r"[“《「]([^”》」]{2,14})[”》」]\s*的?(?:APP|App|app|应用|客户端|小程序|公众号)"
    r"|(?<![A-Za-z])([A-Z][A-Za-z0-9]{1,15})\s*(?:APP|App|app|客户端)(?![A-Za-z])"
    r"|(?:APP|App|app)\s*([A-Z][A-Za-z0-9]{1,15})(?![A-Za-z])"
    # a company's product or a brand in quotes ("橙果网络旗下“橙果健身”", "智能门锁品牌“安芯”", "乐淘科技
    # 运营的“乐淘省钱”"), an app in quotes after what it is ("视频剪辑应用“乐拍”")
    r"|(?:旗下|品牌|运营的|开发的|推出的|研发的|(?<![适响])应用|小程序|公众号)(?:的|App|APP|应用|产品)*"
    r"[“《「]([^”》」]{2,14})[”》」]"
    # a platform in quotes after what it is ("生鲜电商平台“鲜邻优选”"), not its words ("，平台“从未…”",
    # "借贷平台“并不罕见”"), one of its documents or features, nor a technology platform a company sells
    # ("隐私计算平台“衡盾”")
    r"|(?<=[\u4e00-\u9fff])(?<![该此本其各云])(?<!计算|技术|开放|服务|数据|管理|安全|中台)平台[“《「]"
    r"((?![并不没未很太非])[^”》」]{2,14}?(?<!政策|协议|规则|功能|活动|条款|指引|声明|公告|频道|专区|模式))[”》」]"
    # a business named as it is introduced ("一家名为“小脚丫”的新生儿摄影工作室"), not a campaign
    r"|(?:名为|名叫)[“《「]([^”》」]{2,14})[”》」](?=的?[^，。；！？]{0,10}"
    r"(?:工作室|公司|店|机构|平台|App|APP|应用|软件|诊所|医院|酒店|中介|品牌|网站|小程序|商家|企业))"
    # an app in quotes after the word ("记账类App“记账喵”"), or before who makes it ("“记账喵”开发者")
    r"|(?:APP|App|app)[“《「]([^”》」]{2,14})[”》」]"
    r"|[“《「]([^”》」]{2,14})[”》」](?=的?(?:开发者|开发商|运营方|运营者|运营主体|运营商|运营公司))"
    # a name in quotes that opens a clause and is found at fault ("“慧眼识车”被检出违规共享…")
    r"|(?:^|(?<=[，。；：\n]))[“「]([^”」]{2,12})[”」](?=(?:App|APP|app)?(?:被检出|被指|被曝|被发现|被查出|存在|违规|未经))"
)
# a company's name, then its app: "深圳乐淘科技有限公司运营的“乐淘省钱”", "橙果网络旗下的健身App“橙果健身”"
MADE_BY_BEFORE = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9]{2,24})[”」）)]*(?:旗下|运营的|开发的|推出的|研发的)[^，。；！？“”\n]{0,8}[“《「]?$"
)
# between an app and its company: "“速借宝”APP的运营方深圳前海速借…", "《邻里帮》小程序在开通门禁时…，
# 运营方为武汉好邻居物业管理有限公司"
MADE_BY_AFTER = re.compile(
    r"^[^。；！？\n]{0,40}?(?:运营方|运营者|运营主体|运营商|运营公司|开发者|开发商|开发公司)(?:为|是|系)?[：:]?$"
)
# "速达快运确认系统漏洞遭利用", "卓越云课堂4月2日晚发布公告": a name that opens a clause and speaks for
# itself (a three-character one only if it is no person's name)
SPEAKS_FOR_ITSELF = re.compile(
    r"(?:^|(?<=[，。；！？：\s“]))([\u4e00-\u9fff]{3,10}?)(?=(?:\d{1,2}月\d{1,2}日[早晚上下午间]*|当天|当晚|当日|"
    r"随后|则|也|已|连夜|今日|昨日|近日|日前|昨晚|今天|同日|次日|" + "|".join(SPEAKER_WORDS) + "|"
    r"在官网|在官方微博|通过官方渠道)*"
    # or introduces itself ("美沐医美是一家成都本地医美连锁机构")
    r"(?:发布|发表|确认|表示|回应|宣布|声明|公告|致歉|道歉|否认|官方|是一家))"
)
# what a description ends in before the name it introduces ("社区团购平台鲜蜂优选", "服务方金域物业")
NAME_DESCRIPTOR_ENDS = re.compile(
    r"^.*(?:平台|企业|机构|商家|厂商|品牌|应用|软件|网站|服务方|运营方)(?=.{2,})"
)
DESCRIPTOR_ENDS = re.compile(r"^.*(?:平台|公司|企业|机构|商家|厂商|品牌|应用|软件|网站)(?=.{2,})")
# a brand by the company that runs it ("判决禾丰优选运营公司删除"), not the description before the one that
# runs it ("运营主体为……")
RUN_BY = re.compile(r"([\u4e00-\u9fff]{2,14}?)的?(?:运营公司|运营主体)(?![\u4e00-\u9fff]{0,2}(?:为|是|系))")
LATIN = re.compile(r"[A-Za-z]")
# a name in Latin letters, not an acronym ("SDK", "AI"), right after what it is
LATIN_NAME_DESCRIBED = re.compile(
    r"(?:平台|企业|公司|机构|商家|厂商|品牌|应用程序|应用|软件|网站|服务商)\s?"
    r"([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?![A-Za-z0-9])"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
# a name in Chinese right after the kind of business it is, with no quotes or company word ("生鲜电商平台
# 青蔓优选，"): up to punctuation or the verb of its clause
SECTOR_DESCRIBED = re.compile(
    r"(?:电商|生鲜|外卖|社交|出行|网约车|直播|短视频|借贷|医美|健身|招聘|二手|租房|团购|支付|导航|地图|游戏|旅游|"
    r"母婴|美妆|零售|餐饮|茶饮|教育|理财|打车|快递|物流)(?:电商)?(?:平台|品牌|机构|连锁|超市|应用)"
    r"(?![上中内里下也都还又就和与及等])([\u4e00-\u9fff]{2,6}?)"
    r"(?=[，。；、：（(“”\s]|$|发布|表示|回应|称|承认|否认|道歉|致歉|已|将|被|旗下|位于)"
)
RELATION_WORDS = frozenset({"子公司", "母公司", "全资子公司", "控股子公司", "孙公司"})
SOLE_TRADER = re.compile(r"([\u4e00-\u9fff]{2,20})\s*[（(]个体工商户[）)]")
# a list of businesses: "约谈了滴滴出行、哈啰出行等6家企业", "美图秀秀、探探和快看点等App"
LISTED = re.compile(
    r"((?:[^，。；、“”：:\s]{2,14}、)+[^，。；、“”：:\s]{2,14}?)(?:[和及与]([^，。；、“”：:\s]{2,14}))?"
    r"等\s*\d*\s*[家款个]?(?:企业|公司|平台|App|APP|应用|机构|银行|商家|网站|品牌)"
)
COUNTED = re.compile(r"(?:[一二两三四五六七八九十几多数每这那]家|[某该各])$")
NOT_A_COMPANY = re.compile(
    r"(?:大学|学院|研究院|研究所|科学院|(?<![医容影剧老理])院|协会|学会|委员会|消委会|消保委|研究中心|实验室|基金会|联盟|"
    r"教授|研究员|学者|主任|院长|所长|分析师|记者|编辑|日报|晚报|早报|都市报|商报|周刊|杂志|电视台|新闻|网友|博主|"
    r"校长|老师|教师|医生|律师|经理|总监|董事长|主管|负责人|专家|法官|官员|发言人|总裁|创始人|店长)$"
)
BRANCH_AFTER = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:分行|支行|分公司|支公司|营业部)")
# a place's unit of the company named right before it ("中国移动邵阳分公司", "鸿雁速递河北区域公司")
PLACE_UNIT = re.compile(r"(.+?)(?:分公司|支公司|区域公司|大区公司|省公司|市公司)$")


def an_own_name(name: str) -> bool:
    """Can these words be a business's own name: no person's, no description ("一家…"), no kind of business
    alone ("催收公司")?"""
    core = name_core(name, ORG_ENDINGS)
    return (
        len(name) >= 3
        and names_someone(core if len(core) >= 2 else name)
        and (len(name) >= 4 or not a_person(name))
        and name[0] not in NOT_FIRST
        and not any(w in name for w in NAME_BREAKERS)
        and len(core) >= 2
        and core not in GENERIC_CORES
    )


def name_begins(candidate: str, after: int = 0, registered: bool = False) -> int:
    """Where the name in the candidate begins (its last `after` characters are words it ends in): after a
    verb jieba keeps with it ("约谈云雀"), a description ("物业服务方金域物业"), a leading "一" or "至"."""
    first = name_start(candidate[: len(candidate) - after], registered=registered)
    while (word := next((w for w in LEADING_WORDS if candidate.startswith(w, first)), None)) is not None:
        first += len(word)
    described = NAME_DESCRIPTOR_ENDS.match(candidate[first:])
    if described:
        first += described.end()
    while first < len(candidate) and candidate[first] in NOT_FIRST:
        first += 1
    return first


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

        def add(start: int, end: int, kind: str, key: str, name: str, company_id: str | None) -> dict | None:
            if any(taken[start:end]):
                return None
            span = char_span(doc, start, end)
            if span is None:
                return None
            for i in range(start, end):
                taken[i] = True
            mention = {
                "start": span.start,
                "end": span.end,
                "text": text[start:end],
                "kind": kind,
                "company_id": company_id,
                "name": name,
                "key": key,
            }
            mentions.append(mention)
            return mention

        if self.known_pattern is not None:
            word_starts = {t.idx for t in doc}
            word_ends = {t.idx + len(t) for t in doc}
            for match in self.known_pattern.finditer(text):
                # a short name the text only spells across two words ("工行" in "员工行为") is not said
                if match.start() not in word_starts and match.end() not in word_ends:
                    continue
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
        found_cores = sorted({name_core(name, ORG_ENDINGS) for name in unknown}, key=len, reverse=True)
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
            if an_own_name(name):
                add(start, end, "company", f"company:{name}", name, None)
        # an unknown company's short form ("（以下简称“云雀科技”）"), and apps in quotes: an app a company
        # makes or runs is that company's (as WeChat is Tencent's), the app on its own a company
        made_by_known: dict[str, dict] = {}
        aliases = {m["name"]: m["name"] for m in mentions if m["kind"] == "company" and not m["company_id"]}
        for match in SHORT_FORM.finditer(text):
            named = [m for m in mentions if m["kind"] == "company" and doc[m["end"] - 1].idx < match.start()]
            if named and not named[-1]["company_id"]:
                aliases[match.group(1)] = named[-1]["name"]
        for match in APP_NAME.finditer(text):
            group = match.lastindex  # each alternative has one group: the name
            app = match.group(group)
            if app in self.known or app.upper() in ("APP", "IOS", "AI"):
                continue
            owner = self._maker(doc, mentions, match.start(group), match.end(group), add)
            if owner is not None and owner["company_id"]:
                made_by_known[app] = owner
                continue
            if owner is not None:
                aliases.setdefault(owner["name"], owner["name"])
                aliases[app] = aliases.get(owner["name"], owner["name"])
            else:
                aliases.setdefault(app, app)
            add(match.start(group), match.end(group), "company", f"company:{app}", app, None)
        for app, owner in made_by_known.items():
            aliases.pop(app, None)
            for match in re.finditer(re.escape(app), text):
                add(match.start(), match.end(), *(owner[k] for k in ("kind", "key", "name", "company_id")))
        # the names of a list of businesses ("约谈了滴滴出行、哈啰出行等6家企业")
        for start, name in self._listed_names(text):
            if name not in self.known and name not in aliases:
                aliases[name] = name
                add(start, start + len(name), "company", f"company:{name}", name, None)
        # a Latin-script name a description introduces ("学校通讯应用程序ClassNest", "初创公司Lumora")
        for match in LATIN_NAME_DESCRIBED.finditer(text):
            name = match.group(1)
            if name not in self.known and name.upper() not in ("APP", "IOS"):
                aliases.setdefault(name, name)
                add(match.start(1), match.end(1), "company", f"company:{name}", name, None)
        for match in SECTOR_DESCRIBED.finditer(text):
            name = match.group(1)
            if an_own_name(name) and name not in self.known:
                aliases.setdefault(name, name)
                add(match.start(1), match.end(1), "company", f"company:{name}", name, None)
        # a business a notice calls a sole trader ("五华区速达手机店（个体工商户）"), whatever it ends in
        for match in SOLE_TRADER.finditer(text):
            candidate = match.group(1)
            name = candidate[name_start(candidate) :]
            if len(name) >= 3 and name not in self.known:
                aliases.setdefault(name, name)
                add(match.end(1) - len(name), match.end(1), "company", f"company:{name}", name, None)
        for match in RUN_BY.finditer(text):
            candidate = match.group(1)
            name = candidate[name_begins(candidate) :]
            if an_own_name(name) and name not in self.known:
                aliases.setdefault(name, name)
                add(match.end(1) - len(name), match.end(1), "company", f"company:{name}", name, None)
        # "趣拍网络科技" after "深圳市趣拍网络科技", "明眸公司" after "苏州明眸智能科技", "江北农商行" after
        # "江北农村商业银行": the same company
        # in the article's order among names of one length: a set's order changes with the hash seed
        names = sorted(dict.fromkeys(aliases.values()), key=len, reverse=True)
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
        for name in dict.fromkeys(aliases.values()):
            for short in short_forms(name):
                aliases.setdefault(short, name)
        for alias in sorted(aliases, key=len, reverse=True):
            for match in re.finditer(re.escape(alias), text):
                name = aliases[alias]
                add(match.start(), match.end(), "company", f"company:{name}", name, None)
        # research bodies, schools, outlets and people by their titles are no companies ("中国信通院",
        # "清华大学法学院教授", "南方都市报")
        mentions = [
            m
            for m in mentions
            if not (m["kind"] == "company" and not m["company_id"] and NOT_A_COMPANY.search(m["name"]))
        ]
        mentions.sort(key=lambda m: m["start"])
        doc._.set(ORGS_ATTR, mentions)
        return doc

    @staticmethod
    def _listed_names(text: str) -> list[tuple[int, str]]:
        """(start, name) of each item of a list of businesses ("A、B和C等企业"), not places or people."""
        found = []
        for match in LISTED.finditer(text):
            # the items between 、 and the last after 和/及/与: a name may hold those characters ("中和科技")
            items = [(match.start(1) + m.start(), m.group()) for m in re.finditer(r"[^、]+", match.group(1))]
            if match.group(2):
                items.append((match.start(2), match.group(2)))
            for k, (at, item) in enumerate(items):
                # the first item may carry the verb before the list ("约谈了滴滴出行")
                cut = name_start(item) if k == 0 else 0
                name = item[cut:]
                if len(name) < 2 or is_place_name(name) or a_person(name):
                    continue
                if name_core(name, ORG_ENDINGS) not in GENERIC_CORES and names_someone(name):
                    found.append((at + cut, name))
        return found

    @staticmethod
    def _maker(doc: Doc, mentions: list[dict], start: int, end: int, add) -> dict | None:
        """The company an app in text[start:end] is said to be made or run by, before or after it; one
        named right before it with no company word ("满盈金融旗下借款应用“钱小满”") is added as a mention."""
        text = doc.text
        companies = sorted((m for m in mentions if m["kind"] == "company"), key=lambda m: m["start"])
        window = max(0, start - 40)
        made_by = MADE_BY_BEFORE.search(text[window:start])
        if made_by:
            # the company named right before, in full or by a short form not yet found ("橙果网络")
            words = made_by.group(1)
            for cut in range(len(words) - 1):
                named = words[cut:]
                owner = next(
                    (
                        m
                        for m in reversed(companies)
                        if named in (m["text"], m["name"])
                        or len(named) >= 3
                        and (named in m["name"] or abbreviates(named, m["name"]))
                    ),
                    None,
                )
                if owner is not None:
                    return owner
        owner = next((m for m in companies if doc[m["start"]].idx >= end), None)
        if owner is not None and MADE_BY_AFTER.match(text[end : doc[owner["start"]].idx]):
            return owner
        if made_by:
            name = words[name_start(words) :]
            if an_own_name(name):
                at = window + made_by.end(1) - len(name)
                return add(at, at + len(name), "company", f"company:{name}", name, None)
        return None

    @staticmethod
    def _named_by_ending(doc: Doc, taken: list[bool]) -> list[tuple[int, int, str]]:
        """(start, end, kind) of names that end in a company's or an authority's word, from the words
        before it back to a function word, a verb that introduces a name, punctuation or a known name."""
        found = []
        text = doc.text
        for i, token in enumerate(doc):
            word = ending_word(token.text)
            if word in RELATION_WORDS:  # "全资子公司": what a company is to another, not its name
                continue
            # the ending may span words: "消费金融" after "易达" is "消费" + "金融" to jieba
            tail = text[max(0, token.idx + len(word) - 8) : token.idx + len(word)]
            authority = next((e for e in AUTHORITY_ENDINGS if tail.endswith(e)), None)
            ending = authority or max((e for e in ORG_ENDINGS if tail.endswith(e)), key=len, default=None)
            if ending is None:
                continue
            kind = "government" if authority else "company"
            # "联网", "官网", "网络": a one-character ending inside a word of its own
            if kind == "company" and inside_a_word(word, ending, text, token.idx + len(word)):
                continue
            # "云雀科技有限公司": the name ends at the last of its ending words
            if i + 1 < len(doc) and doc[i + 1].text.endswith(ORG_ENDINGS + AUTHORITY_ENDINGS):
                continue
            start = i
            while start > 0:
                before = doc[start - 1]
                if before.text in NOT_IN_NAMES and len(before.text) == 1:
                    window = doc[max(0, start - 3) : start]
                    place = place_before_own_name([t.text for t in window], len(window) - 1)
                    if place is not None and not any(taken[window[place].idx : before.idx]):
                        start = window.start + place
                        break
                # "旅游开发有限公司": a registered name's trade words, not a verb before the name
                trade = ending in LEGAL_FORMS and all(t.text in TRADE_WORDS for t in doc[start - 1 : i])
                if (
                    (before.text in NOT_IN_NAMES and not trade)
                    or before.whitespace_
                    or not (CJK.search(before.text) or before.text.isalnum())
                    or any(taken[before.idx : before.idx + len(before.text)])
                    or token.idx + len(word) - before.idx > 16
                ):
                    break
                start -= 1
            first = doc[start].idx
            name = text[first : token.idx + len(word)]
            cut = name_begins(name, len(ending), registered=ending in LEGAL_FORMS)
            first, name = first + cut, name[cut:]
            core = name_core(name, ORG_ENDINGS + AUTHORITY_ENDINGS)
            unit = PLACE_UNIT.match(name)
            if unit and first and is_place_name(unit.group(1)) and text[first - 1].isalnum():
                continue
            # "一家科技公司", "某公司", "中国科技公司", "装修公司": no name before the ending words
            if len(core) < 2 or "某" in core or core in GENERIC_CORES:
                continue
            # "多家催收公司", "一家培训机构": counted, so a kind of business
            if ending not in LEGAL_FORMS and COUNTED.search(text, 0, first):
                continue
            # a legal form ("有限公司") names one company whatever its words; a common word ("物联网")
            # names none
            # "江苏银行南京分行": a place's bank with a branch is that bank
            branch = BRANCH_AFTER.match(text, token.idx + len(word))
            # "南京银行", "江苏银行": a city's or a province's own bank
            city_bank = ending == "银行" and is_place_name(core) and len(dictionary_words(core)) == 1
            if (
                kind == "company"
                and ending not in LEGAL_FORMS
                and not (names_someone(core) or branch or city_bank)
            ):
                continue
            if jieba_dictionary()[0].get(name, 0) >= RARE_WORD:
                continue
            found.append((first, token.idx + len(word), kind))
        # "成都青橙酒店管理有限公司": the whole name, not the "成都青橙酒店" inside it
        return [
            (start, end, kind)
            for start, end, kind in found
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in found)
        ]
