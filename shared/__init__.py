"""The Rapport API contract: msgspec Structs of every request and response, and a typed
async client. Imported by the server and the TUI; imports neither."""
