"""The service catalog: departments, matters, certificate types, bundles, halls and regions."""
