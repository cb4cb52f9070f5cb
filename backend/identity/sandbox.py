"""What a developer reads about the sandbox outside the sign-in page: `onewindow personas`' labels.

A sandbox app (oauth_clients.sandbox) signs in only the sandbox personas, with the sandbox code
(backend.identity.login_codes.SANDBOX_CODE); the population registry says who they are
(PopulationRegistry.personas). The English texts are msgids in locales/*/onewindow.po.
"""

from __future__ import annotations

LISTING: dict[str, str] = {
    "intro": (
        "Sandbox personas: a sandbox app (onewindow clients create --sandbox) signs in only these residents, "
        "with their phone number and the code {code}; no SMS is sent. Live apps never sign them in."
    ),
    "persona": "Persona",
    "name": "Full name",
    "phone": "Mobile phone number",
    "id_number": "ID number",
    "age": "Age",
    "region": "Household registered in",
    "certificates": "Certificates held",
    "purpose": "Good for",
    "applications": "Applications made",
    "unseeded": "none yet: run onewindow seed",
}
"""The listing's introduction and labels, by name."""
