#!/usr/bin/env python3
"""Build examples/config/directory.json for Suzhou (苏州市, prefix 3205).

    python3 tools/mkdirectory.py --shared ../shared --out examples/config/directory.json

Input (read only, never copied): the NBS 2023 statistical division codes in
SHARED/data/raw/cn_admin_divisions_2023 (areas.csv, streets_jiangsu.csv,
villages_jiangsu.csv) and the 12345-style appeal taxonomy in
SHARED/data/raw/tipdm2020c_gov_messages/attachment1_category_taxonomy.csv
(first and second level only).  Python 3 standard library only.  The output
is deterministic: the same input gives a byte-identical file.

Regions (docs/formats.md): 江苏省 as the top, 苏州市, its 10 county-level
units (code + "000000"), their 118 towns/streets (9 digits + "000"), their
2,248 villages/communities (12 digits), and under every village 2 to 6 grids
"<village>-01".."-06" (how many: 2 + crc32(code) % 5).  Every region carries
a "level" that agrees with the shape of its code.  Regions are written
depth-first in code order, so a parent always comes before its children.

Department id scheme (ASCII, stable, derived from codes, no pinyin names):

    sz-<fn>                city level (region 320500000000), e.g. sz-zhzx,
                           the command centre's dispatch desk (the fallback)
    d<6-digit>-<fn>        district/county, e.g. d320506-cg
    t<9-digit>-<fn>        town/street, e.g. t320506001-pcs
    v<12-digit>-tw         village/community mediation committee (调委会),
                           for 1 in 20 villages: crc32(code) % 20 == 0

    <fn>  function                      <fn>  function
    zhzx  command_centre                wg    grid_office (district, city)
    cg    urban_mgmt                    zz    grid_office (town 综治中心)
    ga    police (city, district)       pcs   police (town 派出所/警务站)
    scjg  market                        zj    housing
    sthj  environment                   rs    labour (city, district)
    ldbz  labour (town 劳动保障所)       xf    petition
    yj    emergency                     wj    health (city, district)
    wsy   health (town 社区卫生服务中心)  mz    civil_affairs
    sf    justice (city, district)      sfs   justice (town 司法所)
    xfjy  fire                          jt    transport
    sw    water                         jy    education
    tw    village_committee (调委会)

Categories: city (数字城管 lineage), dispute (the GB/T 31000-2015 dispute
type table as used by 综治 platforms: 01..16 and 99 with their two-digit
sub-types), police (110 call types), petition (信访), service (the
12345/appeal taxonomy: first-level classes mapped to fixed ASCII codes,
second-level classes numbered s01, s02, ... in the order they first appear
in the CSV) and grid (网格巡查).
"""

import argparse
import csv
import json
import os
import re
import sys
import zlib

CITY = "3205"
PROVINCE_CODE = "320000000000"
PROVINCE_NAME = "江苏省"
CITY_CODE = "320500000000"
CITY_NAME = "苏州市"

# ---------------------------------------------------------------- regions


def crc(s):
    return zlib.crc32(s.encode("ascii")) & 0xFFFFFFFF


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def village_short(name):
    """龙桥社区居委会 -> 龙桥社区; 东山村村民委员会 -> 东山村; else as is."""
    m = re.match(r"^(.*?)(居民委员会|居民委会|居委会)$", name)
    if m:
        base = m.group(1)
        return base if base.endswith("社区") else base + "社区"
    m = re.match(r"^(.*?)(村民委员会|村委会)$", name)
    if m:
        base = m.group(1)
        return base if base.endswith("村") else base + "村"
    return name


def grid_count(code):
    return 2 + crc(code) % 5


def level_of(code):
    if "-" in code:
        return "grid"
    if code.endswith("0000000000"):
        return "province"
    if code.endswith("00000000"):
        return "city"
    if code.endswith("000000"):
        return "district"
    if code.endswith("000"):
        return "town"
    return "village"


def load_divisions(shared):
    base = os.path.join(shared, "data", "raw", "cn_admin_divisions_2023")
    areas = sorted((r["code"], r["name"]) for r in read_csv(
        os.path.join(base, "areas.csv")) if r["code"].startswith(CITY))
    streets = sorted((r["code"], r["name"]) for r in read_csv(
        os.path.join(base, "streets_jiangsu.csv")) if r["code"].startswith(CITY))
    villages = sorted((r["code"], r["name"]) for r in read_csv(
        os.path.join(base, "villages_jiangsu.csv")) if r["code"].startswith(CITY))
    for code, _ in areas:
        assert re.fullmatch(r"\d{6}", code), code
    for code, _ in streets:
        assert re.fullmatch(r"\d{9}", code), code
    for code, _ in villages:
        assert re.fullmatch(r"\d{12}", code) and not code.endswith("000"), code
    return areas, streets, villages


# ------------------------------------------------------------ departments

CITY_DEPTS = [
    ("zhzx", "苏州市社会治理综合指挥中心", "command_centre"),
    ("cg", "苏州市城市管理局", "urban_mgmt"),
    ("ga", "苏州市公安局", "police"),
    ("scjg", "苏州市市场监督管理局", "market"),
    ("zj", "苏州市住房和城乡建设局", "housing"),
    ("sthj", "苏州市生态环境局", "environment"),
    ("rs", "苏州市人力资源和社会保障局", "labour"),
    ("xf", "苏州市信访局", "petition"),
    ("wg", "苏州市网格化社会治理联动中心", "grid_office"),
    ("yj", "苏州市应急管理局", "emergency"),
    ("wj", "苏州市卫生健康委员会", "health"),
    ("mz", "苏州市民政局", "civil_affairs"),
    ("sf", "苏州市司法局", "justice"),
    ("xfjy", "苏州市消防救援支队", "fire"),
    ("jt", "苏州市交通运输局", "transport"),
    ("sw", "苏州市水务局", "water"),
    ("jy", "苏州市教育局", "education"),
]


def district_police_name(name):
    # 吴中区 -> 苏州市公安局吴中分局; 苏州工业园区 -> 苏州市公安局工业园区分局;
    # county-level cities (常熟市) have their own 公安局.
    if name.endswith("市"):
        return name + "公安局"
    short = name[2:] if name.startswith("苏州") else name
    if short.endswith("区") and not short.endswith("园区"):
        short = short[:-1]
    return "苏州市公安局" + short + "分局"


def district_depts(code6, name):
    return [
        ("zhzx", name + "社会治理综合指挥中心", "command_centre"),
        ("cg", name + "城市管理局（综合行政执法局）", "urban_mgmt"),
        ("ga", district_police_name(name), "police"),
        ("scjg", name + "市场监督管理局", "market"),
        ("zj", name + "住房和城乡建设局", "housing"),
        ("sthj", name + "生态环境局", "environment"),
        ("rs", name + "人力资源和社会保障局", "labour"),
        ("xf", name + "信访局", "petition"),
        ("wg", name + "网格化社会治理联动中心", "grid_office"),
        ("yj", name + "应急管理局", "emergency"),
        ("wj", name + "卫生健康委员会", "health"),
        ("mz", name + "民政局", "civil_affairs"),
        ("sf", name + "司法局（人民调解）", "justice"),
        ("xfjy", name + "消防救援大队", "fire"),
    ]


def town_short(name):
    """长桥街道 -> 长桥; 科技城（东渚街道） -> 东渚; 浒墅关经开区（镇） -> 浒墅关;
    a zone that is not a town (开发区, 林场, ...) -> None."""
    m = re.match(r"^(.+?)（(.*?)(街道|镇|乡)）$", name)
    if m:
        return m.group(2) or re.sub(r"(经开区|开发区)$", "", m.group(1))
    m = re.match(r"^(.+?)(街道|镇|乡)$", name)
    return m.group(1) if m else None


def town_depts(name, district_name):
    short = town_short(name)
    police = (short + "派出所") if short else (name + "警务站")
    justice = (short if short else name) + "司法所"
    market = district_name + "市场监督管理局" + (short if short else name) + "分局"
    return [
        ("zz", name + "综治中心（网格化服务管理中心）", "grid_office"),
        ("cg", name + "城管中队", "urban_mgmt"),
        ("pcs", police, "police"),
        ("scjg", market, "market"),
        ("sfs", justice, "justice"),
        ("ldbz", name + "劳动保障所", "labour"),
        ("yj", name + "应急管理办公室（安监办）", "emergency"),
        ("wsy", name + "社区卫生服务中心", "health"),
        ("mz", name + "民政办", "civil_affairs"),
        ("xf", name + "信访办", "petition"),
    ]


# ------------------------------------------------------------- categories
# (code, name[, urgency]); a code's parent must be listed before it.

CITY_CATS = [
    ("city", "城市管理"),
    ("city.environment", "市容环境"),
    ("city.environment.garbage", "垃圾堆积", "normal"),
    ("city.environment.exposed_garbage", "暴露垃圾"),
    ("city.environment.bin_overflow", "垃圾桶满溢"),
    ("city.environment.sewage", "污水外溢"),
    ("city.environment.illegal_dumping", "乱倒渣土"),
    ("city.environment.litter", "道路不洁"),
    ("city.environment.dead_animal", "动物尸体"),
    ("city.environment.river_floating", "河道水面漂浮物"),
    ("city.environment.public_toilet", "公厕保洁不到位"),
    ("city.environment.graffiti", "乱涂乱画"),
    ("city.advert", "宣传广告"),
    ("city.advert.illegal_ads", "违规户外广告"),
    ("city.advert.flyers", "小广告"),
    ("city.advert.banners", "违规横幅标语"),
    ("city.advert.illegal_signboard", "违规店招店牌"),
    ("city.advert.damaged_signboard", "破损广告牌", "urgent"),
    ("city.construction", "施工管理"),
    ("city.construction.night_noise", "夜间施工噪音", "normal"),
    ("city.construction.dust", "工地扬尘"),
    ("city.construction.road_occupation", "占道施工"),
    ("city.construction.muck_spill", "渣土车抛洒滴漏"),
    ("city.construction.fence_damaged", "施工围挡破损"),
    ("city.construction.illegal_building", "违法建设"),
    ("city.street_order", "街面秩序"),
    ("city.street_order.vendors", "无证摊贩"),
    ("city.street_order.shop_overflow", "店外经营"),
    ("city.street_order.parking", "违章停车"),
    ("city.street_order.shared_bikes", "共享单车乱停放"),
    ("city.street_order.outdoor_bbq", "露天烧烤"),
    ("city.street_order.street_laundry", "沿街晾挂"),
    ("city.street_order.occupation", "占道堆物"),
    ("city.emergency", "突发事件", "urgent"),
    ("city.emergency.road_collapse", "道路塌陷", "critical"),
    ("city.emergency.water_pipe_burst", "水管爆裂", "urgent"),
    ("city.emergency.manhole", "井盖缺失", "urgent"),
    ("city.emergency.tree_fall", "树木倒伏", "urgent"),
    ("city.emergency.waterlogging", "道路积水", "urgent"),
    ("city.emergency.gas_leak", "燃气泄漏", "critical"),
    ("city.emergency.wire_down", "电线断落", "critical"),
    ("city.facility", "市政设施"),
    ("city.facility.streetlight", "路灯不亮"),
    ("city.facility.road_damage", "道路破损"),
    ("city.facility.guardrail", "护栏损坏"),
    ("city.facility.drain_blocked", "雨水口堵塞"),
    ("city.facility.bus_shelter", "公交站亭损坏"),
    ("city.facility.green_damage", "绿化损坏"),
    ("city.facility.traffic_light", "信号灯故障", "urgent"),
    ("city.facility.bench", "公共座椅损坏"),
]

# The dispute type table of GB/T 31000-2015 (社会治安综合治理基础数据规范) as
# it appears in 综治 platforms: two-digit types with two-digit sub-types.
# The brief checks 01 婚恋家庭, 07 劳动人事, 11 城乡建设发展 and 99 其他;
# the rest follows that public enumeration.  Two named sub-types under 07
# (wage_arrears, injury) are local extensions asked for by the routing rules.
DISPUTE_TYPES = [
    ("01", "婚恋家庭纠纷", [("01", "恋爱及婚姻"), ("02", "抚养赡养监护"),
                        ("03", "分家与继承"), ("99", "其他")]),
    ("02", "邻里纠纷", [("01", "用水排水通行通风采光"), ("02", "相邻土地建筑利用"),
                      ("03", "相邻污染损害防止"), ("99", "其他")]),
    ("03", "人格权纠纷", [("01", "姓名肖像"), ("02", "名誉隐私"),
                       ("03", "身体健康及人身自由"), ("99", "其他")]),
    ("04", "物权相关纠纷", [("01", "财物返还及损害赔偿"), ("02", "物业及其管理"),
                        ("03", "房屋等不动产登记"), ("99", "其他")]),
    ("05", "侵权相关纠纷", [("01", "教育机构"), ("02", "医疗损害"), ("03", "交通事故"),
                        ("04", "环境污染"), ("05", "产品责任"), ("06", "网络侵权"),
                        ("07", "劳务损害"), ("99", "其他")]),
    ("06", "合同及相关纠纷", [("01", "消费及服务"), ("02", "房产买卖租赁"),
                         ("03", "交易贸易"), ("04", "运输仓储"), ("99", "其他")]),
    ("07", "劳动人事争议", [("01", "劳动合同、劳务派遣"), ("02", "社会保险"),
                        ("03", "福利待遇"), ("04", "人事争议"), ("99", "其他"),
                        ("wage_arrears", "拖欠工资", "urgent"),
                        ("injury", "工伤")]),
    ("08", "金融借贷纠纷", [("01", "证券基金期货"), ("02", "投资信托理财"),
                        ("03", "保险"), ("04", "借贷及担保"), ("99", "其他")]),
    ("09", "土地及资源权属纠纷", [("01", "土地承包经营"), ("02", "宅基地使用"),
                           ("03", "山林矿产"), ("04", "水域水利"), ("99", "其他")]),
    ("10", "其他民商事纠纷", [("01", "知识产权"), ("02", "公司企业设立解散"),
                         ("03", "海事海商"), ("04", "竞争纠纷"), ("05", "票据与信用证"),
                         ("06", "无因管理与不当得利"), ("99", "其他")]),
    ("11", "城乡建设发展纠纷", [("01", "国有土地上房屋征收"), ("02", "农村集体土地征用"),
                          ("03", "城乡规划及拆违"), ("04", "基础设施建设及市政市容"),
                          ("05", "移民安置"), ("99", "其他")]),
    ("12", "涉民政纠纷", [("01", "村(社区)选举和管理"), ("02", "优抚救助"),
                       ("03", "区划边界"), ("99", "其他")]),
    ("13", "其他行政执法纠纷", [("01", "城市管理"), ("02", "教育文体管理"),
                          ("03", "工商税务管理"), ("04", "安全生产管理"),
                          ("05", "交通运输管理"), ("06", "海事渔事管理"),
                          ("07", "计划生育管理"), ("99", "其他")]),
    ("14", "涉法涉诉纠纷", [("01", "涉公安"), ("02", "涉检察院"), ("03", "涉法院"),
                        ("04", "涉司法行政机关")]),
    ("15", "涉组织涉纪检纠纷", [("01", "组织人事"), ("02", "干部作风"), ("99", "其他")]),
    ("16", "涉民族宗教纠纷", [("01", "涉民族问题"), ("02", "涉宗教问题")]),
    ("99", "其他纠纷", []),
]

POLICE_CATS = [
    ("police", "110接处警"),
    ("police.public_order", "治安类"),
    ("police.public_order.fight", "打架斗殴", "urgent"),
    ("police.public_order.noise", "噪音扰民"),
    ("police.public_order.gambling", "聚众赌博"),
    ("police.public_order.drunk", "醉酒滋事", "urgent"),
    ("police.public_order.gathering", "人员聚集", "urgent"),
    ("police.public_order.dispute", "纠纷求助"),
    ("police.traffic", "交通类"),
    ("police.traffic.accident", "交通事故", "urgent"),
    ("police.traffic.congestion", "交通拥堵"),
    ("police.traffic.blocking", "违停堵路"),
    ("police.traffic.drunk_driving", "疑似酒驾", "urgent"),
    ("police.help", "求助类"),
    ("police.help.lost_person", "走失人员", "urgent"),
    ("police.help.elderly_fall", "老人摔倒求助", "urgent"),
    ("police.help.locked_out", "被锁门外求助"),
    ("police.help.lost_item", "物品遗失"),
    ("police.fire", "火警", "critical"),
    ("police.fire.building", "建筑火灾", "critical"),
    ("police.fire.vehicle", "车辆起火", "critical"),
    ("police.fire.outdoor", "露天焚烧", "urgent"),
    ("police.criminal", "刑事类"),
    ("police.criminal.theft", "盗窃"),
    ("police.criminal.fraud", "诈骗"),
    ("police.criminal.robbery", "抢劫抢夺", "critical"),
    ("police.criminal.assault", "故意伤害", "urgent"),
    ("police.other", "其他警情"),
]

PETITION_CATS = [
    ("petition", "信访"),
    ("petition.land", "土地征收"),
    ("petition.housing", "房屋拆迁"),
    ("petition.labour", "劳动社保"),
    ("petition.justice", "涉法涉诉"),
    ("petition.environment", "环境保护"),
    ("petition.rural", "农村农业"),
    ("petition.urban", "城乡建设与住房"),
    ("petition.civil", "民政事务"),
    ("petition.conduct", "干部作风"),
    ("petition.other", "其他"),
]

GRID_CATS = [
    ("grid", "网格巡查"),
    ("grid.safety", "安全隐患"),
    ("grid.safety.gas", "燃气隐患", "urgent"),
    ("grid.safety.fire_exit", "消防通道堵塞"),
    ("grid.safety.electric_bike", "电动车违规充电", "urgent"),
    ("grid.safety.flying_wire", "飞线充电"),
    ("grid.safety.fire_equipment", "消防设施缺损"),
    ("grid.safety.dangerous_building", "危房隐患", "urgent"),
    ("grid.safety.hazardous_goods", "危化品违规存放", "urgent"),
    ("grid.population", "人口信息"),
    ("grid.population.new_resident", "新增流动人口"),
    ("grid.population.rental", "出租房屋登记"),
    ("grid.population.special_group", "特殊人群走访"),
    ("grid.population.elderly_alone", "独居老人关爱"),
    ("grid.sanitation", "环境卫生"),
    ("grid.sanitation.garbage_sorting", "垃圾分类不规范"),
    ("grid.sanitation.corridor_clutter", "楼道堆物"),
    ("grid.sanitation.river", "河道保洁"),
    ("grid.facility", "公共设施"),
    ("grid.facility.damaged", "公共设施损坏"),
    ("grid.facility.fitness", "健身器材损坏"),
    ("grid.facility.corridor_light", "楼道灯损坏"),
    ("grid.dispute", "矛盾纠纷线索"),
    ("grid.dispute.neighbour", "邻里矛盾苗头"),
    ("grid.dispute.family", "家庭矛盾苗头"),
    ("grid.market", "市场秩序"),
    ("grid.market.unlicensed", "无照经营"),
    ("grid.market.food_safety", "食品安全隐患"),
    ("grid.other", "其他"),
]

# First-level classes of the appeal taxonomy -> ASCII segment.
SERVICE_TOP = {
    "城乡建设": "urban_rural",
    "环境保护": "environment",
    "交通运输": "transport",
    "教育文体": "education",
    "劳动和社会保障": "labour",
    "商贸旅游": "commerce",
    "卫生计生": "health",
    "党务政务": "party_gov",
    "国土资源": "land",
    "纪检监察": "discipline",
    "经济管理": "economy",
    "科技与信息产业": "tech",
    "民政": "civil_affairs",
    "农村农业": "agriculture",
    "政法": "legal",
}


def service_cats(shared):
    path = os.path.join(shared, "data", "raw", "tipdm2020c_gov_messages",
                        "attachment1_category_taxonomy.csv")
    tops = []       # [(name, [second-level names])], order of first appearance
    index = {}
    for row in read_csv(path):
        t = row["一级分类"].strip()
        s = row["二级分类"].strip()
        if not t or not s:
            continue
        if t not in index:
            if t not in SERVICE_TOP:
                sys.exit("mkdirectory: unmapped first-level class %r" % t)
            index[t] = []
            tops.append((t, index[t]))
        if s not in index[t]:
            index[t].append(s)
    out = [("service", "12345政务服务")]
    for t, seconds in tops:
        top = "service." + SERVICE_TOP[t]
        out.append((top, t))
        for i, s in enumerate(seconds, 1):
            out.append(("%s.s%02d" % (top, i), s))
    return out


def dispute_cats():
    out = [("dispute", "矛盾纠纷")]
    for code, name, subs in DISPUTE_TYPES:
        out.append(("dispute." + code, name))
        for sub in subs:
            out.append(("dispute.%s.%s" % (code, sub[0]),) + tuple(sub[1:]))
    return out


def categories(shared):
    cats = (CITY_CATS + dispute_cats() + POLICE_CATS + PETITION_CATS
            + service_cats(shared) + GRID_CATS)
    seen = set()
    result = []
    for c in cats:
        code = c[0]
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", code), code
        assert code not in seen, code
        if "." in code:
            assert code.rsplit(".", 1)[0] in seen, code
        seen.add(code)
        e = {"code": code, "name": c[1]}
        if len(c) > 2:
            assert c[2] in ("normal", "urgent", "critical")
            e["urgency"] = c[2]
        result.append(e)
    return result


# ------------------------------------------------------------------ main


def build(shared):
    areas, streets, villages = load_divisions(shared)
    regions = [
        {"code": PROVINCE_CODE, "name": PROVINCE_NAME, "level": "province"},
        {"code": CITY_CODE, "name": CITY_NAME, "level": "city"},
    ]
    depts = [{"id": "sz-" + s, "name": n, "region": CITY_CODE, "function": f}
             for s, n, f in CITY_DEPTS]
    streets_of = {}
    for code, name in streets:
        streets_of.setdefault(code[:6], []).append((code, name))
    villages_of = {}
    for code, name in villages:
        villages_of.setdefault(code[:9], []).append((code, name))
    assert len(areas) == 10 and len(streets) == 118 and len(villages) == 2248, \
        (len(areas), len(streets), len(villages))

    ngrids = 0
    for dcode, dname in areas:
        d12 = dcode + "000000"
        regions.append({"code": d12, "name": dname, "level": "district"})
        for s, n, f in district_depts(dcode, dname):
            depts.append({"id": "d%s-%s" % (dcode, s), "name": n,
                          "region": d12, "function": f})
        for tcode, tname in streets_of.get(dcode, []):
            t12 = tcode + "000"
            regions.append({"code": t12, "name": tname, "level": "town"})
            for s, n, f in town_depts(tname, dname):
                depts.append({"id": "t%s-%s" % (tcode, s), "name": n,
                              "region": t12, "function": f})
            for vcode, vname in villages_of.get(tcode, []):
                regions.append({"code": vcode, "name": vname, "level": "village"})
                short = village_short(vname)
                if crc(vcode) % 20 == 0:
                    depts.append({"id": "v%s-tw" % vcode,
                                  "name": short + "人民调解委员会",
                                  "region": vcode,
                                  "function": "village_committee"})
                for g in range(1, grid_count(vcode) + 1):
                    regions.append({"code": "%s-%02d" % (vcode, g),
                                    "name": "%s第%d网格" % (short, g),
                                    "level": "grid"})
                    ngrids += 1
    for r in regions:
        assert level_of(r["code"]) == r["level"], r
    ids = [d["id"] for d in depts]
    assert len(ids) == len(set(ids))
    for i in ids:
        assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", i), i
    cats = categories(shared)
    stats = {"regions": len(regions), "districts": len(areas),
             "towns": len(streets), "villages": len(villages),
             "grids": ngrids, "departments": len(depts),
             "categories": len(cats)}
    return {"version": "suzhou-2023.1", "regions": regions,
            "departments": depts, "categories": cats}, stats


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def render(doc):
    """One entry per line: compact, valid JSON, friendly to diffs."""
    parts = ["{\"version\":" + dumps(doc["version"])]
    for key in ("regions", "departments", "categories"):
        parts.append(",\n" + dumps(key) + ":[\n")
        parts.append(",\n".join(dumps(e) for e in doc[key]))
        parts.append("\n]")
    parts.append("}\n")
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", required=True,
                    help="the shared data directory (holds data/raw/...)")
    ap.add_argument("--out", required=True, help="directory.json to write")
    args = ap.parse_args()
    doc, stats = build(args.shared)
    text = render(doc)
    json.loads(text)  # self-check
    d = os.path.dirname(args.out)
    if d:
        os.makedirs(d, exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, args.out)
    print("mkdirectory: %s: %d bytes; %s" % (
        args.out, len(text.encode("utf-8")),
        ", ".join("%s %d" % kv for kv in stats.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
