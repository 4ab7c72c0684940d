"""granska: cited answers from an archive of Swedish public-sector reports.

Importing the package sets the offline switches first, before any library that could reach
the network (huggingface_hub, gradio, chromadb) is imported anywhere in the process.
"""

from granska import offline as _offline

_offline.apply()

__version__ = "0.1.0"
