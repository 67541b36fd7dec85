"""Venice speech (``POST /audio/speech``) and transcription (``POST /audio/transcriptions``)."""
