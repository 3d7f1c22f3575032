"""SavedModel Inspector: see what is inside a TensorFlow SavedModel, run it, and look at the answer."""

__version__ = "0.1.0"
APP_NAME = "SavedModel Inspector"
ORG_NAME = "SavedModelInspector"
