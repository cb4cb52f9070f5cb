"""The sandbox personas: six synthetic residents with known data, for mini-program developers.

A sandbox app (`onewindow clients create --sandbox`) signs in only these residents, by their phone
and the sandbox code 000000 (no SMS is sent); a live app never signs them in. `onewindow personas`
lists them, `onewindow seed` adds them (with verified accounts and their certificates), and tests
seed them with tests/support/personas.py. This module is the one place they are defined.

Their numbers are never a generated resident's (standins/population/generate.py): phones are in the
reserved range 170 0000 00xx, which the population never draws from; ID numbers use the sequence
numbers 901 and up, which the population (from 010 for each district and birthday) never reaches;
certificate numbers carry a P where the library's have digits (or are the persona's own ID number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backend.identity.numbers import check_character
from backend.identity.registry import Person

PHONE_PREFIX = "170000000"
"""Every persona's phone is 170 0000 00xx: a range the synthetic population never draws from."""

Label = dict[str, str]  # zh-Hans, zh-Hant, en


@dataclass(frozen=True)
class KnownApplication:
    """An application a persona has already made, so that an app listing their applications shows
    something real: submitted through the applications service at seeding (its timeline, deadline and
    status are the platform's own), with the values the persona typed in (the form pre-fills the rest).
    `status` is where the platform's rules leave it: seeding fails loudly if the catalog changed that."""

    matter_code: str
    values: dict[str, object]
    status: str  # backend.applications.states.Status: "completed" (approved instantly), "submitted"


@dataclass(frozen=True)
class Persona:
    """A persona: the resident a developer signs in as, the relatives registered with them, and what
    a developer tries with them."""

    key: str
    person: Person
    region: Label  # where their household is registered
    purpose: Label
    relatives: tuple[Person, ...] = ()
    applications: tuple[KnownApplication, ...] = ()  # oldest first

    def age_on(self, day: date) -> int:
        """The persona's completed years of age on `day`."""
        born = self.person.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def id_number(region: str, born: date, sequence: int) -> str:
    """A valid ID number (odd sequence: male, even: female) that no generated resident has."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def _person(
    persona: str, name: str, sex: str, born: date, sequence: int, address: str, region_code: str, **more: str | None
) -> Person:
    prefix = "810000" if persona == "hongkong" else region_code[:6]
    return Person(
        id_number=id_number(prefix, born, sequence),
        name=name,
        sex=sex,
        birth_date=born,
        ethnicity="汉族",
        address=address,
        region_code=region_code,
        phone=more.get("phone"),
        marital_status=more.get("marital") or "single",
        spouse_id_number=more.get("spouse"),
        father_id_number=more.get("father"),
        mother_id_number=more.get("mother"),
        household_id=f"SANDBOX-{persona}",
    )


_HAIZHU = "广东省广州市海珠区琶洲街道新港东路1088号6栋1203房"
_MOTHER_BORN, _FATHER_BORN, _CHILD_BORN = date(1987, 6, 20), date(1985, 2, 11), date(2016, 8, 30)
_MOTHER, _FATHER = id_number("440105", _MOTHER_BORN, 904), id_number("440105", _FATHER_BORN, 903)

_CHILD = id_number("440105", _CHILD_BORN, 906)
# What each persona has applied for (seeded by `onewindow seed` and tests/support/personas.py): the
# developer guide names them, and an app listing "my applications" shows them.
_RESIDENT_APPLICATIONS = (
    # 失业保险金申领: every condition for instant approval holds (12+ months paid, not resigned,
    # looking for work, a social security card), so the platform approves and completes it at once.
    KnownApplication(
        "GZ-RSJ-0001",
        {
            "last_employer": "广州市天河区五山科技有限公司",
            "separation_date": "2026-06-30",
            "leave_reason": "contract_expired",
            "contribution_months": 36,
            "job_seeking": True,
        },
        "completed",
    ),
    # 无犯罪记录证明开具: decided by an officer of 公安 within 3 working days; still waiting for one.
    KnownApplication("GZ-GA-0009", {"purpose": "employment", "result_delivery": "electronic"}, "submitted"),
)
_MINOR_GUARDIAN_APPLICATIONS = (
    # 义务教育阶段学校招生入学申请 for her daughter 周子涵: an officer of 教育局 decides (30 days).
    KnownApplication(
        "GZ-JYJ-0001",
        {
            "child_name": "周子涵",
            "child_id_number": _CHILD,
            "child_birth_date": _CHILD_BORN.isoformat(),
            "enrol_stage": "junior",
            "preferred_school": "广州市海珠区琶洲实验学校",
        },
        "submitted",
    ),
)
_BUSINESS_OWNER_APPLICATIONS = (
    # 仅销售预包装食品备案 for his café (an enterprise matter, filled from his business licence): an
    # officer of 市场监管局 decides.
    KnownApplication("GZ-SJJ-0007", {"sells_infant_formula": False, "floor_area": 60}, "submitted"),
)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "resident",
        _person(
            "resident",
            "张伟明",
            "male",
            date(1990, 4, 12),
            901,
            "广东省广州市天河区五山街道五山路135号3栋802房",
            "440106005",
            phone=PHONE_PREFIX + "01",
        ),
        {"zh-Hans": "广州市天河区", "zh-Hant": "廣州市天河區", "en": "Tianhe District, Guangzhou"},
        {
            "zh-Hans": "普通居民：本地户籍，有身份证和社保卡。从这里开始。",
            "zh-Hant": "普通居民：本地戶籍，有身份證和社保卡。從這裡開始。",
            "en": "An ordinary resident: local household register, ID card, social security card. Start here.",
        },
        applications=_RESIDENT_APPLICATIONS,
    ),
    Persona(
        "elderly",
        _person(
            "elderly",
            "黄桂英",
            "female",
            date(1948, 9, 3),
            902,
            "广东省广州市越秀区东山街道署前路17号201房",
            "440104003",
            phone=PHONE_PREFIX + "02",
            marital="widowed",
        ),
        {"zh-Hans": "广州市越秀区", "zh-Hant": "廣州市越秀區", "en": "Yuexiu District, Guangzhou"},
        {
            "zh-Hans": "70岁以上老人：长期有效身份证、长者免费乘车卡。测试年龄条件和长者服务。",
            "zh-Hant": "70歲以上長者：長期有效身份證、長者免費乘車卡。測試年齡條件和長者服務。",
            "en": "A resident over 70: long-term ID card, free-travel senior card. Try age rules and senior services.",
        },
    ),
    Persona(
        "minor_guardian",
        _person(
            "minor_guardian",
            "刘芳",
            "female",
            _MOTHER_BORN,
            904,
            _HAIZHU,
            "440105004",
            phone=PHONE_PREFIX + "03",
            marital="married",
            spouse=_FATHER,
        ),
        {"zh-Hans": "广州市海珠区", "zh-Hant": "廣州市海珠區", "en": "Haizhu District, Guangzhou"},
        {
            "zh-Hans": "已婚母亲，同户有未成年女儿（2016年出生）：为孩子办事；结婚证、孩子的出生医学证明。",
            "zh-Hant": "已婚母親，同戶有未成年女兒（2016年出生）：為孩子辦事；結婚證、孩子的出生醫學證明。",
            "en": (
                "A married mother whose daughter (born 2016) is in her household: apply for the child; "
                "marriage certificate, the child's birth certificate."
            ),
        },
        relatives=(
            _person(
                "minor_guardian",
                "周建国",
                "male",
                _FATHER_BORN,
                903,
                _HAIZHU,
                "440105004",
                marital="married",
                spouse=_MOTHER,
            ),
            _person(
                "minor_guardian",
                "周子涵",
                "female",
                _CHILD_BORN,
                906,
                _HAIZHU,
                "440105004",
                father=_FATHER,
                mother=_MOTHER,
            ),
        ),
        applications=_MINOR_GUARDIAN_APPLICATIONS,
    ),
    Persona(
        "non_local",
        _person(
            "non_local",
            "王磊",
            "male",
            date(1995, 11, 5),
            905,
            "湖南省长沙市岳麓区岳麓街道麓山南路932号",
            "430104001",
            phone=PHONE_PREFIX + "04",
        ),
        {"zh-Hans": "湖南省长沙市岳麓区", "zh-Hant": "湖南省長沙市岳麓區", "en": "Yuelu District, Changsha, Hunan"},
        {
            "zh-Hans": "外省户籍（湖南），持广东省居住证住在番禺：没有本地户口簿。",
            "zh-Hant": "外省戶籍（湖南），持廣東省居住證住在番禺：沒有本地戶口簿。",
            "en": "Household registered in Hunan, living in Panyu on a Guangdong residence permit: no local hukou.",
        },
    ),
    Persona(
        "hongkong",
        _person(
            "hongkong",
            "陈家明",
            "male",
            date(1982, 1, 25),
            907,
            "广东省广州市天河区猎德街道花城大道88号2座1201房",
            "440106004",
            phone=PHONE_PREFIX + "05",
        ),
        {"zh-Hans": "香港特别行政区", "zh-Hant": "香港特別行政區", "en": "Hong Kong SAR"},
        {
            "zh-Hans": "香港居民：港澳台居民居住证（号码810000开头），没有内地身份证。",
            "zh-Hant": "香港居民：港澳台居民居住證（號碼810000開頭），沒有內地身份證。",
            "en": (
                "A Hong Kong resident: residence permit for Hong Kong, Macao and Taiwan residents "
                "(number 810000...), no mainland ID card."
            ),
        },
    ),
    Persona(
        "business_owner",
        _person(
            "business_owner",
            "郑伟强",
            "male",
            date(1978, 3, 18),
            909,
            "广东省广州市白云区景泰街道广园中路218号5楼",
            "440111002",
            phone=PHONE_PREFIX + "06",
        ),
        {"zh-Hans": "广州市白云区", "zh-Hant": "廣州市白雲區", "en": "Baiyun District, Guangzhou"},
        {
            "zh-Hans": "个体工商户：营业执照（统一社会信用代码）和食品经营许可证，经营一家茶餐厅。",
            "zh-Hant": "個體工商戶：營業執照（統一社會信用代碼）和食品經營許可證，經營一家茶餐廳。",
            "en": "Runs a café as a sole trader: business licence (unified social credit code), food business licence.",
        },
        applications=_BUSINESS_OWNER_APPLICATIONS,
    ),
)
"""The six personas, in the order `onewindow personas` lists them."""


def persona(key: str) -> Persona:
    """The persona with this key."""
    return next(p for p in PERSONAS if p.key == key)
