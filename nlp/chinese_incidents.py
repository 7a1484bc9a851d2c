"""The Chinese pipeline's incident components: incident types per sentence, the accused and their
responses, from config/incidents.zh.yaml, over the organisations nlp/chinese.py found.

Cues are regular expressions matched on a sentence's characters and mapped to tokens (char_span); they fill
the same ArticleFacts as the English components.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc

from config.knowledge import Regulator
from config.taxonomy import ChineseTaxonomyFile
from nlp.chinese import char_span
from nlp.component_data import KeepsData
from nlp.facts import FACTS_ATTR, ArticleFacts, SentenceFacts, mark_near_context, sentence_text
from nlp.incidents import PRIVACY_REMITS

# a company speaking of itself
FIRST_PERSON = re.compile(r"我司|我院|我行|我所|我店|我公司|本公司|本院|本行|本所|本店")
# the date a statement's signature line may carry after the name ("青禾口腔门诊部 2025年3月2日")
SIGNED_ON = re.compile(
    r"\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2})\s*[”\"]?$"
)
# a company named right after these receives or helps, or is the tool or host something was done with
# ("通过微信", "部署在阿里云服务器上"): it does not act
RECIPIENT_BEFORE = re.compile(
    r"(向|给|提供给|共享给|卖给|出售给|委托|聘请|联合|与|部署在|托管在|通过|利用|使用|借助|添加其?)$"
)
# a firm brought in to help ("聘请网络安全公司深信服进场开展应急响应"): it investigates, it is not accused
HIRED_BEFORE = re.compile(r"(?:聘请|委托|邀请|请来|找来|引入)了?[^，。；、“”]{0,10}$")
# the buyers of what was sold or the recipients of what was handed over ("买家之一为安途保险代理", "购买名单的
# 商家中包括优选家居", "数据接收方包括蓝图分析")
BUYER_BEFORE = re.compile(
    r"(?:买家|买方|购买者|购买方|下家|接收方|接收者|受让方)(?:之一|中)?(?:为|是|包括|有)$"
    r"|(?:购买|买走|买入|收购)[^。；，]{0,12}的(?:商家|公司|机构|企业|单位)(?:中|之中)?(?:包括|有)$"
)
# where something was sent, a few words on ("误将筛查表发至器械供应商江岸药械的工作群", "发给了合作的广告
# 公司星途科技"): it received, it did not send
SENT_TO_BEFORE = re.compile(r"(?:发至|发到|发给|发进|发送至|发送给|转发至|转发给)了?[^。；，]{0,12}$")
# a name joined to the one before it ("出售给美居装饰有限公司和蚂蚁搬家……"): the same part in the sentence
COORDINATED = re.compile(r"(?:股份)?(?:有限)?(?:公司)?(?:[、和及与]|以及)")
CHANNEL_AFTER = re.compile(
    r"^(?:[、和及与][^，。；、]{1,10})*(?:等[^，。；]{0,8})?的?"
    r"(小程序|公众号|应用商店|应用市场|服务器|云服务器|云平台|平台上|账号|店铺|直播间|群|链接)"
    # by its own name in quotes ("微信“招生交流群”", "抖音“老王说车”账号")
    r"|^“[^”]{1,16}”?(?:群|小程序|公众号|账号|店铺|直播间)"
    r"|^(?:[、和及与][^，。；、]{1,10})*等(平台|渠道)"
)
# a platform that takes down what it hosts ("微信已下架", "抖音平台在接到投诉后将该小程序下架") acts on
# another's app and is not accused there, when the article names it as the host of something (CHANNEL_AFTER)
REMOVES_AFTER = re.compile(r"^[^。；？！]{0,30}?(?<!未)(?<!没有)(?<!及时)(下架|封禁|封停|下线|关停|屏蔽)")
# "该院一名护士……": the company the article was speaking of, before the sentence names any other
ANAPHOR = re.compile(
    r"(?:该|这家|此)(?:公司|医院|院|平台|机构|企业|银行|集团|门店|店|商家|应用|App|APP|酒店|诊所|律所|所|网站)"
)
# a unit a company was named with, referred back to by that unit ("江城银行星河信用卡中心……对该信用卡中心
# 罚款", "滨海银行东城支行……该支行"): the company named with it
UNIT_ANAPHOR = re.compile(
    r"(?:该|这家|此)([\u4e00-\u9fff]{0,5}?(?:中心|分行|支行|分公司|子公司|营业部|分店|网点|事业部))"
)
# businesses in general as what a clause is about ("企业向境外提供个人信息又多了一条合规路径",
# "部分商家违规收集"): the sentence is about a practice, not about the article's company
GENERIC_DOER = re.compile(
    r"(?:^|(?<=[，。；：、\s“]))(?:部分|一些|不少|多家|许多|有的|各类|各家|中小)?"
    r"(?:企业|商家|经营者|个人信息处理者|处理者)(?=[^，。；]{0,6}(?:向|将|在|对|未经|违规|擅自|可以|可))"
)
# the company that makes or supplies the system that does it ("这款软件由观澜科技开发", "这套系统的供应商是
# 慧眼云图", "系统提供方瞳鉴智能") is accused of what the system does
PRODUCT = r"(?:软件|系统|SDK|sdk|摄像头|设备|插件|产品)"
VENDOR_BEFORE = re.compile(
    PRODUCT + r"[^。；，]{0,6}?(?:(由)|的?(?:供应商|提供方|开发商|开发者|服务商|厂商)(?:是|为)?)$"
)
MADE_AFTER = re.compile(r"^(?:股份)?(?:有限)?(?:公司)?(?:开发|提供|研发|生产|出品)")
PRODUCT_SENTENCE = re.compile(PRODUCT)
# "涉事网点为……", "涉事企业系……": the ones the article says are involved
IMPLICATED_BEFORE = re.compile(
    r"涉事(?:企业|公司|门店|网点|商家|机构|平台|App|APP|应用|医院|诊所|药店|酒店|学校|网站)"
    r"(?:均|分别)?(?:为|是|系)[^。；，]{0,16}$"
)
# a parent named as such ("瀚海控股旗下子公司瀚行出行", "汇联数字科技全资子公司汇联征信",
# "作为闽峰物业的控股股东，闽峰控股……"): what happened is its subsidiary's doing
PARENT_BEFORE = re.compile(r"(控股股东|母公司|大股东|实际控制人)[，,]?$")
PARENT_AFTER = re.compile(r"^(?:[（(][^）)]{0,16}[）)])?(?:集团|公司)?(?:旗下|的?(?:全资|控股)?子公司)")
# the subsidiary in its parent's description ("作为闽峰物业的控股股东"): the parent speaks, not it
PARENT_OF_AFTER = re.compile(r"^的?(控股股东|母公司|大股东|实际控制人)")
# "在微博爆料", "在Telegram上一个群组里", "在其官方微博发布说明", "在电脑端微信中的聊天": where someone
# posted, something was found or kept
POSTED_BEFORE = re.compile(
    r"(在|于|通过|发在了?|发到了?|晒在了?|晒到了?)(其|其官方|官方|电脑端|手机端|网页版)?$"
)
POSTED_AFTER = re.compile(
    r"^(上(?!班|市|线|调|涨|升)|中(?![标国])|里|爆料|发帖|发文|发布|传播|曝光|刷到|看到)"
)


# the title of a law, a standard or a report
BOOK_TITLE = re.compile(r"《[^《》]{2,40}》")


def _free(span: tuple[int, int], trapped: list[tuple[int, int]]) -> bool:
    start, end = span
    return not any(start < trap_end and trap_start < end for trap_start, trap_end in trapped)


class ChineseIncidents(KeepsData):
    """Incident types per sentence from config/incidents.zh.yaml: a cue counts in a sentence with privacy
    context or next to one, unless a trap covers it, a negation comes just before it, or it is only what
    a denial repeats. Fills doc._.privwatch_facts."""

    def __init__(self, nlp: Language, name: str, article_context_types: list[str]):
        self.nlp, self.name = nlp, name
        self.article_context_types = frozenset(article_context_types)
        self.cues: ChineseTaxonomyFile | None = None
        self.privacy_authorities: set[str] = set()

    def initialize(
        self,
        get_examples=None,
        *,
        nlp: Language | None = None,
        taxonomy_zh: ChineseTaxonomyFile,
        regulators: list[Regulator] = (),
    ) -> None:
        self.keep(taxonomy_zh=taxonomy_zh, regulators=regulators)
        self.cues = taxonomy_zh
        self.context = [re.compile(p) for p in taxonomy_zh.privacy_context]
        self.traps = [re.compile(p) for p in taxonomy_zh.traps]
        self.negations = re.compile(taxonomy_zh.negations)
        self.normatives = re.compile(taxonomy_zh.normatives)
        self.reasons = re.compile(taxonomy_zh.reasons)
        self.denials = re.compile(taxonomy_zh.denials)
        self.types = {t: [re.compile(p) for p in c.cues] for t, c in taxonomy_zh.types.items()}
        self.type_traps = {t: [re.compile(p) for p in c.traps] for t, c in taxonomy_zh.types.items()}
        self.privacy_authorities = {"regulator:" + r.id for r in regulators if r.remit in PRIVACY_REMITS}

    def __call__(self, doc: Doc) -> Doc:
        article = ArticleFacts.of(doc)
        denied: dict[int, set[str]] = {}
        for fact in article.sentences:
            text, offset = fact.span.text, fact.span.start_char
            trapped = [m.span() for trap in self.traps for m in trap.finditer(text)]
            fact.has_context = any(
                _free(m.span(), trapped) for c in self.context for m in c.finditer(text)
            ) or any(m["key"] in self.privacy_authorities for m in article.orgs_in(fact.index))
            denial = self.denials.search(text)
            for type_id, patterns in self.types.items():
                type_traps = self.type_traps[type_id]
                trapped_here = trapped + [m.span() for t in type_traps for m in t.finditer(text)]
                for pattern in patterns:
                    for match in pattern.finditer(text):
                        start, end = match.span()
                        if (
                            not _free((start, end), trapped_here)
                            or self._negated(text, start)
                            # "信息并未泄露": denied inside the cue (a consent cue says what was not done)
                            or (type_id != "consent" and self.negations.search(text, start, end))
                            or self._normative(text, start, end)
                        ):
                            continue
                        span = char_span(doc, offset + start, offset + end)
                        if span is not None:
                            fact.types.setdefault(type_id, []).append(span)
                            if denial and denial.start() < start:
                                denied.setdefault(fact.index, set()).add(type_id)
        mark_near_context(article.sentences)
        incident_facts = [f for f in article.sentences if f.types and f.in_context]
        privacy_story = any(set(f.types) - self.article_context_types for f in incident_facts) or (
            sum(f.has_context for f in article.sentences) >= 2
        )
        alleged = {t for f in incident_facts for t in f.types if t not in denied.get(f.index, set())}
        for fact in article.sentences:
            another_matter = not fact.in_context and self.reasons.search(fact.span.text)
            fact.types = {
                t: cues
                for t, cues in fact.types.items()
                if t in alleged
                and (
                    fact.in_context
                    or (privacy_story and t in self.article_context_types and not another_matter)
                )
            }
        article.raw_cues = {f.index: (dict(f.types), {}) for f in article.sentences if f.types}
        doc._.set(FACTS_ATTR, article)
        return doc

    def _normative(self, text: str, start: int, end: int) -> bool:
        """A rule stated in the cue's clause ("不得过度收集", "最高可处五千万元以下罚款"), or in the
        clause after one that names whom it binds ("使用人脸识别设备的，应当…"); a cue in a document's
        title ("《公共场所人脸识别系统安全要求》") names the document, not an event."""
        if any(s < start and end <= e for s, e in (m.span() for m in BOOK_TITLE.finditer(text))):
            return True
        clause_start = max((text.rfind(p, 0, start) for p in "，,；;：:"), default=-1) + 1
        ends = sorted(i for i in (text.find(p, end) for p in "，,；;。") if i != -1)
        clause_end = ends[0] if ends else len(text)
        if text[clause_end - 1 : clause_end] == "的" and len(ends) > 1:
            clause_end = ends[1]
        return bool(self.normatives.search(text[clause_start:clause_end]))

    def _negated(self, text: str, start: int) -> bool:
        """A negation in the few characters before the cue, within its clause ("并未发现数据泄露")."""
        window = re.split(r"[，,、：:]", text[max(0, start - 20) : start])[-1]
        return bool(self.negations.search(window))


class ChineseRoles(KeepsData):
    """The accused of each incident sentence: the companies it names (not those it names as recipients
    or hired helpers), else the company in focus or the article's main company; companies named only
    where the article recalls an earlier event are background."""

    def __init__(self, nlp: Language, name: str):
        self.nlp, self.name = nlp, name

    def initialize(self, get_examples=None, *, nlp=None, taxonomy_zh: ChineseTaxonomyFile) -> None:
        self.keep(taxonomy_zh=taxonomy_zh)
        self.background = re.compile(taxonomy_zh.background)

    def __call__(self, doc: Doc) -> Doc:
        article: ArticleFacts | None = doc._.get(FACTS_ATTR)
        if article is None or not any(f.types for f in article.sentences):
            return doc
        parent_keys = parents(article)
        helpers = hired(article)
        main = main_company(article, parent_keys | helpers, self.background)
        focus = main
        foreground = {main} if main else set()
        for fact in article.sentences:
            named = [k for k in acting_companies(fact, article) if k not in helpers]
            referent = None if named else named_back(fact, article)
            if referent:
                named = [referent]
            if focus and focus not in named and self._speaks_of_focus(fact, article):
                named.insert(0, focus)
            if fact.types:
                background = bool(self.background.search(fact.span.text))
                accused = [
                    k
                    for k in named
                    if (not background or k in foreground) and not not_the_doer(fact, article, k, parent_keys)
                ]
                # a recalled case that names no one and does not refer back is nobody's in this article
                if not (accused or named or background) and focus and not GENERIC_DOER.search(fact.span.text):
                    accused = [focus]
                fact.accused = accused
                for key in accused:
                    _accuse(article, fact, key, fact.types)
                    foreground.add(key)
            if fact.accused:
                focus = fact.accused[0]
        for key in vendors(article):
            for fact in article.sentences:
                if fact.types and PRODUCT_SENTENCE.search(fact.span.text) and key not in fact.accused:
                    _accuse(article, fact, key, [t for t in fact.types if t != "enforcement"])
        first = next((f for f in article.sentences if set(f.types) - {"enforcement"}), None)
        if first is not None:
            for key in implicated(article):
                if key not in article.accused_order:
                    _accuse(article, first, key, [t for t in first.types if t != "enforcement"])
        return doc

    @staticmethod
    def _speaks_of_focus(fact: SentenceFacts, article: ArticleFacts) -> bool:
        """Does the sentence refer back ("该院") before it names a company of its own?"""
        anaphor = ANAPHOR.search(fact.span.text)
        if anaphor is None:
            return False
        named = [m["start"] for m in article.companies_in(fact.index)]
        return not named or fact.span.doc[min(named)].idx - fact.span.start_char > anaphor.start()


def _accuse(article: ArticleFacts, fact: SentenceFacts, key: str, types) -> None:
    if not types:
        return
    for type_id in types:
        article.incidents.setdefault((type_id, key), (1.0, sentence_text(fact.span)))
    if key not in article.accused_order:
        article.accused_order.append(key)
    article.accused_sentences[key] += 1


def vendors(article: ArticleFacts) -> list[str]:
    """The companies the article names as the makers or suppliers of a system, software or device."""
    found = []
    for fact in article.sentences:
        text = fact.span.text
        for m in article.companies_in(fact.index):
            start, end = name_chars(fact, m)
            vendor = VENDOR_BEFORE.search(text[max(0, start - 16) : start])
            made = not vendor or not vendor.group(1) or MADE_AFTER.match(text[end:])
            if vendor and made and m["key"] not in found:
                found.append(m["key"])
    return found


def hired(article: ArticleFacts) -> set[str]:
    """The companies the article names as brought in to help (HIRED_BEFORE), wherever they are named."""
    found = set()
    for fact in article.sentences:
        for m in article.companies_in(fact.index):
            start = name_chars(fact, m)[0]
            if HIRED_BEFORE.search(fact.span.text[max(0, start - 14) : start]):
                found.add(m["key"])
    return found


def implicated(article: ArticleFacts) -> list[str]:
    """The companies the article names as the ones involved ("涉事网点为鸿雁速递的加盟网点捷达快递服务部"):
    they did what its first incident sentence says, named there or not."""
    found = []
    for fact in article.sentences:
        text = fact.span.text
        for m in article.companies_in(fact.index):
            start, _ = name_chars(fact, m)
            if IMPLICATED_BEFORE.search(text[max(0, start - 24) : start]) and m["key"] not in found:
                found.append(m["key"])
    return found


def name_chars(fact: SentenceFacts, mention: dict) -> tuple[int, int]:
    """Where a company's name is in its sentence's text: within its tokens, as jieba may keep a name with
    what follows it ("微信群")."""
    doc, offset = fact.span.doc, fact.span.start_char
    start = doc[mention["start"]].idx - offset
    end = doc[mention["end"] - 1].idx + len(doc[mention["end"] - 1].text) - offset
    at = fact.span.text.find(mention["text"], start, end)
    return (at, at + len(mention["text"])) if at >= 0 else (start, end)


def acting_companies(fact: SentenceFacts, article: ArticleFacts) -> list[str]:
    """The companies a sentence names, but those it names as recipients, buyers or hired helpers ("与云析
    科技的合作", "出售给美居装饰和蚂蚁搬家", "买家之一为安途保险代理")."""
    text = fact.span.text
    keys = []
    last_end, last_passive = None, False
    for m in article.companies_in(fact.index):
        start, end = name_chars(fact, m)
        before = text[max(0, start - 4) : start]
        after = text[end : end + 16]
        posted_on = POSTED_BEFORE.search(before) and POSTED_AFTER.match(after)
        passive = (
            RECIPIENT_BEFORE.search(before)
            or BUYER_BEFORE.search(text[max(0, start - 24) : start])
            or SENT_TO_BEFORE.search(text[max(0, start - 20) : start])
            or CHANNEL_AFTER.match(after)
            or PARENT_OF_AFTER.match(after)
            or posted_on
            or (last_passive and last_end is not None and COORDINATED.fullmatch(text[last_end:start]))
        )
        last_end, last_passive = end, bool(passive)
        if not passive and m["key"] not in keys:
            keys.append(m["key"])
    return keys


def named_back(fact: SentenceFacts, article: ArticleFacts) -> str | None:
    """The company a sentence refers back to by the unit it was named with (UNIT_ANAPHOR): the latest one
    before it whose name, with the words right after it, holds that unit."""
    anaphor = UNIT_ANAPHOR.search(fact.span.text)
    if anaphor is None:
        return None
    unit, text = anaphor.group(1), fact.span.doc.text
    earlier = [m for f in article.sentences[: fact.index] for m in article.companies_in(f.index)]
    for m in reversed(earlier):
        start = fact.span.doc[m["start"]].idx
        named_with = re.split(r"[，。；：、,;]", text[start : start + len(m["text"]) + 12])[0]
        if unit in named_with:
            return m["key"]
    return None


def not_the_doer(fact: SentenceFacts, article: ArticleFacts, key: str, parent_keys: set[str]) -> bool:
    """Is the company named here as the parent of the one that did it, or as a host that takes something
    down? It may still speak (its apology is its own), but is not accused here. A parent the article
    names over a company (parent_keys) is one wherever "旗下" follows it ("瀚海集团旗下出行App被通报")."""
    if named_as_parent(fact, article, key):
        return True
    if key in parent_keys and any(
        m["key"] == key and PARENT_AFTER.match(fact.span.text[name_chars(fact, m)[1] :])
        for m in article.companies_in(fact.index)
    ):
        return True
    return takes_down(fact, article, key)


def parents(article: ArticleFacts) -> set[str]:
    """The companies the article names as the parent of another ("瀚海控股旗下子公司瀚行出行")."""
    return {
        m["key"]
        for fact in article.sentences
        for m in article.companies_in(fact.index)
        if named_as_parent(fact, article, m["key"])
    }


def named_as_parent(fact: SentenceFacts, article: ArticleFacts, key: str) -> bool:
    text = fact.span.text
    mentions = article.companies_in(fact.index)
    for m in mentions:
        if m["key"] != key:
            continue
        start, end = name_chars(fact, m)
        if PARENT_BEFORE.search(text[max(0, start - 6) : start]):
            return True
        under = PARENT_AFTER.match(text[end:])
        # over a company it names ("瀚海控股旗下子公司上海瀚行出行科技"), not over its own hotels or apps
        if under and any(
            o["key"] != key and 0 <= name_chars(fact, o)[0] - end - under.end() <= 6 for o in mentions
        ):
            return True
    return False


def takes_down(fact: SentenceFacts, article: ArticleFacts, key: str) -> bool:
    """Does the company, named as the host of something in the article, take something down here?"""
    return any(
        m["key"] == key and REMOVES_AFTER.match(fact.span.text[name_chars(fact, m)[1] :])
        for m in article.companies_in(fact.index)
    ) and hosts_something(article, key)


def hosts_something(article: ArticleFacts, key: str) -> bool:
    """Is the company named somewhere as where something runs or is sold ("“掌上停车宝”微信小程序")?"""
    for fact in article.sentences:
        for m in article.companies_in(fact.index):
            if m["key"] == key and CHANNEL_AFTER.match(fact.span.text[name_chars(fact, m)[1] :][:16]):
                return True
    return False


def _signer(article: ArticleFacts) -> str | None:
    """The company that signs a statement written in its own voice ("我司", "我院"): a line that is only
    its name, or its name and the date."""
    if not any(FIRST_PERSON.search(f.span.text) for f in article.sentences):
        return None
    for fact in reversed(article.sentences):
        line = SIGNED_ON.sub("", fact.span.text.strip())
        for m in article.companies_in(fact.index):
            if line == m["text"]:
                return m["key"]
    return None


def main_company(article: ArticleFacts, parent_keys: set[str], background: re.Pattern) -> str | None:
    """The company the article is about: the one that signs it, else the most named as one that acts (a
    headline counts twice; not where something was posted or to whom something went, nor a parent; not
    where the article recalls an earlier case), the first on a tie."""
    signer = _signer(article)
    if signer:
        return signer
    salience: Counter = Counter()
    named: Counter = Counter()
    first: dict[str, int] = {}
    outside_background: set[str] = set()
    for fact in article.sentences:
        acting = set(acting_companies(fact, article))
        recalled = background.search(fact.span.text)
        for m in article.companies_in(fact.index):
            weight = 2 if fact.index == 0 else 1
            named[m["key"]] += weight
            salience[m["key"]] += weight if m["key"] in acting else 0
            first.setdefault(m["key"], m["start"])
            if not recalled:
                outside_background.add(m["key"])
    # named only where things happen ("在某某中介购房的市民"): the most named, then
    salience = salience if any(salience.values()) else named
    # a parent over the company the article is about ("瀚海控股旗下子公司瀚行出行") is not it
    if set(salience) - parent_keys:
        salience = Counter({k: n for k, n in salience.items() if k not in parent_keys})
    # a company named only where the article recalls an earlier case is not what it is about
    if set(salience) & outside_background:
        salience = Counter({k: n for k, n in salience.items() if k in outside_background})
    return max(salience, key=lambda k: (salience[k], -first[k]), default=None)


class ChineseResponses(KeepsData):
    """What the accused said or did: response cues credited to the accused companies the sentence names,
    else to the one in focus; a remedy an authority demands ("责令限期整改", "被下架") is nobody's."""

    def __init__(self, nlp: Language, name: str):
        self.nlp, self.name = nlp, name

    def initialize(self, get_examples=None, *, nlp=None, taxonomy_zh: ChineseTaxonomyFile) -> None:
        self.keep(taxonomy_zh=taxonomy_zh)
        self.responses = {r: [re.compile(p) for p in c.cues] for r, c in taxonomy_zh.responses.items()}
        self.obligations = re.compile(taxonomy_zh.obligations)
        self.orders = re.compile(taxonomy_zh.orders)

    def __call__(self, doc: Doc) -> Doc:
        article: ArticleFacts | None = doc._.get(FACTS_ATTR)
        if article is None or not article.accused_order:
            return doc
        focus = article.accused_order[0]
        for fact in article.sentences:
            # a sentence that names companies speaks for them (for none, when none is accused)
            named = acting_companies(fact, article)
            for response_id, start, end in self.found(fact.span.text):
                offset = fact.span.start_char
                fact.responses.setdefault(response_id, []).append(
                    char_span(doc, offset + start, offset + end)
                )
                for key in [k for k in named or [focus] if k in article.accused_order]:
                    article.responses.setdefault(key, []).append((response_id, sentence_text(fact.span)))
                    if key not in fact.speakers:
                        fact.speakers.append(key)
            accused = [k for k in named if k in article.accused_order]
            if accused:
                focus = accused[0]
        for fact in article.sentences:
            if fact.responses:
                article.raw_cues.setdefault(fact.index, ({}, {}))[1].update(fact.responses)
        return doc

    def found(self, sentence: str) -> list[tuple[str, int, int]]:
        """(response id, start, end) of the response cues in a sentence, but those an authority or a court
        demands and those not done ("逾期不整改")."""
        found = []
        for response_id, patterns in self.responses.items():
            for pattern in patterns:
                for match in pattern.finditer(sentence):
                    before = sentence[: match.start()]
                    clause = re.split(r"[，,；;。]", before)[-1]
                    if not (
                        self.obligations.search(clause)
                        or self.orders.search(before)
                        or re.search(r"(不|未|拒不|没有|尚未)$", before)
                    ):
                        found.append((response_id, *match.span()))
        return found
