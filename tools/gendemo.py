#!/usr/bin/env python3
"""Generate a realistic, deterministic day of Suzhou intake as NDJSON.

    python3 tools/gendemo.py --config examples/config \\
        --out examples/data/suzhou-day.ndjson [--seed N] [--scale K]

The day is Monday 2026-11-23 (a working day), local time +08:00.  The file
holds events from the five channels (12345, 110, petition, grid, mediation)
and the actions of the people who work the orders (docs/formats.md), one
JSON object per line, sorted by time (events by received_at, actions by
at; stable).  Python 3 standard library only; the same config, seed and
scale give a byte-identical file.

What is in it:
- about 4,000 events (x --scale): 12345 ~45%, grid ~25%, 110 ~20%,
  mediation ~6%, petition ~4%, with per-channel daily curves, real Suzhou
  village and grid codes from directory.json (urban districts weighted up),
  locations clustered by district/town/village, Chinese addresses, titles
  and contents from per-category templates, fake reporter phones from a
  pool (so some callers repeat) and some attributes;
- incidents reported on several channels within the hour (the desk merges
  the later reports into the first);
- re-deliveries: a few events repeated byte for byte right after the
  original (same channel and source_id: idempotent);
- a few dozen malformed lines covering every rejection class (bad JSON,
  missing field, wrong type, invalid UTF-8 bytes, NaN / out-of-range
  coordinates, unknown channel / category / region, oversize content,
  timestamp without offset, badly shaped values);
- actions: the engine routes every accepted order by the decision tables of
  the configuration's rules.json; this script models that routing exactly
  (tools/suzhou_routing.py, the rules of docs/formats.md), so the routed
  department signs, handles and resolves without any desk dispatch; the
  desk verifies and calls back (satisfied / basic / unsatisfied -> reopened
  / unreachable).  The desk still dispatches: an order no rule routes (none
  with the example rules), an order a department returned (退单) when the
  engine's re-routing (the next matching rule without the departments that
  returned it) finds nothing, and a few percent of orders it re-dispatches
  (改派: to a village mediation committee, to the department the desk would
  have chosen, or a level up) before they are signed.  Plus failed
  verifications, cancellations, merges, pauses and resumes, extension
  requests, and a handful of deliberately illegal actions that the engine
  must refuse.  Actions stop at 23:59:59: many orders are still open at the
  end of the day.

Counts go to stderr, with how the modelled routing spreads the events over
the levels and the desk.
"""

import argparse
import json
import os
import random
import re
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suzhou_routing  # noqa: E402  (tools/suzhou_routing.py)

DAY = "2026-11-23"
DAYNUM = "20261123"
TZ = "+08:00"
DAY_END = 24 * 3600 - 1
DESK = "sz-zhzx"

CHANNEL_SHARE = [("12345", 0.45), ("grid", 0.25), ("110", 0.20),
                 ("mediation", 0.06), ("petition", 0.04)]

# --------------------------------------------------------------- helpers


def crc(s):
    return zlib.crc32(s.encode("utf-8")) & 0xFFFFFFFF


def hunit(s):
    """A deterministic number in [0, 1) from a string."""
    return crc(s) / 4294967296.0


def ts(sec):
    sec = int(sec)
    assert 0 <= sec <= DAY_END, sec
    h, rem = divmod(sec, 3600)
    m, s = divmod(rem, 60)
    return "%sT%02d:%02d:%02d%s" % (DAY, h, m, s, TZ)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# Hourly weights (00..23) of each arrival curve.
PROFILES = {
    "12345": [3, 2, 1, 1, 1, 2, 4, 10, 22, 32, 34, 30, 17, 20, 29, 31, 29,
              22, 14, 12, 10, 8, 6, 4],
    "110": [14, 10, 7, 5, 4, 5, 8, 12, 14, 14, 14, 15, 14, 14, 14, 15, 16,
            18, 21, 23, 24, 22, 20, 17],
    "petition": [0, 0, 0, 0, 0, 0, 0, 0, 6, 14, 14, 12, 3, 8, 14, 12, 8, 3,
                 1, 1, 1, 1, 0, 0],
    "grid": [0, 0, 0, 0, 0, 0, 0, 0, 8, 20, 22, 18, 5, 8, 20, 22, 18, 6,
             0, 0, 0, 0, 0, 0],
    "mediation": [0, 0, 0, 0, 0, 0, 0, 0, 6, 14, 14, 10, 3, 8, 14, 14, 10,
                  3, 0, 0, 0, 0, 0, 0],
    "evening": [3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 4, 8,
                10, 10, 8, 5],
    "night": [8, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
              3, 7, 10, 10],
    "commute": [1, 1, 0, 0, 0, 1, 3, 10, 12, 6, 4, 4, 4, 4, 4, 5, 7, 12, 12,
                7, 4, 3, 2, 1],
    "daylight": [0, 0, 0, 0, 0, 0, 1, 4, 8, 10, 10, 9, 7, 8, 9, 9, 8, 6, 3,
                 1, 0, 0, 0, 0],
    "dark": [4, 3, 2, 2, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 8, 10,
             10, 8, 6, 5],
}


def sample_time(rng, profile):
    w = PROFILES[profile]
    h = rng.choices(range(24), weights=w)[0]
    sec = h * 3600 + rng.randrange(3600)
    if profile in ("grid", "mediation", "petition"):
        # offices and patrols: 08:30 - 17:30
        if sec < 8 * 3600 + 1800 and h == 8:
            sec += 1800
        if h == 17 and sec > 17 * 3600 + 1800:
            sec -= 1800
    return sec


# ------------------------------------------------------------ directory

# District centres (approximate), spreads in degrees, and weights
# (approximate resident population in millions; urban districts x1.5).
DISTRICTS = {
    "320505": (31.300, 120.530, 0.045, 0.050, 0.84 * 1.5),  # 虎丘区(高新区)
    "320506": (31.230, 120.560, 0.070, 0.090, 1.40 * 1.5),  # 吴中区
    "320507": (31.420, 120.630, 0.050, 0.060, 0.90),        # 相城区
    "320508": (31.310, 120.620, 0.025, 0.025, 0.95 * 1.5),  # 姑苏区
    "320509": (31.080, 120.660, 0.080, 0.080, 1.55),        # 吴江区
    "320576": (31.310, 120.720, 0.045, 0.060, 1.15 * 1.5),  # 苏州工业园区
    "320581": (31.650, 120.760, 0.080, 0.090, 1.68),        # 常熟市
    "320582": (31.860, 120.560, 0.070, 0.090, 1.43),        # 张家港市
    "320583": (31.380, 120.970, 0.080, 0.090, 2.10),        # 昆山市
    "320585": (31.470, 121.090, 0.060, 0.070, 0.83),        # 太仓市
}

ROADS = [
    "人民路", "中山路", "长江路", "太湖路", "金山路", "东环路", "南环路", "西环路",
    "北环路", "友谊路", "宝带路", "吴中大道", "星湖街", "现代大道", "青年路",
    "建设路", "解放路", "新华路", "府前街", "学士街", "花园路", "华山路", "珠江路",
    "滨河路", "迎宾路", "振兴路", "富民路", "文化路", "园林路", "枫桥路", "塔园路",
    "苏虹路", "玉山路", "前进路", "黄河路", "虞山路", "海虞路", "沙洲路", "暨阳路",
    "上海路", "郑和路", "北京路", "县府街", "五星路", "联谊路", "姑苏路", "运河路",
    "石湖路", "宝丰路", "长浜路", "通园路", "横山路", "金枫路", "滨湖大道",
    "阳澄湖大道", "太东路", "香樟路", "银杏路", "春晖路", "兴业路", "工业园路",
    "商业街", "文昌路", "洞庭路", "松陵大道", "中心大道", "永安路", "和平路",
]
XIAOQU_SUFFIX = ["花园", "新村", "苑", "家园", "小区", "雅苑", "名邸", "公寓"]
SHOPS = ["烧烤店", "小吃店", "水果店", "快递驿站", "便利店", "面馆", "理发店",
         "五金店", "修车铺", "麻辣烫店", "早餐店", "奶茶店", "KTV", "棋牌室"]
TRADES = ["精密机械", "电子科技", "纺织", "服饰", "机电", "包装", "塑胶制品",
          "物流", "建材", "汽车配件", "光电", "食品"]
SURNAMES = list("张王李陈刘周吴徐朱沈顾陆钱孙杨黄蒋许姚")


class Village:
    __slots__ = ("code", "name", "short", "stem", "town", "district",
                 "grids", "kind", "lat", "lon", "roads", "xiaoqu")


class Directory:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        self.doc = d
        self.regions = {r["code"]: r["name"] for r in d["regions"]}
        self.cats = {c["code"]: c for c in d["categories"]}
        self.depts = {x["id"]: x for x in d["departments"]}
        self.by_rf = {}
        for x in d["departments"]:
            self.by_rf.setdefault((x["region"], x["function"]), x["id"])
        # name path -> code, e.g. "service/劳动和社会保障/工资福利"
        self.cat_by_names = {}
        for code in self.cats:
            segs = code.split(".")
            names = [self.cats[".".join(segs[:i + 1])]["name"]
                     for i in range(len(segs))]
            self.cat_by_names["/".join([segs[0]] + names[1:])] = code
        self.villages = []
        grids = {}
        for code in self.regions:
            if "-" in code:
                grids.setdefault(code.split("-")[0], []).append(code)
        for code, name in self.regions.items():
            if "-" in code or code.endswith("000"):
                continue
            v = Village()
            v.code, v.name = code, name
            v.short = short_name(name)
            v.stem = re.sub(r"(社区|村)$", "", v.short)
            v.town = code[:9] + "000"
            v.district = code[:6] + "000000"
            v.grids = sorted(grids.get(code, []))
            if "虚拟" in name or "生活区" in name or "管理社区" in name:
                v.kind = "virtual"
            elif int(code[9:]) < 200:
                v.kind = "community"
            else:
                v.kind = "village"
            dc = DISTRICTS[code[:6]]
            tlat = dc[0] + (hunit(v.town + "lat") - 0.5) * 2 * dc[2] * 0.8
            tlon = dc[1] + (hunit(v.town + "lon") - 0.5) * 2 * dc[3] * 0.8
            v.lat = tlat + (hunit(code + "lat") - 0.5) * 0.03
            v.lon = tlon + (hunit(code + "lon") - 0.5) * 0.03
            h = crc(v.town)
            v.roads = [ROADS[(h + 7 * i) % len(ROADS)] for i in range(4)]
            v.xiaoqu = v.stem + XIAOQU_SUFFIX[crc(code) % len(XIAOQU_SUFFIX)]
            self.villages.append(v)
        self.villages.sort(key=lambda x: x.code)
        self.town_of = {}
        for v in self.villages:
            self.town_of.setdefault(v.town, []).append(v)

    def cat(self, key):
        code = self.cat_by_names.get(key, key)
        if code not in self.cats:
            sys.exit("gendemo: category %r is not in directory.json" % key)
        return code

    def dept(self, village, spec):
        """spec 'town.urban_mgmt' / 'district.housing' / 'city.water' /
        'village.village_committee' -> department id or None."""
        level, fn = spec.split(".")
        region = {"village": village.code, "town": village.town,
                  "district": village.district,
                  "city": "320500000000"}[level]
        return self.by_rf.get((region, fn))

    def name(self, dept_id):
        return self.depts[dept_id]["name"]

    def dept_level(self, dept_id):
        return suzhou_routing.level_of(self.depts[dept_id]["region"])


def short_name(name):
    m = re.match(r"^(.*?)(居民委员会|居民委会|居委会)$", name)
    if m:
        b = m.group(1)
        return b if b.endswith("社区") else b + "社区"
    m = re.match(r"^(.*?)(村民委员会|村委会)$", name)
    if m:
        b = m.group(1)
        return b if b.endswith("村") else b + "村"
    return name


# ------------------------------------------------------------ scenarios
#
# (weight, category, handler, titles, contents, options)
#   category: a code or a name path ("service/劳动和社会保障/工资福利")
#   handler:  level.function of the department the desk would choose when an
#             order comes to it (routing by rules.json comes first)
#   options:  hours (profile), kind (12345 request type), attrs (a name
#             understood by make_attrs), quick (short handling), urgency
#             (given explicitly with that probability), grid (prob.)
#
# Placeholders: {place} {addr} {road} {road2} {shop} {company} {n} {k} {bld}
# {floor} {months} {amount} {pay} {wage} {fee} {bike} {people} {who} {who2}
# {town} {district}
# {village} {days} {line}

SC_12345 = [
    (60, "city.environment.garbage", "town.urban_mgmt",
     ["{place}门口垃圾堆积", "{place}垃圾堆积无人清理", "{road}路边垃圾成堆"],
     ["{place}门口垃圾堆积多日无人清理，气味难闻，请尽快处理。",
      "市民反映{addr}附近垃圾桶旁堆满生活垃圾，已经{days}天没人清运，苍蝇很多，希望相关部门尽快清理。",
      "{road}{n}号旁边的空地上堆了很多装修垃圾和生活垃圾，影响市容，请安排清运。"], {}),
    (25, "city.environment.bin_overflow", "town.urban_mgmt",
     ["{place}垃圾桶满溢", "{road}垃圾桶满溢未清运"],
     ["{place}{bld}幢楼下的垃圾桶已经满溢，垃圾散落一地，请环卫尽快清运。",
      "{road}公交站旁的垃圾桶满了好几天，垃圾溢出到人行道上，请处理。"], {}),
    (18, "city.environment.sewage", "town.urban_mgmt",
     ["{road}污水外溢", "{place}窨井冒污水"],
     ["{road}{n}号附近窨井冒出污水，路面污水横流，行人无法通行，请尽快处理。",
      "{place}{bld}幢门口的污水井堵塞，污水漫到路面上，臭味很大，请相关部门疏通。"], {}),
    (12, "city.environment.illegal_dumping", "town.urban_mgmt",
     ["{road}有人乱倒渣土", "夜间偷倒建筑垃圾"],
     ["最近几天晚上有车辆在{road}与{road2}交叉口附近偷倒渣土和建筑垃圾，已经堆成小山，请执法部门查处。",
      "{place}北侧绿化带被人倾倒了大量装修垃圾，请尽快清理并查处倾倒人。"], {}),
    (10, "city.environment.litter", "town.urban_mgmt",
     ["{road}路面脏乱", "{road}道路保洁不到位"],
     ["{road}人行道上烟头、纸屑很多，好几天没人打扫了，请加强保洁。"], {}),
    (6, "city.environment.dead_animal", "town.urban_mgmt",
     ["{road}路边有动物尸体"],
     ["{road}{n}号附近路边有一只死猫，已经发臭，请尽快清理。"], {}),
    (6, "city.environment.river_floating", "town.urban_mgmt",
     ["{place}旁河道漂浮物多"],
     ["{place}旁边的河道里漂浮着很多塑料袋和水草，影响环境，请安排打捞。"], {}),
    (5, "city.environment.public_toilet", "town.urban_mgmt",
     ["{road}公厕卫生差"],
     ["{road}上的公共厕所卫生很差，洗手池堵塞，没有纸巾，请管理单位整改。"], {}),
    (14, "city.advert.flyers", "town.urban_mgmt",
     ["{place}楼道小广告泛滥", "{place}电梯内张贴小广告"],
     ["{place}{bld}幢楼道墙面上贴满了开锁、疏通下水道的小广告，清理后又被贴上，请相关部门处理。"], {}),
    (6, "city.advert.illegal_ads", "town.urban_mgmt",
     ["{road}违规设置户外广告"],
     ["{road}{n}号一家{shop}在人行道上摆放广告牌，占用盲道，请城管处理。"], {}),
    (4, "city.advert.damaged_signboard", "town.urban_mgmt",
     ["{road}店招松动有坠落危险"],
     ["{road}{n}号店铺的招牌一角已经松动，大风时晃动厉害，存在坠落伤人的危险，请尽快处理。"],
     {"urgency": 0.4}),
    (40, "city.construction.night_noise", "town.urban_mgmt",
     ["夜间施工噪音扰民", "{place}附近工地夜间施工", "{road}夜间施工扰民"],
     ["{road}附近工地每天晚上十一点后仍在施工，机器轰鸣，严重影响周边居民休息，请相关部门查处。",
      "{place}旁边的工地夜里还在打桩，噪音很大，家里老人孩子都睡不着，请尽快制止。",
      "现在已经是深夜了，{road}与{road2}交叉口的道路施工还在切割路面，噪音扰民，请处理。"],
     {"hours": "night", "kind": "投诉"}),
    (14, "city.construction.dust", "district.environment",
     ["{road}工地扬尘严重", "{place}旁工地扬尘"],
     ["{road}在建工地没有做好覆盖和洒水，风一吹灰尘很大，周边居民不敢开窗，请环保部门检查。"], {}),
    (10, "city.construction.road_occupation", "town.urban_mgmt",
     ["{road}占道施工未设警示"],
     ["{road}{n}号附近有单位占道施工，没有设置警示标志和围挡，晚上很危险，请查看。"], {}),
    (8, "city.construction.muck_spill", "town.urban_mgmt",
     ["渣土车抛洒滴漏", "{road}渣土车撒落泥土"],
     ["{road}上渣土车沿途抛洒泥土，路面全是泥，下雨天非常滑，请相关部门查处。"], {}),
    (8, "city.construction.illegal_building", "town.urban_mgmt",
     ["{place}顶楼违章搭建", "{place}私自搭建阳光房"],
     ["{place}{bld}幢顶楼住户正在违规搭建彩钢板房，存在安全隐患，请执法部门查处。",
      "{place}{bld}幢一楼住户占用公共绿地私自搭建阳光房，请城管核查。"], {}),
    (30, "city.street_order.vendors", "town.urban_mgmt",
     ["{road}无证摊贩占道经营", "{place}门口流动摊贩"],
     ["{road}与{road2}交叉口每天早晚都有流动摊贩占道经营，造成交通拥堵，垃圾遍地，请城管处理。",
      "{place}门口有很多小摊贩摆摊卖菜，占用人行道，居民出行不便。"], {}),
    (18, "city.street_order.shop_overflow", "town.urban_mgmt",
     ["{road}店铺跨门经营", "{shop}占道经营"],
     ["{road}{n}号的{shop}长期把桌椅摆到人行道上经营，行人只能走机动车道，请处理。"], {}),
    (30, "city.street_order.parking", "town.police",
     ["{place}门口违章停车", "{road}人行道乱停车"],
     ["{place}门口消防通道上长期停放私家车，多次劝说无效，一旦发生火灾后果严重，请相关部门处理。",
      "{road}人行道上停满了机动车，行人只能走到机动车道上，请交警或城管处理。"], {}),
    (14, "city.street_order.shared_bikes", "town.urban_mgmt",
     ["{road}共享单车乱停放"],
     ["{road}地铁站出口共享单车堆积如山，堵塞盲道和人行道，请通知运营企业清理。"], {}),
    (12, "city.street_order.outdoor_bbq", "town.urban_mgmt",
     ["{road}露天烧烤油烟扰民", "{shop}夜间露天烧烤"],
     ["{road}{n}号的烧烤店每天晚上在门口露天烧烤，油烟和噪音很大，楼上居民深受其害。"],
     {"hours": "evening", "kind": "投诉"}),
    (8, "city.street_order.occupation", "town.urban_mgmt",
     ["{place}公共区域堆物"],
     ["{place}{bld}幢楼下公共区域被人堆放大量杂物，影响通行，也有火灾隐患。"], {}),
    (3, "city.emergency.road_collapse", "district.housing",
     ["{road}路面塌陷", "{road}出现塌陷坑"],
     ["{road}{n}号门口路面突然塌陷，坑有一米多深，车辆经过非常危险，请立即处理！"],
     {"urgency": 0.6}),
    (8, "city.emergency.water_pipe_burst", "city.water",
     ["{road}自来水管爆裂", "{place}水管爆裂"],
     ["{road}{n}号附近地下自来水管爆裂，水往外冒，路面已经积水，请自来水公司尽快抢修。",
      "{place}{bld}幢门口的供水管破裂，大量自来水外流，周边居民家里已经没有水压了。"],
     {"urgency": 0.5}),
    (9, "city.emergency.manhole", "district.urban_mgmt",
     ["{road}井盖缺失", "{place}门口井盖破损"],
     ["{road}{n}号附近人行道上的井盖不见了，晚上看不清容易掉下去，请尽快补装。",
      "{place}门口的窨井盖破了一个大洞，已经有电动车在这里摔倒，请立即处理。"],
     {"urgency": 0.4}),
    (6, "city.emergency.tree_fall", "district.urban_mgmt",
     ["{road}树木倒伏", "{road}大树倾斜"],
     ["{road}{n}号附近一棵行道树倒伏，压住了半幅车道，请园林部门尽快处理。"],
     {"urgency": 0.3}),
    (2, "city.emergency.gas_leak", "district.emergency",
     ["{place}闻到燃气味"],
     ["{place}{bld}幢楼道里有很浓的燃气味，怀疑燃气泄漏，请立即派人检查！"],
     {"urgency": 0.7}),
    (2, "city.emergency.wire_down", "district.emergency",
     ["{road}电线断落"],
     ["{road}{n}号附近有电线断落在地上，行人很多，非常危险，请立即处理！"],
     {"urgency": 0.6}),
    (28, "city.facility.streetlight", "district.urban_mgmt",
     ["{road}路灯不亮", "{place}周边路灯损坏"],
     ["{road}从{n}号到{road2}路口一段路灯全部不亮，晚上漆黑一片，行人不安全，请尽快维修。",
      "{place}门口的路灯坏了一个多星期了，晚上回家很不方便，请维修。"],
     {"hours": "dark"}),
    (18, "city.facility.road_damage", "district.housing",
     ["{road}路面破损", "{road}道路坑洼不平"],
     ["{road}{n}号附近路面坑坑洼洼，下雨天积水，电动车经过容易摔倒，请修补。"], {}),
    (6, "city.facility.guardrail", "district.urban_mgmt",
     ["{road}护栏损坏"], ["{road}中间的隔离护栏被撞坏倒在路上，请尽快修复。"], {}),
    (8, "city.facility.drain_blocked", "town.urban_mgmt",
     ["{place}雨水口堵塞"], ["{place}门口的雨水口被落叶和垃圾堵住了，下雨就积水，请疏通。"], {}),
    (4, "city.facility.bus_shelter", "city.transport",
     ["{road}公交站亭损坏"], ["{road}公交站的站亭玻璃碎了，顶棚漏雨，请修复。"], {}),
    (6, "city.facility.traffic_light", "district.police",
     ["{road}与{road2}路口信号灯故障"],
     ["{road}与{road2}交叉口的红绿灯不亮了，车辆通行混乱，很容易出事故，请尽快维修。"],
     {"urgency": 0.3, "hours": "commute"}),
    (5, "city.facility.green_damage", "town.urban_mgmt",
     ["{place}绿化被毁种菜"], ["{place}的公共绿地被个别居民毁绿种菜，还施粪肥，气味很大，请处理。"], {}),
    # ---- 12345 service requests (appeal taxonomy) ----
    (34, "service/劳动和社会保障/工资福利", "town.labour",
     ["公司拖欠工资", "{company}拖欠工资", "讨要被拖欠的工资"],
     ["本人在{company}工作，公司已拖欠{months}个月工资共计{pay}元，多次讨要无果，请求相关部门帮助追讨。",
      "我们在{town}一个工地上干活，包工头拖欠{people}名工人工资，现在找不到人了，请政府帮帮我们。",
      "{company}以经营困难为由拖欠员工工资，涉及{people}人左右，请劳动监察部门介入。"],
     {"kind": "投诉", "attrs": "wage"}),
    (14, "service/劳动和社会保障/城镇职工社会保险", "district.labour",
     ["单位未按规定缴纳社保", "咨询社保转移"],
     ["本人入职{company}已经{months}个月，公司一直没有给我缴纳社会保险，请求核查。",
      "咨询从外地转入苏州的职工养老保险关系转移需要哪些材料，在哪里办理。"],
     {"kind": "咨询"}),
    (10, "service/劳动和社会保障/劳动关系", "town.labour",
     ["公司未签订劳动合同", "公司违法解除劳动合同"],
     ["我在{company}上班{months}个月，公司一直不和我签劳动合同，现在要辞退我也不给补偿，请求处理。"],
     {"kind": "投诉"}),
    (8, "service/劳动和社会保障/就业培训", "town.labour",
     ["咨询就业培训补贴"], ["咨询灵活就业人员参加职业技能培训有没有补贴，如何申请。"],
     {"kind": "咨询", "quick": True}),
    (8, "service/劳动和社会保障/退休政策及待遇", "district.labour",
     ["咨询退休手续办理"], ["本人明年到退休年龄，咨询退休手续需要提前多久办理、需要准备哪些材料。"],
     {"kind": "咨询", "quick": True}),
    (22, "service/城乡建设/住房保障与房地产", "district.housing",
     ["小区物业服务差", "{place}物业不作为", "开发商延期交房"],
     ["{place}物业公司收了物业费却不管事，电梯经常坏，楼道灯不亮，业主多次反映没有结果。",
      "{place}小区电梯故障{days}天没人修，楼上老人下不了楼，物业一直推脱，请住建部门督促。",
      "购买的{place}商品房合同约定今年交房，开发商至今没有交付，也没有说明，请求相关部门协调。"],
     {"kind": "投诉"}),
    (10, "service/城乡建设/城市建设和市政管理", "town.urban_mgmt",
     ["老旧小区改造进度咨询", "{place}改造施工问题"],
     ["{place}正在进行老旧小区改造，工期一拖再拖，路面挖开后一直没有恢复，出行不便。"], {}),
    (6, "service/城乡建设/工程质量", "district.housing",
     ["新房墙体开裂渗水"], ["{place}新交付的房子墙体开裂、卫生间渗水，开发商维修不到位，请求质监部门介入。"],
     {"kind": "投诉"}),
    (5, "service/城乡建设/安全生产", "town.emergency",
     ["{company}安全隐患"], ["{company}车间里堆放大量易燃物品，工人在旁边动火作业，存在安全隐患，请安监部门检查。"],
     {"kind": "举报"}),
    (16, "service/环境保护/环境污染", "district.environment",
     ["{company}偷排废气", "餐饮油烟扰民", "{road}附近异味严重"],
     ["{company}每天夜里排放刺鼻废气，周边居民晚上都不敢开窗，请环保部门查处。",
      "{place}楼下的{shop}油烟直排，整栋楼都是油烟味，请相关部门检查其油烟净化设施。",
      "{road}附近河道发黑发臭，怀疑有企业偷排污水，请核查。"],
     {"kind": "举报"}),
    (8, "service/交通运输/客货运输", "city.transport",
     ["{line}路公交发车间隔过长", "公交车不进站"],
     ["{line}路公交车早高峰发车间隔太长，等了四十分钟都没来，请公交公司增加班次。"], {"kind": "建议"}),
    (5, "service/交通运输/出租车管理", "city.transport",
     ["出租车拒载绕路"], ["今天在{road}打车，出租车司机拒载并且态度恶劣，车牌号已记下，请求处理。"],
     {"kind": "投诉"}),
    (5, "service/交通运输/交通运输", "city.transport",
     ["建议增设公交站点"], ["{place}附近居民很多，但最近的公交站要走一公里，建议增设公交站点。"],
     {"kind": "建议"}),
    (6, "service/教育文体/考试招生", "city.education",
     ["咨询入学政策"], ["孩子明年上小学，户籍在外地、父母在{district}缴纳社保，咨询积分入学政策和报名时间。"],
     {"kind": "咨询", "quick": True}),
    (4, "service/教育文体/教育收费", "city.education",
     ["学校违规收费"], ["孩子所在学校要求家长统一购买教辅资料，每人{fee}元，是否符合规定？"],
     {"kind": "投诉"}),
    (12, "service/商贸旅游/市场监管", "town.market",
     ["预付卡退费难", "商家虚假宣传", "健身房关门无法退费"],
     ["在{road}的一家健身房办了年卡，现在健身房突然关门，联系不上老板，请求帮助退费。",
      "{road}{n}号的{shop}虚假宣传打折，实际价格比原价还高，请市场监管部门查处。"],
     {"kind": "投诉"}),
    (8, "service/卫生计生/食品药品监管", "town.market",
     ["{shop}卫生状况差", "买到过期食品"],
     ["在{road}{n}号的{shop}吃饭后肚子不舒服，店内卫生很差，请相关部门检查。",
      "在{place}附近的便利店买到过期食品，商家拒绝退换，请处理。"],
     {"kind": "投诉"}),
    (6, "service/卫生计生/公共卫生", "district.health",
     ["咨询疫苗接种"], ["咨询老年人接种流感疫苗在哪里可以预约，是否免费。"],
     {"kind": "咨询", "quick": True}),
    (4, "service/卫生计生/医政监管", "district.health",
     ["医院服务态度差"], ["在{district}某医院就诊时医生态度冷漠，排队时间过长，希望改进。"],
     {"kind": "投诉"}),
    (8, "service/民政/社会救助", "town.civil_affairs",
     ["咨询低保申请", "困难家庭求助"],
     ["家里老人重病，收入很低，咨询怎样申请最低生活保障。",
      "{place}有一户困难家庭，子女残疾，生活十分困难，希望社区和民政部门给予帮助。"],
     {"kind": "求助"}),
    (6, "service/民政/社会服务", "town.civil_affairs",
     ["咨询居家养老服务"], ["父母年纪大独自居住，咨询{town}有没有居家养老上门服务，如何申请。"],
     {"kind": "咨询", "quick": True}),
    (8, "service/政法/户籍证件", "town.police",
     ["咨询户口迁移", "身份证补办咨询"],
     ["咨询投靠子女落户苏州需要什么条件和材料。", "身份证丢失，咨询在{town}哪里可以补办，需要多久。"],
     {"kind": "咨询", "quick": True}),
    (8, "service/政法/社会治安", "town.police",
     ["{place}电动车频繁被盗", "小区门禁形同虚设"],
     ["{place}最近一个月有好几辆电动车被盗，小区监控坏了也没人修，请派出所加强巡逻。"],
     {"kind": "投诉"}),
    (4, "service/政法/法律服务", "town.justice",
     ["咨询法律援助"], ["被公司拖欠工资想打官司但请不起律师，咨询如何申请法律援助。"],
     {"kind": "咨询", "quick": True}),
    (5, "service/农村农业/村务管理", "town.grid_office",
     ["{village}村务公开不及时"], ["{village}的村务公开栏好几个月没有更新，集体收入支出情况村民不清楚，请镇里督促。"], {}),
    (6, "service/科技与信息产业/电信", "town.grid_office",
     ["{place}手机信号差"], ["{place}{bld}幢室内手机信号很差，打电话经常断线，请协调运营商增设基站。"],
     {"kind": "建议"}),
]

SC_110 = [
    (40, "police.public_order.fight", "town.police",
     ["{road}有人打架", "{shop}门口打架斗殴"],
     ["报警人称{road}{n}号{shop}门口有几个人在打架，其中一人头部流血。",
      "报警人称在{place}门口有两伙人发生冲突打起来了，请民警尽快到场。"],
     {"hours": "evening", "attrs": "fight"}),
    (50, "police.public_order.noise", "town.police",
     ["{place}楼上噪音扰民", "{shop}噪音扰民"],
     ["报警人称{place}{bld}幢楼上住户深夜大声喧哗、播放音乐，敲门无人理会。",
      "报警人称{road}{n}号的{shop}营业到凌晨，音响声音很大，影响休息。"],
     {"hours": "night"}),
    (8, "police.public_order.gambling", "town.police",
     ["{place}疑似聚众赌博"], ["报警人称{place}{bld}幢一楼车库内有人聚众赌博，人员进出频繁。"], {}),
    (14, "police.public_order.drunk", "town.police",
     ["{road}有人醉酒滋事"], ["报警人称{road}{shop}内有人醉酒后砸东西、骂人，店主无法劝阻。"],
     {"hours": "night"}),
    (6, "police.public_order.gathering", "district.police",
     ["{company}门口人员聚集"], ["报警人称{company}门口聚集了{people}名左右工人，称公司拖欠工资，情绪激动。"],
     {"attrs": "crowd"}),
    (40, "police.public_order.dispute", "town.police",
     ["{place}邻里纠纷求助", "{road}消费纠纷"],
     ["报警人称与邻居因停车位问题发生争吵，对方动手推搡，请求民警处理。",
      "报警人称在{road}{n}号{shop}消费后与店家发生纠纷，对方不让离开。"], {}),
    (55, "police.traffic.accident", "district.police",
     ["{road}发生交通事故", "{road}与{road2}路口两车相撞"],
     ["报警人称在{road}与{road2}交叉口两车发生碰撞，车辆受损，暂无人员受伤，需交警处理。",
      "报警人称{road}{n}号门口电动车与轿车相撞，电动车驾驶人腿部受伤。"],
     {"hours": "commute", "attrs": "accident"}),
    (14, "police.traffic.congestion", "district.police",
     ["{road}严重拥堵"], ["报警人称{road}与{road2}路口严重拥堵，车辆无法通行，疑似前方有事故。"],
     {"hours": "commute"}),
    (18, "police.traffic.blocking", "town.police",
     ["{place}门口车辆堵路"], ["报警人称自家车辆被他人车辆堵住无法开出，车上未留电话，请求协助挪车。"], {}),
    (6, "police.traffic.drunk_driving", "district.police",
     ["{road}疑似酒驾"], ["报警人称在{road}看到一辆轿车行驶轨迹歪歪扭扭，怀疑驾驶人酒后驾车。"],
     {"hours": "night"}),
    (10, "police.help.lost_person", "town.police",
     ["老人走失", "儿童走失"],
     ["报警人称家中{age}岁老人上午出门后至今未归，老人有阿尔茨海默症，身穿深色外套。",
      "报警人称在{place}附近和孩子走散，孩子{age}岁，穿红色外套。"],
     {"attrs": "lost"}),
    (8, "police.help.elderly_fall", "town.police",
     ["{road}老人摔倒求助"], ["报警人称在{road}{n}号附近有一位老人摔倒在地无法起身，需要帮助。"], {}),
    (14, "police.help.locked_out", "town.police",
     ["被锁门外求助"], ["报警人称钥匙锁在家里，家中有小孩和正在用火的燃气灶，请求帮助开门。"], {}),
    (10, "police.help.lost_item", "town.police",
     ["遗失手机求助", "出租车上遗失物品"],
     ["报警人称在{road}乘坐出租车时把手机遗落在车上，请求帮助查找。"], {}),
    (3, "police.fire.building", "district.fire",
     ["{place}住宅起火"], ["报警人称{place}{bld}幢{floor}楼一户人家窗户往外冒浓烟，疑似起火，楼内可能有人。"],
     {"attrs": "fire"}),
    (3, "police.fire.vehicle", "district.fire",
     ["{road}车辆起火"], ["报警人称{road}上一辆轿车车头冒烟起火，驾驶人已下车。"], {}),
    (6, "police.fire.outdoor", "district.fire",
     ["{village}露天焚烧"], ["报警人称{village}田边有人焚烧秸秆和垃圾，浓烟很大。"], {}),
    (22, "police.criminal.theft", "town.police",
     ["电动车被盗", "{place}入室盗窃"],
     ["报警人称停放在{place}{bld}幢楼下的电动车被盗，车价约{bike}元。",
      "报警人称下班回家发现家中被盗，门锁有撬动痕迹，丢失现金和首饰。"], {}),
    (20, "police.criminal.fraud", "town.police",
     ["电信网络诈骗", "冒充客服诈骗"],
     ["报警人称接到自称快递客服的电话，按对方要求操作后被骗{amount}元。",
      "报警人称在网上刷单被骗，已转账{amount}元，对方失联。"], {"attrs": "fraud"}),
    (2, "police.criminal.robbery", "district.police",
     ["{road}抢夺案"], ["报警人称在{road}步行时被骑摩托车的人抢走挎包，对方往{road2}方向逃窜。"], {}),
    (6, "police.criminal.assault", "town.police",
     ["{shop}内有人被打伤"], ["报警人称在{road}{shop}内因口角被人打伤，对方已离开。"], {"hours": "evening"}),
    (10, "police.other", "town.police",
     ["其他警情"], ["报警人称{place}附近有可疑人员长时间徘徊，请民警查看。"], {}),
]

SC_PETITION = [
    (14, "petition.land", "district.petition",
     ["对征地补偿标准有异议"],
     ["信访人{who}反映，{village}集体土地被征收用于道路建设，对补偿标准和安置方式有异议，多次向镇里反映未得到答复，要求依法解决。"],
     {"attrs": "petition"}),
    (14, "petition.housing", "district.petition",
     ["房屋征收补偿问题"],
     ["信访人{who}反映，其位于{town}的房屋被列入征收范围，评估价格明显低于周边市场价，要求重新评估并公开补偿标准。"],
     {"attrs": "petition"}),
    (18, "petition.labour", "district.petition",
     ["反映企业欠薪问题", "工伤待遇未落实"],
     ["信访人{who}等{people}人反映，{company}拖欠工资{months}个月，涉及金额{wage}元，企业负责人避而不见，要求政府督促支付。",
      "信访人{who}反映，在{company}工作时受伤已认定工伤，但企业至今未支付工伤待遇。"],
     {"attrs": "petition"}),
    (10, "petition.justice", "district.petition",
     ["对判决结果不服", "反映案件执行难"],
     ["信访人{who}反映，其民间借贷案件胜诉已两年，对方仍未履行，法院执行进展缓慢，要求加快执行。"],
     {"attrs": "petition"}),
    (10, "petition.environment", "district.petition",
     ["反映企业污染问题"],
     ["信访人{who}反映，{company}长期排放废气废水，周边居民多次投诉，问题反复出现，要求彻底整治。"],
     {"attrs": "petition"}),
    (8, "petition.rural", "town.petition",
     ["反映村级财务不公开"],
     ["信访人{who}反映，{village}近三年集体资产出租收入去向不明，村务财务不公开，要求审计。"],
     {"attrs": "petition"}),
    (12, "petition.urban", "district.petition",
     ["反映小区物业及维修资金问题"],
     ["信访人{who}等反映，{place}维修资金使用不透明，物业公司擅自动用，业主委员会成立受阻，要求主管部门调查。"],
     {"attrs": "petition"}),
    (6, "petition.civil", "town.petition",
     ["低保资格被取消"], ["信访人{who}反映，其家庭低保资格被取消，认为认定不公，要求复核。"],
     {"attrs": "petition"}),
    (5, "petition.conduct", "district.petition",
     ["反映工作人员作风问题"], ["信访人{who}反映，在{town}办事时工作人员推诿扯皮、态度生硬，要求调查处理。"],
     {"attrs": "petition"}),
    (3, "petition.other", "district.petition",
     ["其他信访事项"], ["信访人{who}反映个人历史遗留问题，要求有关部门予以答复。"],
     {"attrs": "petition"}),
]

SC_GRID = [
    (40, "grid.safety.electric_bike", "town.emergency",
     ["{place}{bld}幢楼道电动车违规充电", "{place}电动车入户充电"],
     ["巡查发现{place}{bld}幢{floor}楼楼道内有{k}辆电动车停放充电，已当场劝导，需物业跟进整改。",
      "入户走访发现{place}{bld}幢住户将电动车电瓶带回家中充电，存在火灾隐患，已宣传劝导。"],
     {"attrs": "floor"}),
    (25, "grid.safety.flying_wire", "town.emergency",
     ["{place}飞线充电"], ["巡查发现{place}{bld}幢有住户从窗口拉电线给楼下电动车充电，已拍照留存并劝导拆除。"], {}),
    (22, "grid.safety.fire_exit", "district.fire",
     ["{place}消防通道堵塞", "{road}{n}号消防通道被占"],
     ["巡查发现{place}消防通道被杂物和车辆占用，消防车无法通行，已通知物业清理。"], {}),
    (14, "grid.safety.gas", "town.emergency",
     ["{shop}燃气使用不规范", "{place}燃气软管老化"],
     ["巡查发现{road}{n}号的{shop}液化气钢瓶与灶具距离过近，软管老化，存在安全隐患。",
      "入户走访发现{place}{bld}幢{floor}楼一户老人家燃气软管老化开裂，已提醒关阀，需燃气公司上门更换。"],
     {"attrs": "floor"}),
    (10, "grid.safety.fire_equipment", "town.emergency",
     ["{place}消防设施缺损"], ["巡查发现{place}{bld}幢楼道灭火器过期，消火栓箱内水带缺失。"], {}),
    (4, "grid.safety.dangerous_building", "district.housing",
     ["{village}危房隐患"], ["巡查发现{village}一处老旧民房墙体开裂、屋顶下沉，仍有人居住，存在倒塌风险。"],
     {"urgency": 0.3}),
    (3, "grid.safety.hazardous_goods", "town.emergency",
     ["{company}违规存放危化品"], ["巡查发现{company}仓库内违规存放油漆、稀释剂等危险化学品，无防护措施。"], {}),
    (30, "grid.population.new_resident", "town.grid_office",
     ["{place}新增流动人口登记"], ["走访发现{place}{bld}幢新入住{k}名外来务工人员，已完成信息采集登记。"],
     {"attrs": "persons", "quick": True}),
    (22, "grid.population.rental", "town.grid_office",
     ["{place}出租房屋信息变更"], ["走访发现{place}{bld}幢{floor}楼一户出租房屋更换租户，房东未申报，已提醒并补登记。"],
     {"quick": True}),
    (12, "grid.population.special_group", "town.civil_affairs",
     ["重点人员走访"], ["按计划走访辖区重点关爱对象，情况稳定，家属反映生活有困难，需民政跟进。"], {}),
    (18, "grid.population.elderly_alone", "town.civil_affairs",
     ["独居老人走访", "{place}独居老人需要帮扶"],
     ["走访{place}{bld}幢独居老人，老人{age}岁，行动不便，家中无人照顾，建议纳入居家养老服务。"], {}),
    (30, "grid.sanitation.garbage_sorting", "town.urban_mgmt",
     ["{place}垃圾分类不规范"], ["巡查发现{place}垃圾投放点湿垃圾和干垃圾混投，分类督导员不在岗。"], {}),
    (25, "grid.sanitation.corridor_clutter", "town.grid_office",
     ["{place}{bld}幢楼道堆物"], ["巡查发现{place}{bld}幢楼道内堆放纸箱、旧家具等杂物，影响通行并有消防隐患，已通知住户清理。"], {}),
    (8, "grid.sanitation.river", "town.urban_mgmt",
     ["{village}河道保洁不到位"], ["巡查发现{village}段河道有生活垃圾和漂浮物，需保洁单位打捞。"], {}),
    (16, "grid.facility.damaged", "town.urban_mgmt",
     ["{place}公共设施损坏"], ["巡查发现{place}门口的道闸和围墙栏杆损坏，需维修。"], {}),
    (8, "grid.facility.fitness", "town.grid_office",
     ["{place}健身器材损坏"], ["巡查发现{place}健身广场的漫步机连接处断裂，存在安全隐患，已设置警示。"], {}),
    (10, "grid.facility.corridor_light", "town.grid_office",
     ["{place}{bld}幢楼道灯不亮"], ["巡查发现{place}{bld}幢{floor}楼至顶楼楼道灯不亮，老人上下楼不便，需物业维修。"], {}),
    (10, "grid.dispute.neighbour", "town.justice",
     ["{place}邻里矛盾苗头"], ["走访中居民反映{place}{bld}幢上下楼因漏水问题多次争吵，矛盾有激化苗头，需调解介入。"], {}),
    (5, "grid.dispute.family", "town.justice",
     ["家庭矛盾苗头"], ["走访发现{place}一户家庭因赡养老人问题兄弟间发生争执，需社区调解。"], {}),
    (10, "grid.market.unlicensed", "town.market",
     ["{road}无照经营"], ["巡查发现{road}{n}号新开一家{shop}，未悬挂营业执照，已告知办理。"], {}),
    (6, "grid.market.food_safety", "town.market",
     ["{shop}食品安全隐患"], ["巡查发现{road}{n}号{shop}后厨卫生条件差，食材生熟混放。"], {}),
    (5, "grid.other", "town.grid_office",
     ["其他事项"], ["巡查发现{place}宣传栏破损，内容过期，需更新。"], {}),
    # grid workers also report city-management cases
    (30, "city.environment.exposed_garbage", "town.urban_mgmt",
     ["{place}暴露垃圾", "{road}路边暴露垃圾"],
     ["巡查发现{place}东侧空地有暴露垃圾约{k}立方米，需环卫清运。"], {}),
    (16, "city.advert.flyers", "town.urban_mgmt",
     ["{place}小广告"], ["巡查发现{place}{bld}幢单元门口张贴大量小广告，已清理部分，需城管协助。"], {}),
    (20, "city.street_order.shop_overflow", "town.urban_mgmt",
     ["{road}店外经营"], ["巡查发现{road}{n}号{shop}占道经营，已劝导，店主拒不整改。"], {}),
    (16, "city.street_order.occupation", "town.urban_mgmt",
     ["{road}占道堆物"], ["巡查发现{road}{n}号门前人行道堆放建材，占用盲道。"], {}),
    (10, "city.construction.illegal_building", "town.urban_mgmt",
     ["{place}疑似违章搭建"], ["巡查发现{place}{bld}幢一楼住户正在院内搭建砖混结构房屋，疑似违建，已拍照取证。"], {}),
    (12, "city.street_order.shared_bikes", "town.urban_mgmt",
     ["{road}共享单车堆积"], ["巡查发现{road}地铁口共享单车堆积，已通知运营企业调度清理。"], {}),
    (6, "city.emergency.manhole", "district.urban_mgmt",
     ["{road}井盖破损"], ["巡查发现{road}{n}号前人行道井盖破损下陷，已设置临时警示，需尽快更换。"],
     {"urgency": 0.3}),
]

SC_MEDIATION = [
    (30, "dispute.02.01", "town.justice",
     ["楼上漏水引发邻里纠纷", "相邻通行纠纷"],
     ["申请人{who}称，楼上住户{who2}家卫生间漏水导致其家中天花板受损，双方就维修和赔偿多次协商未果，申请调解。",
      "申请人{who}与邻居{who2}因房屋之间通道通行问题发生纠纷，对方在通道上堆放杂物，申请调解。"],
     {"attrs": "parties"}),
    (10, "dispute.02.03", "town.justice",
     ["邻居油烟噪音纠纷"], ["申请人{who}称，楼下{shop}排放的油烟和噪音影响其正常生活，与店主{who2}多次协商无果。"],
     {"attrs": "parties"}),
    (22, "dispute.01.01", "town.justice",
     ["婚姻家庭纠纷"], ["申请人{who}与配偶因家庭琐事长期争吵，现一方提出离婚，双方就子女抚养和财产分割存在分歧，申请调解。"],
     {"attrs": "parties"}),
    (12, "dispute.01.02", "town.justice",
     ["赡养纠纷"], ["申请人{who}（{age}岁）称，其几个子女互相推诿，不承担赡养义务，申请调解。"],
     {"attrs": "parties"}),
    (6, "dispute.01.03", "town.justice",
     ["遗产继承纠纷"], ["申请人{who}与兄弟姐妹因父母遗留的{village}老宅继承问题发生纠纷，申请调解。"],
     {"attrs": "parties"}),
    (14, "dispute.04.02", "town.justice",
     ["物业费纠纷"], ["{place}物业公司与业主{who}因物业费缴纳和服务质量问题发生纠纷，申请调解。"],
     {"attrs": "parties"}),
    (12, "dispute.06.01", "town.justice",
     ["消费服务纠纷"], ["申请人{who}在{road}一家装修公司签订装修合同，施工质量差且延期，双方就退款发生纠纷。"],
     {"attrs": "parties"}),
    (8, "dispute.06.02", "town.justice",
     ["房屋租赁纠纷"], ["租客{who}与房东{who2}因提前退租押金退还问题发生纠纷，申请调解。"],
     {"attrs": "parties"}),
    (14, "dispute.07.wage_arrears", "town.labour",
     ["讨薪纠纷", "{company}欠薪纠纷"],
     ["{people}名工人反映{company}拖欠工资共计{wage}元，与企业负责人协商未果，申请调解。"],
     {"attrs": "wage"}),
    (8, "dispute.07.01", "town.labour",
     ["劳动合同纠纷"], ["申请人{who}被{company}辞退，双方就经济补偿金数额发生争议，申请调解。"],
     {"attrs": "parties"}),
    (6, "dispute.07.injury", "town.labour",
     ["工伤赔偿纠纷"], ["申请人{who}在{company}工作时手部受伤，与企业就工伤赔偿金额存在争议。"],
     {"attrs": "parties"}),
    (10, "dispute.05.03", "town.justice",
     ["交通事故赔偿纠纷"], ["申请人{who}与{who2}因电动车与行人碰撞事故的赔偿问题发生纠纷，交警已出具责任认定，申请调解。"],
     {"attrs": "parties"}),
    (3, "dispute.05.02", "district.health",
     ["医疗纠纷"], ["患者家属{who}对在某医院的治疗结果不满，认为存在医疗过错，要求赔偿，申请医调委调解。"],
     {"attrs": "parties"}),
    (6, "dispute.08.04", "town.justice",
     ["民间借贷纠纷"], ["申请人{who}借给{who2}{amount}元，约定期限已过对方仍未归还，申请调解。"],
     {"attrs": "parties"}),
    (6, "dispute.09.02", "town.justice",
     ["宅基地边界纠纷"], ["{village}村民{who}与{who2}因宅基地边界和翻建房屋发生纠纷，申请调解。"],
     {"attrs": "parties"}),
    (4, "dispute.11.03", "district.housing",
     ["拆违纠纷"], ["{place}住户{who}对违建拆除决定有异议，与社区发生争执，申请调解。"],
     {"attrs": "parties"}),
    (3, "dispute.12.01", "town.civil_affairs",
     ["村委选举纠纷"], ["{village}村民{who}对村民小组长推选程序有异议，申请调解。"],
     {"attrs": "parties"}),
    (3, "dispute.99", "town.justice",
     ["其他纠纷"], ["申请人{who}与{who2}因宠物狗咬伤事件的赔偿问题发生纠纷，申请调解。"],
     {"attrs": "parties"}),
]

SCENARIOS = {"12345": SC_12345, "110": SC_110, "petition": SC_PETITION,
             "grid": SC_GRID, "mediation": SC_MEDIATION}

# Service windows (local hours) of the functions; urgent orders and the
# 24-hour functions are worked around the clock.
WINDOW = {"police": (0, 24), "fire": (0, 24), "water": (0, 24),
          "urban_mgmt": (7, 22),
          "desk": (7.5, 22.5),      # the desk verifies 07:30 - 22:30
          "callback": (8.5, 21)}    # and calls citizens back 08:30 - 21:00
OFFICE = (8.5, 17.75)

PROGRESS = {
    "city": ["已安排队员到现场核实", "已到达现场，正在组织处置", "已联系责任单位限期整改"],
    "police": ["民警已出警，正在现场处置", "民警已到场了解情况", "已调取周边监控"],
    "petition": ["已登记受理，转交相关部门调查核实", "已约谈信访人了解诉求", "正在调阅有关材料"],
    "grid": ["已通知物业和社区，正在整改", "已联系相关单位上门处理", "已现场督促整改"],
    "dispute": ["已受理，约定双方当事人到场调解", "已分别与双方当事人沟通", "正在组织调解"],
    "service": ["已联系诉求人了解情况", "已转交业务科室办理", "正在调查核实"],
}
RESOLVED = {
    "city.emergency": ["已完成抢修，现场已恢复通行", "已设置围挡并完成抢修", "已处置完毕，隐患已消除"],
    "city.facility": ["已完成维修，恢复正常使用", "已安排养护单位修复完毕"],
    "city.environment": ["已安排清理完毕，现场恢复整洁", "已清运完毕，将加强日常保洁"],
    "city": ["已安排清理完毕，现场恢复整洁", "已责令当事人整改，现场已规范", "已完成维修，恢复正常使用",
             "已现场劝离并整改到位，将加强巡查"],
    "police": ["民警到场处置完毕，双方已和解", "已现场调解，当事人表示不再发生", "已妥善处置，移交相关部门跟进",
               "已将当事人带回派出所进一步调查"],
    "petition": ["已出具处理意见书，告知信访人"],
    "grid": ["已整改到位，现场复查合格", "已完成信息登记更新", "已协调物业完成处置", "已联系相关部门处理完毕"],
    "dispute": ["经调解，双方达成调解协议并当场履行", "经调解双方达成一致，已签订人民调解协议书",
                "已调解完毕，双方握手言和"],
    "service": ["已电话答复诉求人，诉求人表示理解", "已督促责任单位处理，诉求人认可", "已按政策解答并告知办理流程",
                "已责令整改，问题已解决"],
}
CANCEL_REASONS = [
    "重复诉求：与已受理工单为同一事项",
    "无效诉求：来电人未提出具体诉求",
    "无效诉求：来电内容与政府职能无关，已做解释",
    "重复诉求：诉求人同一时段多次来电反映同一问题",
    "无效诉求：诉求人表示已自行解决，撤回诉求",
]
REJECT_REASONS = [
    "现场核查问题未解决，请继续处理",
    "现场核查发现整改不到位，请继续处理",
    "核查发现办理结果与实际情况不符，请重新处置",
]


# ------------------------------------------------------------- generator


class Gen:
    def __init__(self, d, router, seed, scale):
        self.d = d
        self.router = router
        self.routed = {}     # level of the routed lead (or "desk") -> events
        self.rng = random.Random(seed)
        self.scale = scale
        self.lines = []      # (time, seq, bytes)
        self.seq = 0
        self.events = []     # accepted-event records
        self.counts_events = {}
        self.counts_bad = {}
        self.counts_ops = {}
        self.redeliveries = 0
        self.notes = {"orders": 0, "closed": 0, "desk_dispatch": 0,
                      "redispatch": 0, "rerouted": 0, "returned_to_desk": 0}
        # village sampling table
        vs, ws = [], []
        for v in d.villages:
            w = DISTRICTS[v.code[:6]][4]
            w *= {"community": 3.0, "village": 1.0, "virtual": 0.15}[v.kind]
            vs.append(v)
            ws.append(w)
        self.vpool = vs
        acc, t = [], 0.0
        for w in ws:
            t += w
            acc.append(t)
        self.vcum = acc
        # caller pool: most callers call once, a few call often
        r = random.Random(seed + 1)
        self.phones = ["138%08d" % r.randrange(10 ** 8) for _ in range(3000)]
        self.frequent = ["138%08d" % r.randrange(10 ** 8) for _ in range(40)]

    # -- output
    def emit(self, t, data):
        self.seq += 1
        self.lines.append((t, self.seq, data))

    def action(self, t, op, ref, actor, **kw):
        if t > DAY_END:
            return False
        a = {"op": op, "ref": ref, "actor": actor}
        a.update(kw)
        a["at"] = ts(t)
        self.emit(t, dumps(a).encode("utf-8"))
        self.counts_ops[op] = self.counts_ops.get(op, 0) + 1
        return True

    # -- places and text
    def village(self):
        return self.rng.choices(self.vpool, cum_weights=self.vcum)[0]

    def context(self, v):
        rng = self.rng
        roads = v.roads
        road = rng.choice(roads)
        road2 = rng.choice([x for x in roads if x != road])
        district = self.d.regions[v.district]
        town = self.d.regions[v.town]
        if v.kind == "community":
            place = v.xiaoqu
        elif v.kind == "village":
            place = v.short
        else:
            place = town + rng.choice(["产业园", "员工宿舍区", "商业广场"])
        bld = rng.randint(1, 36)
        n = rng.randint(2, 288)
        # two ways to write the address: by road and number, or by place
        addr_road = "%s%s%s%d号" % (district, town, road, n)
        if v.kind == "village":
            addr_place = "%s%s%s%d组%d号" % (district, town, v.short,
                                           rng.randint(1, 16),
                                           rng.randint(1, 99))
        elif v.kind == "community":
            addr_place = "%s%s%s%d幢%d单元" % (district, town, place, bld,
                                            rng.randint(1, 4))
        else:
            addr_place = "%s%s%s" % (district, town, place)
        addr = addr_place if rng.random() < 0.5 else addr_road
        tshort = re.sub(r"（.*）", "", town)
        tshort = re.sub(r"(街道|镇|乡|经济技术开发区|高新技术产业开发区|经开区|"
                        r"开发区|旅游度假区|度假区|园区|新城)$", "", tshort)
        tshort = re.sub(r"^(苏州|江苏省)", "", tshort) or "吴"
        company = "苏州%s%s%s" % (tshort[:4], rng.choice(TRADES),
                                rng.choice(["有限公司", "科技有限公司", "制品厂"]))
        people = rng.choice([6, 8, 12, 15, 20, 26, 30, 40, 50, 60])
        months = rng.randint(2, 8)
        pay = months * rng.choice([4800, 5600, 6500, 7200, 8000])
        who = rng.choice(SURNAMES) + rng.choice(["某", "某某"])
        who2 = rng.choice(SURNAMES) + rng.choice(["某", "某某"])
        return {
            "place": place, "addr": addr, "road": road, "road2": road2,
            "addr_road": addr_road, "addr_place": addr_place,
            "k": rng.randint(1, 6),
            "shop": rng.choice(SHOPS), "company": company, "n": n, "bld": bld,
            "floor": rng.randint(1, 18), "months": months,
            "amount": rng.choice([3500, 6800, 12000, 18600, 25000, 46000,
                                  86000, 150000, 320000]),
            "people": people, "pay": pay, "wage": people * pay,
            "fee": rng.choice([120, 260, 380, 450]),
            "bike": rng.choice([1800, 2600, 3200, 4500]),
            "who": who, "who2": who2,
            "town": town, "district": district, "village": v.short,
            "days": rng.randint(2, 7), "line": rng.randint(1, 180),
            "age": rng.choice([5, 6, 8, 72, 78, 81, 86]),
        }

    def make_attrs(self, kind, ctx, channel):
        rng = self.rng
        if kind == "wage":
            if channel == "12345" and "{people}" not in ctx.get("_content", ""):
                return {"amount_yuan": ctx["pay"]}
            return {"people": ctx["people"], "amount_yuan": ctx["wage"]}
        if kind == "crowd":
            return {"people": ctx["people"], "scale": "02"}
        if kind == "floor":
            return {"floor": ctx["floor"]}
        if kind == "fire":
            return {"floor": ctx["floor"], "trapped": rng.random() < 0.2}
        if kind == "accident":
            return {"vehicles": rng.choice([2, 2, 2, 3]),
                    "injured": rng.random() < 0.3}
        if kind == "fight":
            return {"people": rng.randint(2, 8), "injured": rng.random() < 0.4}
        if kind == "lost":
            return {"age": ctx["age"]}
        if kind == "fraud":
            return {"amount_yuan": ctx["amount"]}
        if kind == "persons":
            return {"persons": ctx["k"]}
        if kind == "petition":
            return {"form": rng.choice(["来访", "来信", "网上信访", "来访"]),
                    "petitioners": rng.choice([1, 1, 1, 2, 3, 5])}
        if kind == "parties":
            return {"parties": 2}
        return None

    # -- one event
    def make_event(self, channel, sc, t, v=None, ctx=None):
        rng = self.rng
        weight, catkey, handler, titles, contents, opt = sc
        cat = self.d.cat(catkey)
        if v is None:
            v = self.village()
        if ctx is None:
            ctx = self.context(v)
        ev = {"channel": channel, "source_id": None, "received_at": ts(t),
              "region": v.code}
        gprob = {"grid": 1.0, "mediation": 0.3, "12345": 0.08}.get(channel, 0.0)
        if v.grids and rng.random() < gprob:
            ev["grid"] = rng.choice(v.grids)
        if channel != "petition" or rng.random() < 0.3:
            lat = v.lat + rng.gauss(0, 0.0025)
            lon = v.lon + rng.gauss(0, 0.0025)
            ev["location"] = {"lat": round(lat, 6), "lon": round(lon, 6)}
        # a title and a content that belong together (the lists are written
        # in parallel where they have the same length)
        ci = rng.randrange(len(contents))
        ti = ci if len(titles) == len(contents) else rng.randrange(len(titles))
        content = contents[ci]
        if "{road}" in content and "{place}" not in content:
            ev["address"] = ctx["addr_road"]
        elif "{place}" in content and "{road}" not in content:
            ev["address"] = ctx["addr_place"]
        else:
            ev["address"] = ctx["addr"]
        ev["category"] = cat
        default = self.default_urgency(cat)
        up = opt.get("urgency", 0.0)
        if up and rng.random() < up:
            ev["urgency"] = "critical" if default == "critical" else "urgent"
        elif rng.random() < 0.22:
            ev["urgency"] = default
        ctx["_content"] = content
        ev["title"] = titles[ti].format(**ctx)
        ev["content"] = content.format(**ctx)
        if channel in ("12345", "110") or (channel == "petition"
                                          and rng.random() < 0.4):
            if rng.random() < 0.06:
                phone = rng.choice(self.frequent)
            else:
                phone = rng.choice(self.phones)
            ev["reporter"] = {"phone": phone}
        attrs = {}
        if channel == "12345":
            attrs["request_type"] = opt.get("kind", rng.choice(
                ["投诉", "投诉", "求助", "举报", "咨询"]))
        a = self.make_attrs(opt.get("attrs"), ctx, channel) \
            if opt.get("attrs") else None
        if a and rng.random() < 0.8:
            attrs.update(a)
        if attrs:
            ev["attributes"] = attrs
        rec = {"ev": ev, "t": t, "channel": channel, "village": v,
               "handler": handler, "cat": cat, "opt": opt,
               "urgency": ev.get("urgency", default)}
        return rec

    def default_urgency(self, cat):
        c = cat
        while True:
            u = self.d.cats[c].get("urgency")
            if u:
                return u
            if "." not in c:
                return "normal"
            c = c.rsplit(".", 1)[0]

    def pick_scenario(self, channel):
        scs = SCENARIOS[channel]
        return self.rng.choices(scs, weights=[s[0] for s in scs])[0]

    # -- the day
    def generate_events(self, total):
        rng = self.rng
        recs = []
        for channel, share in CHANNEL_SHARE:
            n = int(round(total * share))
            for _ in range(n):
                sc = self.pick_scenario(channel)
                t = sample_time(rng, sc[5].get("hours", channel))
                recs.append(self.make_event(channel, sc, t))
        return recs

    def generate_clusters(self):
        """Incidents reported on several channels within the hour."""
        rng = self.rng
        plans = [
            # (first channel, category key, [(channel, category, delay min)])
            ("12345", "city.emergency.road_collapse",
             [("grid", "city.emergency.manhole", 14),
              ("12345", "city.emergency.road_collapse", 23)]),
            ("12345", "city.environment.garbage",
             [("grid", "city.environment.exposed_garbage", 38)]),
            ("110", "police.public_order.gathering",
             [("12345", "service/劳动和社会保障/工资福利", 11),
              ("mediation", "dispute.07.wage_arrears", 52)]),
            ("12345", "city.emergency.water_pipe_burst",
             [("12345", "city.emergency.water_pipe_burst", 6),
              ("12345", "city.emergency.water_pipe_burst", 17)]),
            ("12345", "city.construction.night_noise",
             [("12345", "city.construction.night_noise", 9)]),
            ("12345", "city.facility.streetlight",
             [("12345", "city.facility.streetlight", 44)]),
            ("grid", "city.street_order.shop_overflow",
             [("12345", "city.street_order.shop_overflow", 27)]),
            ("12345", "city.emergency.manhole",
             [("grid", "city.emergency.manhole", 31)]),
        ]
        starts = [10.2, 9.4, 10.6, 14.3, 22.4, 19.1, 15.2, 8.9]
        clusters = []
        for (ch, cat, follow), start in zip(plans, starts):
            k = max(1, int(round(self.scale)))
            for rep in range(k):
                v = self.village()
                while v.kind != "community":
                    v = self.village()
                ctx = self.context(v)
                t0 = int(start * 3600) + rng.randrange(600)
                # the same kind of incident again elsewhere, half an hour on
                # (or back, near midnight); the reports span up to an hour
                off = (rep * 1800) % (18 * 3600)
                t0 = t0 + off if t0 + off + 3600 <= DAY_END else t0 - off
                first = self.make_event(ch, self.scenario_for(ch, cat), t0, v,
                                        ctx)
                group = [first]
                for ch2, cat2, delay in follow:
                    ctx2 = dict(ctx)     # same place, same company, ...
                    r = self.make_event(ch2, self.scenario_for(ch2, cat2),
                                        t0 + delay * 60 + rng.randrange(60),
                                        v, ctx2)
                    loc = first["ev"].get("location")
                    if loc:
                        r["ev"]["location"] = {
                            "lat": round(loc["lat"] + rng.gauss(0, 0.0004), 6),
                            "lon": round(loc["lon"] + rng.gauss(0, 0.0004), 6)}
                    r["ev"]["address"] = first["ev"]["address"]
                    r["merge_into"] = first
                    group.append(r)
                clusters.append(group)
        return clusters

    def scenario_for(self, channel, catkey):
        for sc in SCENARIOS[channel]:
            if sc[1] == catkey:
                return sc
        sys.exit("gendemo: no %s scenario for %s" % (channel, catkey))

    def assign_ids(self, recs):
        recs.sort(key=lambda r: (r["t"], r["channel"], r["ev"]["category"],
                                 r["ev"]["region"]))
        seqs = {}
        for r in recs:
            ch = r["channel"]
            seqs[ch] = seqs.get(ch, 0) + 1
            k = seqs[ch]
            v = r["village"]
            if ch == "12345":
                sid = "HL%s%06d" % (DAYNUM, k)
            elif ch == "110":
                sid = "JJ%s%s%05d" % (v.code[:6], DAYNUM, k)
            elif ch == "petition":
                sid = "XF%s%s%04d" % (v.code[:6], DAYNUM, k)
            elif ch == "grid":
                sid = "WG%s%s%05d" % (v.code[:9], DAYNUM, k)
            else:
                sid = "TJ%s%s%04d" % (v.code[:9], DAYNUM, k)
            r["ev"]["source_id"] = sid
            r["ref"] = "%s:%s" % (ch, sid)

    # -- lifecycle
    def window_ok(self, t, fn, urgent):
        if urgent:
            return True
        lo, hi = WINDOW.get(fn, OFFICE)
        h = (t % 86400) / 3600.0
        return lo <= h < hi

    def next_open(self, t, fn, urgent):
        """The first moment at or after t the department works."""
        if self.window_ok(t, fn, urgent):
            return t
        lo, hi = WINDOW.get(fn, OFFICE)
        h = t / 3600.0
        if h < lo:
            return int(lo * 3600) + self.rng.randrange(1, 2400)
        return DAY_END + 1  # tomorrow: outside the file

    def family(self, cat):
        top = cat.split(".")[0]
        return top

    def route(self, r, exclude=()):
        """The engine's routing decision for r's event, as modelled by
        tools/suzhou_routing.py on the configuration's rules.json."""
        return self.router.route(r["ev"], exclude)

    def fn_of(self, dept):
        return self.d.depts[dept]["function"]

    def alternative(self, r, lead, choice):
        """Where the desk re-dispatches (改派) an order the rules sent to
        lead: (department, reason), or None when it would not."""
        d = self.d
        v = r["village"]
        fn = self.fn_of(lead)
        if self.family(r["cat"]) == "dispute" and fn == "justice":
            vc = d.dept(v, "village.village_committee")
            if vc:
                return vc, "就地化解：改派至%s调解" % d.name(vc)
        if choice and choice != lead:
            return choice, "根据诉求内容改派至%s办理" % d.name(choice)
        if d.depts[lead]["region"] == v.town:
            up = d.dept(v, "district." + fn)
            if up:
                return up, "情况复杂、涉及面广，提级至%s办理" % d.name(up)
        return None

    def lifecycle(self, r, fate):
        rng = self.rng
        d = self.d
        v = r["village"]
        ref = r["ref"]
        cat = r["cat"]
        fam = self.family(cat)
        urgent = r["urgency"] in ("urgent", "critical")
        quick = r["opt"].get("quick")
        # whom the desk would choose itself, when an order comes to it
        handler = r["handler"]
        if fam == "petition" and handler == "district.petition" \
                and rng.random() < 0.25:
            handler = "town.petition"
        choice = d.dept(v, handler)
        if choice is None:
            sys.exit("gendemo: no department %s for %s" % (handler, v.code))
        t = r["t"]
        self.notes["orders"] += 1

        # the engine routes the new order by rules.json
        dec = self.route(r)
        lead = dec.lead
        key = "desk" if lead is None else self.router.level(dec)
        self.routed[key] = self.routed.get(key, 0) + 1

        # how long the desk takes to look at a new order
        night = (t % 86400) < 7 * 3600
        if urgent or r["channel"] == "110":
            dt = rng.randint(60, 240)
        else:
            dt = rng.randint(180, 1200) + (rng.randint(300, 2400) if night else 0)

        if fate == "cancel":
            self.action(t + dt, "cancel", ref, DESK,
                        reason=rng.choice(CANCEL_REASONS))
            return
        if fate == "merge":
            self.action(t + dt, "merge", ref, DESK, into=r["merge_into"]["ref"])
            return

        if lead is None:
            # no rule routes it: the desk dispatches
            t += dt
            lead = choice
            if not self.action(t, "dispatch", ref, DESK, dept=lead):
                return
            self.notes["desk_dispatch"] += 1
        elif fate == "redispatch":
            alt = self.alternative(r, lead, choice)
            if alt:
                t += dt
                if not self.action(t, "dispatch", ref, DESK, dept=alt[0],
                                   reason=alt[1]):
                    return
                lead = alt[0]
                self.notes["redispatch"] += 1
        elif fate == "return":
            returned = []
            while True:
                # the department says it is not its business (退单)
                t += rng.randint(600, 5400)
                t = self.next_open(t, self.fn_of(lead), False)
                returned.append(lead)
                nxt = self.route(r, returned).lead
                to = nxt if nxt else choice
                if to in returned:
                    to = None
                why = "不属于本单位职责范围" + (
                    "，建议转交%s" % d.name(to) if to else "，请指挥中心核定")
                if not self.action(t, "return", ref, lead, reason=why):
                    return
                if nxt is None:
                    break
                # re-routed by the engine to the next matching rule
                lead = nxt
                self.notes["rerouted"] += 1
                if len(returned) >= 2 or rng.random() >= 0.15:
                    break
            if nxt is None:
                # back at the desk: it designates the handler, or upholds
                # the first dispatch when the return is not justified
                t += rng.randint(300, 1800)
                t = self.next_open(t, "desk", False)
                if choice not in returned:
                    lead, why = choice, "已核定承办单位，请及时签收办理"
                else:
                    lead, why = returned[0], "退单理由不成立，请继续办理"
                if not self.action(t, "dispatch", ref, DESK, dept=lead,
                                   reason=why):
                    return
                self.notes["desk_dispatch"] += 1
                self.notes["returned_to_desk"] += 1
        fn = self.fn_of(lead)
        dispatched = t

        # deliberately illegal: another department of the same function
        # and level signs
        if fate == "illegal_sign":
            spec = "%s.%s" % (d.dept_level(lead), fn)
            other = None
            for o in self.d.villages[(crc(v.code) % 500)::97]:
                cand = d.dept(o, spec)
                if cand and cand != lead:
                    other = cand
                    break
            if other:
                self.action(t + 60, "sign", ref, other)

        # sign: most within the SLA policies' sign clocks (docs/sla.md),
        # a tail late enough for the ladder to urge
        late = rng.random() < 0.08
        if r["channel"] == "110":
            t += rng.randint(300, 900) if late else rng.randint(20, 150)
        elif urgent:
            t += rng.randint(720, 1800) if late else rng.randint(30, 480)
        else:
            t += rng.randint(300, 3600)
        t = self.next_open(t, fn, urgent)
        if fate == "illegal_sign":
            t = max(t, dispatched + 180)
        if not self.action(t, "sign", ref, lead):
            return
        signed = t

        if fate == "illegal_verify":
            self.action(t + 120, "verify", ref, DESK)
        if fate == "illegal_cancel":
            self.action(t + 180, "cancel", ref, lead,
                        reason="诉求人已撤回，本单位申请撤销工单")
        if fate == "illegal_callback":
            self.action(t + 150, "callback", ref, DESK, satisfaction="satisfied")
        if fate == "illegal_return_noreason":
            self.action(t + 90, "return", ref, lead)

        # handle
        if (fam == "petition" or fam == "dispute" or r["channel"] == "110"
                or rng.random() < 0.65):
            if r["channel"] == "110":
                t += rng.randint(60, 480)
            else:
                t += rng.randint(120, 900) if urgent else rng.randint(600, 5400)
            t = self.next_open(t, fn, urgent)
            if not self.action(t, "handle", ref, lead,
                               reason=rng.choice(PROGRESS[self.family(r["cat"])])):
                return
        if fate == "extend":
            t += rng.randint(1800, 7200)
            t = self.next_open(t, fn, urgent)
            self.action(t, "extend", ref, lead, duration=rng.choice(["3wd", "5wd"]),
                        reason="涉及多部门协调，需进一步调查核实，申请延期办理")
            return
        if fate == "pause":
            t += rng.randint(900, 3600)
            t = self.next_open(t, fn, urgent)
            if not self.action(t, "pause", ref, lead, reason="等待市民补充材料"):
                return
            t += rng.randint(3600, 10800)
            t = self.next_open(t, fn, urgent)
            if not self.action(t, "resume", ref, lead, reason="市民已补充材料"):
                return
        if fam == "petition":
            return  # 60 days to handle: nothing more today
        if fam == "dispute" and rng.random() < 0.55:
            return  # mediation continues another day

        # resolve: a while after signing, and after any handling step
        if r["channel"] == "110":
            dur = rng.randint(1200, 9000)
        elif quick:
            dur = rng.randint(900, 5400)
        elif urgent:
            dur = rng.randint(2400, 14400)
        else:
            dur = rng.randint(3600, 28800)
        t = max(signed + dur, t + rng.randint(600, 3600))
        t = self.next_open(t, fn, urgent)
        if not self.action(t, "resolve", ref, lead,
                           reason=rng.choice(RESOLVED[self.note_family(r)])):
            return

        rounds = 0
        while True:
            rounds += 1
            # verify (the desk works 07:30 - 22:30)
            t += rng.randint(600, 7200)
            t = self.next_open(t, "desk", False)
            if fate == "reject" and rounds == 1:
                if not self.action(t, "reject_verification", ref, DESK,
                                   reason=rng.choice(REJECT_REASONS)):
                    return
                t += rng.randint(3600, 10800)
                t = self.next_open(t, fn, urgent)
                if not self.action(t, "resolve", ref, lead,
                                   reason="已重新组织处置，问题已解决"):
                    return
                continue
            if not self.action(t, "verify", ref, DESK):
                return
            # callback 08:30 - 21:00
            t = self.next_open(t + rng.randint(600, 5400), "callback", False)
            if rounds > 1:
                sat = rng.choice(["satisfied", "satisfied", "basic"])
            else:
                sat = rng.choices(["satisfied", "basic", "unsatisfied",
                                   "unreachable"], weights=[85, 8, 4, 3])[0]
            if not self.action(t, "callback", ref, DESK, satisfaction=sat):
                return
            if sat != "unsatisfied" or rounds > 2:
                self.notes["closed"] += 1
                return
            # reopened: the department works it again
            t += rng.randint(3600, 14400)
            t = self.next_open(t, fn, urgent)
            if not self.action(t, "resolve", ref, lead,
                               reason="已再次上门处理，并向诉求人说明情况"):
                return

    def note_family(self, r):
        parts = r["cat"].split(".")
        if len(parts) > 1 and ".".join(parts[:2]) in RESOLVED:
            return ".".join(parts[:2])
        return parts[0]

    # -- malformed input
    def malformed(self, good):
        """Lines every rejection class must meet; returns the Nanjing ref."""
        rng = self.rng
        out = []

        def base(t, ch="12345"):
            r = rng.choice([g for g in good if g["channel"] == ch])
            ev = json.loads(dumps(r["ev"]))
            ev["received_at"] = ts(t)
            ev["source_id"] = ev["source_id"][:-6] + "9%05d" % (len(out) + 1) \
                if ch == "12345" else ev["source_id"] + "X%02d" % (len(out) + 1)
            return ev

        def add(cls, t, data):
            out.append((t, cls, data))
            self.counts_bad[cls] = self.counts_bad.get(cls, 0) + 1

        def tt():
            return sample_time(rng, "12345")

        for _ in range(3):          # bad JSON: a truncated line
            t = tt()
            text = dumps(base(t))   # cut on a character, not inside one
            add("bad_json", t, text[: len(text) // 2].encode("utf-8"))
        t = tt()
        add("bad_json", t, b'["12345","HL20261123999999"]')    # not an object
        t = tt()
        add("bad_json", t, b'{"channel":"12345","source_id":"HL20261123999998",'
                           b'"received_at":"' + ts(t).encode() + b'",}')
        for field in ("category", "region", "received_at", "source_id"):
            t = tt()
            ev = base(t)
            del ev[field]
            add("missing_field", t, dumps(ev).encode("utf-8"))
        t = tt()
        ev = base(t)
        ev["region"] = int(ev["region"])
        add("wrong_type", t, dumps(ev).encode("utf-8"))
        t = tt()
        ev = base(t, "grid")
        ev["region"] = int(ev["region"])
        add("wrong_type", t, dumps(ev).encode("utf-8"))
        t = tt()
        ev = base(t)
        ev["location"] = "31.30,120.60"
        add("wrong_type", t, dumps(ev).encode("utf-8"))
        t = tt()
        ev = base(t)
        ev["attributes"] = ["投诉"]
        add("wrong_type", t, dumps(ev).encode("utf-8"))
        for bad in (b"\xff\xfe", b"\xe5\x9e", b"\xc0\xaf", b"\xed\xa0\x80"):
            t = tt()
            ev = base(t)
            ev["content"] = "@@BAD@@" + ev.get("content", "")
            b = dumps(ev).encode("utf-8").replace(b"@@BAD@@", b"\xe5\x9e\x83" + bad)
            add("invalid_utf8", t, b)
        t = tt()
        ev = base(t)
        ev["title"] = "@@BAD@@"
        add("invalid_utf8", t, dumps(ev).encode("utf-8").replace(
            b"@@BAD@@", b"\xe5\x9e\x83\xe5\x9c"))
        for lat, lon in (("NaN", "120.6"), ("31.3", "NaN"), ("95.0", "120.6"),
                         ("31.3", "200.5"), ("Infinity", "120.6")):
            t = tt()
            ev = base(t)
            ev["location"] = {"lat": 1.0, "lon": 2.0}
            b = dumps(ev).encode("utf-8").replace(
                b'"lat":1.0,"lon":2.0',
                ('"lat":%s,"lon":%s' % (lat, lon)).encode())
            add("bad_coordinates", t, b)
        for _ in range(2):
            t = tt()
            ev = base(t)
            ev["channel"] = "wechat"
            ev["source_id"] = "WX%s%06d" % (DAYNUM, rng.randrange(10 ** 6))
            add("unknown_channel", t, dumps(ev).encode("utf-8"))
        for cat in ("city.environment.ufo_sighting", "traffic.jam"):
            t = tt()
            ev = base(t)
            ev["category"] = cat
            add("unknown_category", t, dumps(ev).encode("utf-8"))
        nanjing_ref = None
        for code in ("320102002001", "320506999999"):
            t = tt()
            ev = base(t)
            ev["region"] = code
            ev.pop("grid", None)
            if code.startswith("320102"):
                ev["address"] = "南京市玄武区梅园新村街道长江路292号"
                ev["location"] = {"lat": 32.045, "lon": 118.796}
                nanjing_ref = (t, "12345:" + ev["source_id"])
            add("unknown_region", t, dumps(ev).encode("utf-8"))
        t = tt()
        ev = base(t)
        ev["content"] = "反映情况：" + "小区门口垃圾堆积多日无人清理，气味难闻。" * 900
        add("oversize", t, dumps(ev).encode("utf-8"))
        t = tt()
        ev = base(t)
        ev["title"] = "标题过长" * 60
        add("oversize", t, dumps(ev).encode("utf-8"))
        for bad_ts in ("2026-11-23T%02d:%02d:00", "2026/11/23 %02d:%02d",
                       "2026-11-31T%02d:%02d:00+08:00"):
            t = tt()
            ev = base(t)
            ev["received_at"] = bad_ts % (t // 3600, (t // 60) % 60)
            add("bad_timestamp", t, dumps(ev).encode("utf-8"))
        for key, val in (("region", "3205060010"), ("urgency", "high"),
                         ("grid", "320506001012-ABCDEFGHIJKLMNOPQRS")):
            t = tt()
            ev = base(t)
            ev[key] = val
            add("bad_value", t, dumps(ev).encode("utf-8"))
        for t, cls, data in out:
            self.emit(t, data)
        return nanjing_ref

    def run(self, total):
        rng = self.rng
        recs = self.generate_events(total)
        clusters = self.generate_clusters()
        for g in clusters:
            recs.extend(g)
        self.assign_ids(recs)
        for r in recs:
            self.emit(r["t"], dumps(r["ev"]).encode("utf-8"))
            self.counts_events[r["channel"]] = \
                self.counts_events.get(r["channel"], 0) + 1
        # re-deliveries: the same line again, right behind the original
        k = max(6, int(round(12 * self.scale)))
        originals = [x for x in self.lines]
        for t, seq, data in rng.sample(originals, k):
            self.lines.append((t, seq + 0.5, data))
            self.redeliveries += 1

        # fates
        heads = set(id(r["merge_into"]) for r in recs if "merge_into" in r)
        plain = [r for r in recs
                 if "merge_into" not in r and id(r) not in heads]
        n = len(plain)
        fates = {}
        order = list(range(n))
        rng.shuffle(order)

        def take(count, fate, pred):
            got = 0
            for i in order:
                if got >= count:
                    break
                r = plain[i]
                if r["ref"] not in fates and pred(r):
                    fates[r["ref"]] = fate
                    got += 1

        def office_12345(r):
            h = r["t"] / 3600.0
            return r["channel"] == "12345" and 8.5 <= h < 11.5 \
                and self.family(r["cat"]) in ("city", "service") \
                and r["urgency"] == "normal"

        def daytime(r):
            h = r["t"] / 3600.0
            return 8.5 <= h < 14 and r["channel"] in ("12345", "grid") \
                and r["urgency"] == "normal"

        s = self.scale
        take(int(round(0.03 * n)), "cancel",
             lambda r: r["channel"] in ("12345", "110"))
        take(int(round(0.05 * n)), "return",
             lambda r: r["channel"] not in ("110", "petition"))
        take(int(round(0.03 * n)), "redispatch",
             lambda r: r["channel"] != "110" and r["urgency"] == "normal")
        take(int(round(0.02 * n)), "reject", daytime)
        take(max(2, int(round(3 * s))), "pause", office_12345)
        take(max(3, int(round(5 * s))), "extend", office_12345)
        take(max(2, int(round(3 * s))), "illegal_sign", daytime)
        take(max(2, int(round(2 * s))), "illegal_verify", daytime)
        take(max(2, int(round(2 * s))), "illegal_cancel", daytime)
        take(1, "illegal_callback", daytime)
        take(1, "illegal_return_noreason", daytime)
        for r in recs:
            fate = "merge" if "merge_into" in r else fates.get(r["ref"], "normal")
            r["fate"] = fate
            self.lifecycle(r, fate)

        nanjing = self.malformed(recs)
        # an action on a report that was rejected: no such order
        if nanjing:
            t, ref = nanjing
            self.action(t + 600, "dispatch", ref, DESK,
                        dept=self.d.dept(self.d.villages[0], "town.urban_mgmt"))
        self.fates = {}
        for r in recs:
            self.fates[r["fate"]] = self.fates.get(r["fate"], 0) + 1

    def write(self, path):
        self.lines.sort(key=lambda x: (x[0], x[1]))
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        tmp = path + ".tmp"
        size = 0
        with open(tmp, "wb") as f:
            for _, _, data in self.lines:
                f.write(data)
                f.write(b"\n")
                size += len(data) + 1
        os.replace(tmp, path)
        return size


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True,
                    help="configuration directory holding directory.json")
    ap.add_argument("--out", required=True, help="NDJSON file to write")
    ap.add_argument("--seed", type=int, default=20261123,
                    help="random seed (default 20261123)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply the number of events (default 1)")
    args = ap.parse_args()
    if args.scale <= 0:
        ap.error("--scale must be positive")
    t0 = time.monotonic()
    d = Directory(os.path.join(args.config, "directory.json"))
    router = suzhou_routing.Ruleset.load(
        os.path.join(args.config, "rules.json"),
        suzhou_routing.Directory(d.doc))
    g = Gen(d, router, args.seed, args.scale)
    g.run(int(round(4000 * args.scale)))
    size = g.write(args.out)
    el = time.monotonic() - t0

    def fmt(c):
        return ", ".join("%s %d" % (k, c[k]) for k in sorted(c))

    err = sys.stderr
    print("gendemo: %s: %d lines, %d bytes, %.2f s" % (
        args.out, len(g.lines), size, el), file=err)
    print("  events by channel: %s (total %d)" % (
        fmt(g.counts_events), sum(g.counts_events.values())), file=err)
    print("  re-deliveries: %d" % g.redeliveries, file=err)
    print("  malformed by class: %s (total %d)" % (
        fmt(g.counts_bad), sum(g.counts_bad.values())), file=err)
    print("  actions by op: %s (total %d)" % (
        fmt(g.counts_ops), sum(g.counts_ops.values())), file=err)
    print("  order fates: %s" % fmt(g.fates), file=err)
    levels = ["city", "district", "town", "village", "desk"]
    print("  routing by rules.json (modelled): %s" % ", ".join(
        "%s %d" % (k, g.routed.get(k, 0)) for k in levels), file=err)
    print("  desk dispatches %d (returned to the desk %d), re-dispatches "
          "(改派) %d, re-routed after a return %d" % (
              g.notes["desk_dispatch"], g.notes["returned_to_desk"],
              g.notes["redispatch"], g.notes["rerouted"]), file=err)
    print("  orders closed by the end of the day: %d of %d (%.0f%%)" % (
        g.notes["closed"], g.notes["orders"],
        100.0 * g.notes["closed"] / max(1, g.notes["orders"])), file=err)


if __name__ == "__main__":
    main()
