"""`python -m miniapp_stub --port 8100 --platform http://127.0.0.1:8000 --client-id mp-...`."""

from miniapp_stub.server import main

main()
