"""Venice chat completions: request building, SSE parsing, event assembly, transport."""
