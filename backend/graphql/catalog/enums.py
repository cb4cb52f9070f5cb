"""The catalog's GraphQL enums: levels, audiences, themes, service modes, form field and certificate
field types, certificate holders."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Administrative level: of a region, a department or a matter.")
class AdministrativeLevel(Enum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


@strawberry.enum(description="Who may apply.")
class Audience(Enum):
    PERSON = "person"
    ENTERPRISE = "enterprise"
    BOTH = "both"


@strawberry.enum(description="The life theme a matter belongs to.")
class Theme(Enum):
    BIRTH = "birth"
    EDUCATION = "education"
    EMPLOYMENT = "employment"
    MARRIAGE = "marriage"
    HOUSING = "housing"
    SOCIAL_SECURITY = "social_security"
    HEALTH = "health"
    TRANSPORT = "transport"
    BUSINESS = "business"
    TAX = "tax"
    RESIDENCE = "residence"
    ELDERLY = "elderly"
    DISABILITY = "disability"
    DEATH = "death"
    TALENT = "talent"
    CULTURE = "culture"
    ENVIRONMENT = "environment"
    CONSTRUCTION = "construction"


@strawberry.enum(description="How a matter can be handled: 网上办, 就近办, 马上办, 一次办.")
class ServiceMode(Enum):
    ONLINE = "online"
    NEARBY = "nearby"
    IMMEDIATE = "immediate"
    ONE_TRIP = "one_trip"


@strawberry.enum(description="The input a form field takes.")
class FormFieldType(Enum):
    TEXT = "text"
    TEXTAREA = "textarea"
    DATE = "date"
    SELECT = "select"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    CREDIT_CODE = "credit_code"
    MONEY = "money"
    NUMBER = "number"
    ADDRESS = "address"
    BOOLEAN = "boolean"


@strawberry.enum(description="The type of a certificate field.")
class CertificateFieldType(Enum):
    TEXT = "text"
    DATE = "date"
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    ENUM = "enum"
    NUMBER = "number"
    MONEY = "money"
    ADDRESS = "address"


@strawberry.enum(description="Who holds a certificate.")
class CertificateHolder(Enum):
    PERSON = "person"
    ENTERPRISE = "enterprise"
