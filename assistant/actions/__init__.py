"""The assistant's custom actions (rasa-sdk), run by `scripts/assistant.sh actions`."""
