"""``openclaw serve``: a local OpenAI-compatible endpoint through which any agent runtime
uses the host's providers with their own rules (see ``docs/gateway.md``).

:mod:`.request` reads an OpenAI request into the host's turn, :mod:`.answer` writes the
turn's events back in the OpenAI shape, :mod:`.app` routes and holds one chat session per
provider, :mod:`.guard` decides who may call, :mod:`.http` is the HTTP/1.1 server (an asyncio
Protocol and httptools).
"""
