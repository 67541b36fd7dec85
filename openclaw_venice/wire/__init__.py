"""The wire: the one owner of every HTTP request to Venice.

Chat turns, discovery, images, embeddings, billing, attestation and Intel's collateral all go
through this package: base URL and the key-destination check at send, fingerprint-free
headers, the per-loop connection pool and its close, one retry policy, bounded reads (bytes,
memory, time), a deadline per request, and the request id on every error. Nothing above it
imports httpx.

What the wire relies on inside httpx 0.28 and httpcore 1.0 beyond their public API (each for
a measured reason; each falls back to the libraries' own behaviour, safe and slower, when it
is not where it was, and a test fails when it moves, so an upgrade shows it):

* ``AsyncHTTPTransport._pool`` and the pool's ``_network_backend``: the asyncio backend
  (``asyncio_backend.install``; ``test_wire_backend.py::test_the_transport_carries_the_backend``);
* the pool's ``create_connection`` and the connections' ``_request_lock`` / ``_state_lock`` /
  ``_connect_lock``: asyncio's locks for anyio's (``..._locks_with_asyncios_own_lock``);
* the pool's ``_close_connections``: skipped when empty
  (``..._skips_empty_closes``);
* httpx's stream -> ``_httpcore_stream._stream._connection._h11_state``: the check that no
  answer arrives without a request (``unasked.py``; ``test_wire_unasked.py``);
* a transport's response ``stream`` read directly (``body._raw``), as ``aiter_raw`` would
  (``test_wire_encodings.py::test_an_uncompressed_answer_is_read_as_httpx_reads_it``).
"""
