"""Reading SavedModels from disk without the TensorFlow runtime: discovery, metadata, diagnostics."""
