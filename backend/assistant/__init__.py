"""The assistant's backend side: relaying citizens' messages to the Rasa server."""
