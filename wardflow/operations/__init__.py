"""Operations on past runs.

Replay and shadow runs with other settings, re-keying encrypted data, and erasure
(GDPR).
"""
