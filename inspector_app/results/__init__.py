"""Interpreting outputs (class scores, masks, images, any tensor) and exporting them. Qt-free."""
