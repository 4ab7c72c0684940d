"""Process-wide switches that keep the stack off the network (see OFFLINE.md in the design docs).

They are set with `setdefault`, so an operator can still override them explicitly. `apply()` is
called by the entry points (the CLI's main callback, `python -m granska.eval.*`), not on import of
`granska`: a library must not change its host program's environment behind its back. It must run
before chromadb, gradio, huggingface_hub or llama-index is imported, because they read some of
these variables once, at import (huggingface_hub's `HF_HUB_OFFLINE`, for one).
"""

import os

_SWITCHES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply() -> None:
    """Set every offline switch that the environment has not set already."""
    for key, value in _SWITCHES.items():
        os.environ.setdefault(key, value)
