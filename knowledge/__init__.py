"""The knowledge base and the engine that answers from it (no Telegram, no database).

OpenBLAS runs one thread here unless OPENBLAS_NUM_THREADS says otherwise: the engine's products
are small (a question against the base's entries), and a second thread only doubled their CPU
(4,000 calibration questions searched: 11.2 s of CPU against 6.0, both in 6.0 s). It is read when
numpy loads, so this package sets it before any of its modules imports numpy.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
