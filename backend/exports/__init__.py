"""Exports finance staff open in Excel: the writers (xlsx, CSV in UTF-8 with BOM or GBK), the signed
download link, and which builder makes each kind of table."""
