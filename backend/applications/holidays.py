"""The provisional rule: China's statutory public holidays of a year whose official arrangement is not out yet.

The State Council publishes each year's arrangement (放假安排, with its weekend days worked instead, 调休)
around November of the year before. Until then a deadline reaching into that year is counted with this
rule, and shown as provisional:

- Saturdays and Sundays are rest days;
- the statutory holidays (全国年节及纪念日放假办法, as amended in 2024, in force from 2025) are days off:
  New Year's Day (1 January), the Spring Festival (lunar New Year's Eve and the first three days of the
  lunar year), Qingming (the day of the Qingming solar term, 4 or 5 April), Labour Day (1 and 2 May),
  the Dragon Boat Festival (5th day of the 5th lunar month), the Mid-Autumn Festival (15th day of the
  8th lunar month) and National Day (1 to 3 October);
- no weekend day is worked instead and no holiday on a weekend is moved: those swaps are exactly what
  the coming announcement decides, and cannot be foreseen.

Lunar dates come from the `lunardate` package (1900 to 2099). Qingming is computed with the standard
formula for solar terms of the 21st century (寿星通用公式), which has no exception for Qingming there.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from lunardate import LunarDate

# Each statutory holiday's name in zh-Hans, zh-Hant and en (also the names loaded arrangements use).
HOLIDAY_NAMES: dict[str, tuple[str, str, str]] = {
    "new_years_day": ("元旦", "元旦", "New Year's Day"),
    "spring_festival": ("春节", "春節", "Spring Festival"),
    "qingming": ("清明节", "清明節", "Qingming Festival"),
    "labour_day": ("劳动节", "勞動節", "Labour Day"),
    "dragon_boat": ("端午节", "端午節", "Dragon Boat Festival"),
    "mid_autumn": ("中秋节", "中秋節", "Mid-Autumn Festival"),
    "national_day": ("国庆节", "國慶節", "National Day"),
}

FIRST_YEAR, LAST_YEAR = 2000, 2099  # where both the lunar table and the Qingming formula hold


def qingming(year: int) -> date:
    """The day of the Qingming solar term (清明) in `year`: [Y*D + C] - L for 2000-2099."""
    y = year % 100
    return date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()  # type: ignore[no-any-return]


@functools.cache
def statutory_holidays(year: int) -> dict[str, tuple[date, ...]]:
    """The statutory days off of `year` by holiday key (see HOLIDAY_NAMES), without any 调休."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the provisional holiday rule covers {FIRST_YEAR} to {LAST_YEAR}, not {year}")
    lunar_new_year = _lunar(year, 1, 1)
    return {
        "new_years_day": (date(year, 1, 1),),
        "spring_festival": tuple(lunar_new_year + timedelta(days=n) for n in range(-1, 3)),
        "qingming": (qingming(year),),
        "labour_day": (date(year, 5, 1), date(year, 5, 2)),
        "dragon_boat": (_lunar(year, 5, 5),),
        "mid_autumn": (_lunar(year, 8, 15),),
        "national_day": (date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)),
    }
