import knowledge  # noqa: F401 (one BLAS thread, set before numpy loads: see knowledge/__init__.py)
