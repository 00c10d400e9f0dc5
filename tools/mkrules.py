#!/usr/bin/env python3
"""Write the Suzhou routing rules (rules.json), checked against sla.json.

    python3 tools/mkrules.py --config examples/config \\
        --out-rules examples/config/rules.json

sla.json (the policies and their clocks) is written by hand, see
docs/sla.md; this script reads it from --config to check that every policy
a rule names exists, and that its policies are the ones listed in SLA below.

The rule set is written down below, in this file; the script renders it
(one rule per line, UTF-8) and validates it against docs/formats.md and the
directory.json of --config (every dept: target exists, every role's function
exists at its level, every category and region prefix exists, every SLA
policy exists, ids are unique, no rule is unreachable behind another, every
leaf category is routed by the "main" table). Both outputs are committed,
so they must not depend on anything but this file: the directory is only
read to check them. Deterministic; Python 3 standard library only.

Tables, in evaluation order (docs/formats.md, "rules.json"):
- "emergency" (first): critical and urgent safety events, matched by
  category, keywords, urgency, attributes and time of day, with the
  services that turn out first (fire brigade, police, emergency office);
- "main" (priority): every category of the taxonomy, family by family, to
  the function that owns it at the right level; more specific rules
  (a leaf category, a channel, a district's own arrangement, a keyword, an
  attribute) carry a higher rule priority:
       0  a top-level catch-all        20  a channel changes the handler
       5  a second-level family         25  the petition channel
      10  a leaf category               30  keyword / amount sub-routing
      12  a leaf with its own SLA       40  escalation (crowds, 集体访)
      15  a district's own arrangement, 50  a major crowd
          or the request type
- "co-handling" (collect): departments that assist (会办).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import suzhou_routing as sr  # noqa: E402

VERSION = "2026-11-23.1"
FALLBACK = "sz-zhzx"

# ------------------------------------------------------------------- SLA
# The policies rules may name; sla.json (by hand) must define each.

SLA = [
    ("emergency", "紧急类诉求：接单后2小时内到场处置，当日办结"),
    ("fire-rescue", "火警及抢险救援：即时出动"),
    ("police-urgent", "110紧急警情：即时出警（城区5分钟、农村10分钟内到场）"),
    ("police-routine", "110一般警情：30分钟内到场，当日处置反馈"),
    ("crowd", "群体性事件：30分钟内到场，即时处置，逐级报告"),
    ("city-urgent", "城市管理紧急问题：2小时内处置"),
    ("city-routine", "城市管理一般问题：3个工作日内处置"),
    ("consult", "咨询类：5个工作日内答复（受理次日起算）"),
    ("help", "求助类：5个工作日内办结（受理次日起算）"),
    ("complaint", "投诉举报类：15个工作日内办结（受理次日起算）"),
    ("suggestion", "意见建议类：15个工作日内答复（受理次日起算）"),
    ("petition", "信访事项：15日内决定是否受理，受理后60日内办结，可延长30日"),
    ("grid-hazard", "网格安全隐患：24小时内处置"),
    ("grid-routine", "网格一般事件：3个工作日内办结"),
    ("grid-info", "网格信息采集：2个工作日内核实更新"),
    ("mediation", "矛盾纠纷调解：受理后30日内调结"),
    ("labour-dispute", "劳动争议调解：受理后15日内调结"),
    ("wage-arrears", "欠薪诉求：1个工作日内响应，5个工作日内办结"),
]

# ----------------------------------------------------------------- rules


def R(rid, name, lead=None, sla=None, *, prio=None, cat=None, ch=None,
      urg=None, region=None, kw=None, kw_none=None, attrs=None, time=None,
      assist=None, level=None, order=None):
    """One rule. lead/assist targets: 'town.police' is short for
    'role:town.police'; 'dept:ID' as is."""
    def target(t):
        return t if t.startswith(("dept:", "role:")) else "role:" + t

    when = {}
    if ch:
        when["channel"] = list(ch)
    if urg:
        when["urgency"] = list(urg)
    if cat:
        when["category"] = list(cat)
    if region:
        when["region"] = list(region)
    if kw:
        when["keywords_any"] = list(kw)
    if kw_none:
        when["keywords_none"] = list(kw_none)
    if attrs:
        when["attributes"] = [{"key": k, "op": op, "value": v}
                              for k, op, v in attrs]
    if time:
        when["time"] = {"from": time[0], "to": time[1]}
    then = {}
    if lead:
        then["lead"] = target(lead)
    if assist:
        then["assist"] = [target(a) for a in assist]
    if sla:
        then["sla"] = sla
    if level:
        then["level"] = level
    if order:
        then["priority"] = order
    # name: a Chinese label for readers of this file; rules.json carries
    # only what the engine reads (its loader refuses unknown rule fields)
    rule = {"id": rid}
    if prio is not None:
        rule["priority"] = prio
    rule["when"] = when
    rule["then"] = then
    return rule


NIGHT = ("22:00", "06:00")
SOCIAL = ["12345", "grid", "mediation", "petition"]   # not 110

EMERGENCY = [
    R("explosion", "爆炸爆燃", "district.fire", "fire-rescue",
      kw=["爆炸", "爆燃"], kw_none=["演练", "咨询", "隐患排查"],
      assist=["district.emergency", "town.police"], order=1),
    R("gas-fire", "燃气起火", "district.fire", "fire-rescue",
      cat=["police.fire"], kw=["燃气", "煤气", "液化气"],
      assist=["town.emergency", "town.police"], order=1),
    R("gas-leak", "燃气泄漏", "town.emergency", "emergency",
      cat=["city.emergency", "grid.safety", "police.help",
           "service.urban_rural.s01", "service.economy.s01"],
      kw=["燃气味", "煤气味", "液化气味", "燃气泄漏", "煤气泄漏", "漏气"],
      kw_none=["演练", "咨询", "轮胎"], assist=["town.police"], order=1),
    R("fire-trapped", "火场被困人员", "district.fire", "fire-rescue",
      cat=["police.fire"], attrs=[("trapped", "=", True)],
      assist=["town.police", "district.health"], order=1),
    R("fire-building", "建筑火灾", "district.fire", "fire-rescue",
      cat=["police.fire.building"], assist=["town.police"], order=1),
    R("fire-vehicle", "车辆起火", "district.fire", "fire-rescue",
      cat=["police.fire.vehicle"], assist=["district.police"], order=1),
    R("fire-outdoor-spreading", "露天焚烧火势较大", "district.fire",
      "fire-rescue", cat=["police.fire.outdoor"],
      kw=["浓烟", "蔓延", "火势", "烧到"], order=2),
    R("fire-reported-hotline", "热线网格报火警", "district.fire",
      "fire-rescue", ch=SOCIAL, urg=["urgent", "critical"],
      kw=["起火", "着火", "失火", "火灾"],
      kw_none=["隐患", "演练", "一旦发生", "灭火器", "消防通道", "咨询"],
      assist=["town.police"], order=1),
    R("suicide-risk", "轻生跳楼", "town.police", "police-urgent",
      kw=["跳楼", "轻生", "自杀"],
      kw_none=["咨询", "宣传", "跳楼价", "跳楼大甩卖"],
      assist=["district.fire", "town.health"], order=1),
    R("drowning", "落水溺水", "district.fire", "fire-rescue",
      kw=["落水", "溺水"], kw_none=["咨询", "落水管", "防溺水宣传"],
      assist=["town.police"], order=1),
    R("elevator-trapped", "电梯困人", "district.fire", "emergency",
      kw=["困在电梯", "电梯困人", "被困电梯", "关在电梯"],
      assist=["town.market"], order=1),
    R("stampede", "踩踏风险", "district.police", "crowd",
      ch=["110", "12345", "grid"], kw=["踩踏"],
      kw_none=["草坪", "草地", "绿化", "花坛"],
      assist=["district.health", "town.emergency"], level="district",
      order=1),
    R("crowd-major", "重大人员聚集（30人以上）", "district.police", "crowd",
      ch=["110", "grid"], cat=["police.public_order.gathering"],
      attrs=[("people", ">=", 30)], level="district", order=1),
    R("crowd", "人员聚集", "town.police", "crowd",
      ch=["110", "grid"], cat=["police.public_order.gathering"], order=2),
    R("robbery", "抢劫抢夺", "district.police", "police-urgent",
      cat=["police.criminal.robbery"], assist=["town.police"], order=1),
    R("fight-bleeding", "斗殴持械或流血", "town.police", "police-urgent",
      cat=["police.public_order.fight", "police.criminal.assault"],
      kw=["持刀", "刀具", "砍人", "流血"],
      assist=["district.police", "district.health"], order=1),
    R("fight-injured", "斗殴有人受伤", "town.police", "police-urgent",
      cat=["police.public_order.fight", "police.criminal.assault"],
      attrs=[("injured", "=", True)], assist=["district.health"], order=1),
    R("accident-injured", "交通事故有人受伤", "district.police",
      "police-urgent", cat=["police.traffic.accident"],
      attrs=[("injured", "=", True)], assist=["district.health"], order=1),
    R("accident-injured-text", "交通事故报称受伤", "district.police",
      "police-urgent", cat=["police.traffic.accident"],
      kw=["受伤", "流血", "昏迷"], kw_none=["无人员受伤", "无人受伤", "未受伤"],
      assist=["district.health"], order=1),
    R("drunk-driving", "疑似酒驾", "district.police", "police-urgent",
      cat=["police.traffic.drunk_driving"], order=1),
    R("lost-child", "儿童走失", "town.police", "police-urgent",
      cat=["police.help.lost_person"], attrs=[("age", "<", 14)],
      assist=["district.police"], order=1),
    R("lost-elderly", "老人走失", "town.police", "police-urgent",
      cat=["police.help.lost_person"], kw=["老人", "阿尔茨海默", "痴呆"],
      assist=["town.civil_affairs"], order=1),
    R("elderly-fall", "老人摔倒求助", "town.police", "police-urgent",
      cat=["police.help.elderly_fall"], assist=["town.health"], order=1),
    R("locked-out-danger", "被锁门外且有险情", "town.police",
      "police-urgent", cat=["police.help.locked_out"],
      kw=["燃气灶", "用火", "小孩", "婴儿", "老人"],
      assist=["district.fire"], order=1),
    R("night-construction-noise", "夜间施工噪音（22时至6时）", "town.police",
      "police-routine", cat=["city.construction.night_noise"], time=NIGHT,
      assist=["town.urban_mgmt"], order=3),
    R("night-social-noise", "夜间社会生活噪音与露天烧烤（22时至6时）",
      "town.police", "police-routine",
      cat=["police.public_order.noise", "city.street_order.outdoor_bbq"],
      time=NIGHT, order=3),
    R("road-collapse", "路面塌陷", "district.housing", "emergency",
      cat=["city.emergency.road_collapse", "city.facility.road_damage",
           "grid.facility"],
      kw=["塌陷", "塌方", "地陷", "深坑", "陷下去"],
      assist=["town.urban_mgmt", "town.police"], order=1),
    R("manhole-missing", "井盖缺失或已致人受伤", "district.urban_mgmt",
      "emergency", cat=["city.emergency.manhole"],
      kw=["不见了", "缺失", "丢失", "被盗", "掉下去", "摔倒", "大洞"],
      assist=["town.urban_mgmt"], order=1),
    R("water-main-burst", "供水管爆裂", "city.water", "emergency",
      cat=["city.emergency.water_pipe_burst"],
      kw=["爆裂", "破裂", "冒水", "外流", "没有水"],
      assist=["town.urban_mgmt"], order=1),
    R("wire-down", "电线断落", "district.emergency", "emergency",
      cat=["city.emergency.wire_down"], assist=["town.police"], order=1),
    R("tree-fall-blocking", "树木倒伏阻断道路", "district.urban_mgmt",
      "emergency", cat=["city.emergency.tree_fall"],
      kw=["压住", "车道", "砸", "挡住"], assist=["town.police"], order=2),
    R("waterlogging-trapped", "积水困车困人", "city.water", "emergency",
      cat=["city.emergency.waterlogging"],
      kw=["被困", "熄火", "没过", "漫进"],
      assist=["town.emergency", "district.fire"], order=1),
    R("dangerous-building", "危房险情", "district.housing", "emergency",
      cat=["grid.safety.dangerous_building", "service.urban_rural.s10"],
      urg=["urgent", "critical"], kw=["倒塌", "坍塌", "下沉", "开裂"],
      assist=["town.emergency"], order=1),
    R("hazardous-goods-leak", "危化品泄漏起火", "district.emergency",
      "emergency",
      cat=["grid.safety.hazardous_goods", "service.economy.s01",
           "service.urban_rural.s01"],
      kw=["泄漏", "起火", "刺鼻", "冒烟"],
      assist=["district.fire", "town.emergency"], order=1),
    R("traffic-light-morning", "早高峰信号灯故障", "district.police",
      "emergency", cat=["city.facility.traffic_light"],
      time=("07:00", "09:30"), order=2),
    R("traffic-light-evening", "晚高峰信号灯故障", "district.police",
      "emergency", cat=["city.facility.traffic_light"],
      time=("16:30", "19:30"), order=2),
    R("critical-hotline", "热线网格特急事项", "town.emergency", "emergency",
      ch=["12345", "grid"], urg=["critical"],
      cat=["city", "grid", "service"], order=1),
]

# -- main: city (数字城管) ------------------------------------------------

MAIN_CITY = [
    R("city", "城市管理（兜底）", "town.urban_mgmt", "city-routine",
      prio=0, cat=["city"]),
    R("city-environment", "市容环境", "town.urban_mgmt", "city-routine",
      prio=5, cat=["city.environment"]),
    R("city-advert", "宣传广告", "town.urban_mgmt", "city-routine",
      prio=5, cat=["city.advert"]),
    R("city-construction", "施工管理", "town.urban_mgmt", "city-routine",
      prio=5, cat=["city.construction"]),
    R("city-street-order", "街面秩序", "town.urban_mgmt", "city-routine",
      prio=5, cat=["city.street_order"]),
    R("city-emergency", "突发事件", "district.urban_mgmt", "city-urgent",
      prio=5, cat=["city.emergency"], order=2),
    R("city-facility", "市政设施", "district.urban_mgmt", "city-routine",
      prio=5, cat=["city.facility"]),
    R("signboard-loose", "破损广告牌", "town.urban_mgmt", "city-urgent",
      prio=10, cat=["city.advert.damaged_signboard"], order=2),
    R("construction-dust", "工地扬尘", "district.environment", "complaint",
      prio=10, cat=["city.construction.dust"]),
    R("construction-noise-day", "施工噪音（白天受理）", "town.urban_mgmt",
      "complaint", prio=10, cat=["city.construction.night_noise"]),
    R("muck-spill", "渣土车抛洒滴漏", "district.urban_mgmt", "city-routine",
      prio=10, cat=["city.construction.muck_spill"]),
    R("illegal-parking", "违章停车", "town.police", "city-routine",
      prio=10, cat=["city.street_order.parking"]),
    R("road-collapse-main", "道路塌陷", "district.housing", "emergency",
      prio=10, cat=["city.emergency.road_collapse"], order=1),
    R("water-pipe-main", "水管爆裂", "city.water", "emergency",
      prio=10, cat=["city.emergency.water_pipe_burst"], order=1),
    R("waterlogging", "道路积水", "city.water", "city-urgent",
      prio=10, cat=["city.emergency.waterlogging"], order=2),
    R("gas-leak-main", "燃气泄漏（未述气味）", "district.emergency",
      "emergency", prio=10, cat=["city.emergency.gas_leak"], order=1),
    R("road-damage", "道路破损", "district.housing", "city-routine",
      prio=10, cat=["city.facility.road_damage"]),
    R("bus-shelter", "公交站亭损坏", "city.transport", "city-routine",
      prio=10, cat=["city.facility.bus_shelter"]),
    R("traffic-light", "信号灯故障", "district.police", "city-urgent",
      prio=10, cat=["city.facility.traffic_light"], order=2),
    R("drain-blocked", "雨水口堵塞", "town.urban_mgmt", "city-routine",
      prio=10, cat=["city.facility.drain_blocked"]),
    R("green-damage", "绿化损坏", "town.urban_mgmt", "city-routine",
      prio=10, cat=["city.facility.green_damage"]),
    R("grid-city-facility", "网格上报的小型市政设施问题属地先行处置",
      "town.urban_mgmt", "grid-routine", prio=20, ch=["grid"],
      cat=["city.facility.streetlight", "city.facility.bench",
           "city.facility.guardrail", "city.facility.green_damage"]),
    R("sip-city", "苏州工业园区：市容与街面秩序由区综合执法局统一处置",
      "district.urban_mgmt", "city-routine", prio=15, region=["320576"],
      cat=["city.environment", "city.advert",
           "city.street_order.vendors", "city.street_order.shop_overflow",
           "city.street_order.occupation", "city.street_order.outdoor_bbq",
           "city.street_order.street_laundry",
           "city.construction.illegal_building"]),
    R("gusu-old-town", "姑苏区（古城保护区）：违建与店招广告由区统一查处",
      "district.urban_mgmt", "city-routine", prio=15, region=["320508"],
      cat=["city.construction.illegal_building",
           "city.advert.illegal_signboard", "city.advert.illegal_ads"]),
    R("sewage-industrial", "企业偷排污水", "district.environment",
      "complaint", prio=30,
      cat=["city.environment.sewage", "city.environment.river_floating"],
      kw=["企业", "工厂", "偷排", "排污"]),
]

# -- main: police (110) ---------------------------------------------------

MAIN_POLICE = [
    R("police", "110警情", "town.police", "police-routine",
      prio=0, cat=["police"]),
    R("police-traffic", "交通类警情（交警大队）", "district.police",
      "police-routine", prio=5, cat=["police.traffic"]),
    R("traffic-blocking", "挪车求助", "town.police", "police-routine",
      prio=10, cat=["police.traffic.blocking"]),
    R("police-fire", "火警", "district.fire", "fire-rescue",
      prio=5, cat=["police.fire"], order=1),
    R("outdoor-burning", "露天焚烧（无蔓延）", "town.urban_mgmt",
      "city-urgent", prio=10, cat=["police.fire.outdoor"], order=2),
    R("robbery-main", "抢劫抢夺", "district.police", "police-urgent",
      prio=10, cat=["police.criminal.robbery"], order=1),
    R("fraud-large", "大额诈骗（10万元以上，反诈中心）", "district.police",
      "police-routine", prio=30, cat=["police.criminal.fraud"],
      attrs=[("amount_yuan", ">=", 100000)], order=2),
    R("gathering", "人员聚集", "town.police", "crowd",
      prio=10, cat=["police.public_order.gathering"], order=2),
    R("gathering-major", "人员聚集（30人以上）", "district.police", "crowd",
      prio=40, cat=["police.public_order.gathering"],
      attrs=[("people", ">=", 30)], level="district", order=1),
    R("non-police-consumer", "非警务警情：消费纠纷转市场监管",
      "town.market", "complaint", prio=30,
      cat=["police.public_order.dispute"], kw=["消费", "退款", "退费"],
      kw_none=["不让离开", "动手", "推搡", "打人", "扣押"],
      assist=["town.police"]),
]

# -- main: petitions (信访) -------------------------------------------------

MAIN_PETITION = [
    R("petition", "信访事项", "district.petition", "petition",
      prio=0, cat=["petition"]),
    R("petition-town", "农村农业、民政类信访由镇街信访办办理",
      "town.petition", "petition", prio=10,
      cat=["petition.rural", "petition.civil"]),
    R("petition-labour", "劳动社保类信访", "district.labour", "petition",
      prio=10, cat=["petition.labour"], assist=["district.petition"]),
    R("petition-housing", "房屋拆迁与住房类信访", "district.housing",
      "petition", prio=10, cat=["petition.housing", "petition.urban"],
      assist=["district.petition"]),
    R("petition-justice", "涉法涉诉信访", "district.petition", "petition",
      prio=10, cat=["petition.justice"], assist=["district.justice"]),
    R("petition-environment", "环境保护类信访", "district.petition",
      "petition", prio=10, cat=["petition.environment"],
      assist=["district.environment"]),
    R("petition-collective", "集体访（5人以上）", "district.petition",
      "petition", prio=40, ch=["petition"],
      attrs=[("petitioners", ">=", 5)], level="district", order=1),
    R("petition-ch-labour", "信访渠道：劳动类", "district.petition",
      "petition", prio=25, ch=["petition"],
      cat=["service.labour", "dispute.07"], assist=["district.labour"]),
    R("petition-ch-housing", "信访渠道：城建国土类", "district.petition",
      "petition", prio=25, ch=["petition"],
      cat=["service.urban_rural", "service.land", "dispute.04",
           "dispute.09", "dispute.11"], assist=["district.housing"]),
    R("petition-ch-environment", "信访渠道：环保类", "district.petition",
      "petition", prio=25, ch=["petition"],
      cat=["service.environment", "city.construction.dust",
           "city.environment.sewage"], assist=["district.environment"]),
    R("petition-ch-legal", "信访渠道：政法类", "district.petition",
      "petition", prio=25, ch=["petition"],
      cat=["service.legal", "dispute.14"], assist=["district.justice"]),
    R("petition-ch-police", "信访渠道：涉警", "district.petition",
      "petition", prio=25, ch=["petition"], cat=["police"],
      assist=["district.police"]),
    R("petition-ch-city", "信访渠道：城市管理", "district.petition",
      "petition", prio=25, ch=["petition"], cat=["city"],
      assist=["district.urban_mgmt"]),
    R("petition-ch-civil", "信访渠道：民政类", "district.petition",
      "petition", prio=25, ch=["petition"],
      cat=["service.civil_affairs", "dispute.12"],
      assist=["district.civil_affairs"]),
    R("petition-ch-health", "信访渠道：卫生类", "district.petition",
      "petition", prio=25, ch=["petition"],
      cat=["service.health", "dispute.05.02"], assist=["district.health"]),
    R("petition-ch-market", "信访渠道：市场消费类", "district.petition",
      "petition", prio=25, ch=["petition"],
      cat=["service.commerce", "dispute.06"], assist=["district.market"]),
    R("petition-ch-other", "信访渠道：其他", "district.petition",
      "petition", prio=24, ch=["petition"],
      cat=["service", "dispute", "grid"]),
]

# -- main: grid patrol (网格巡查) --------------------------------------------

MAIN_GRID = [
    R("grid", "网格巡查事项", "town.grid_office", "grid-routine",
      prio=0, cat=["grid"]),
    R("grid-safety", "安全隐患", "town.emergency", "grid-hazard",
      prio=5, cat=["grid.safety"], order=2),
    R("grid-fire-exit", "消防通道堵塞", "district.fire", "grid-hazard",
      prio=10, cat=["grid.safety.fire_exit"], order=2),
    R("grid-dangerous-building", "危房隐患", "district.housing",
      "grid-hazard", prio=10, cat=["grid.safety.dangerous_building"],
      order=2),
    R("grid-population", "人口信息", "town.civil_affairs", "grid-info",
      prio=5, cat=["grid.population"]),
    R("grid-registration", "流动人口与出租房屋登记", "town.grid_office",
      "grid-info", prio=10,
      cat=["grid.population.new_resident", "grid.population.rental"]),
    R("grid-special-group", "特殊人群（社区矫正、刑满释放）", "town.justice",
      "grid-info", prio=30, cat=["grid.population.special_group"],
      kw=["社区矫正", "刑满释放", "安置帮教"]),
    R("grid-sanitation", "环境卫生", "town.urban_mgmt", "grid-routine",
      prio=5, cat=["grid.sanitation"]),
    R("grid-corridor", "楼道堆物", "town.grid_office", "grid-routine",
      prio=10, cat=["grid.sanitation.corridor_clutter"]),
    R("grid-corridor-bikes", "楼道堆物含电动车电瓶", "town.emergency",
      "grid-hazard", prio=30, cat=["grid.sanitation.corridor_clutter"],
      kw=["电动车", "电瓶", "充电"], order=2),
    R("grid-facility", "公共设施", "town.grid_office", "grid-routine",
      prio=5, cat=["grid.facility"]),
    R("grid-facility-damaged", "公共设施损坏", "town.urban_mgmt",
      "grid-routine", prio=10, cat=["grid.facility.damaged"]),
    R("grid-dispute", "矛盾纠纷线索", "town.justice", "mediation",
      prio=5, cat=["grid.dispute"]),
    R("grid-market", "市场秩序", "town.market", "grid-routine",
      prio=5, cat=["grid.market"]),
    R("grid-food-safety", "食品安全隐患", "town.market", "grid-hazard",
      prio=10, cat=["grid.market.food_safety"], order=2),
]

# -- main: disputes (GB/T 31000 types, 人民调解) -------------------------------

MAIN_DISPUTE = [
    R("dispute", "矛盾纠纷（人民调解）", "town.justice", "mediation",
      prio=0, cat=["dispute"]),
    R("labour-dispute", "劳动人事争议", "town.labour", "labour-dispute",
      prio=10, cat=["dispute.07"]),
    R("wage-arrears", "拖欠工资", "town.labour", "wage-arrears",
      prio=12, cat=["dispute.07.wage_arrears", "service.labour.s03"],
      order=2),
    R("wage-crowd", "欠薪群体（5人以上）提级区人社局", "district.labour",
      "wage-arrears", prio=40, cat=["dispute.07", "service.labour.s03"],
      attrs=[("people", ">=", 5)], level="district", order=2),
    R("wage-crowd-major", "欠薪群体（30人以上）", "district.labour", "crowd",
      prio=50, cat=["dispute.07", "service.labour.s03"],
      attrs=[("people", ">=", 30)], level="district", order=1),
    R("medical-dispute", "医疗纠纷", "district.health", "mediation",
      prio=10, cat=["dispute.05.02"]),
    R("medical-mediation", "调解渠道医疗纠纷（医调委）", "district.justice",
      "mediation", prio=22, ch=["mediation"], cat=["dispute.05.02"]),
    R("consumer-dispute", "消费服务纠纷", "town.market", "complaint",
      prio=10, cat=["dispute.06.01"]),
    R("property-dispute", "物业纠纷", "district.housing", "mediation",
      prio=10, cat=["dispute.04.02"]),
    R("mediation-civil", "调解渠道：物权、侵权、合同、借贷纠纷由司法所调解",
      "town.justice", "mediation", prio=20, ch=["mediation"],
      cat=["dispute.04", "dispute.05", "dispute.06", "dispute.08"]),
    R("urban-dev-dispute", "城乡建设发展纠纷", "district.housing",
      "mediation", prio=10, cat=["dispute.11"]),
    R("civil-affairs-dispute", "涉民政纠纷", "town.civil_affairs",
      "mediation", prio=10, cat=["dispute.12"]),
    R("admin-city", "行政执法纠纷：城市管理", "town.urban_mgmt", "mediation",
      prio=10, cat=["dispute.13.01"]),
    R("admin-education", "行政执法纠纷：教育文体", "city.education",
      "mediation", prio=10, cat=["dispute.13.02"]),
    R("admin-market", "行政执法纠纷：工商税务", "town.market", "mediation",
      prio=10, cat=["dispute.13.03"]),
    R("admin-safety", "行政执法纠纷：安全生产", "town.emergency",
      "mediation", prio=10, cat=["dispute.13.04"]),
    R("admin-transport", "行政执法纠纷：交通运输", "city.transport",
      "mediation", prio=10, cat=["dispute.13.05"]),
    R("admin-family-planning", "行政执法纠纷：计划生育", "town.health",
      "mediation", prio=10, cat=["dispute.13.07"]),
    R("legal-dispute", "涉法涉诉纠纷", "district.justice", "mediation",
      prio=10, cat=["dispute.14"]),
    R("legal-dispute-police", "涉公安纠纷", "district.police", "mediation",
      prio=12, cat=["dispute.14.01"]),
    R("discipline-dispute", "涉组织涉纪检纠纷", "district.petition",
      "petition", prio=10, cat=["dispute.15"]),
    R("ethnic-religious-dispute", "涉民族宗教纠纷", "district.civil_affairs",
      "mediation", prio=10, cat=["dispute.16"]),
    R("ip-dispute", "知识产权纠纷", "district.market", "mediation",
      prio=10, cat=["dispute.10.01"]),
    R("domestic-violence", "家庭暴力", "town.police", "police-routine",
      prio=30, cat=["dispute.01"], kw=["家暴", "殴打", "动手打"],
      assist=["town.justice"], order=2),
]

# -- main: 12345 service requests ----------------------------------------------

MAIN_SERVICE = [
    # 城乡建设
    R("svc-urban-rural", "城乡建设", "district.housing", "complaint",
      prio=5, cat=["service.urban_rural"]),
    R("svc-work-safety", "安全生产", "town.emergency", "complaint",
      prio=10, cat=["service.urban_rural.s01", "service.economy.s01"]),
    R("svc-municipal", "城市建设和市政管理", "town.urban_mgmt", "complaint",
      prio=10, cat=["service.urban_rural.s02"]),
    R("svc-housing-consult", "房屋征收、拆迁、住房保障咨询",
      "district.housing", "consult", prio=15,
      cat=["service.urban_rural.s06", "service.urban_rural.s07",
           "service.urban_rural.s10"],
      attrs=[("request_type", "in", ["咨询"])]),
    # 环境保护
    R("svc-environment", "环境保护", "district.environment", "complaint",
      prio=5, cat=["service.environment"]),
    R("svc-oil-fume", "餐饮油烟（综合执法）", "town.urban_mgmt", "complaint",
      prio=30, cat=["service.environment.s02"], kw=["油烟", "餐饮", "烧烤"]),
    R("svc-night-noise", "夜间噪声（22时至6时）", "town.police",
      "police-routine", prio=30, cat=["service.environment.s02"],
      kw=["噪音", "噪声"], time=NIGHT),
    # 交通运输
    R("svc-transport", "交通运输", "city.transport", "complaint",
      prio=5, cat=["service.transport"]),
    R("svc-transport-suggestion", "公交线路站点建议", "city.transport",
      "suggestion", prio=15,
      cat=["service.transport.s03", "service.transport.s04"],
      attrs=[("request_type", "=", "建议")]),
    R("svc-road-building", "交通建设管理", "district.housing", "complaint",
      prio=10, cat=["service.transport.s02"]),
    # 教育文体
    R("svc-education", "教育文体", "city.education", "complaint",
      prio=5, cat=["service.education"]),
    R("svc-enrolment-consult", "招生入学咨询", "city.education", "consult",
      prio=15, cat=["service.education.s05"],
      attrs=[("request_type", "=", "咨询")]),
    # 劳动和社会保障
    R("svc-labour", "劳动和社会保障", "town.labour", "complaint",
      prio=5, cat=["service.labour"]),
    R("svc-social-insurance", "社会保险与退休待遇", "district.labour",
      "complaint", prio=10,
      cat=["service.labour.s01", "service.labour.s02",
           "service.labour.s08", "service.labour.s09"]),
    R("svc-employment", "就业培训", "town.labour", "consult",
      prio=10, cat=["service.labour.s04"]),
    R("svc-labour-consult", "人社政策咨询（区人社局）", "district.labour",
      "consult", prio=15, cat=["service.labour"],
      attrs=[("request_type", "=", "咨询")]),
    # 商贸旅游
    R("svc-commerce", "商贸旅游", "district.market", "complaint",
      prio=5, cat=["service.commerce"]),
    R("svc-market", "市场监管", "town.market", "complaint",
      prio=10, cat=["service.commerce.s04"]),
    R("svc-market-complaint", "消费投诉举报（属地市场监管分局）",
      "town.market", "complaint", prio=15,
      cat=["service.commerce", "service.health.s04"],
      attrs=[("request_type", "in", ["投诉", "举报"])]),
    R("svc-prepaid-card", "预付卡退费（区市场监管局）", "district.market",
      "complaint", prio=30, cat=["service.commerce"],
      kw=["预付卡", "年卡", "健身房", "跑路"], order=2),
    # 卫生计生
    R("svc-health", "卫生计生", "district.health", "complaint",
      prio=5, cat=["service.health"]),
    R("svc-food-drug", "食品药品监管", "town.market", "complaint",
      prio=10, cat=["service.health.s04"]),
    R("svc-family-planning", "人口计生", "town.health", "consult",
      prio=10, cat=["service.health.s03"]),
    R("svc-health-consult", "公共卫生与医政咨询", "district.health",
      "consult", prio=15,
      cat=["service.health.s01", "service.health.s03",
           "service.health.s06"],
      attrs=[("request_type", "=", "咨询")]),
    # 民政
    R("svc-civil-affairs", "民政", "town.civil_affairs", "complaint",
      prio=5, cat=["service.civil_affairs"]),
    R("svc-civil-district", "复退安置、民间组织、区划地名、优抚",
      "district.civil_affairs", "complaint", prio=10,
      cat=["service.civil_affairs.s02", "service.civil_affairs.s05",
           "service.civil_affairs.s07", "service.civil_affairs.s10"]),
    R("svc-social-service", "社会服务", "town.civil_affairs", "consult",
      prio=10, cat=["service.civil_affairs.s08"]),
    R("svc-social-assistance", "社会救助", "town.civil_affairs", "help",
      prio=10, cat=["service.civil_affairs.s09"]),
    # 政法
    R("svc-legal", "政法", "town.police", "complaint",
      prio=5, cat=["service.legal"]),
    R("svc-legal-aid", "法律服务与仲裁调解", "town.justice", "consult",
      prio=10, cat=["service.legal.s01", "service.legal.s12"]),
    R("svc-legal-district", "法制建设、行政复议、诉讼、刑罚执行",
      "district.justice", "complaint", prio=10,
      cat=["service.legal.s02", "service.legal.s03", "service.legal.s09",
           "service.legal.s11"]),
    R("svc-household-id", "户籍证件", "town.police", "consult",
      prio=10, cat=["service.legal.s04"]),
    R("svc-police-district", "交通管理、警务督察、刑案侦破", "district.police",
      "complaint", prio=10,
      cat=["service.legal.s05", "service.legal.s06", "service.legal.s10"]),
    # 农村农业
    R("svc-agriculture", "农村农业", "town.grid_office", "complaint",
      prio=5, cat=["service.agriculture"]),
    R("svc-water-conservancy", "水利水电", "city.water", "complaint",
      prio=10, cat=["service.agriculture.s12"]),
    R("svc-land-contract", "土地承包经营", "town.justice", "mediation",
      prio=10, cat=["service.agriculture.s13"]),
    R("svc-farm-produce", "农副产品流通", "district.market", "complaint",
      prio=10, cat=["service.agriculture.s07"]),
    # 科技与信息产业
    R("svc-tech", "科技与信息产业", "town.grid_office", "complaint",
      prio=5, cat=["service.tech"]),
    R("svc-ip", "知识产权", "district.market", "complaint",
      prio=10, cat=["service.tech.s05"]),
    # 经济管理
    R("svc-economy", "经济管理", "district.market", "complaint",
      prio=5, cat=["service.economy"]),
    R("svc-bankruptcy", "企业破产（职工安置）", "district.labour",
      "complaint", prio=10, cat=["service.economy.s08"]),
    # 国土资源
    R("svc-land", "国土资源", "district.housing", "complaint",
      prio=5, cat=["service.land"]),
    R("svc-geo-hazard", "海洋气象地震", "district.emergency", "complaint",
      prio=10, cat=["service.land.s01"]),
    # 纪检监察, 党务政务
    R("svc-discipline", "纪检监察（转纪委监委信访室）", "district.petition",
      "complaint", prio=5, cat=["service.discipline"]),
    R("svc-party-gov", "党务政务", "district.grid_office", "complaint",
      prio=5, cat=["service.party_gov"]),
    R("svc-ethnic-religious", "民族宗教", "district.civil_affairs",
      "complaint", prio=10, cat=["service.party_gov.s04"]),
]

MAIN = MAIN_CITY + MAIN_POLICE + MAIN_PETITION + MAIN_GRID + MAIN_DISPUTE + \
    MAIN_SERVICE

# -- co-handling (会办): assisting departments ------------------------------------

CO_HANDLING = [
    R("co-land-housing", "征地拆迁类会同区住建局", sla="petition",
      cat=["petition.land", "service.land.s04", "service.land.s05",
           "service.urban_rural.s06", "service.urban_rural.s07",
           "dispute.11.01", "dispute.11.02", "dispute.09.01"],
      assist=["district.housing"]),
    R("co-crowd-major", "30人以上聚集会同区公安、区信访", sla="crowd",
      attrs=[("people", ">=", 30)],
      assist=["district.police", "district.petition"]),
    R("co-gas", "燃气类会同镇街应急办", sla="emergency",
      cat=["city.emergency.gas_leak", "grid.safety.gas"],
      assist=["town.emergency"]),
    R("co-gas-text", "述及燃气的城管网格事项会同镇街应急办",
      sla="emergency",
      cat=["city", "grid", "police.help", "service.urban_rural.s01"],
      kw=["燃气", "煤气", "液化气"], assist=["town.emergency"]),
    R("co-wage-labour", "涉欠薪聚集与信访会同劳动保障所",
      sla="wage-arrears",
      cat=["police.public_order.gathering", "petition.labour",
           "service.legal.s01"],
      kw=["拖欠工资", "欠薪", "讨薪", "讨要工资"], assist=["town.labour"]),
    R("co-wage-police", "10人以上欠薪会同派出所", sla="wage-arrears",
      cat=["dispute.07", "service.labour.s03"],
      attrs=[("people", ">=", 10)], assist=["town.police"]),
    R("co-labour-mediation", "调解渠道劳动争议会同司法所",
      sla="labour-dispute", ch=["mediation"], cat=["dispute.07"],
      assist=["town.justice"]),
    R("co-medical", "医疗纠纷会同区卫健委", sla="mediation",
      cat=["dispute.05.02", "service.health.s05"],
      assist=["district.health"]),
    R("co-traffic-accident", "交通事故赔偿调解会同交警", sla="mediation",
      cat=["dispute.05.03"], assist=["district.police"]),
    R("co-fire-safety", "消防隐患会同镇街应急办", sla="grid-hazard",
      cat=["grid.safety.fire_exit", "grid.safety.fire_equipment"],
      assist=["town.emergency"]),
    R("co-rental-police", "流动人口与出租房屋会同派出所", sla="grid-info",
      cat=["grid.population.new_resident", "grid.population.rental"],
      assist=["town.police"]),
    R("co-special-group", "特殊人群会同司法所", sla="grid-info",
      cat=["grid.population.special_group"], assist=["town.justice"]),
    R("co-elderly-health", "独居与摔倒老人会同社区卫生服务中心",
      sla="grid-info",
      cat=["grid.population.elderly_alone", "police.help.elderly_fall"],
      assist=["town.health"]),
    R("co-oil-fume", "油烟问题会同区生态环境局", sla="complaint",
      cat=["service.environment.s02", "city.street_order.outdoor_bbq"],
      kw=["油烟"], assist=["district.environment"]),
    R("co-construction-site", "工地问题会同区住建局", sla="complaint",
      cat=["city.construction.night_noise", "city.construction.dust",
           "city.construction.road_occupation"],
      assist=["district.housing"]),
    R("co-dangerous-building", "危房会同应急办、民政办（人员转移安置）",
      sla="grid-hazard", cat=["grid.safety.dangerous_building"],
      assist=["town.emergency", "town.civil_affairs"]),
    R("co-hazardous-goods", "危化品会同区应急局、消防", sla="grid-hazard",
      cat=["grid.safety.hazardous_goods"],
      assist=["district.emergency", "district.fire"]),
    R("co-food-poisoning", "疑似食物中毒会同区卫健委", sla="complaint",
      cat=["grid.market.food_safety", "service.health.s04"],
      kw=["肚子不舒服", "腹泻", "呕吐", "食物中毒"],
      assist=["district.health"]),
    R("co-collective-petition", "集体访会同属地镇街信访办", sla="petition",
      ch=["petition"], attrs=[("petitioners", ">=", 5)],
      assist=["town.petition"]),
    R("co-campus", "涉校园警情会同市教育局", sla="police-routine",
      cat=["police.public_order", "police.criminal"],
      kw=["学校", "校门", "学生", "幼儿园"], assist=["city.education"]),
    R("co-fire-lane", "占用消防通道停车会同消防", sla="city-routine",
      cat=["city.street_order.parking"], kw=["消防通道"],
      assist=["district.fire"]),
    R("co-river", "河道问题会同市水务局（河长制）", sla="city-routine",
      cat=["city.environment.river_floating", "grid.sanitation.river"],
      assist=["city.water"]),
    R("co-illegal-building", "违法建设会同镇街综治中心（社区劝导）",
      sla="city-routine", cat=["city.construction.illegal_building"],
      assist=["town.grid_office"]),
    R("co-rural-petition", "农村信访会同镇街综治中心", sla="petition",
      cat=["petition.rural"], assist=["town.grid_office"]),
    R("co-critical-city", "特急城市突发事件报区应急局", sla="emergency",
      cat=["city.emergency"], urg=["critical"],
      assist=["district.emergency"]),
    R("co-night-bbq", "夜间露天烧烤会同城管中队", sla="police-routine",
      cat=["city.street_order.outdoor_bbq"], time=NIGHT,
      assist=["town.urban_mgmt"]),
    R("co-fraud-large", "5万元以上诈骗会同区公安分局反诈中心",
      sla="police-routine", cat=["police.criminal.fraud"],
      attrs=[("amount_yuan", ">=", 50000)], assist=["district.police"]),
]


def build():
    rules = {
        "version": VERSION,
        "fallback": FALLBACK,
        "returns": {"limit": 2, "window": "2d"},
        "tables": [
            {"id": "emergency", "hit_policy": "first", "rules": EMERGENCY},
            {"id": "main", "hit_policy": "priority", "rules": MAIN},
            {"id": "co-handling", "hit_policy": "collect",
             "rules": CO_HANDLING},
        ],
    }
    return rules


# ------------------------------------------------------------- rendering


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def render_rules(doc):
    out = ['{"version": %s,' % dumps(doc["version"]),
           ' "fallback": %s,' % dumps(doc["fallback"]),
           ' "returns": %s,' % dumps(doc["returns"]),
           ' "tables": [']
    for ti, t in enumerate(doc["tables"]):
        out.append('  {"id": %s, "hit_policy": %s, "rules": [' % (
            dumps(t["id"]), dumps(t["hit_policy"])))
        for ri, r in enumerate(t["rules"]):
            out.append("   " + dumps(r) +
                       ("," if ri + 1 < len(t["rules"]) else ""))
        out.append("  ]}" + ("," if ti + 1 < len(doc["tables"]) else ""))
    out.append(" ]}")
    return "\n".join(out) + "\n"


def write(path, text):
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", required=True,
                    help="configuration directory holding directory.json "
                         "(read to validate the rules)")
    ap.add_argument("--out-rules", required=True, help="rules.json to write")
    args = ap.parse_args()
    rules = build()
    rtext = render_rules(rules)
    # what is written is what is checked
    rules2 = json.loads(rtext)
    assert rules2 == rules
    with open(os.path.join(args.config, "sla.json"), encoding="utf-8") as f:
        sla2 = json.load(f)
    missing = sorted(set(n for n, _ in SLA) - set(sla2["policies"]))
    if missing:
        sys.exit("mkrules: sla.json lacks the policies %s"
                 % ", ".join(missing))
    d = sr.Directory.load(os.path.join(args.config, "directory.json"))
    errors, warnings, stats = sr.validate(rules2, sla2, d)
    unrouted = sr.uncovered_leaves(rules2, d)
    if unrouted:
        errors.append("main: leaf categories no rule routes: %s"
                      % ", ".join(unrouted))
    unused = sorted(set(sla2["policies"]) - set(stats["policies"]))
    if unused:
        warnings.append("sla.json: policies no rule uses: %s"
                        % ", ".join(unused))
    for w in warnings:
        print("mkrules: warning: %s" % w, file=sys.stderr)
    if errors:
        for e in errors:
            print("mkrules: %s" % e, file=sys.stderr)
        sys.exit("mkrules: %d problems; nothing written" % len(errors))
    write(args.out_rules, rtext)
    by_policy = {}
    for tid, (hp, n) in stats["tables"].items():
        by_policy[hp] = by_policy.get(hp, 0) + n
    print("mkrules: %s: %d rules; tables: %s; by hit policy: %s" % (
        args.out_rules, stats["total"],
        ", ".join("%s (%s) %d" % (t, hp, n)
                  for t, (hp, n) in stats["tables"].items()),
        ", ".join("%s %d" % kv for kv in sorted(by_policy.items()))),
        file=sys.stderr)
    print("mkrules: sla.json: %d policies; rules per policy: %s" % (
        len(sla2["policies"]),
        ", ".join("%s %d" % kv for kv in sorted(stats["policies"].items()))),
        file=sys.stderr)


if __name__ == "__main__":
    main()
