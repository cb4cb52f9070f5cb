"""Electronic certificates (电子证照): the external library, the citizen's wallet, the tamper-evident log."""
