"""granska: cited answers from an archive of Swedish public-sector reports.

Importing the package changes nothing in the process (no environment variables): the offline
switches are applied by the entry points (`granska` CLI, `python -m granska.eval.*`), and a
program that embeds granska calls `granska.offline.apply()` itself, before it imports chromadb,
gradio, huggingface_hub or llama-index (directly or through `granska.app` / `granska.index`).
"""

__version__ = "0.1.0"
