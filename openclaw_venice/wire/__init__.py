"""The wire: the one owner of every HTTP request to Venice.

Chat turns, discovery, images, embeddings, billing, attestation and Intel's collateral all go
through this package: base URL and the key-destination check at send, fingerprint-free
headers, the per-loop connection pool and its close, one retry policy, bounded reads (bytes,
memory, time), a deadline per request, and the request id on every error. Nothing above it
imports httpx.
"""
