"""Identity's error codes: sign-in, tokens, real-name verification, OAuth clients."""

from __future__ import annotations

from enum import StrEnum

from backend.errors import register


class IdentityErrorCode(StrEnum):
    """Why a sign-in, a token or a client registration was refused."""

    LOGIN_CODE_INVALID = "LOGIN_CODE_INVALID"
    LOGIN_CODE_LOCKED = "LOGIN_CODE_LOCKED"
    INVALID_REFRESH_TOKEN = "INVALID_REFRESH_TOKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    REAL_NAME_MISMATCH = "REAL_NAME_MISMATCH"
    REAL_NAME_NO_SUCH_NUMBER = "REAL_NAME_NO_SUCH_NUMBER"
    REAL_NAME_PHONE_NOT_ON_RECORD = "REAL_NAME_PHONE_NOT_ON_RECORD"
    REAL_NAME_NO_PHONE_ON_RECORD = "REAL_NAME_NO_PHONE_ON_RECORD"
    ID_NUMBER_TAKEN = "ID_NUMBER_TAKEN"
    ALREADY_VERIFIED = "ALREADY_VERIFIED"
    INVALID_REDIRECT_URI = "INVALID_REDIRECT_URI"
    UNKNOWN_SCOPE = "UNKNOWN_SCOPE"


register(
    {
        IdentityErrorCode.LOGIN_CODE_INVALID: "The code is wrong or has expired.",
        IdentityErrorCode.LOGIN_CODE_LOCKED: "Too many wrong codes. Please request a new code.",
        IdentityErrorCode.INVALID_REFRESH_TOKEN: "Your sign-in is no longer valid. Please sign in again.",
        IdentityErrorCode.INVALID_CREDENTIALS: "The username or password is wrong.",
        IdentityErrorCode.REAL_NAME_MISMATCH: (
            "This name is not the one registered for this ID number. Enter your name exactly as on your ID card."
        ),
        IdentityErrorCode.REAL_NAME_NO_SUCH_NUMBER: (
            "The population registry has no resident with this ID number. Check it against your ID card."
        ),
        IdentityErrorCode.REAL_NAME_PHONE_NOT_ON_RECORD: (
            "Your name and ID number match, but this phone number is not the one on your household record. "
            "Sign in with the phone number registered there, or have it changed at your household registration "
            "police station, then try again."
        ),
        IdentityErrorCode.REAL_NAME_NO_PHONE_ON_RECORD: (
            "Your name and ID number match, but your household record has no phone number. Have this phone "
            "number added at your household registration police station, then try again."
        ),
        IdentityErrorCode.ID_NUMBER_TAKEN: "This ID number is already linked to another account.",
        IdentityErrorCode.ALREADY_VERIFIED: "Your identity is already verified. Contact the service desk to change it.",
        IdentityErrorCode.INVALID_REDIRECT_URI: (
            "A redirect URI must be an absolute https URL without a fragment (http only for localhost)."
        ),
        IdentityErrorCode.UNKNOWN_SCOPE: "Unknown scope {scope}.",
    }
)
