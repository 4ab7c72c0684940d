"""granska.index: embeddings, the Chroma store, the lexical index and hybrid retrieval (knows nothing of app)."""
