"""Venice image generation (``POST /image/generate``)."""
