#!/usr/bin/env python3
"""Generate Suzhou events with labelled cross-channel duplicates.

    python3 tools/gendups.py --config examples/config --out-dir build/eval/gen \\
        [--seed N] [--days D] [--incidents N]

Writes OUT/events.ndjson (events only, in time order, no label fields) and
OUT/labels.json ({"channel:source_id": "incident id"}), plus OUT/roles.json
(per ref: first / dup / repeat / hardneg, the kind and the channel path) for
the evaluation.  Python 3 standard library only; deterministic for a seed.

Building blocks come from tools/gendemo.py (Directory, Gen.context,
Gen.make_event, the scenario tables, the caller pool, the daily curves).
On top of them:

- incidents of about 15 "kinds" that several channels report in their own
  taxonomies (construction noise at night: 12345 city.construction.night_noise,
  110 police.public_order.noise; a wage-arrears crowd: 110 gathering, 12345
  service.labour.s03 工资福利, mediation dispute.07.wage_arrears; ...), with
  text composed from clauses (where / what / details / request) in each
  channel's style, so that every report of one incident is worded anew;
- background incidents from gendemo's scenarios (all channels);
- duplicates for about 30% of incidents: 1-3 more reports from other
  channels or other callers, GPS noise (gaussian, sigma 20-80 m per report,
  sometimes no location), reworded text (synonyms, clause order, details
  dropped or added, punctuation), gaps from minutes to a few hours;
- repeat callers: the same phone calling the same channel again, same
  category family, "再次来电" style text, 20 min to 10 h later;
- hard negatives: a distinct incident of the same category on the same
  street / in the neighbouring building, 40-200 m away, 5-90 min apart,
  with a different facet of the problem and other details;
- grids (网格): a report that names one (every grid worker's, some
  12345 and mediation reports) names its incident's, and a hard
  negative's spot is in the same grid half the time.
"""

import argparse
import datetime
import json
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gendemo  # noqa: E402  (tools/gendemo.py)

START = datetime.date(2026, 11, 23)
TZ = "+08:00"
M_PER_DEG = 111000.0

# ------------------------------------------------------------ channel style

PREFIX = {
    "12345": ["", "", "市民来电反映，", "来电人反映：", "市民反映", "来电称，",
              "诉求人反映，"],
    "110": ["报警人称", "报警人称", "报警人报称", "群众报警称，", "报警人反映"],
    "grid": ["巡查发现", "网格员巡查时发现", "日常巡查发现", "走访中发现"],
    "mediation": ["申请人反映，", "当事人称，"],
}
ASK = {
    "12345": ["请相关部门尽快处理。", "希望尽快解决。", "请尽快派人处理。",
              "请有关部门管一管。", "麻烦尽快安排人来看一下。", ""],
    "110": ["请民警到场处理。", "要求出警。", "请求民警处置。", ""],
    "grid": ["已拍照上报，需职能部门处置。", "已现场劝导，需相关部门跟进。",
             "已设置临时警示，需尽快处置。", "已上报。"],
    "mediation": ["申请调解。", "请求组织调解。"],
}
REPEAT_PREFIX = {
    "12345": ["再次来电反映，", "之前已经反映过，", "第二次来电：", "前面打过电话了，",
              "市民再次反映，"],
    "110": ["报警人再次报警称", "报警人第二次来电称", "报警人称刚才已报过警，"],
}
REPEAT_SUFFIX = {
    "12345": ["到现在还没有人来处理。", "一直没人管，请抓紧。", "问题仍然存在，请尽快解决。",
              "希望这次能有人来。"],
    "110": ["民警还没到。", "现场情况仍在持续。", "请尽快出警。"],
}

# Synonym groups applied to any reworded report (each occurrence is
# replaced by another member with some probability).
SYNONYMS = [
    ["附近", "旁边", "边上", "周边"],
    ["严重影响", "非常影响", "很影响"],
    ["居民", "住户", "老百姓", "周边群众"],
    ["噪音", "噪声", "声音"],
    ["很大", "特别大", "非常大"],
    ["尽快", "赶紧", "抓紧", "及时"],
    ["处理", "解决", "处置"],
    ["晚上", "夜里", "夜间"],
    ["垃圾", "垃圾"],
    ["没人管", "没有人管", "无人处理"],
    ["已经", "都已经"],
    ["存在安全隐患", "有安全隐患", "很危险"],
    ["路面", "路上", "地面"],
    ["门口", "门前"],
    ["不亮", "坏了", "不亮了"],
    ["很多", "不少", "好多"],
    ["发现", "看到"],
    ["堵塞", "堵住", "堵死"],
    ["行人", "路人", "过路的人"],
    ["电动车", "电瓶车"],
]

# ------------------------------------------------------------ incident kinds
#
# channels: channel -> (category, weight as first reporter, weight as duplicate)
# where:    ways to say where it is (all from the same ctx: same spot)
# facets:   distinct sub-problems; an incident keeps its facet, a hard
#           negative takes another one; each facet has several phrasings
# details:  optional clauses a report may include
# hours:    gendemo daily curve
KINDS = [
    {"name": "night_construction_noise", "hours": "night", "w": 12,
     "channels": {"12345": ("city.construction.night_noise", 5, 3),
                  "110": ("police.public_order.noise", 3, 4)},
     "titles": {"12345": ["夜间施工噪音扰民", "{road}夜间施工扰民", "{place}附近工地夜间施工"],
                "110": ["{road}工地噪音扰民", "夜间施工噪音", "{place}旁工地深夜施工"]},
     "where": ["{road}与{road2}交叉口的工地", "{place}旁边的工地", "{road}{n}号附近的在建工地",
               "{road}靠近{place}的施工工地"],
     "facets": [["深夜还在打桩", "半夜在打桩", "夜里打桩机一直在响"],
                ["晚上十一点以后还在切割路面", "深夜用切割机切路面", "半夜切割路面"],
                ["凌晨还有混凝土泵车在浇筑", "夜里泵车浇混凝土", "深更半夜还在浇筑混凝土"],
                ["半夜渣土车进进出出装卸", "夜里挖掘机和渣土车作业", "深夜挖土装车"]],
     "details": ["噪音很大", "严重影响周边居民休息", "家里老人孩子都睡不着", "已经连续好几天了",
                 "机器轰鸣", "窗户关上也能听到", "不知道有没有夜间施工许可"]},
    {"name": "bbq_noise", "hours": "evening", "w": 6,
     "channels": {"12345": ("city.street_order.outdoor_bbq", 5, 3),
                  "110": ("police.public_order.noise", 3, 3)},
     "titles": {"12345": ["{road}露天烧烤油烟扰民", "{shop}夜间露天烧烤"],
                "110": ["{road}烧烤店噪音扰民", "烧烤摊深夜喧哗"]},
     "where": ["{road}{n}号的烧烤店", "{road}{n}号门口", "{place}楼下的烧烤摊"],
     "facets": [["在门口露天烧烤，油烟很大", "把烤炉摆到人行道上烤，烟很大", "露天烧烤油烟直冲楼上"],
                ["食客深夜喝酒划拳大声喧哗", "半夜还有人喝酒吵闹", "客人喝酒吵到凌晨"]],
     "details": ["楼上居民深受其害", "已经凌晨了还没收摊", "窗户都不敢开", "劝过几次没用",
                 "桌椅占了半条人行道"]},
    {"name": "garbage_pile", "hours": "12345", "w": 12,
     "channels": {"12345": ("city.environment.garbage", 5, 3),
                  "grid": ("city.environment.exposed_garbage", 4, 4)},
     "titles": {"12345": ["{place}门口垃圾堆积", "{road}路边垃圾成堆", "{place}垃圾无人清理"],
                "grid": ["{place}暴露垃圾", "{road}路边暴露垃圾"]},
     "where": ["{place}门口", "{road}{n}号旁边的空地上", "{place}东侧空地", "{road}路边靠近{place}的地方"],
     "facets": [["堆满了生活垃圾", "生活垃圾堆积成堆", "生活垃圾乱堆"],
                ["堆了很多装修垃圾", "装修垃圾堆成小山", "有人倒了一堆装修建渣"],
                ["扔了好几件旧沙发旧床垫", "堆放大件废旧家具", "旧家具床垫乱扔"]],
     "details": ["气味难闻", "苍蝇很多", "已经好几天没人清运", "影响市容", "约{k}立方米",
                 "下雨后污水横流"]},
    {"name": "manhole", "hours": "12345", "w": 7,
     "channels": {"12345": ("city.emergency.manhole", 5, 3),
                  "grid": ("city.emergency.manhole", 3, 4),
                  "110": ("police.traffic.accident", 1, 1)},
     "titles": {"12345": ["{road}井盖缺失", "{place}门口井盖破损"],
                "grid": ["{road}井盖破损"], "110": ["{road}井盖缺失致电动车摔倒"]},
     "where": ["{road}{n}号附近人行道上", "{place}门口", "{road}{n}号前"],
     "facets": [["井盖不见了", "窨井盖丢失了", "井盖被偷了，只剩一个洞"],
                ["井盖破了一个大洞", "窨井盖碎裂下陷", "井盖破损塌下去了"],
                ["井盖松动翘起来", "井盖晃动不平", "井盖一踩就翘"]],
     "details": ["晚上看不清容易掉下去", "已经有电动车在这里摔倒", "小孩子上学要经过",
                 "旁边放了个锥桶但被人挪走了", "非常危险"]},
    {"name": "road_collapse", "hours": "12345", "w": 3,
     "channels": {"12345": ("city.emergency.road_collapse", 5, 3),
                  "grid": ("city.emergency.road_collapse", 2, 3),
                  "110": ("police.traffic.congestion", 2, 3)},
     "titles": {"12345": ["{road}路面塌陷", "{road}出现塌陷坑"], "grid": ["{road}路面塌陷"],
                "110": ["{road}路面塌陷造成拥堵"]},
     "where": ["{road}{n}号门口", "{road}与{road2}交叉口", "{road}靠近{place}一段"],
     "facets": [["路面突然塌陷了一个坑", "路面塌了一个大坑", "马路中间塌陷"],
                ["路面下沉开裂", "路面出现大面积沉降裂缝", "路面往下陷"]],
     "details": ["坑有一米多深", "车辆经过非常危险", "车都绕着走，堵得厉害", "下面好像在漏水",
                 "请立即处理"]},
    {"name": "pipe_burst", "hours": "12345", "w": 5,
     "channels": {"12345": ("city.emergency.water_pipe_burst", 6, 5),
                  "grid": ("city.emergency.water_pipe_burst", 2, 2)},
     "titles": {"12345": ["{road}自来水管爆裂", "{place}水管爆裂", "{place}停水"],
                "grid": ["{road}供水管破裂"]},
     "where": ["{road}{n}号附近", "{place}{bld}幢门口", "{road}靠近{place}的路边"],
     "facets": [["地下自来水管爆裂，水往外冒", "自来水管爆了，水冲出地面", "供水管破裂大量跑水"],
                ["消防栓被撞坏一直喷水", "消火栓漏水喷得很高", "路边消防栓断了在喷水"]],
     "details": ["路面已经积水", "周边居民家里没有水压了", "水流到马路上", "已经冒了半个多小时",
                 "请自来水公司尽快抢修"]},
    {"name": "tree_fall", "hours": "12345", "w": 3,
     "channels": {"12345": ("city.emergency.tree_fall", 4, 3),
                  "grid": ("city.emergency.tree_fall", 2, 2),
                  "110": ("police.traffic.congestion", 2, 3)},
     "titles": {"12345": ["{road}树木倒伏", "{road}大树倾斜"], "grid": ["{road}行道树倒伏"],
                "110": ["{road}大树倒地阻断交通"]},
     "where": ["{road}{n}号附近", "{road}与{road2}路口", "{place}门口的马路上"],
     "facets": [["一棵行道树倒了，压住半幅车道", "大树倒在马路上", "行道树倒伏横在路上"],
                ["一棵大树严重倾斜，随时要倒", "树歪得厉害快倒了", "大树根部松动倾斜"]],
     "details": ["车辆无法通行", "砸到了路边一辆车", "行人只能绕行", "请园林部门尽快处理"]},
    {"name": "traffic_light", "hours": "commute", "w": 4,
     "channels": {"12345": ("city.facility.traffic_light", 4, 3),
                  "110": ("police.traffic.congestion", 3, 4)},
     "titles": {"12345": ["{road}与{road2}路口信号灯故障"], "110": ["{road}与{road2}路口红绿灯坏了造成拥堵"]},
     "where": ["{road}与{road2}交叉口", "{road}和{road2}路口", "{road2}与{road}十字路口"],
     "facets": [["红绿灯全部不亮", "信号灯全灭了", "红绿灯坏了不亮"],
                ["红绿灯一直黄闪", "信号灯一直闪黄灯", "红绿灯乱跳"]],
     "details": ["车辆通行混乱", "很容易出事故", "堵了好长一串", "没有交警指挥", "早高峰特别堵"]},
    {"name": "parking_fire_exit", "hours": "12345", "w": 7,
     "channels": {"12345": ("city.street_order.parking", 5, 3),
                  "grid": ("grid.safety.fire_exit", 3, 3),
                  "110": ("police.traffic.blocking", 2, 3)},
     "titles": {"12345": ["{place}门口违章停车", "{place}消防通道被占"],
                "grid": ["{place}消防通道堵塞"], "110": ["{place}车辆堵路"]},
     "where": ["{place}门口", "{place}{bld}幢旁边", "{place}北门"],
     "facets": [["消防通道上停满了私家车", "私家车长期占用消防通道", "消防通道被车堵死"],
                ["一辆货车横在出入口", "一辆面包车堵住了小区出入口", "有辆车把路口堵了"]],
     "details": ["多次劝说无效", "一旦发生火灾后果严重", "车上没有留电话", "其他车辆进出不了",
                 "已经停了好几天"]},
    {"name": "wage_crowd", "hours": "12345", "w": 4,
     "channels": {"110": ("police.public_order.gathering", 4, 3),
                  "12345": ("service.labour.s03", 4, 4),
                  "mediation": ("dispute.07.wage_arrears", 1, 2)},
     "titles": {"110": ["{company}门口人员聚集"], "12345": ["{company}拖欠工资", "讨要被拖欠的工资"],
                "mediation": ["{company}欠薪纠纷"]},
     "where": ["{company}", "{company}门口", "位于{road}的{company}"],
     "facets": [["拖欠{people}名左右工人工资，工人聚集讨薪", "欠了{people}个工人的工资，大家在门口讨薪",
                 "{people}名工人因为欠薪聚在门口"],
                ["老板跑路了，工人工资和押金都没有结", "负责人失联，欠薪没人管", "老板联系不上，工资押金没着落"]],
     "details": ["已经拖欠{months}个月", "情绪比较激动", "涉及金额{wage}元", "多次讨要无果",
                 "请劳动监察部门介入"]},
    {"name": "streetlight", "hours": "dark", "w": 6,
     "channels": {"12345": ("city.facility.streetlight", 5, 4),
                  "grid": ("grid.facility.damaged", 2, 3)},
     "titles": {"12345": ["{road}路灯不亮", "{place}周边路灯损坏"], "grid": ["{road}路灯损坏"]},
     "where": ["{road}从{n}号到{road2}路口一段", "{place}门口", "{road}靠近{place}的一段"],
     "facets": [["路灯全部不亮", "一排路灯都不亮", "路灯整段都黑了"],
                ["路灯杆被撞歪了，灯罩掉在地上", "路灯杆倾斜，灯头掉落", "一根路灯杆被车撞弯"]],
     "details": ["晚上漆黑一片", "行人不安全", "坏了一个多星期了", "晚上回家很不方便", "老人晚上不敢出门"]},
    {"name": "sewage", "hours": "12345", "w": 5,
     "channels": {"12345": ("city.environment.sewage", 5, 3),
                  "grid": ("city.environment.sewage", 3, 3)},
     "titles": {"12345": ["{road}污水外溢", "{place}窨井冒污水"], "grid": ["{place}污水外溢"]},
     "where": ["{road}{n}号附近", "{place}{bld}幢门口", "{place}南门"],
     "facets": [["窨井冒出污水", "污水井堵塞，污水漫到路上", "下水道返水冒出来"],
                ["化粪池满溢", "化粪池堵了往外溢", "化粪池漫出来了"]],
     "details": ["臭味很大", "行人无法通行", "已经两天了", "污水横流", "请相关部门疏通"]},
    {"name": "shop_overflow", "hours": "12345", "w": 5,
     "channels": {"12345": ("city.street_order.shop_overflow", 4, 3),
                  "grid": ("city.street_order.shop_overflow", 4, 3)},
     "titles": {"12345": ["{road}店铺跨门经营", "{shop}占道经营"], "grid": ["{road}店外经营"]},
     "where": ["{road}{n}号的{shop}", "{road}{n}号{shop}门口", "{place}旁边的{shop}"],
     "facets": [["把桌椅摆到人行道上经营", "长期在人行道上摆桌子", "占用人行道摆桌椅"],
                ["在门口堆放货物和纸箱", "货物堆满了人行道", "门前乱堆纸箱货物"]],
     "details": ["行人只能走机动车道", "已劝导，店主拒不整改", "占用盲道", "影响通行"]},
    {"name": "corridor_clutter", "hours": "12345", "w": 5,
     "channels": {"grid": ("grid.sanitation.corridor_clutter", 4, 3),
                  "12345": ("city.street_order.occupation", 4, 3)},
     "titles": {"grid": ["{place}{bld}幢楼道堆物"], "12345": ["{place}公共区域堆物", "{place}楼道堆满杂物"]},
     "where": ["{place}{bld}幢楼道内", "{place}{bld}幢楼下公共区域", "{place}{bld}幢{floor}楼楼道"],
     "facets": [["堆放大量纸箱、旧家具", "堆满了纸箱和旧家具", "杂物纸箱堆了一楼道"],
                ["有人堆放了很多废品和塑料瓶", "收废品的把东西堆在这里", "堆满捡来的废品"]],
     "details": ["影响通行", "有火灾隐患", "已通知住户清理", "物业不管", "老人上下楼不方便"]},
    {"name": "flying_wire", "hours": "12345", "w": 5,
     "channels": {"grid": ("grid.safety.flying_wire", 4, 3),
                  "12345": ("service.urban_rural.s01", 3, 3)},
     "titles": {"grid": ["{place}飞线充电"], "12345": ["{place}电动车飞线充电安全隐患"]},
     "where": ["{place}{bld}幢", "{place}{bld}幢楼下", "{place}{bld}幢{floor}楼"],
     "facets": [["有住户从窗口拉电线给楼下电动车充电", "有人从楼上拉线下来给电动车充电", "飞线充电，电线从窗户垂下来"],
                ["楼道里有人私拉插座给电动车充电", "楼道内私接插座充电", "电动车推进楼道接线充电"]],
     "details": ["存在火灾隐患", "已拍照留存", "晚上一直在充", "下雨天电线泡在水里", "劝过没用"]},
    {"name": "fight", "hours": "evening", "w": 5,
     "channels": {"110": ("police.public_order.fight", 6, 6)},
     "titles": {"110": ["{road}有人打架", "{shop}门口打架斗殴"]},
     "where": ["{road}{n}号{shop}门口", "{road}{n}号附近", "{place}门口"],
     "facets": [["有几个人在打架", "一群人打起来了", "有人打架斗殴"],
                ["两个人因为停车吵架动手了", "两名男子争执后互殴", "有人吵着吵着动手"]],
     "details": ["其中一人头部流血", "有人拿着酒瓶", "围了很多人", "打人的往{road2}方向跑了"]},
    {"name": "accident", "hours": "commute", "w": 5,
     "channels": {"110": ("police.traffic.accident", 6, 6)},
     "titles": {"110": ["{road}发生交通事故", "{road}与{road2}路口两车相撞"]},
     "where": ["{road}与{road2}交叉口", "{road}{n}号门口", "{road}靠近{place}"],
     "facets": [["两车发生碰撞", "两辆轿车撞在一起", "两车追尾"],
                ["电动车与轿车相撞", "电瓶车被轿车撞倒", "电动车和汽车撞了"]],
     "details": ["暂无人员受伤", "有人受伤倒地", "车辆堵在路中间", "需交警处理"]},
]

FAMILY_SIBLINGS = {}  # filled in main: family -> leaf categories (repeat calls)


def day_ts(sec):
    """Seconds from START 00:00 local -> ISO time with offset."""
    sec = int(sec)
    d, rem = divmod(sec, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return "%sT%02d:%02d:%02d%s" % ((START + datetime.timedelta(days=d)).isoformat(),
                                     h, m, s, TZ)


class DupGen:
    def __init__(self, d, seed, days):
        self.d = d
        self.rng = random.Random(seed)
        # gendemo's generator supplies villages, context, events and phones
        # (routing is not needed here)
        self.g = gendemo.Gen(d, None, seed, 1.0)
        self.g.rng = self.rng
        self.days = days
        self.seed = seed
        self.recs = []          # event records
        self.nincident = 0
        self.stats = {}

    def bump(self, k, n=1):
        self.stats[k] = self.stats.get(k, 0) + n

    def new_incident(self):
        self.nincident += 1
        return "I%05d" % self.nincident

    # -- text
    def reword(self, text, strength=0.5):
        rng = self.rng
        for grp in SYNONYMS:
            for w in grp:
                if w in text and rng.random() < strength:
                    text = text.replace(w, rng.choice(grp), 1)
                    break
        # punctuation of phone-transcribed text
        r = rng.random()
        if r < 0.15:
            text = text.replace("，", ",")
        elif r < 0.25:
            text = text.replace("，", " ")
        if rng.random() < 0.2:
            text = text.rstrip("。") + "！"
        return text

    def compose(self, kind, ctx, channel, facet, repeat=False):
        rng = self.rng
        where = rng.choice(kind["where"])
        what = rng.choice(kind["facets"][facet])
        nd = rng.choice([0, 1, 1, 2, 2, 3])
        dets = rng.sample(kind["details"], min(nd, len(kind["details"])))
        r = rng.random()
        if r < 0.55:
            core = where + what
        elif r < 0.8:
            core = what + "，地点在" + where
        else:
            core = "在" + where + "，" + what
        clauses = [core] + dets
        if len(clauses) > 2 and rng.random() < 0.4:
            rest = clauses[1:]
            rng.shuffle(rest)
            clauses = [clauses[0]] + rest
        if repeat:
            pre = rng.choice(REPEAT_PREFIX.get(channel, REPEAT_PREFIX["12345"]))
            suf = rng.choice(REPEAT_SUFFIX.get(channel, REPEAT_SUFFIX["12345"]))
        else:
            pre = rng.choice(PREFIX[channel])
            suf = rng.choice(ASK[channel])
        text = pre + "，".join(clauses) + "。" + suf
        text = text.replace("，，", "，").replace("：，", "：")
        text = text.format(**ctx)
        title = rng.choice(kind["titles"][channel]).format(**ctx)
        return title, self.reword(text, 0.4)

    # -- points
    def jitter(self, lat, lon, sigma_m):
        rng = self.rng
        dlat = rng.gauss(0, sigma_m) / M_PER_DEG
        dlon = rng.gauss(0, sigma_m) / (M_PER_DEG * math.cos(math.radians(lat)))
        return {"lat": round(lat + dlat, 6), "lon": round(lon + dlon, 6)}

    def place_report(self, rec, true_pt, p_noloc):
        ev = rec["ev"]
        if true_pt is None or self.rng.random() < p_noloc:
            ev.pop("location", None)
            rec["noloc"] = True
        else:
            ev["location"] = self.jitter(true_pt[0], true_pt[1],
                                         self.rng.uniform(20, 80))

    # -- events
    def base_event(self, channel, sc, t, v, ctx):
        """gendemo's event for a scenario, at absolute second t."""
        rec = self.g.make_event(channel, sc, t % 86400, v, ctx)
        rec["t"] = t
        rec["ev"]["received_at"] = day_ts(t)
        return rec

    def kind_event(self, kind, channel, t, v, ctx, facet, phone=None,
                   repeat=False):
        cat = kind["channels"][channel][0]
        sc = (1, cat, "town.urban_mgmt", ["x"], ["x"], {})
        rec = self.base_event(channel, sc, t, v, ctx)
        ev = rec["ev"]
        if "grid" in ev and ctx.get("grid"):
            ev["grid"] = ctx["grid"]    # the grid of the spot
        ev["title"], ev["content"] = self.compose(kind, ctx, channel, facet,
                                                  repeat)
        ev.pop("attributes", None)
        if channel == "12345":
            ev["attributes"] = {"request_type": "投诉"}
        if channel in ("12345", "110"):
            ev["reporter"] = {"phone": phone or self.phone()}
        else:
            ev.pop("reporter", None)
        ev["address"] = ctx["addr_road"] if self.rng.random() < 0.5 \
            else ctx["addr_place"]
        return rec

    def spot_grid(self, v, inc, like=None):
        """The grid (网格) an incident's spot lies in: the one every
        report naming a grid gives. Drawn from a generator of its own, so
        that the events are otherwise those of the same seed without it.
        A spot next to another (like) is in the same grid half the time."""
        if not v.grids:
            return None
        r = random.Random("%d/%s" % (self.seed, inc))
        if like and (len(v.grids) == 1 or r.random() < 0.5):
            return like
        return r.choice([g for g in v.grids if g != like])

    def phone(self):
        g = self.g
        if self.rng.random() < 0.06:
            return self.rng.choice(g.frequent)
        return self.rng.choice(g.phones)

    def gap(self, kind_of_dup):
        rng = self.rng
        r = rng.random()
        if kind_of_dup == "repeat110":
            return int(rng.uniform(8, 90) * 60)
        if kind_of_dup == "repeat":
            return int(rng.uniform(20, 600) * 60) if r < 0.9 else \
                int(rng.uniform(600, 1440) * 60)
        if r < 0.6:
            return int(rng.uniform(2, 45) * 60)
        if r < 0.9:
            return int(rng.uniform(45, 120) * 60)
        return int(rng.uniform(120, 300) * 60)

    def start_time(self, hours):
        day = self.rng.randrange(self.days)
        return day * 86400 + gendemo.sample_time(self.rng, hours)

    # -- incidents
    def label(self, rec, inc, role, kind, path):
        rec["incident"], rec["role"], rec["kind"] = inc, role, kind
        rec["path"] = path
        self.recs.append(rec)
        self.bump("role." + role)

    def kind_incident(self, kind, p_dup, t=None, v=None, ctx=None,
                      facet=None, first_channel=None, role="first"):
        rng = self.rng
        inc = self.new_incident()
        chans = kind["channels"]
        if first_channel is None:
            names = [c for c in chans if chans[c][1] > 0]
            first_channel = rng.choices(names, [chans[c][1] for c in names])[0]
        if v is None:
            v = self.g.village()
            while v.kind == "virtual":
                v = self.g.village()
        if ctx is None:
            ctx = self.g.context(v)
        ctx["grid"] = self.spot_grid(v, inc)
        if t is None:
            hours = kind["hours"] if first_channel != "grid" else "grid"
            t = self.start_time(hours)
        if facet is None:
            facet = rng.randrange(len(kind["facets"]))
        true_pt = (v.lat + rng.gauss(0, 0.0025), v.lon + rng.gauss(0, 0.0025))
        first = self.kind_event(kind, first_channel, t, v, ctx, facet)
        self.place_report(first, true_pt, 0.05)
        self.label(first, inc, role, kind["name"], first_channel)
        info = {"inc": inc, "kind": kind, "v": v, "ctx": ctx, "t": t,
                "facet": facet, "pt": true_pt, "cat": first["ev"]["category"]}
        if rng.random() < p_dup:
            ndup = rng.choices([1, 2, 3], [0.55, 0.3, 0.15])[0]
            tlast = t
            for _ in range(ndup):
                if first_channel in ("12345", "110") and rng.random() < 0.25:
                    # repeat caller: same phone, same channel
                    tt = tlast + self.gap("repeat110" if first_channel == "110"
                                          else "repeat")
                    r = self.kind_event(kind, first_channel, tt, v, ctx, facet,
                                        phone=first["ev"]["reporter"]["phone"],
                                        repeat=True)
                    self.place_report(r, true_pt, 0.15)
                    self.label(r, inc, "repeat", kind["name"],
                               first_channel + ">" + first_channel)
                else:
                    names = [c for c in chans if chans[c][2] > 0]
                    ch = rng.choices(names, [chans[c][2] for c in names])[0]
                    tt = tlast + self.gap("dup")
                    if ch == "grid" or ch == "mediation":
                        # patrols and offices work 08:30-17:30
                        h = (tt % 86400) / 3600.0
                        if h < 8.5 or h > 17.5:
                            continue
                    ctx2 = dict(ctx)
                    if rng.random() < 0.3:
                        ctx2["n"] = ctx["n"] + rng.choice([-2, 2, 4])
                    r = self.kind_event(kind, ch, tt, v, ctx2, facet)
                    self.place_report(r, true_pt,
                                      {"110": 0.15, "12345": 0.15}.get(ch, 0.05))
                    self.label(r, inc, "dup", kind["name"],
                               first_channel + ">" + ch)
                tlast = max(tlast, tt) if rng.random() < 0.5 else tlast
        return info

    def hard_negative(self, info):
        """Another incident of the same kind next door, soon after."""
        rng = self.rng
        kind = info["kind"]
        v = info["v"]
        ctx = self.g.context(v)
        # same street, same estate; another number / building / shop
        for k in ("road", "road2", "place"):
            ctx[k] = info["ctx"][k]
        ctx["n"] = info["ctx"]["n"] + rng.choice([-12, -8, -6, 6, 8, 14, 20])
        ctx["n"] = max(1, ctx["n"])
        ctx["bld"] = info["ctx"]["bld"] + rng.choice([-2, -1, 1, 2, 3])
        ctx["bld"] = max(1, ctx["bld"])
        ctx["addr_road"] = "%s%s%s%d号" % (ctx["district"], ctx["town"],
                                          ctx["road"], ctx["n"])
        if v.kind == "community":
            ctx["addr_place"] = "%s%s%s%d幢%d单元" % (
                ctx["district"], ctx["town"], ctx["place"], ctx["bld"],
                rng.randint(1, 4))
        nf = len(kind["facets"])
        facet = (info["facet"] + rng.randrange(1, nf)) % nf if nf > 1 else 0
        t = info["t"] + rng.choice([-1, 1]) * int(rng.uniform(5, 90) * 60)
        t = max(0, t)
        # 40-200 m from the first incident's point
        ang = rng.uniform(0, 2 * math.pi)
        dist = rng.uniform(40, 200)
        lat = info["pt"][0] + dist * math.sin(ang) / M_PER_DEG
        lon = info["pt"][1] + dist * math.cos(ang) / (
            M_PER_DEG * math.cos(math.radians(lat)))
        chans = [c for c in kind["channels"] if kind["channels"][c][1] > 0]
        ch = rng.choice(chans)
        if ch in ("grid", "mediation"):
            h = (t % 86400) / 3600.0
            if h < 8.5 or h > 17.5:
                ch = "12345" if "12345" in kind["channels"] else chans[0]
        inc = self.new_incident()
        ctx["grid"] = self.spot_grid(v, inc, info["ctx"].get("grid"))
        r = self.kind_event(kind, ch, t, v, ctx, facet)
        r["ev"]["location"] = self.jitter(lat, lon, rng.uniform(20, 60))
        self.label(r, inc, "hardneg", kind["name"], ch)

    def background_incident(self, p_repeat):
        """A gendemo scenario, reported once (or called in again)."""
        rng = self.rng
        ch = rng.choices([c for c, _ in gendemo.CHANNEL_SHARE],
                         [w for _, w in gendemo.CHANNEL_SHARE])[0]
        sc = self.g.pick_scenario(ch)
        t = self.start_time(sc[5].get("hours", ch))
        v = self.g.village()
        ctx = self.g.context(v)
        inc = self.new_incident()
        rec = self.base_event(ch, sc, t, v, ctx)
        self.label(rec, inc, "first", "bg:" + ch, ch)
        phone = rec["ev"].get("reporter", {}).get("phone")
        if phone and ch in ("12345", "110") and rng.random() < p_repeat:
            # the caller calls again: same family, maybe another leaf
            tt = t + self.gap("repeat110" if ch == "110" else "repeat")
            fam = ".".join(rec["ev"]["category"].split(".")[:2])
            sibs = [s for s in SCENARIOS_BY_FAMILY.get((ch, fam), [])]
            sc2 = sc if rng.random() < 0.7 or not sibs else rng.choice(sibs)
            ctx2 = dict(ctx)
            r = self.base_event(ch, sc2, tt, v, ctx2)
            pre = rng.choice(REPEAT_PREFIX[ch])
            suf = rng.choice(REPEAT_SUFFIX[ch])
            body = r["ev"].get("content", "")
            if ch == "110" and body.startswith("报警人称"):
                body = body[len("报警人称"):]
            r["ev"]["content"] = self.reword(pre + body + suf, 0.6)
            r["ev"]["reporter"] = {"phone": phone}
            loc = rec["ev"].get("location")
            if loc and rng.random() < 0.85:
                r["ev"]["location"] = self.jitter(loc["lat"], loc["lon"],
                                                  rng.uniform(20, 80))
            else:
                r["ev"].pop("location", None)
            self.label(r, inc, "repeat", "bg:" + ch, ch + ">" + ch)

    def run(self, n_incidents, dup_share):
        rng = self.rng
        kinds_w = [k["w"] for k in KINDS]
        n_kind = int(n_incidents * 0.55)
        n_bg = n_incidents - n_kind
        # kind incidents get duplicates at a rate that makes the overall
        # share about dup_share (background ones: repeat calls only)
        p_bg = 0.08
        p_kind = min(0.95, 1.1 * (dup_share * n_incidents - p_bg * n_bg * 0.55) / n_kind)
        for _ in range(n_kind):
            kind = rng.choices(KINDS, kinds_w)[0]
            info = self.kind_incident(kind, p_kind)
            if rng.random() < 0.12:
                self.hard_negative(info)
        for _ in range(n_bg):
            self.background_incident(p_bg)

    def assign_ids(self):
        recs = self.recs
        recs.sort(key=lambda r: (r["t"], r["channel"], r["ev"]["category"],
                                 r["ev"]["region"], r["incident"]))
        seqs = {}
        for r in recs:
            ch = r["channel"]
            day = (START + datetime.timedelta(days=r["t"] // 86400)).strftime("%Y%m%d")
            seqs[(ch, day)] = seqs.get((ch, day), 0) + 1
            k = seqs[(ch, day)]
            v = r["village"]
            sid = {"12345": "HL%s%06d" % (day, k),
                   "110": "JJ%s%s%05d" % (v.code[:6], day, k),
                   "petition": "XF%s%s%04d" % (v.code[:6], day, k),
                   "grid": "WG%s%s%05d" % (v.code[:9], day, k),
                   "mediation": "TJ%s%s%04d" % (v.code[:9], day, k)}[ch]
            r["ev"]["source_id"] = sid
            r["ref"] = "%s:%s" % (ch, sid)


SCENARIOS_BY_FAMILY = {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--incidents", type=int, default=3000)
    ap.add_argument("--dup-share", type=float, default=0.30)
    args = ap.parse_args()
    d = gendemo.Directory(os.path.join(args.config, "directory.json"))
    for k in KINDS:
        for ch, (cat, _, _) in k["channels"].items():
            if cat not in d.cats:
                sys.exit("gendups: %s: category %s not in directory.json"
                         % (k["name"], cat))
    for ch, scs in gendemo.SCENARIOS.items():
        for sc in scs:
            cat = d.cat(sc[1])
            fam = ".".join(cat.split(".")[:2])
            SCENARIOS_BY_FAMILY.setdefault((ch, fam), []).append(sc)
    g = DupGen(d, args.seed, args.days)
    g.run(args.incidents, args.dup_share)
    g.assign_ids()
    os.makedirs(args.out_dir, exist_ok=True)
    labels, roles = {}, {}
    firsts = {}
    for r in g.recs:
        labels[r["ref"]] = r["incident"]
        firsts.setdefault(r["incident"], r["ref"])
    for r in g.recs:
        role = r["role"]
        if role in ("dup", "repeat") and firsts[r["incident"]] == r["ref"]:
            role = "first"      # a duplicate that came in before the first
        roles[r["ref"]] = {"incident": r["incident"], "role": role,
                           "gen_role": r["role"], "kind": r["kind"],
                           "path": r["path"], "noloc": bool(r.get("noloc"))}
    tmp = os.path.join(args.out_dir, "events.ndjson.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in g.recs:
            f.write(gendemo.dumps(r["ev"]) + "\n")
    os.replace(tmp, os.path.join(args.out_dir, "events.ndjson"))
    with open(os.path.join(args.out_dir, "labels.json"), "w",
              encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=0, sort_keys=True)
    with open(os.path.join(args.out_dir, "roles.json"), "w",
              encoding="utf-8") as f:
        json.dump(roles, f, ensure_ascii=False, indent=0, sort_keys=True)
    ninc = len(firsts)
    cnt = {}
    for r in g.recs:
        cnt[r["incident"]] = cnt.get(r["incident"], 0) + 1
    with_dup = sum(1 for c in cnt.values() if c > 1)
    print("gendups: %d events, %d incidents (%d with duplicates, %.0f%%), "
          "roles %s, seed %d, %d days" % (
              len(g.recs), ninc, with_dup, 100.0 * with_dup / ninc,
              json.dumps(g.stats, sort_keys=True), args.seed, args.days),
          file=sys.stderr)


if __name__ == "__main__":
    main()
