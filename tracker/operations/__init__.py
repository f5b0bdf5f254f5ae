"""Operations: the nightly jobs fanned out over the task queue, and readiness for monitors."""
