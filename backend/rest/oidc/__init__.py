"""The OpenID Connect provider's HTTP side: the browser's authorize, sign-in and consent pages
(browser.py) and the machine-to-machine endpoints (backchannel.py). The protocol logic lives in
backend.identity; this is transport.
"""

from __future__ import annotations

from backend.rest.oidc.backchannel import discovery, jwks, revoke, token, userinfo
from backend.rest.oidc.browser import authorize, consent, login, login_code

ROUTES = [discovery, jwks, authorize, consent, login_code, login, token, userinfo, revoke]
