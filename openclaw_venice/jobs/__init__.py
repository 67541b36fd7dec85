"""Venice's queued media jobs: video (``/video/*``), music and sound effects (``/audio/*``)."""
