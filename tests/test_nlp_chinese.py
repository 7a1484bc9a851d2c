"""The Chinese pipeline (nlp/chinese.py, config/incidents.zh.yaml): Chinese articles are routed to it by
their detected language and come out in the same shape as English ones. Every article here was written
for these tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config.models import Config
from nlp.chinese import ORGS_ATTR
from nlp.facts import FACTS_ATTR
from nlp.pipeline import build_pipelines, tag_article, tag_articles

from .nlp_cases import accused, keys, mentioned

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pipelines(nlp):
    config = Config()
    pipelines = build_pipelines(config)
    return pipelines


def tag(pipelines, title: str, body: str):
    return tag_article(pipelines, title, body)


def test_chinese_text_is_routed_to_the_chinese_pipeline_and_english_stays(pipelines):
    articles = [
        {
            "id": 1,
            "title": "网信办约谈某社交平台",
            "body": "国家网信办今日约谈云雀社交科技有限公司，指出其App违法违规收集使用个人信息。",
        },
        {
            "id": 2,
            "title": "Fine for data broker",
            "body": "The FTC fined Hollowell Data for selling location data.",
        },
    ]
    first, second = tag_articles(pipelines, articles)
    assert (first.language, second.language) == ("zh", "en")
    assert first.is_incident and second.is_incident
    assert [c["name"] for c in first.accused] == ["云雀社交科技"]


@pytest.mark.parametrize(
    "text,wanted",
    [
        ("用户发现支付宝年度账单默认勾选了芝麻信用服务协议，个人信息被授权给第三方。", {"ant-group"}),
        ("有网友称微信会保存聊天记录，腾讯随后回应称不存储用户聊天内容。", {"tencent"}),
        ("拼多多被指在用户不知情的情况下读取剪贴板中的个人信息。", {"pdd-holdings"}),
    ],
)
def test_products_and_chinese_names_link_to_their_company(pipelines, text, wanted):
    tagged = tag(pipelines, "", text)
    assert {c["id"] for c in tagged.companies} == wanted


@pytest.mark.parametrize(
    "text,said,key",
    [
        # a short form leaves out the industry the registered name states
        (
            "北京青岚智学教育科技有限公司的学习平板被曝默认开启摄像头。不少家长在青岚智学的官网上找不到关闭方法。",
            "青岚智学",
            "company:北京青岚智学教育科技",
        ),
        # a short name the text only spells across two words is not said
        ("公司电脑上装着一套“员工行为分析系统”，会记录员工访问的网站。", "工行", None),
        ("她在工行办了一张信用卡。", "工行", "icbc"),
        # a staff title jieba glues to the firm's word
        (
            "上海康和律师事务所律师王先生说，这一做法存在合规风险。",
            "上海康和律师事务所",
            "company:上海康和律师事务所",
        ),
    ],
)
def test_what_an_article_calls_a_company(pipelines, text, said, key):
    chinese = pipelines.get("zh")
    doc = chinese.make_doc(text)
    for name, component in chinese.pipeline:
        doc = component(doc)
        if name == "organisations":
            break
    companies = {m["text"]: m["key"] for m in doc._.get(ORGS_ATTR) if m["kind"] == "company"}
    assert companies.get(said) == key, companies


def test_regulators_courts_and_police_are_never_companies(pipelines):
    tagged = tag(
        pipelines,
        "",
        "工信部、市场监管总局和杭州市西湖区人民法院先后介入。警方称，杭州市公安局已立案调查泄露个人信息一案，"
        "涉事企业为杭州鹿鸣数据有限公司。",
    )
    assert {c["name"] for c in tagged.companies} == {"杭州鹿鸣数据"}


def test_an_unknown_company_its_short_form_and_its_app_are_one_company(pipelines):
    tagged = tag(
        pipelines,
        "",
        "工信部通报，南京青禾网络科技有限公司（以下简称“青禾网络”）旗下“青禾记账”App存在超范围收集个人信息问题。"
        "青禾网络回应称已完成整改。",
    )
    assert [(c["name"], c["role"]) for c in tagged.companies] == [("南京青禾网络科技", "accused")]
    assert tagged.accused[0]["responses"] == ["remediation"]


@pytest.mark.parametrize(
    "body,wanted",
    [
        # the company, then what it runs (no "App" after the quotes)
        (
            "通报显示，杭州青禾网络科技有限公司运营的“青禾记账”在用户拒绝授权后仍反复索取通讯录权限。",
            {"杭州青禾网络科技": "accused"},
        ),
        # the app, then its operator
        (
            "“云朵相册”APP的运营方南京云朵信息技术有限公司未经用户同意将用户照片上传至服务器。"
            "据了解，该应用的会员费通过支付宝收取。",
            {"南京云朵信息技术": "accused", "Ant Group": "mentioned"},
        ),
        # by its short form, with another company named in between; an app after what it is (交友应用“知味”)
        (
            "省通信管理局约谈了上海蓝鲸网络科技有限公司和杭州知味文化传播有限公司。检测发现，蓝鲸网络旗下"
            "“蓝鲸健身”在首次运行时默认勾选“同意接收营销短信”；知味文化开发的交友应用“知味”在退至后台后仍持续"
            "读取用户精确位置。",
            {"上海蓝鲸网络科技": "accused", "杭州知味文化传播": "accused"},
        ),
        # an app after the word App, its developer named after it in a later sentence
        (
            "用户发现，理财类App“算盘喵”在后台读取手机短信。次日，“算盘喵”开发者南京五点一刻网络科技有限公司发布声明致歉。",
            {"南京五点一刻网络科技": "accused"},
        ),
        # the operator in brackets after the app
        (
            "工信部通报，“天天走路”App（运营者：杭州步行者网络科技有限公司）超范围收集用户个人信息。",
            {"杭州步行者网络科技": "accused"},
        ),
        # a known company's app is that company's, like its products in the knowledge base
        (
            "工信部通报，美团推出的“团团借”App未经用户同意读取通讯录，被要求限期整改。",
            {"Meituan": "accused"},
        ),
        # the business that runs it named right before, with no company word ("…旗下")
        (
            "节目显示，禾丰普惠旗下借款应用“借多多”在用户注册时读取通讯录，逾期后向联系人发送催收短信。",
            {"禾丰普惠": "accused"},
        ),
    ],
)
def test_an_app_is_the_company_that_makes_or_runs_it(pipelines, body, wanted):
    tagged = tag(pipelines, "", body)
    assert {c["name"]: c["role"] for c in tagged.companies} == wanted, tagged.to_json()
    # what each company did is read from the sentences that name it by its app
    types = {c["name"]: set(c["types"]) for c in tagged.accused}
    if "杭州知味文化传播" in wanted:
        assert "consent" in types["上海蓝鲸网络科技"] and "consent" not in types["杭州知味文化传播"]


def test_a_business_named_as_it_is_introduced_is_a_company(pipelines):
    tagged = tag(
        pipelines,
        "",
        "警方查明，一家名为“蓝莓树”的早教机构非法购买了3000余名新生儿家长的姓名和手机号，用于电话推销。"
        "同月，市网信办开展名为“清朗”的专项行动。",
    )
    assert {c["name"]: c["role"] for c in tagged.companies} == {"蓝莓树": "accused"}, tagged.to_json()


def test_a_sentence_that_refers_back_speaks_of_the_company_before(pipelines):
    tagged = tag(
        pipelines,
        "",
        "产妇的信息来自南京安馨妇产医院。该院一名护士将产妇的姓名和手机号出售给中间人，买家包括一家名为“小象”的摄影工作室。"
        "安馨妇产医院回应称，涉事护士已被辞退。",
    )
    assert "南京安馨妇产医院" in {c["name"] for c in tagged.accused}, tagged.to_json()


@pytest.mark.parametrize(
    "body,vendor",
    [
        (
            "深圳远帆物流有限公司在员工电脑上安装了一款监控软件，会定时截屏并记录员工浏览的网站。"
            "记者调查发现，这款软件由杭州青眸网络技术有限公司开发。",
            "杭州青眸网络技术",
        ),
        (
            "多家连锁药店在门口安装人脸识别摄像头，顾客进店即被自动抓拍，人脸图像上传至云端比对。"
            "这套系统的供应商是南京识途智能科技有限公司。",
            "南京识途智能科技",
        ),
    ],
)
def test_the_maker_of_the_system_that_does_it_is_accused_too(pipelines, body, vendor):
    tagged = tag(pipelines, "", body)
    types = {c["name"]: set(c["types"]) for c in tagged.accused}
    assert vendor in types and types[vendor] & {"surveillance", "collection"}, tagged.to_json()


def test_a_company_named_in_full_is_then_called_by_its_own_name(pipelines):
    tagged = tag(
        pipelines,
        "",
        "省通信管理局约谈了上海蓝鲸网络科技有限公司。此外，杭州知味文化传播有限公司的交友应用被指在后台持续读取"
        "用户精确位置。蓝鲸网络已于当晚下线了默认勾选的弹窗。",
    )
    responses = {c["name"]: c["responses"] for c in tagged.accused}
    assert responses == {"上海蓝鲸网络科技": ["remediation"], "杭州知味文化传播": []}, tagged.to_json()


def test_the_ant_and_tencent_story_in_chinese(pipelines):
    tagged = tag(
        pipelines,
        "支付宝账单默认勾选信用协议 蚂蚁致歉",
        "新年伊始，不少用户在查看支付宝年度账单时发现，页面下方一行小字写着同意《芝麻服务协议》，而且已被默认勾选。\n\n"
        "芝麻信用当晚发表声明向用户致歉，称已取消默认勾选，并删除已获取的授权。\n\n"
        "同一周，有传言称微信会查看并存储用户的聊天记录。腾讯回应称，微信不存储任何用户的聊天内容，相关说法不实。\n\n"
        "阿里巴巴股价当天小幅波动。",
    )
    assert accused(tagged) == {"ant-group", "tencent"}
    assert "alibaba" in mentioned(tagged)
    responses = {c["id"]: set(c["responses"]) for c in tagged.accused}
    assert responses["ant-group"] == {"apology", "remediation"}
    assert responses["tencent"] == {"denial"}
    assert "consent" in tagged.incident_types


def test_a_remedy_an_authority_orders_is_no_response(pipelines):
    tagged = tag(
        pipelines,
        "",
        "省通信管理局通报，福州长帆出行科技有限公司旗下App违规收集乘客位置信息，责令其限期整改并下架相关功能。",
    )
    assert keys("福州长帆出行科技") == accused(tagged)
    assert tagged.accused[0]["responses"] == []


@pytest.mark.parametrize(
    "title,body",
    [
        ("新品发布", "深圳蓝盾科技有限公司发布新版手机，新增隐私保护功能，可一键关闭应用读取相册的权限。"),
        ("一周数据", "上海海岚科技有限公司表示，经排查，并未发现任何用户个人信息泄露。"),
        ("法规解读", "个人信息保护法规定，处理敏感个人信息应当取得个人的单独同意。"),
        # a document's title, whom a rule binds ("…的，应当…"), what a rule is for (便于)
        ("新规下月施行", "《商场人脸识别设备管理规范》下月施行，北京惠邻超市等多家商超正在调整收银系统。"),
        ("新规解读", "规范明确，北京惠邻超市等商超在门店使用人脸识别设备采集顾客图像的，应当设置显著提示。"),
        ("商超调整系统", "北京惠邻超市表示，将保存顾客人脸信息的系统日志，便于监管部门检查。"),
        # businesses in general doing what the rule is about: no company of the article is accused
        (
            "数据出境新规施行",
            "新规施行后，企业向境外提供个人信息多了一条合规路径。杭州云帆旅行表示，已梳理境外酒店预订的数据流向。",
        ),
        # a company named only where the article recalls an earlier case is not what it is about
        (
            "个人信息合规审计需求升温",
            "《个人信息保护合规审计管理办法》施行后，多家企业开始采购合规审计服务。\n\n"
            "2023年，杭州蓝帆网络科技有限公司因违规收集个人信息被罚款300万元。\n\n"
            "宁远数据咨询有限公司合伙人表示，企业应尽早开展自查。",
        ),
    ],
)
def test_privacy_wording_without_an_incident(pipelines, title, body):
    assert not tag(pipelines, title, body).is_incident


@pytest.mark.parametrize(
    "title,body,wanted",
    [
        # a name with no company word that speaks for itself, after a description
        (
            "",
            "社区买菜平台青禾优选当晚发布情况说明，确认部分用户的手机号和收货地址等信息遭泄露。",
            "青禾优选",
        ),
        (
            "快运公司确认面单泄露",
            "远航快运确认公司运单查询系统存在越权漏洞，收件人面单信息被不法分子批量下载。",
            "远航快运",
        ),
        # a description before a name that ends in a company word
        ("", "市监局认定，小区物业服务方金湾物业服务有限公司未经业主同意采集人脸信息。", "金湾物业服务"),
        # a name in Latin letters after what it is
        (
            "",
            "家长反映，校园缴费应用程序PayMinder的服务器遭黑客入侵，学生姓名和家庭住址等个人信息泄露。",
            "PayMinder",
        ),
        # a platform in quotes after what it is; a name that introduces itself ("…是一家…")
        (
            "",
            "多名用户表示，近期在社区团购平台“禾邻到家”下单后，收货地址和手机号被泄露，随后接到诈骗电话。",
            "禾邻到家",
        ),
        (
            "",
            "安蓓齿科是一家在江苏拥有六家门店的口腔连锁机构，其前台员工被指将患者病历和联系方式出售给推销人员。",
            "安蓓齿科",
        ),
        # right after the kind of business it is, without quotes
        (
            "",
            "市网信办约谈了近期发生用户订单信息泄露事件的生鲜电商平台青蔓优选，要求其排查数据安全风险。"
            "该平台称将逐一通知受影响的用户。",
            "青蔓优选",
        ),
    ],
)
def test_unknown_companies_named_without_company_words(pipelines, title, body, wanted):
    tagged = tag(pipelines, title, body)
    assert [c["name"] for c in tagged.accused] == [wanted], tagged.to_json()


@pytest.mark.parametrize(
    "body,wanted",
    [
        # the items of a list of businesses, not the places or people of a list
        (
            "工信部通报了云雀阅读、小熊记账和快看相机等18款App违规收集个人信息。"
            "北京、上海、广州等地的多家企业也被要求自查。",
            {"云雀阅读", "小熊记账", "快看相机"},
        ),
        # a name that holds 和 is one item
        ("工信部通报了小熊记账、中和优选等12款App违规收集个人信息。", {"小熊记账", "中和优选"}),
        ("警方查明，张某、李某等人通过多家企业非法获取公民个人信息3万余条。", set()),
        # a name in quotes that opens a clause and is found at fault
        ("通报显示，“识途查车”被检出违规向第三方共享用户的车牌号和行驶证照片。", {"识途查车"}),
        # a city's bank, by its branch
        ("江南银行苏州分行因未经授权查询个人信用报告被罚款40万元。", {"江南银行"}),
        # a place's unit of a company named right before it is that company's, no name of its own
        ("法院查明，被告人系中国移动衡阳分公司代理营业厅员工，违规查询机主信息后出售。", {"China Mobile"}),
        ("邮政管理部门约谈了飞鸽快运湖南区域公司，一网点快递员拍摄面单倒卖客户信息。", set()),
        ("云石财产保险股份有限公司宁波中心支公司表示，保单信息疑似从代理机构流出。", {"云石财产保险"}),
        # a person by the title of the job ("有中学校长表示")
        ("有小学校长表示，学生家长的手机号和住址已被泄露，学校正在核实。", set()),
        # a firm hired to investigate, described and not named, is no company
        ("医院当天报警，并聘请网络安全公司进场开展取证调查，患者信息泄露范围仍在核实。", set()),
    ],
)
def test_names_listed_or_by_their_branch(pipelines, body, wanted):
    tagged = tag(pipelines, "", body)
    assert {c["name"] for c in tagged.companies} == wanted, tagged.to_json()


@pytest.mark.parametrize(
    "body,wanted",
    [
        # a name begins at its place of registration, not at the verb before it
        ("网信办指出，该应用将人脸数据授予宁波启帆网络科技有限公司使用，未告知用户。", "宁波启帆网络科技"),
        ("涉事照片出自合肥云朵影像科技有限公司的服务器，已遭公开下载。", "合肥云朵影像科技"),
        # a common character in the own name right after the place ("家和", "中和")
        ("处罚决定显示，贵阳家和房屋中介有限公司员工将购房客户的电话出售给装修公司。", "贵阳家和房屋中介"),
        ("投诉人被指为长沙安康骨科医院的患者，其病历信息遭泄露。", "长沙安康骨科医院"),
        # nor at a verb of saying
        ("一名会员在社交平台发帖称悦动健身前台将会员的身份证照片发到了群里。", "悦动健身"),
        # nor at a preposition glued to it
        ("据了解，这款应用由蓝析科技开发，会在后台读取用户通讯录。", "蓝析科技"),
        # nor at when or how the service was used ("3月8日晚", "打开", "登录")
        ("多名用户反映，3月8日晚登录顺达快递App时，订单页显示的是陌生人的收件人电话和地址。", "顺达快递"),
        ("3月8日晚顺达快递App出现故障，有用户看到了其他用户的收件人电话和地址。", "顺达快递"),
        ("有用户称，昨天下午打开云帆科技的记账App后，看到了他人的消费明细和银行卡号。", "云帆科技"),
        # a name ends before the time, the spokesman or the side that speaks
        ("橙果优选当晚发布声明，承认部分会员的手机号和住址遭泄露。", "橙果优选"),
        ("鹿鸣家居客服表示，泄露的订单信息来自一名已离职员工。", "鹿鸣家居"),
        ("鲜果汇当晚发布声明，承认会员的手机号遭泄露。", "鲜果汇"),
        ("聘优网未作正式回应，但客服确认部分求职者简历遭批量下载。", "聘优网"),
        ("青柠到家方面周二发布声明，承认一名保洁员偷拍客户家中画面。", "青柠到家"),
        # names that end in what the business is: a clinic, a gym, a website
        ("多名患者反映，在博雅口腔门诊部就诊后，病历信息遭泄露并被用于推销。", "博雅口腔门诊部"),
        ("会员称，闭店的燃动健身将会员资料卖给了其他商家。", "燃动健身"),
        ("求职平台聘达网确认，部分求职者简历遭批量下载。", "聘达网"),
        # a short form keeps the full name's characters in order: one company
        (
            "临海农村商业银行因违规查询客户征信信息被罚款30万元。临海农商行相关负责人表示，已将涉事员工停职。",
            "临海农村商业银行",
        ),
        # an own name of numerals, or of a rare word jieba takes for a place, after the place of registration
        ("通报显示，开发者武汉六六八网络科技有限公司在后台读取用户通讯录。", "武汉六六八网络科技"),
        ("研究人员向厂商杭州鲸鱼越洋科技有限公司报告了泄露用户手机号的漏洞。", "杭州鲸鱼越洋科技"),
        ("交易所要求安徽万家优品商业连锁股份有限公司说明会员信息被兜售一事。", "安徽万家优品商业连锁"),
        # a small business's registered form; a courier by its trade word
        ("警方查明，衡阳市蒸湘区恒通通讯经营部的店员倒卖顾客的手机号。", "衡阳市蒸湘区恒通通讯经营部"),
        ("多名市民反映，飞鸽速递的快递员拍下包裹面单后倒卖收件人信息。", "飞鸽速递"),
        # a dental chain or a lender by its trade word, not the verb before it
        ("记者拨打青岚口腔的客服电话，对方称患者资料泄露一事仍在调查。", "青岚口腔"),
        ("警方通报，网贷平台青禾信贷的一名员工倒卖借款人信息。", "青禾信贷"),
        # a sole trader as a notice names it, whatever its name ends in
        ("案例二：东城区恒达手机维修店（个体工商户）长期留存顾客的身份证照片。", "东城区恒达手机维修店"),
        # "as of press time" speaks for no one
        ("杭州蓝湾网络科技有限公司泄露用户手机号。记者联系蓝湾网络，截至发稿未获回应。", "杭州蓝湾网络科技"),
        # "之" joining the words of an own name; a common character after single characters of one
        ("通报显示，温州明远之家房产经纪有限公司将购房客户的电话卖给了装修公司。", "温州明远之家房产经纪"),
        ("多名乘客反映，合肥速行同城网络科技有限公司的App泄露了行程记录。", "合肥速行同城网络科技"),
        # a registered name's trade word that is also a verb ("开发"), a time or number word in its own name;
        # a consumer council is no company
        ("消委会点名柳州龙潭山水旅游开发有限公司运营的景区强制游客刷脸入园。", "柳州龙潭山水旅游开发"),
        ("检察院起诉北京明理未来教育科技有限公司，指其学习机上传儿童面部图像。", "北京明理未来教育科技"),
        ("市网信办对杭州乐多多网络科技有限公司处以罚款，因其违规收集用户通讯录。", "杭州乐多多网络科技"),
        # a name ends before the verb of its statement ("发表声明"); a courier's service point by its form
        ("节目播出后，青檬衣橱发表致歉声明，称已拆除门店的人脸抓拍设备并删除顾客图像。", "青檬衣橱"),
        ("警方查明，嘉兴市南湖区飞达快递服务站的分拣员拍下面单并出售。", "嘉兴市南湖区飞达快递服务站"),
        # a city's own bank
        ("警方通报，南京银行一名客户经理将储户的姓名和存款余额出售给贷款中介。", "南京银行"),
        # a brand by the company that runs it, after the court's verb
        ("法院一审判决禾丰优选运营公司删除原告的面部信息，并赔偿其合理开支。", "禾丰优选"),
    ],
)
def test_where_an_unknown_name_begins_and_ends(pipelines, body, wanted):
    tagged = tag(pipelines, "", body)
    assert [c["name"] for c in tagged.companies] == [wanted], tagged.to_json()


@pytest.mark.parametrize(
    "body",
    [
        "业主称，其手机号和住址被小区物业泄露给了一家装修公司，随后不断接到推销电话。",
        "问询函要求说明标的公司报告期内是否发生用户个人信息泄露，相关数据由外包公司处理。",
        "市民反映，搬家公司和家政公司的员工随意拍摄并转发客户家中照片。",
        "专家提醒，物联网设备和互联网平台收集的个人信息越来越多，泄露风险随之上升。",
        # counted, so a kind of business
        "消费者投诉称，在一款借贷App申请借款后，个人信息被泄露给多家催收公司。",
        # a field is no name
        "据一家网络安全公司监测，暗网上出售的个人信息数量明显增多。",
        # what a platform says, in quotes, is no name of it
        "该公司回应称，平台“从未出售用户数据”，泄露的订单信息来自第三方物流环节。",
        "业内人士称，读取通讯录催收的做法在部分借贷平台“并不罕见”，用户信息常被转给外包团队。",
        # a trade with no name of its own; who sues whom
        "警方称，其合作的催收公司相关人员涉嫌非法获取借款人通讯录信息。",
        "顾客诉超市违规采集人脸信息案一审宣判。",
        # research bodies, schools, outlets and people by their titles
        "中国数通院发布报告称，部分App存在超范围收集个人信息的问题。",
        "华东政法大学法学院教授表示，企业违规收集人脸信息应当依法承担责任。",
        "东方都市报发现，多款理财App的隐私政策存在默认勾选问题。",
        # what someone did to a kind of business is no part of a name
        "近日一起外包坐席倒卖银行客户信息的案件，让金融机构的外包管理受到关注。",
    ],
)
def test_a_kind_of_business_is_not_a_name(pipelines, body):
    """ "一家装修公司", "标的公司", "外包公司": what a company does, not who it is."""
    tagged = tag(pipelines, "", body)
    assert tagged.companies == [], tagged.to_json()


@pytest.mark.parametrize(
    "body,accused_keys,mentioned_keys",
    [
        # where it happened is not who did it: a mini program, a host, a post
        (
            "社区团购平台青蔓优选发布说明称，其微信小程序的一个接口遭恶意调用，部分用户的手机号和地址被批量获取。",
            {"青蔓优选"},
            {"tencent"},
        ),
        (
            "智能摄像头品牌“星眸”的云端管理后台存在未授权访问漏洞，数万名用户的家庭画面可被随意查看。"
            "该后台部署在阿里云服务器上。",
            {"星眸"},
            {"alibaba"},
        ),
        # the platforms it posted on are named more often than the clinic; the story is about the clinic
        (
            "近日，一起隐私纠纷作出一审判决。法院查明，杭州素颜医疗美容门诊部有限公司未经顾客同意，"
            "在其抖音账号和微信公众号上发布顾客的术前照片。涉事视频在抖音上的播放量超过十万次。",
            {"杭州素颜医疗美容门诊部"},
            {"bytedance", "tencent"},
        ),
        # a group chat it was sent to, a site the victim posted on
        (
            "北京明衡律师事务所一名助理误将载有当事人身份证号和病历的案卷发进一个行业微信群，文件已遭多人下载。",
            {"北京明衡律师事务所"},
            {"tencent"},
        ),
        (
            "用户刘先生起诉杭州橙意网络科技有限公司未经同意读取其通讯录，并把自己的遭遇发在了微博上。",
            {"杭州橙意网络科技"},
            {"weibo"},
        ),
        # platforms listed as where it happened
        (
            "据调查，苏州通达人力资源服务有限公司在BOSS直聘、58同城等平台注册企业账号，批量下载求职者简历后转卖。",
            {"苏州通达人力资源服务"},
            {"kanzhun", "58-com"},
        ),
        # a statement in the company's own voice is about the company that signs it; the app its staff
        # used is a tool
        (
            "近日，有会员反映我司一名店员通过微信将其手机号和住址转发给他人。我司已辞退该员工，并向受影响的会员致歉。"
            "\n\n南京禾风餐饮管理有限公司\n2023年5月8日",
            {"南京禾风餐饮管理"},
            {"tencent"},
        ),
        # the buyers of what was sold, one after another or named as such
        (
            "经查，南宁安居房产经纪有限公司员工将业主信息分别出售给南宁美家装饰工程有限公司和南宁快马搬家服务有限公司。",
            {"南宁安居房产经纪"},
            {"南宁美家装饰工程", "南宁快马搬家服务"},
        ),
        (
            "调查发现，温州顺捷汽车销售服务有限公司的销售顾问倒卖车主信息，买家之一为温州平安达保险代理有限公司。",
            {"温州顺捷汽车销售服务"},
            {"温州平安达保险代理"},
        ),
        (
            "法院查明，被告人倒卖了合肥明康体检中心的客户信息，购买名单的商家中包括合肥优品家居有限公司。",
            {"合肥明康体检中心"},
            {"合肥优品家居"},
        ),
        # a group chat named in quotes is where it was posted
        (
            "家长发现，孩子的姓名、手机号等信息被发进了一个微信“暑期招生群”，发送者是宁波彩虹教育咨询有限公司的员工。",
            {"宁波彩虹教育咨询"},
            {"tencent"},
        ),
        # a sentence that opens with an earlier year recalls another case
        (
            "国家网信办通报，快宁出行科技有限公司在行程结束后仍持续采集乘客位置信息，被处以罚款。"
            "2022年7月，国家网信办曾对滴滴全球股份有限公司处以80.26亿元罚款。",
            {"快宁出行科技"},
            {"didi"},
        ),
        # the platform a business collected through is a channel
        (
            "会员反映，燃力工坊健身通过问卷星平台违规收集会员的身份证号和体检报告。",
            {"燃力工坊健身"},
            {"wenjuanxing"},
        ),
        # the security firm brought in investigates, whatever its findings say
        # the recipients an indictment names
        (
            "起诉书称，青川汽车有限公司在车主不知情的情况下把驾驶数据卖给了数据经纪商，数据接收方包括蓝图分析公司"
            "和北辰风险信息公司。",
            {"青川汽车"},
            {"蓝图分析公司", "北辰风险信息公司"},
        ),
        # the outsourcer's call-centre agents sold the records; the bank's unit it was named with is fined
        (
            "江城银行星河信用卡中心将催收业务外包给成都蓝鲸信息服务有限公司。蓝鲸信息的几名坐席把持卡人的账单截图"
            "转卖给了贷款中介。\n\n监管部门认定其客户信息安全管理不到位，对该信用卡中心罚款60万元。",
            {"成都蓝鲸信息服务", "江城银行"},
            set(),
        ),
        (
            "江岸医疗管理集团的服务器遭勒索软件攻击，患者的病历数据被窃取。集团当天报警，并聘请网络安全公司"
            "深信服进场开展应急响应。深信服的调查显示，攻击者通过一台未打补丁的服务器进入内网并窃取了数据。",
            {"江岸医疗管理集团"},
            {"sangfor"},
        ),
    ],
)
def test_a_channel_a_host_or_an_earlier_case_is_not_accused(pipelines, body, accused_keys, mentioned_keys):
    tagged = tag(pipelines, "", body)
    assert accused(tagged) == keys(*accused_keys) and mentioned(tagged) == mentioned_keys, tagged.to_json()


def test_rules_stated_in_an_explainer_accuse_no_one(pipelines):
    tagged = tag(
        pipelines,
        "个人信息保护法要点解读",
        "收集个人信息应当限于实现处理目的的最小范围，不得过度收集。平台不得利用个人信息对消费者实行大数据杀熟，"
        "违者最高可处五千万元以下罚款。例如，用户注销美团账号后，有权要求平台删除其个人信息。",
    )
    assert not tagged.is_incident, tagged.to_json()


def test_staff_monitoring_software_is_surveillance(pipelines):
    tagged = tag(
        pipelines,
        "",
        "多名员工反映，杭州远帆网络科技有限公司在员工电脑上安装监控软件，定时截屏并记录员工访问的网站，据此生成离职风险评分。",
    )
    assert {"surveillance", "profiling"} <= set(tagged.incident_types), tagged.to_json()


@pytest.mark.parametrize(
    "title,body,accused_name,mentioned_key,response",
    [
        # a company of an earlier case is background
        (
            "",
            "成都青橙酒店管理有限公司旗下酒店约200万条住客信息在网上被兜售。此前，华住也曾因住客信息泄露引发关注。",
            "成都青橙酒店管理",
            "huazhu",
            None,
        ),
        # a fine whose stated reason has no privacy context is about another matter
        (
            "两家银行同日领罚单",
            "金融监管部门公布的罚单显示，江城农村商业银行因违规向第三方提供客户信息，被罚款80万元。\n\n"
            "同日公布的另一份罚单中，滨海商业银行因贷款资金被挪用于购房，被罚款50万元。\n\n"
            "江城农商行因上述行为被一并责令改正。",
            "江城农村商业银行",
            "滨海商业银行",
            None,
        ),
        # the parent the article names over its subsidiary, also where the headline puts "旗下" after it
        (
            "青松集团旗下App被通报后台读取通讯录",
            "市网信办通报，青松控股集团有限公司旗下子公司杭州青松出行科技有限公司运营的App后台读取用户通讯录。",
            "杭州青松出行科技",
            "青松控股集团",
            None,
        ),
        # a short form leaves out what the business does ("枫桥公寓" of "苏州枫桥公寓管理")
        (
            "",
            "王女士通过苏州枫桥公寓管理有限公司租房。她在查询个人征信时发现一笔以自己名义办理的贷款，出借方为"
            "苏州蓝海小额贷款有限公司。王女士称，枫桥公寓在她不知情的情况下将其身份证复印件提交给了贷款机构。",
            "苏州枫桥公寓管理",
            "苏州蓝海小额贷款",
            None,
        ),
        # a listed company's filing about its wholly owned subsidiary
        (
            "",
            "杭州云汇数字科技股份有限公司（以下简称“公司”）全资子公司杭州云汇征信服务有限公司近日收到行政处罚决定书，"
            "因未经授权查询个人信用报告被罚款50万元。",
            "杭州云汇征信服务",
            "杭州云汇数字科技",
            None,
        ),
        # the ones the article says are involved ("涉事网点为……"), named after the incident
        (
            "",
            "多名市民反映，快递员拍下包裹面单后倒卖收件人的姓名和电话。涉事网点为长沙市岳麓区迅捷快递服务部。",
            "长沙市岳麓区迅捷快递服务部",
            None,
            None,
        ),
        # a platform that takes down the app it hosts
        (
            "记账小程序被通报超范围收集信息 支付宝已下架",
            "省通信管理局通报，厦门青禾网络科技有限公司运营的“青禾记账”支付宝小程序，在用户未授权的情况下"
            "读取通讯录。\n\n支付宝平台在收到通报后，已将该小程序下架。",
            "厦门青禾网络科技",
            "ant-group",
            None,
        ),
        # a statement in the hospital's own voice, signed with its name and the date; the supplier whose
        # work group the file went to received it
        (
            "关于学生信息误发的致歉说明",
            "11月3日，本院一名工作人员误将一份学生视力筛查表发至器械供应商江岸药械有限公司的工作群，表中有学生"
            "姓名和家长手机号。本院对此深表歉意。\n\n青禾眼科医院有限公司 2025年11月5日",
            "青禾眼科医院",
            "江岸药械",
            "apology",
        ),
        # a parent named over its subsidiary, whose apology is its own
        (
            "",
            "市网信办通报，青松控股集团旗下子公司杭州青松出行科技有限公司运营的App在后台读取用户通讯录。"
            "杭州青松出行科技有限公司称已下线相关功能。\n\n"
            "作为青松出行的控股股东，青松控股集团对此深表歉意。",
            "杭州青松出行科技",
            "青松控股集团",
            "remediation",
        ),
    ],
)
def test_who_is_accused_and_who_is_only_named(pipelines, title, body, accused_name, mentioned_key, response):
    tagged = tag(pipelines, title, body)
    assert accused(tagged) == keys(accused_name)
    assert mentioned_key is None or mentioned_key in mentioned(tagged)
    if response:
        assert tagged.accused[0]["response"] == response


SAME_SHORT_FORM = """
import json
from nlp.pipeline import build_pipelines, tag_articles
body = ("合肥星河汽车科技有限公司的车载摄像头被曝在车主不知情的情况下上传车内画面。"
        "芜湖星河汽车销售有限公司是其经销商。星河汽车随后致歉，称已关闭上传功能。")
(tagged,) = tag_articles(build_pipelines(), [{"title": "", "body": body, "language": "zh"}])
print(json.dumps([(c["name"], c["role"], c.get("response")) for c in tagged.to_json()["companies"]]))
"""


def test_a_short_form_two_names_share_goes_to_the_same_one_whatever_the_hash_seed():
    # two names of one length that shorten alike: which one "星河汽车" means must not depend on the order
    # of a set, which changes with the interpreter's hash seed (a re-tag would then change the tags)
    runs = [
        subprocess.run(
            [sys.executable, "-c", SAME_SHORT_FORM],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert ["合肥星河汽车科技", "accused", "apology"] in json.loads(runs[0])


def _zh_taxonomy_cases():
    cues = Config().taxonomy_zh
    cases = []
    for kind, entries in (("type", cues.types), ("response", cues.responses)):
        for entry_id, entry in entries.items():
            cases += [(kind, entry_id, text, True) for text in entry.examples]
            cases += [(kind, entry_id, text, False) for text in entry.counterexamples]
    return cases


@pytest.mark.parametrize("kind,entry_id,text,expected", _zh_taxonomy_cases())
def test_chinese_examples_get_their_type_or_response(pipelines, kind, entry_id, text, expected):
    chinese = pipelines.get("zh")
    if kind == "response":
        found = {response_id for response_id, _, _ in chinese.get_pipe("responses").found(text)}
    else:
        doc = chinese.make_doc(text)
        for name, component in chinese.pipeline:
            doc = component(doc)
            if name == "incidents":
                break
        found = {t for fact in doc._.get(FACTS_ATTR).sentences for t in fact.types}
    assert (entry_id in found) is expected, f"{kind} {entry_id} {'missed' if expected else 'found'}: {text}"


# Hong Kong and Taiwan outlets write in traditional script, which py3langid often calls Cantonese ("yue"):
# such an article is Chinese, read through its simplified form, and quoted as written (nlp/script.py).
TRADITIONAL = {
    "a pre-ticked consent box and the company's apology": (
        "支付寶賬單頁被指默認勾選授權，螞蟻致歉",
        "不少用戶在查看支付寶年度賬單時發現，頁面底部默認勾選了同意芝麻信用服務協議的選項，"
        "個人信息因此被授權給第三方。\n螞蟻集團其後發表聲明致歉，表示已取消默認勾選並重新設計頁面。",
        {"ant-group": (["consent"], {"apology", "remediation"})},
    ),
    "a hotel group's guest records for sale": (
        "華住旗下酒店住客資料疑在網上出售",
        "華住集團旗下多家酒店約五億條住客資料疑在暗網出售，包括姓名、身份證號碼、手機號碼及開房記錄。"
        "\n華住表示已報警，並正核查資料來源。",
        {"huazhu": (["breach"], {"remediation"})},
    ),
    "an unknown company probed by the Hong Kong privacy commissioner": (
        "私隱專員調查青藤網絡科技",
        "香港個人資料私隱專員公署對青藤網絡科技有限公司展開調查，指其手機應用程式在未經用戶同意下"
        "收集通訊錄資料。",
        {"青藤网络科技": (["consent", "enforcement"], set())},
    ),
}


@pytest.mark.parametrize("case", TRADITIONAL, ids=list(TRADITIONAL))
def test_an_article_in_traditional_script_is_tagged_and_quoted_as_written(pipelines, case):
    title, body, wanted = TRADITIONAL[case]
    tagged = tag(pipelines, title, body)
    assert tagged.language == "zh"
    found = {
        c["id"] or c["name"]: (sorted(tagged.incident_types), set(c["responses"])) for c in tagged.accused
    }
    assert found == wanted
    sentences = [title, *re.split(r"(?<=[。！？；])|\n", body)]
    evidence = [c["evidence"] for c in tagged.accused]
    assert evidence and all(e in sentences for e in evidence), evidence


def test_simplified_text_is_tagged_as_written(pipelines):
    chinese = pipelines.get("zh")
    text = "乾隆年间的故事与本案无关。网信办约谈云雀社交科技有限公司。"
    doc = chinese.make_doc(text)
    assert doc.text == text and doc._.privwatch_source_text is None
    # a character OpenCC maps that simplified text uses too, in a name: kept, however often it comes
    text = "网贷平台乾禾信贷的一名员工倒卖借款人信息。乾禾信贷尚未回应，乾禾信贷的用户称常接到推销电话。"
    doc = chinese.make_doc(text)
    assert doc.text == text and doc._.privwatch_source_text is None
    traditional = chinese.make_doc("網信辦約談雲雀社交科技有限公司。")
    assert traditional.text == "网信办约谈云雀社交科技有限公司。"
    assert traditional._.privwatch_source_text == "網信辦約談雲雀社交科技有限公司。"


@pytest.mark.parametrize(
    "body,name,not_a_type,response",
    [
        # a recalled case that names no one is not pinned on the company in focus
        (
            "杭州青禾网络科技有限公司运营的“青禾记账”App被曝在后台读取用户通讯录。该公司回应称已修复该问题。"
            "此前，多款App也曾因超范围收集个人信息被通报。",
            "杭州青禾网络科技",
            "enforcement",
            "remediation",
        ),
        # a statement posted on the company's own Weibo account is the company's, not Weibo's
        (
            "市通信管理局通报，杭州禾页网络科技有限公司运营的App在用户拒绝授权后仍读取通讯录。"
            "当晚，涉事企业在其官方微博发布说明称，已下线相关代码，并删除此前上传的联系人数据。",
            "杭州禾页网络科技",
            None,
            "remediation",
        ),
    ],
)
def test_what_an_accused_company_is_credited_with(pipelines, body, name, not_a_type, response):
    tagged = tag(pipelines, "", body)
    company = next(c for c in tagged.companies if c["name"] == name)
    assert company["role"] == "accused", tagged.to_json()
    assert not_a_type not in company["types"] and response in company["responses"], tagged.to_json()
