"""Running models in a separate worker process (the only place TensorFlow's runtime loads)."""
