"""The national five levels of 好差评 and each channel's criteria (国办发〔2019〕51号; GB/T 39734-2020).

Labels are English msgids translated in locales/ (TEXTS is registered in backend/messages.py)."""

from __future__ import annotations

from enum import StrEnum

from backend.hall.ratings.opening import RatedKind


class Level(StrEnum):
    """One of the five levels, best first."""

    VERY_SATISFIED = "very_satisfied"  # 非常满意
    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意
    VERY_DISSATISFIED = "very_dissatisfied"  # 非常不满意


BAD = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
"""差评: the bottom two levels; each opens a rectification case."""
SATISFIED = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.BASIC})
"""What the satisfaction rate counts (the national counting: 基本满意 and better)."""


class Criterion(StrEnum):
    """What a rating judges besides the overall level."""

    EFFICIENCY = "efficiency"  # 办事效率
    GUIDE_ACCURACY = "guide_accuracy"  # 办事指南精确度
    CONVENIENCE = "convenience"  # 办事便捷度
    OPERABILITY = "operability"  # 平台操作性
    SERVICE_EFFICIENCY = "service_efficiency"  # 服务效率
    SERVICE_LEVEL = "service_level"  # 服务水平
    SERVICE_ATTITUDE = "service_attitude"  # 服务态度


_ONLINE = (Criterion.EFFICIENCY, Criterion.GUIDE_ACCURACY, Criterion.CONVENIENCE, Criterion.OPERABILITY)
_HALL = (Criterion.SERVICE_EFFICIENCY, Criterion.SERVICE_LEVEL, Criterion.SERVICE_ATTITUDE)
CRITERIA: dict[RatedKind, tuple[Criterion, ...]] = {
    RatedKind.ONLINE_CASE: _ONLINE,
    RatedKind.HALL_VISIT: _HALL,
    RatedKind.APPOINTMENT: _HALL,
}
"""The criteria each kind must be rated on (the overall level is the rating's own)."""

LEVEL_LABELS: dict[Level, str] = {
    Level.VERY_SATISFIED: "Very satisfied",
    Level.SATISFIED: "Satisfied",
    Level.BASIC: "Basically satisfied",
    Level.DISSATISFIED: "Dissatisfied",
    Level.VERY_DISSATISFIED: "Very dissatisfied",
}
CRITERION_LABELS: dict[Criterion, str] = {
    Criterion.EFFICIENCY: "Efficiency of handling",
    Criterion.GUIDE_ACCURACY: "Accuracy of the service guide",
    Criterion.CONVENIENCE: "Convenience of handling",
    Criterion.OPERABILITY: "Ease of using the platform",
    Criterion.SERVICE_EFFICIENCY: "Efficiency of service",
    Criterion.SERVICE_LEVEL: "Level of service",
    Criterion.SERVICE_ATTITUDE: "Attitude of service",
}
CRITERION_DESCRIPTIONS: dict[Criterion, str] = {
    Criterion.EFFICIENCY: "How quickly the matter was handled, against the time promised.",
    Criterion.GUIDE_ACCURACY: "Whether the service guide's materials, steps and fees were accurate.",
    Criterion.CONVENIENCE: "How few trips, materials and steps the matter needed.",
    Criterion.OPERABILITY: "How easy the online platform was to use.",
    Criterion.SERVICE_EFFICIENCY: "How long you waited and how quickly you were served at the window.",
    Criterion.SERVICE_LEVEL: "Whether the staff knew the matter and explained it clearly.",
    Criterion.SERVICE_ATTITUDE: "Whether the staff were polite and patient.",
}
KIND_LABELS: dict[RatedKind, str] = {
    RatedKind.ONLINE_CASE: "Online application",
    RatedKind.HALL_VISIT: "Visit to a service hall",
    RatedKind.APPOINTMENT: "Appointment at a service hall",
}

TEXTS: dict[str, str] = {
    **{f"level.{k}": v for k, v in LEVEL_LABELS.items()},
    **{f"criterion.{k}": v for k, v in CRITERION_LABELS.items()},
    **{f"criterion.{k}.description": v for k, v in CRITERION_DESCRIPTIONS.items()},
    **{f"kind.{k}": v for k, v in KIND_LABELS.items()},
}
