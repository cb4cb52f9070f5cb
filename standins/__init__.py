"""Stand-ins of the external systems onewindow talks to, for development, demos and tests.

They speak the real systems' protocols (or implement the domain's interface for them) so the
production code path is the one exercised; they are not part of the production install (the wheel
ships `backend` and `payments` only), and production settings refuse every one of them.

- sms.py                 the SMS gateway: an outbox table (`onewindow sms outbox`)
- population/            the population registry: a synthetic city (generate.py) and its lookups
- certificates/          the certificate library (电子证照库): every resident's certificates, and the
                         numbers registries allocate at issuing (numbers.py: passports, plates)
- finance_bureau.py      the finance bureau's e-receipt numbering (号段, check codes)
- alipay/                the Alipay gateway: signed API, trades, notifications, refunds, bills
- seed.py                `onewindow seed`: the population, its certificates, the demo accounts
"""
