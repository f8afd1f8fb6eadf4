"""Physical layer deception with non-orthogonal multiplexing (seed 003, ../shared/notes/003.md)."""
